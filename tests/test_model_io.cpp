#include <doctest/doctest.h>

#include <zlib.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <unistd.h>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_csv.hpp"
#include "rbmkit/io/model_file.hpp"
#include "equiv_fixtures.hpp"
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
/// The content of every file of `names` in `dir`, concatenated with the names.
std::string slurp_all(const std::string& dir, std::initializer_list<const char*> names) {
  std::string s;
  for (const char* n : names) s += std::string(n) + ":\n" + slurp(dir + "/" + n);
  return s;
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

  TEST_CASE("a model file's bytes parse back to the same file - damaged bytes are refused") {
    Rng rng(3);
    const ModelFile f = make_rbm_file(test::random_rbm(5, 4, rng), {{"hidden", "4"}}, rng.state());
    const std::string bytes = model_file_bytes(f);
    const std::string path = temp_path("bytes.rbm");
    write_model_file(path, f);
    CHECK(slurp(path) == bytes);
    const ModelFile back = parse_model_file(bytes, "memory");
    CHECK(model_file_bytes(back) == bytes);
    CHECK(back.config.at("hidden") == "4");
    std::string damaged = bytes;
    damaged[damaged.size() / 2] ^= 1;
    CHECK_THROWS_WITH_AS(parse_model_file(damaged, "memory"), doctest::Contains("memory"), ModelError);
  }

  TEST_CASE("a file that refers to the weights has the bytes of one that copies them") {
    // make_rbm_file with `refer` (what Trainer::write uses): the same bytes, and the weights
    // are read when written, not when the file is made (a change before writing is seen).
    Rng rng(5);
    Rbm<double> rbm = test::random_rbm(5, 4, rng);
    const std::string copied = model_file_bytes(make_rbm_file(rbm, {{"hidden", "4"}}, rng.state()));
    const ModelFile referring = make_rbm_file(rbm, {{"hidden", "4"}}, rng.state(), true);
    CHECK(model_file_bytes(referring) == copied);
    rbm.W()(0, 0) += 1.0;
    CHECK(model_file_bytes(referring) != copied);
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

  TEST_CASE("content written atomically from a string or from pieces is the pieces joined") {
    const std::string p = temp_path("pieces.txt");
    spit(p, "old");
    const std::string big(100000, 'x');
    write_file_atomically(p, std::vector<std::string_view>{"ab", "", big, "cd"});
    CHECK(slurp(p) == "ab" + big + "cd");
    write_file_atomically(p, std::string("whole"));
    CHECK(slurp(p) == "whole");
    write_file_atomically(p, std::vector<std::string_view>{});
    CHECK(slurp(p).empty());
    CHECK_THROWS_AS(write_file_atomically(temp_path("no_dir/x"), std::vector<std::string_view>{"a"}),
                    OutputError);
    write_file_atomically("/dev/null", std::vector<std::string_view>{"into", "a device"});
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

  TEST_CASE("RBM and BM parameters survive CSV export and import - a second export is identical") {
    Rng rng(5);
    const Rbm<double> rbm = test::random_rbm(5, 3, rng);
    write_rbm_csv(temp_path("rbm1"), rbm);
    CHECK(csv_machine_kind(temp_path("rbm1")) == MachineKind::rbm);
    const Rbm<double> rbm_back = read_rbm_csv(temp_path("rbm1"));
    CHECK(same(rbm, rbm_back));
    write_rbm_csv(temp_path("rbm2"), rbm_back);
    CHECK(slurp_all(temp_path("rbm1"), {"W.csv", "b.csv", "c.csv"}) ==
          slurp_all(temp_path("rbm2"), {"W.csv", "b.csv", "c.csv"}));

    const auto bm = fixtures::random_bm<double>(4, 3, 0.7, 6, Connectivity::semi_restricted);
    write_bm_csv(temp_path("bm1"), bm);
    CHECK(csv_machine_kind(temp_path("bm1")) == MachineKind::bm);
    CHECK(slurp(temp_path("bm1/units.csv")) == "n_visible,n_hidden\n4,3\n");
    const BoltzmannMachine<double> back = read_bm_csv(temp_path("bm1"));
    CHECK(back.n_visible() == 4);
    CHECK(back.n_hidden() == 3);
    CHECK(fixtures::same_bits(bm.W(), back.W()));
    CHECK(fixtures::same_bits<double>(bm.bias(), back.bias()));
    CHECK(fixtures::same_bits(bm.mask(), back.mask()));
    write_bm_csv(temp_path("bm2"), back);
    const auto files = {"units.csv", "W.csv", "bias.csv", "mask.csv"};
    CHECK(slurp_all(temp_path("bm1"), files) == slurp_all(temp_path("bm2"), files));
    // Without mask.csv the machine is fully connected.
    std::remove(temp_path("bm2/mask.csv").c_str());
    CHECK(arma::accu(read_bm_csv(temp_path("bm2")).mask()) == 7 * 6);
    // A directory with both kinds of files, or neither, is refused.
    spit(temp_path("bm2/b.csv"), "1\n");
    CHECK_THROWS_WITH_AS(csv_machine_kind(temp_path("bm2")), doctest::Contains("both"), DataError);
    CHECK_THROWS_WITH_AS(csv_machine_kind(temp_path("no_such_dir")), doctest::Contains("no_such_dir"),
                         DataError);
    // Non-finite parameters are never exported.
    Rbm<double> nan_rbm = rbm;
    nan_rbm.b()[0] = std::nan("");
    CHECK_THROWS_AS(write_rbm_csv(temp_path("rbm3"), nan_rbm), NumericalError);
  }

  TEST_CASE("CSV values beyond float are refused for float naming file and line and field") {
    const std::string dir = temp_path("big");
    write_rbm_csv(dir, Rbm<double>(2, 2));
    spit(dir + "/W.csv", "w1,w2\n0,1\n\n3.5e38,-2\n");  // a header and a blank line: line 4
    CHECK(read_rbm_csv(dir).W()(1, 0) == 3.5e38);  // double holds it
    CHECK(read_rbm_csv(dir, ElementType::float64).W()(1, 0) == 3.5e38);
    CHECK_THROWS_WITH_AS(read_rbm_csv(dir, ElementType::float32),
                         doctest::Contains(("read_rbm_csv(" + dir + "/W.csv): line 4, field 1: 3.5e+38 "
                                            "is outside the range of float (magnitudes up to "
                                            "3.40282347e+38); use ElementType::float64").c_str()),
                         DataError);
    // The largest float itself fits.
    spit(dir + "/W.csv", "0,-3.4028234663852886e+38\n0,0\n");
    CHECK(std::isfinite(read_rbm_csv(dir, ElementType::float32).cast<float>().W()(0, 1)));
    const auto bm = fixtures::random_bm<double>(2, 1, 0.7, 3, Connectivity::full);
    write_bm_csv(temp_path("big_bm"), bm);
    spit(temp_path("big_bm/bias.csv"), "0\n1e40\n0\n");
    CHECK_THROWS_WITH_AS(read_bm_csv(temp_path("big_bm"), ElementType::float32),
                         doctest::Contains("bias.csv): line 2, field 1: 1e+40"), DataError);
    CHECK(read_bm_csv(temp_path("big_bm")).bias()[1] == 1e40);
  }

  TEST_CASE("BM CSV files that break a rule are refused naming the file and the rule") {
    const auto bm = fixtures::random_bm<double>(3, 2, 0.7, 7, Connectivity::restricted);
    const std::string dir = temp_path("bad_bm");
    // Each case: the file to replace, its new content, and what the message must say.
    struct Case {
      const char* file;
      std::string content;
      const char* says;
    };
    const std::string zero5 = "0,0,0,0,0\n";
    const std::string ok_w = zero5 + zero5 + zero5 + zero5 + zero5;
    const Case cases[] = {
        {"units.csv", "n_visible,n_hidden\n2.5,2\n", "n_visible must be a whole number"},
        {"units.csv", "n_visible,n_hidden\n0,5\n", "n_visible must be a whole number from 1"},
        {"units.csv", "n_visible,n_hidden\n3,2\n1,1\n", "line 3: expected a single row"},
        {"units.csv", "visible,hidden\n3,2\n", "header must be n_visible,n_hidden"},
        {"W.csv", "0,0\n0,0\n", "2 x 2, expected 5 x 5 (units.csv: 3 visible + 2 hidden units)"},
        {"W.csv", "0,1,0,0,0\n1,0,0,0,0\n" + zero5 + zero5 + zero5, "row 2, column 1 is 1 where the mask has no connection"},
        {"W.csv", "0,0,0,0.5,0\n" + zero5 + zero5 + zero5 + zero5, "not symmetric: row 4, column 1 is 0, row 1, column 4 is 0.5"},
        {"W.csv", "0,0,0,0,0\n0,2,0,0,0\n" + zero5 + zero5 + zero5, "row 2, column 2 is 2, but the diagonal must be 0"},
        {"W.csv", "0,0,0,0,nan\n" + zero5 + zero5 + zero5 + zero5, "line 1, field 5: NaN or infinite value"},
        {"bias.csv", "1\n2\n3\n4\n", "4 biases, expected 5"},
        {"mask.csv", "0,0,0,2,0\n" + zero5 + zero5 + "2,0,0,0,0\n" + zero5, "row 4, column 1 is 2, expected 0 or 1"},
        {"mask.csv", "0,0,0,1,0\n" + zero5 + zero5 + zero5 + zero5, "mask.csv): not symmetric"},
        {"mask.csv", "1,0,0,0,0\n" + zero5 + zero5 + zero5 + zero5, "the diagonal must be 0"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.says);
      write_bm_csv(dir, bm);
      CHECK_NOTHROW(read_bm_csv(dir));  // the unbroken files are read
      if (std::string(c.file) != "W.csv") spit(dir + "/W.csv", ok_w);  // W inside every mask
      spit(dir + "/" + c.file, c.content);
      const std::string named = dir + "/" + c.file;
      CHECK_THROWS_WITH_AS(read_bm_csv(dir), doctest::Contains(named.c_str()), DataError);
      CHECK_THROWS_WITH_AS(read_bm_csv(dir), doctest::Contains(c.says), DataError);
    }
  }
}
