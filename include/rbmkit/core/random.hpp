#pragma once
/// rbmkit's one random number generator: xoshiro256++ seeded through splitmix64.
///
/// Every stochastic function in rbmkit takes an `Rng&`; there is no global generator.
/// `split(k)` derives an independent stream for worker k (chains, threads) from the
/// current state without advancing it, so results depend only on the master seed.
#include <array>
#include <cmath>
#include <cstdint>

namespace rbmkit {

namespace detail {
/// splitmix64 (Steele, Lea & Flood 2014): advances x by 0x9e3779b97f4a7c15 and returns a mix of
/// it; the seeding of xoshiro256++ its authors recommend.
inline std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace detail

/// A fast, splittable, serialisable pseudo-random generator (xoshiro256++, Blackman & Vigna 2021).
class Rng {
public:
  using result_type = std::uint64_t;
  using State = std::array<std::uint64_t, 4>;

  /// Seeds the four state words from `seed` with splitmix64.
  explicit Rng(std::uint64_t seed = 0x5eed) { reseed(seed); }

  /// Re-seeds as if freshly constructed with `seed`.
  void reseed(std::uint64_t seed);

  /// Next 64 random bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[0] + s_[3], 23) + s_[0];
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  std::uint64_t operator()() { return next(); }
  static constexpr std::uint64_t min() { return 0; }
  static constexpr std::uint64_t max() { return ~std::uint64_t(0); }

  /// Uniform double in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  /// Uniform float in [0, 1) with 24 random bits.
  float uniform_float() { return float(next() >> 40) * 0x1.0p-24f; }
  /// Uniform integer in [0, n) (Lemire's nearly-divisionless method), n > 0.
  std::uint64_t below(std::uint64_t n);
  /// Standard normal deviate (Marsaglia polar method; no cached spare, so the state alone
  /// determines the future).
  double normal();

  /// An independent generator for stream `k`, derived from the current state and `k`
  /// without advancing this generator.
  Rng split(std::uint64_t k) const;

  /// The full state, for saving with a model (exact resume).
  const State& state() const { return s_; }
  /// Restores a state saved with `state()`.
  void set_state(const State& s) { s_ = s; }

private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  State s_{};
};

/// In-place Fisher–Yates shuffle of a random-access range with `rng`.
template <class It>
void shuffle(It first, It last, Rng& rng) {
  const auto n = last - first;
  for (auto i = n - 1; i > 0; --i) {
    const auto j = static_cast<decltype(i)>(rng.below(static_cast<std::uint64_t>(i) + 1));
    std::swap(first[i], first[j]);
  }
}

}  // namespace rbmkit
