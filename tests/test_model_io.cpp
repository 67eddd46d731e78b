#include <doctest/doctest.h>

#include <fstream>
#include <iterator>

#include "rbmkit/error.hpp"
#include "rbmkit/model_io.hpp"
#include "tiny.hpp"

using namespace rbmkit;

namespace {
std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void spit(const std::string& p, const std::string& s) {
  std::ofstream(p, std::ios::binary).write(s.data(), std::streamsize(s.size()));
}
template <class T>
bool same(const Rbm<T>& a, const Rbm<T>& b) {
  return arma::approx_equal(a.W(), b.W(), "absdiff", 0) && arma::approx_equal(a.b(), b.b(), "absdiff", 0) &&
         arma::approx_equal(a.c(), b.c(), "absdiff", 0);
}
}  // namespace

TEST_SUITE("model_io") {
  TEST_CASE("save and load round-trip bit-exactly in float and double, with config and RNG state") {
    Rng rng(1);
    const Rbm<double> d = test::random_rbm(7, 5, rng);
    const Rbm<float> f = d.cast<float>();
    const std::string pd = "/tmp/rbmkit_test_d.rbm", pf = "/tmp/rbmkit_test_f.rbm";
    rng.next();
    save_rbm(pd, d, {{"seed", "42"}, {"method", "pcd"}}, rng.state());
    save_rbm(pf, f);
    CHECK(same(load_rbm<double>(pd), d));
    CHECK(same(load_rbm<float>(pf), f));
    const ModelFile mf = read_model_file(pd);
    CHECK(mf.config.at("seed") == "42");
    CHECK(mf.rng_state == rng.state());
    CHECK(mf.element_type == ElementType::float64);
    CHECK(read_model_file(pf).element_type == ElementType::float32);
    // Saving the loaded model again gives the same bytes.
    save_rbm("/tmp/rbmkit_test_d2.rbm", load_rbm<double>(pd), {{"seed", "42"}, {"method", "pcd"}}, rng.state());
    CHECK(slurp(pd) == slurp("/tmp/rbmkit_test_d2.rbm"));
  }

  TEST_CASE("a damaged, truncated or foreign model file is refused") {
    Rng rng(2);
    const std::string p = "/tmp/rbmkit_test_dmg.rbm";
    save_rbm(p, test::random_rbm(6, 4, rng));
    const std::string good = slurp(p);
    // Every single flipped byte is detected (magic, header, config, data or checksum).
    int refused = 0;
    for (std::size_t i = 0; i < good.size(); ++i) {
      std::string bad = good;
      bad[i] = char(bad[i] ^ 0x5a);
      spit(p, bad);
      try {
        load_rbm<double>(p);
      } catch (const ModelError&) {
        ++refused;
      }
    }
    CHECK(refused == int(good.size()));
    spit(p, good.substr(0, good.size() / 2));
    CHECK_THROWS_AS(load_rbm<double>(p), ModelError);
    spit(p, "not a model at all");
    CHECK_THROWS_WITH_AS(load_rbm<double>(p), doctest::Contains("bad magic"), ModelError);
    CHECK_THROWS_WITH_AS(load_rbm<double>("/tmp/rbmkit_no_such_model.rbm"),
                         doctest::Contains("rbmkit_no_such_model.rbm"), ModelError);
  }

  TEST_CASE("a failed write leaves an existing file untouched") {
    const std::string p = "/tmp/rbmkit_test_keep.txt";
    spit(p, "precious");
    CHECK_THROWS(write_file_atomically(p, [](std::ostream& os) {
      os << "partial";
      throw OutputError("simulated failure");
    }));
    CHECK(slurp(p) == "precious");
    CHECK_THROWS_AS(write_file_atomically("/tmp/rbmkit_no_dir/x.rbm", [](std::ostream&) {}), OutputError);
    CHECK_THROWS_AS(write_file_atomically("/tmp", [](std::ostream&) {}), OutputError);
    write_file_atomically(p, [](std::ostream& os) { os << "new"; });
    CHECK(slurp(p) == "new");
  }
}
