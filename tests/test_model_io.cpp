#include <doctest/doctest.h>

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <unistd.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "tiny.hpp"

using namespace rbmkit;

namespace {
/// A path in a directory private to this test process (concurrent runs do not collide).
std::string temp_path(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/rbmkit_test_model_io.XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir + "/" + name;
}
/// Overwrites the little-endian u64 at `offset` and recomputes the trailing CRC-32, so the
/// damage gets past the checksum and must be caught by the structural checks.
std::string patch_u64(std::string file, std::size_t offset, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) file[offset + i] = char((value >> (8 * i)) & 0xff);
  const std::size_t body = file.size() - 4;
  const auto crc = std::uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(file.data()), uInt(body)));
  for (int i = 0; i < 4; ++i) file[body + i] = char((crc >> (8 * i)) & 0xff);
  return file;
}
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
  TEST_CASE("save and load round-trip bit-exactly in float and double - with config and RNG state") {
    Rng rng(1);
    const Rbm<double> d = test::random_rbm(7, 5, rng);
    const Rbm<float> f = d.cast<float>();
    const std::string pd = temp_path("d.rbm"), pf = temp_path("f.rbm");
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
    save_rbm(temp_path("d2.rbm"), load_rbm<double>(pd), {{"seed", "42"}, {"method", "pcd"}}, rng.state());
    CHECK(slurp(pd) == slurp(temp_path("d2.rbm")));
  }

  TEST_CASE("a damaged - truncated or foreign model file is refused") {
    Rng rng(2);
    const std::string p = temp_path("dmg.rbm");
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
    CHECK_THROWS_WITH_AS(load_rbm<double>(temp_path("rbmkit_no_such_model.rbm")),
                         doctest::Contains("rbmkit_no_such_model.rbm"), ModelError);
  }

  TEST_CASE("a failed write leaves an existing file untouched") {
    const std::string p = temp_path("keep.txt");
    spit(p, "precious");
    CHECK_THROWS(write_file_atomically(p, [](std::ostream& os) {
      os << "partial";
      throw OutputError("simulated failure");
    }));
    CHECK(slurp(p) == "precious");
    CHECK_THROWS_AS(write_file_atomically(temp_path("no_dir/x.rbm"), [](std::ostream&) {}), OutputError);
    CHECK_THROWS_AS(write_file_atomically("/tmp", [](std::ostream&) {}), OutputError);
    write_file_atomically(p, [](std::ostream& os) { os << "new"; });
    CHECK(slurp(p) == "new");
  }

  TEST_CASE("sizes that disagree with the file are refused before anything is allocated") {
    Rng rng(3);
    const std::string p = temp_path("sizes.rbm");
    save_rbm(p, test::random_rbm(3, 2, rng));
    const std::string good = slurp(p);
    // Header claims 60000 x 60000 units (28.8 GB as a matrix) but the arrays are 3 x 2.
    spit(p, patch_u64(patch_u64(good, 16, 60000), 24, 60000));
    CHECK_THROWS_WITH_AS(load_rbm<double>(p), doctest::Contains("disagree"), ModelError);
    // The first array ("W", name at offset 74) claims 2^62 rows: rows*cols*size overflows 64 bits.
    const std::size_t cfg_len = std::size_t(static_cast<unsigned char>(good[64]));
    REQUIRE(cfg_len == 0);
    REQUIRE(good.substr(74, 1) == "W");
    spit(p, patch_u64(good, 75, std::uint64_t(1) << 62));
    CHECK_THROWS_WITH_AS(read_model_file(p), doctest::Contains("more than the file holds"), ModelError);
    // The unpatched file still loads (the patching itself is not what is refused).
    spit(p, patch_u64(good, 16, 3));
    CHECK_NOTHROW(load_rbm<double>(p));
  }

  TEST_CASE("non-finite parameters are never written") {
    Rng rng(4);
    Rbm<double> rbm = test::random_rbm(3, 2, rng);
    rbm.W()(1, 1) = std::nan("");
    const std::string p = temp_path("nan.rbm");
    spit(p, "old model");
    CHECK_THROWS_AS(save_rbm(p, rbm), NumericalError);
    CHECK(slurp(p) == "old model");
  }
}
