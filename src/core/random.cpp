#include "rbmkit/core/random.hpp"

namespace rbmkit {
namespace {
__extension__ typedef unsigned __int128 u128;
using detail::splitmix64;
}  // namespace

void Rng::reseed(std::uint64_t seed) {
  std::uint64_t x = seed;
  for (auto& w : s_) w = splitmix64(x);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Lemire (2019): multiply-shift with rejection of the biased low region.
  u128 m = static_cast<u128>(next()) * n;
  std::uint64_t low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>(next()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double Rng::normal() {
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  return u * std::sqrt(-2.0 * std::log(s) / s);
}

Rng Rng::split(std::uint64_t k) const {
  // Hash the state together with k through splitmix64; distinct k give unrelated streams.
  std::uint64_t x = s_[0] ^ rotl(s_[1], 13) ^ rotl(s_[2], 29) ^ rotl(s_[3], 47);
  x ^= 0xd1b54a32d192ed03ULL * (k + 1);
  Rng r(0);
  State st;
  for (auto& w : st) w = splitmix64(x);
  r.set_state(st);
  return r;
}

}  // namespace rbmkit
