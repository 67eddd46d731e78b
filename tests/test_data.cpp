#include <doctest/doctest.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/huge_pages.hpp"
#include "io/gzip_input.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/core/error.hpp"
#include "error_of.hpp"
#include "rbmkit/core/parallel.hpp"
#include "thread_guard.hpp"

using namespace rbmkit;

namespace {

/// A path in a directory private to this test process (concurrent runs do not collide).
std::string temp_path(const std::string& name) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/rbmkit_test_data.XXXXXX";
    return std::string(::mkdtemp(tmpl));
  }();
  return dir + "/" + name;
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

void write_gz(const std::string& path, const std::vector<unsigned char>& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size()));
  gzclose(f);
}

/// An idx3 file of n images of r x c bytes; pixel (k, i, j) = (k * 7 + i * c + j) % 256.
std::vector<unsigned char> idx3(unsigned n, unsigned r, unsigned c) {
  std::vector<unsigned char> b = {0, 0, 0x08, 3};
  for (unsigned d : {n, r, c})
    for (int s = 24; s >= 0; s -= 8) b.push_back((d >> s) & 0xff);
  for (unsigned k = 0; k < n; ++k)
    for (unsigned i = 0; i < r * c; ++i) b.push_back((k * 7 + i) % 256);
  return b;
}

void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

using test::error_of;

}  // namespace

TEST_SUITE("data") {
  TEST_CASE("IDX images are read raw and gzip-compressed - examples as columns") {
    const auto bytes = idx3(3, 2, 4);
    write_bytes(temp_path("a.idx"), bytes);
    write_gz(temp_path("a.idx.gz"), bytes);
    for (const auto& p : {temp_path("a.idx"), temp_path("a.idx.gz")}) {
      const Dataset d = read_idx(p);
      REQUIRE(d.dim() == 8);
      REQUIRE(d.size() == 3);
      CHECK(d.pixels(0, 0) == 0);
      CHECK(d.pixels(5, 2) == (2 * 7 + 5));
      CHECK(d.source == p);
    }
  }

  TEST_CASE("IDX payload bound - raw files their size - gzip 1032 times it - pipes unknown") {
    // read_idx reads a payload straight into its final matrix when the file can hold it.
    const auto bytes = idx3(4, 3, 3);
    write_bytes(temp_path("b.idx"), bytes);
    write_gz(temp_path("b.idx.gz"), bytes);
    {
      detail::InputFile raw("t", temp_path("b.idx"));
      CHECK(raw.most_bytes() == bytes.size());
    }
    {
      detail::InputFile gz("t", temp_path("b.idx.gz"));
      std::ifstream in(temp_path("b.idx.gz"), std::ios::binary | std::ios::ate);
      CHECK(gz.most_bytes() == 1032 * std::uint64_t(in.tellg()));
    }
    {
      int fds[2];
      REQUIRE(::pipe(fds) == 0);
      REQUIRE(::write(fds[1], bytes.data(), bytes.size()) == ssize_t(bytes.size()));
      ::close(fds[1]);
      const std::string pipe_path = "/dev/fd/" + std::to_string(fds[0]);
      {
        detail::InputFile pipe("t", pipe_path);
        CHECK(pipe.most_bytes() == UINT64_MAX);
      }
      ::close(fds[0]);
    }
    // The same examples through either path, and from a pipe (size unknown: a growing buffer).
    const Dataset a = read_idx(temp_path("b.idx")), b = read_idx(temp_path("b.idx.gz"));
    CHECK(arma::all(arma::vectorise(a.pixels == b.pixels)));
    CHECK(a.pixels(8, 3) == (3 * 7 + 8));
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::write(fds[1], bytes.data(), bytes.size()) == ssize_t(bytes.size()));
    ::close(fds[1]);
    const Dataset c = read_idx("/dev/fd/" + std::to_string(fds[0]));
    ::close(fds[0]);
    CHECK(arma::all(arma::vectorise(a.pixels == c.pixels)));
    // A complete gzip stream whose header claims more than it holds: within the bound, so read
    // into the final matrix, and refused with the count present.
    const auto cut = std::vector<unsigned char>(bytes.begin(), bytes.end() - 5);
    write_gz(temp_path("cut.idx.gz"), cut);
    CHECK(error_of<DataError>([&] { read_idx(temp_path("cut.idx.gz")); })
              .find("expected 36 bytes of data, file has 31") != std::string::npos);
    // Claims beyond the bound (4 x 2^24 x 2^8 bytes from a few bytes) take the growing buffer.
    write_gz(temp_path("huge.idx.gz"), {0, 0, 8, 3, 0, 0, 0, 4, 1, 0, 0, 0, 0, 0, 1, 0, 1, 2, 3});
    CHECK(error_of<DataError>([&] { read_idx(temp_path("huge.idx.gz")); })
              .find("expected 17179869184 bytes of data, file has 3") != std::string::npos);
  }

  TEST_CASE("IDX labels are read") {
    write_bytes(temp_path("l.idx"), {0, 0, 8, 1, 0, 0, 0, 3, 4, 1, 9});
    const auto l = read_idx_labels(temp_path("l.idx"));
    REQUIRE(l.n_elem == 3);
    CHECK(l[2] == 9);
  }

  TEST_CASE("malformed IDX files are refused with the file named") {
    auto bytes = idx3(3, 2, 2);
    const std::string p = temp_path("bad.idx");
    // Truncated pixel data.
    write_bytes(p, std::vector<unsigned char>(bytes.begin(), bytes.end() - 1));
    std::string msg = error_of<DataError>([&] { read_idx(p); });
    CHECK(msg.find(p) != std::string::npos);
    CHECK(msg.find("expected 12 bytes") != std::string::npos);
    // Trailing garbage.
    auto longer = bytes;
    longer.push_back(1);
    write_bytes(p, longer);
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("trailing") != std::string::npos);
    // Bad magic.
    auto bad = bytes;
    bad[0] = 1;
    write_bytes(p, bad);
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("magic") != std::string::npos);
    // Unsupported element type (0x0D: float).
    bad = bytes;
    bad[2] = 0x0D;
    write_bytes(p, bad);
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("element type") != std::string::npos);
    // Header cut short.
    write_bytes(p, {0, 0, 8, 3, 0, 0});
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("truncated") != std::string::npos);
    // A label file where images are expected.
    write_bytes(p, {0, 0, 8, 1, 0, 0, 0, 1, 4});
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("label") != std::string::npos);
    // A damaged gzip stream.
    write_gz(p, bytes);
    {
      std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(12);
      f.write("\xff\xff\xff\xff\xff\xff", 6);
    }
    CHECK_THROWS_AS(read_idx(p), DataError);
    // Dimensions whose product overflows 64 bits, or claims far beyond the bytes present.
    write_bytes(p, {0, 0, 8, 4, 0, 0, 0, 4, 0, 0xb4, 0x25, 0xa1, 0, 6, 0x41, 0x23, 0, 0x74, 0x54, 0xab, 1, 2, 3, 4});
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("too large") != std::string::npos);
    write_bytes(p, {0, 0, 8, 5, 0, 0, 0, 3, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0});
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("overflows") != std::string::npos);
    write_bytes(p, {0, 0, 8, 3, 0, 1, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 1, 2});
    CHECK(error_of<DataError>([&] { read_idx(p); }).find("file has 2") != std::string::npos);
    write_bytes(p, {0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff, 1});
    CHECK(error_of<DataError>([&] { read_idx_labels(p); }).find("file has 1") != std::string::npos);
    // Missing file and directory.
    CHECK(error_of<DataError>([&] { read_idx(temp_path("nope.idx")); }).find("nope.idx") != std::string::npos);
    CHECK(error_of<DataError>([&] { read_idx("/tmp"); }).find("directory") != std::string::npos);
  }

  TEST_CASE("CSV in 0..255 and in [0 -1] is scaled to [0 -1] - a header line is skipped") {
    write_text(temp_path("a.csv"), "p0,p1,p2\n0,128,255\n255,0,1\n");
    const Dataset a = read_csv(temp_path("a.csv"));
    REQUIRE(a.dim() == 3);
    REQUIRE(a.size() == 2);
    REQUIRE(a.is_bytes());  // integers 0..255 are held as bytes
    CHECK(a.pixels(1, 0) == 128);
    CHECK(a.pixels(2, 1) == 1);
    write_text(temp_path("b.csv"), "0,0.5,1\r\n1,0,0.25\r\n\n");
    const Dataset b = read_csv(temp_path("b.csv"));
    REQUIRE(b.size() == 2);
    REQUIRE(!b.is_bytes());  // [0,1] values are held as floats, not rounded to 1/255
    CHECK(b.values(2, 0) == 1.0f);
    CHECK(b.values(1, 0) == 0.5f);
    CHECK(b.values(2, 1) == 0.25f);
    CHECK(load_dataset(temp_path("b.csv")).size() == 2);
  }

  TEST_CASE("malformed CSV files are refused with file and line named") {
    const std::string p = temp_path("bad.csv");
    write_text(p, "0,1,0\n1,0\n");
    std::string msg = error_of<DataError>([&] { read_csv(p); });
    CHECK(msg.find(p) != std::string::npos);
    CHECK(msg.find("line 2") != std::string::npos);
    write_text(p, "0,1,0\n1,nan,0\n");
    CHECK(error_of<DataError>([&] { read_csv(p); }).find("NaN") != std::string::npos);
    write_text(p, "0,1,0\n1,x,0\n");
    CHECK(error_of<DataError>([&] { read_csv(p); }).find("not a number") != std::string::npos);
    write_text(p, "0,-1,0\n");
    CHECK(error_of<DataError>([&] { read_csv(p); }).find("outside") != std::string::npos);
    write_text(p, "0,300,0\n");
    CHECK(error_of<DataError>([&] { read_csv(p); }).find("outside") != std::string::npos);
    write_text(p, "");
    CHECK(error_of<DataError>([&] { read_csv(p); }).find("no examples") != std::string::npos);
  }

  TEST_CASE("CSV scale - 0..16 integers are refused unless --scale max divides by the largest value") {
    const std::string p = temp_path("digits.csv");
    write_text(p, "0,0,1\n0,8,16\n4,1,0\n");
    const std::string msg = error_of<DataError>([&] { read_csv(p); });
    CHECK(msg.find(p) != std::string::npos);
    CHECK(msg.find("line 2: value 8") != std::string::npos);  // the first value above 1
    CHECK(msg.find("--scale max") != std::string::npos);
    const Dataset d = read_csv(p, {DataScale::max, 0});
    CHECK(d.scale == DataScale::max);
    CHECK(d.divisor == 16);
    REQUIRE(!d.is_bytes());
    CHECK(d.values(2, 1) == 1.0f);
    CHECK(d.values(1, 1) == 0.5f);
    CHECK(d.values(0, 2) == 0.25f);
    const Dataset b = read_csv(p, {DataScale::byte, 0});
    REQUIRE(b.is_bytes());
    CHECK(b.pixels(2, 1) == 16);
    // Fractions on the byte scale are floats x/255.
    write_text(p, "0,127.5,255\n");
    const Dataset f = read_csv(p, {DataScale::byte, 0});
    REQUIRE(!f.is_bytes());
    CHECK(f.values(1, 0) == float(127.5 / 255.0));
    // Integers whose largest value is at least 128 are bytes.
    write_text(p, "0,2,128\n");
    CHECK(read_csv(p).scale == DataScale::byte);
  }

  TEST_CASE("CSV scale - one value a little above 1 among fractions is refused naming its line unless --scale unit clips it") {
    const std::string p = temp_path("unit.csv");
    write_text(p, "0,0.25,1\n0.5,1.0000001,0\n1,0,0.75\n");
    const std::string msg = error_of<DataError>([&] { read_csv(p); });
    CHECK(msg.find(p) != std::string::npos);
    CHECK(msg.find("line 2: value 1.0000001") != std::string::npos);
    CHECK(msg.find("--scale unit") != std::string::npos);
    const Dataset d = read_csv(p, {DataScale::unit, 0});
    CHECK(d.scale == DataScale::unit);
    CHECK(d.clipped == 1);
    CHECK(d.values(1, 1) == 1.0f);
    CHECK(d.values(1, 0) == 0.25f);
    // Without such a value the file is [0,1].
    write_text(p, "0,0.25,1\n");
    const Dataset u = read_csv(p);
    CHECK(u.scale == DataScale::unit);
    CHECK(u.clipped == 0);
    // --scale byte refuses values outside 0..255 and --scale max negative ones.
    write_text(p, "0,300\n");
    CHECK(error_of<DataError>([&] { read_csv(p, {DataScale::byte, 0}); }).find("line 1") != std::string::npos);
    write_text(p, "0,-3\n");
    CHECK(error_of<DataError>([&] { read_csv(p, {DataScale::max, 0}); }).find("negative") != std::string::npos);
    CHECK(from_string<DataScale>("auto") == DataScale::automatic);
    CHECK(to_string(DataScale::max) == "max");
  }

  TEST_CASE("CSV label column is dropped from the examples and kept as labels") {
    const std::string p = temp_path("labelled.csv");
    write_text(p, "label,a,b\n7,0,1\n3,1,0\n");
    const Dataset d = read_csv(p, {DataScale::automatic, 1});
    REQUIRE(d.dim() == 2);
    REQUIRE(d.labels.n_elem == 2);
    CHECK(d.labels[0] == 7);
    CHECK(d.labels[1] == 3);
    CHECK(d.scale == DataScale::unit);  // the label 7 takes no part in the scale
    CHECK(d.values(1, 0) == 1.0f);
    const std::string q = temp_path("label-last.csv");
    write_text(q, "0,1,5\n1,0.5,6\n");
    const Dataset last = read_csv(q, {DataScale::automatic, 3});
    CHECK(last.labels[1] == 6);
    CHECK(last.dim() == 2);
    CHECK(last.values(1, 1) == 0.5f);
    const std::string msg = error_of<DataError>([&] { read_csv(p, {DataScale::automatic, 4}); });
    CHECK(msg.find("label column 4") != std::string::npos);
    CHECK(msg.find(p) != std::string::npos);
    write_text(p, "1\n2\n");
    CHECK(error_of<DataError>([&] { read_csv(p, {DataScale::automatic, 1}); }).find("only the label") != std::string::npos);
  }

  TEST_CASE("labels from IDX and CSV files must match the number of examples") {
    const std::string idx = temp_path("labels.idx");
    write_bytes(idx, {0, 0, 8, 1, 0, 0, 0, 3, 4, 0, 9});
    const arma::vec l = read_labels(idx, 3);
    CHECK(l[0] == 4);
    CHECK(l[2] == 9);
    const std::string msg = error_of<DataError>([&] { read_labels(idx, 4); });
    CHECK(msg.find(idx) != std::string::npos);
    CHECK(msg.find("3 labels for 4 examples") != std::string::npos);
    const std::string csv = temp_path("labels.csv");
    write_text(csv, "label\n1\n-2\n");
    CHECK(read_labels(csv, 2)[1] == -2);
    CHECK(error_of<DataError>([&] { read_labels(csv, 3); }).find("2 labels for 3 examples") != std::string::npos);
  }

  TEST_CASE("IDX files refuse the CSV-only reading options") {
    const std::string p = temp_path("img.idx");
    write_bytes(p, idx3(2, 2, 2));
    CHECK(load_dataset(p, {DataScale::byte, 0}).size() == 2);
    CHECK(error_of<InvalidArgument>([&] { load_dataset(p, {DataScale::max, 0}); }).find("DataOptions::scale") != std::string::npos);
    CHECK(error_of<InvalidArgument>([&] { load_dataset(p, {DataScale::automatic, 1}); }).find("DataOptions::label_column") != std::string::npos);
  }

  TEST_CASE("data summary - share of bits on and all-zero binarization") {
    Dataset d;
    d.pixels = arma::Mat<std::uint8_t>{{0, 200}, {100, 255}};
    const DataSummary t = summarize(d, Binarize::threshold, 0.5);
    CHECK(t.examples == 2);
    CHECK(t.dim == 2);
    CHECK(t.fraction_on == 0.5);
    CHECK_FALSE(t.all_zero);
    CHECK(summarize(d, Binarize::threshold, 0.9).all_zero == false);
    Dataset dim;
    dim.pixels = arma::Mat<std::uint8_t>{{0, 16}, {9, 12}};  // 0..16 read as bytes: all dark
    CHECK(summarize(dim, Binarize::threshold, 0.5).all_zero);
    CHECK(summarize(dim, Binarize::threshold, 0.5).fraction_on == 0);
    CHECK(summarize(d, Binarize::stochastic, 0.5).fraction_on == doctest::Approx(555.0 / 1020.0));
    CHECK(std::isnan(summarize(d, Binarize::none, 0.5).fraction_on));
  }

  TEST_CASE("minibatches are binarized by threshold - stochastically - or not at all") {
    Dataset d;
    d.pixels = arma::Mat<std::uint8_t>(4, 1);  // one example of 4 pixels
    d.pixels(0, 0) = 0;
    d.pixels(1, 0) = 100;
    d.pixels(2, 0) = 128;
    d.pixels(3, 0) = 255;
    Rng rng(1);
    const arma::uvec idx = {0};
    const arma::mat t = make_batch<double>(d, idx, 0, 1, Binarize::threshold, 0.5, rng);
    CHECK(arma::approx_equal(t, arma::mat(arma::vec{0.0, 0.0, 1.0, 1.0}), "absdiff", 0.0));
    const arma::fmat n = make_batch<float>(d, idx, 0, 1, Binarize::none, 0.5, rng);
    CHECK(n(1, 0) == doctest::Approx(100.0 / 255));
    // Stochastic: pixel 100/255 is on with probability 0.392; 20000 draws, 5-sigma bound.
    double on = 0;
    const int reps = 20000;
    for (int r = 0; r < reps; ++r) {
      const arma::mat s = make_batch<double>(d, idx, 0, 1, Binarize::stochastic, 0.5, rng);
      CHECK(s(0, 0) == 0.0);
      CHECK(s(3, 0) == 1.0);
      on += s(1, 0);
    }
    const double p = 100.0 / 255;
    CHECK(std::abs(on / reps - p) < 5 * std::sqrt(p * (1 - p) / reps));
  }

  TEST_CASE("make_batch_into a matrix of another shape gives make_batch's values") {
    // Bytes and float values, every binarisation, and standardised real values: the same
    // values (and the same draws of the generator) as make_batch, into a reused matrix that
    // held another shape and other values. A different seed changes the stochastic batch.
    Dataset bytes;
    bytes.pixels = arma::Mat<std::uint8_t>(5, 7);
    for (arma::uword i = 0; i < bytes.pixels.n_elem; ++i) bytes.pixels[i] = std::uint8_t(i * 37);
    arma::mat real(5, 7);
    for (arma::uword i = 0; i < real.n_elem; ++i) real[i] = double(i % 11) / 3.0 - 1.0;
    const Dataset floats = dataset_from_values(arma::mat((real + 1.0) / 3.5), "floats");
    const Dataset reals = dataset_from_real_values(real, "real");
    const Dataset standardised = standardized_view(reals, standardization_of(reals));
    REQUIRE_FALSE(standardised.standardization.empty());
    const arma::uvec idx = {6, 2, 4};
    auto same = [&](const Dataset& d, Binarize mode, std::uint64_t seed) {
      Rng a(seed), b(seed);
      const arma::mat want = make_batch<double>(d, idx, 0, 3, mode, 0.5, a);
      arma::mat got(9, 2, arma::fill::value(7.0));
      make_batch_into(d, idx, 0, 3, mode, 0.5, b, got);
      return arma::size(got) == arma::size(want) && arma::all(arma::vectorise(got == want)) &&
             a.uniform() == b.uniform();
    };
    for (const Binarize mode : {Binarize::threshold, Binarize::stochastic, Binarize::none}) {
      CAPTURE(to_string(mode));
      CHECK(same(bytes, mode, 3));
      CHECK(same(floats, mode, 3));
    }
    CHECK(same(standardised, Binarize::none, 3));
    Rng a(3), b(4);
    arma::mat x, y;
    make_batch_into(bytes, idx, 0, 3, Binarize::stochastic, 0.5, a, x);
    make_batch_into(bytes, idx, 0, 3, Binarize::stochastic, 0.5, b, y);
    CHECK_FALSE(arma::all(arma::vectorise(x == y)));
  }

  TEST_CASE("byte minibatches binarise every byte value as byte > threshold x 255 at any thread count") {
    // All 256 byte values in each of 200 columns (51,200 values: enough to split the columns
    // among threads), against the definition in double, at thresholds on, between and beyond
    // the bytes' steps; one and two threads give the same matrix.
    fixtures::ThreadGuard guard;
    Dataset bytes;
    bytes.pixels = arma::Mat<std::uint8_t>(256, 200);
    for (arma::uword j = 0; j < 200; ++j)
      for (arma::uword i = 0; i < 256; ++i) bytes.pixels(i, j) = std::uint8_t((i + j) % 256);
    const arma::uvec idx = arma::regspace<arma::uvec>(199, 0);  // reversed: columns moved
    for (const double t : {0.0, 1e-9, 0.5, 127.0 / 255, 128.0 / 255, 0.999, 1.0, -0.5, 2.0,
                           std::nan("")}) {
      CAPTURE(t);
      arma::fmat want(256, 200);
      for (arma::uword j = 0; j < 200; ++j)
        for (arma::uword i = 0; i < 256; ++i)
          want(i, j) = double(bytes.pixels(i, idx[j])) > t * 255.0 ? 1.0f : 0.0f;
      for (const int n : {1, 2}) {
        set_threads(n);
        Rng rng(1);
        arma::fmat got;
        make_batch_into(bytes, idx, 0, 200, Binarize::threshold, t, rng, got);
        CHECK(arma::all(arma::vectorise(got == want)));
      }
    }
    // The comparison sees one wrong value.
    arma::fmat got;
    Rng rng(1);
    make_batch_into(bytes, idx, 0, 200, Binarize::threshold, 0.5, rng, got);
    got(5, 7) = 1.0f - got(5, 7);
    arma::fmat want(256, 200);
    for (arma::uword j = 0; j < 200; ++j)
      for (arma::uword i = 0; i < 256; ++i)
        want(i, j) = double(bytes.pixels(i, idx[j])) > 0.5 * 255.0 ? 1.0f : 0.0f;
    CHECK_FALSE(arma::all(arma::vectorise(got == want)));
  }

  TEST_CASE("float data keep full precision - threshold - marginals - summary and columns") {
    // 0.3005 and 0.3015 are the same step of 1/255 (77/255 = 0.30196); as floats they fall on
    // either side of a threshold of 0.301, and a value equal to the threshold is not above it.
    const std::string p = temp_path("fine.csv");
    write_text(p, "0.3005,0.3015,0.1\n0.9,0.2,0.1\n0.4,0.35,0.7\n");
    const Dataset d = read_csv(p);
    REQUIRE(!d.is_bytes());
    Rng rng(1);
    const arma::uvec idx = {0, 1, 2};
    const arma::mat t = make_batch<double>(d, idx, 0, 3, Binarize::threshold, 0.301, rng);
    CHECK(t(0, 0) == 0.0);
    CHECK(t(1, 0) == 1.0);
    CHECK(make_batch<double>(d, idx, 0, 1, Binarize::threshold, 0.1, rng)(2, 0) == 0.0);
    const arma::mat n = make_batch<double>(d, idx, 0, 3, Binarize::none, 0.5, rng);
    CHECK(n(0, 0) == double(0.3005f));
    CHECK(n(1, 2) == double(0.35f));
    const arma::vec m = d.marginals(Binarize::threshold, 0.301);
    CHECK(m[0] == doctest::Approx(2.0 / 3));
    CHECK(m[1] == doctest::Approx(2.0 / 3));
    CHECK(d.marginals(Binarize::none)[1] == doctest::Approx((0.3015 + 0.2 + 0.35) / 3).epsilon(1e-6));
    CHECK(summarize(d, Binarize::threshold, 0.301).fraction_on == doctest::Approx(5.0 / 9));
    // The training and held-out parts keep the floats; the byte store stays empty.
    const Dataset tail = d.columns(1, 2, "tail");
    REQUIRE(!tail.is_bytes());
    CHECK(tail.size() == 2);
    CHECK(tail.pixels.n_elem == 0);
    CHECK(tail.values(0, 1) == 0.4f);
    CHECK(d.columns(3, 0, "none").dim() == 3);
    // A view holds the same examples without a copy: its store is d's memory.
    const Dataset view = d.view(1, 2, "tail");
    REQUIRE(!view.is_bytes());
    CHECK(view.source == "tail");
    CHECK(view.values.memptr() == d.values.colptr(1));
    CHECK(arma::approx_equal(view.values, tail.values, "absdiff", 0.0f));
    CHECK(view.pixels.n_elem == 0);
    CHECK(d.view(3, 0, "none").dim() == 3);
    CHECK(d.view(3, 0, "none").size() == 0);
  }

  TEST_CASE("a view of byte data aliases its columns - a copy of it does not - out of range is refused") {
    Dataset d;
    d.source = "bytes";
    d.pixels = arma::Mat<std::uint8_t>{{0, 10, 20, 30}, {255, 128, 64, 1}};
    d.shape = {2, 1};
    Dataset v = d.view(1, 3, "last 3");
    REQUIRE(v.is_bytes());
    CHECK(v.size() == 3);
    CHECK(v.dim() == 2);
    CHECK(v.shape == d.shape);
    CHECK(v.pixels.memptr() == d.pixels.colptr(1));
    CHECK(v.pixels(1, 2) == 1);
    CHECK(v.value(0, 0) == 10 / 255.0);
    // Moving keeps the alias (the engine stores its parts so); copying copies the examples.
    const Dataset moved = std::move(v);
    CHECK(moved.pixels.memptr() == d.pixels.colptr(1));
    const Dataset copied = moved;
    CHECK(copied.pixels.memptr() != d.pixels.colptr(1));
    CHECK(arma::all(arma::vectorise(copied.pixels == d.pixels.cols(1, 3))));
    CHECK(d.view(0, 4, "all").pixels.memptr() == d.pixels.memptr());
    const std::string msg = error_of<InvalidArgument>([&] { d.view(2, 3, "x"); });
    CHECK(msg == "Dataset::view: examples 2 .. 5 of bytes, which has 4");
    CHECK_THROWS_AS(d.view(5, 0, "x"), InvalidArgument);
  }

  TEST_CASE("huge_page_range holds exactly the whole 2 MiB pages inside a range") {
    constexpr std::uintptr_t M2 = std::uintptr_t(1) << 21;
    auto at = [](std::uintptr_t a) { return reinterpret_cast<const void*>(a); };
    using R = std::pair<std::uintptr_t, std::uintptr_t>;
    CHECK(detail::huge_page_range(at(4 * M2), 3 * M2) == R{4 * M2, 7 * M2});  // aligned
    CHECK(detail::huge_page_range(at(4 * M2 + 1), 3 * M2) == R{5 * M2, 7 * M2});  // start inside
    CHECK(detail::huge_page_range(at(4 * M2 - 1), 3 * M2) == R{4 * M2, 6 * M2});  // ends inside
    CHECK(detail::huge_page_range(at(4 * M2 + 4096), 2 * M2) == R{5 * M2, 6 * M2});
    CHECK(detail::huge_page_range(at(4 * M2 + 4096), 2 * M2 - 8192) == R{0, 0});  // none whole
    CHECK(detail::huge_page_range(at(4 * M2), M2 - 1) == R{0, 0});
    CHECK(detail::huge_page_range(at(4 * M2), M2) == R{4 * M2, 5 * M2});
    CHECK(detail::huge_page_range(nullptr, 8 * M2) == R{0, 0});
    CHECK(detail::huge_page_range(at(UINTPTR_MAX - 4095), 4096) == R{0, 0});  // no overflow
  }

  TEST_CASE("advise_huge_pages is a hint: the bytes of a range stay as they are") {
    // Ranges with and without a whole 2 MiB page inside, aligned or not; null and empty.
    detail::advise_huge_pages(nullptr, 0);
    detail::advise_huge_pages(nullptr, std::size_t(1) << 22);
    std::vector<std::uint8_t> big((std::size_t(9) << 20) + 123);
    for (std::size_t k = 0; k < big.size(); ++k) big[k] = std::uint8_t(k * 131 + 7);
    for (const std::size_t offset : {std::size_t(0), std::size_t(1), std::size_t(4095)})
      for (const std::size_t bytes : {std::size_t(0), std::size_t(100), std::size_t(5) << 20,
                                      big.size() - 4096})
        detail::advise_huge_pages(big.data() + offset, bytes);
    bool intact = true;  // advice that discards pages (MADV_DONTNEED, MADV_FREE) would zero them
    for (std::size_t k = 0; k < big.size(); ++k) intact = intact && big[k] == std::uint8_t(k * 131 + 7);
    CHECK(intact);
    // Advised before the first write, as read_idx does: the writes all land.
    std::vector<std::uint8_t> fresh(std::size_t(5) << 20);
    detail::advise_huge_pages(fresh.data(), fresh.size());
    for (std::size_t k = 0; k < fresh.size(); ++k) fresh[k] = std::uint8_t(k * 7 + 1);
    std::size_t wrong = 0;
    for (std::size_t k = 0; k < fresh.size(); ++k) wrong += fresh[k] != std::uint8_t(k * 7 + 1);
    CHECK(wrong == 0);
  }

  TEST_CASE("byte marginals by threshold have the bits of adding 1.0 per byte above the cut") {
    // The counting form (integer counts, then one division) against the sum it replaces: one
    // double 1.0 added per byte above the cut, in example order; odd sizes, every cut's side.
    std::uint64_t state = 12345;
    auto next_byte = [&state] {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return std::uint8_t(state >> 56);
    };
    for (const arma::uword dim : {1u, 7u, 33u, 784u})
      for (const arma::uword n : {1u, 3u, 100u, 1001u}) {
        Dataset d;
        d.pixels.set_size(dim, n);
        for (arma::uword k = 0; k < d.pixels.n_elem; ++k) d.pixels[k] = next_byte();
        for (const double threshold : {0.0, 0.25, 0.5, 0.999, 1.0}) {
          const int cut = int(std::floor(threshold * 255.0));
          arma::vec reference(dim, arma::fill::zeros);
          for (arma::uword j = 0; j < n; ++j)
            for (arma::uword i = 0; i < dim; ++i)
              reference[i] += int(d.pixels(i, j)) > cut ? 1.0 : 0.0;
          reference /= double(n);
          const arma::vec m = d.marginals(Binarize::threshold, threshold);
          REQUIRE(m.n_elem == dim);
          bool same = true;
          for (arma::uword i = 0; i < dim; ++i)
            same = same && std::memcmp(&m[i], &reference[i], sizeof(double)) == 0;
          CHECK_MESSAGE(same, "dim " << dim << ", n " << n << ", threshold " << threshold);
        }
        // A changed byte is seen: the counts are of this data, not of a cached copy.
        if (n == 1001 && dim == 784) {
          const arma::vec before = d.marginals(Binarize::threshold, 0.5);
          d.pixels(5, 0) = d.pixels(5, 0) > 127 ? 0 : 255;
          CHECK(d.marginals(Binarize::threshold, 0.5)[5] != before[5]);
        }
      }
  }

  TEST_CASE("byte marginals count past 65,535 examples") {
    // Every byte of unit 0 above the cut, none of unit 1's, half of unit 2's: counts that
    // 16-bit counters would wrap.
    const arma::uword n = 70001;
    Dataset d;
    d.pixels.set_size(3, n);
    for (arma::uword j = 0; j < n; ++j) {
      d.pixels(0, j) = 255;
      d.pixels(1, j) = 0;
      d.pixels(2, j) = j % 2 ? 200 : 10;
    }
    const arma::vec m = d.marginals(Binarize::threshold, 0.5);
    CHECK(m[0] == 1.0);
    CHECK(m[1] == 0.0);
    CHECK(m[2] == double(n / 2) / double(n));
  }

  TEST_CASE("data marginals and Binarize names") {
    Dataset d;
    d.pixels = arma::Mat<std::uint8_t>{{0, 255}, {255, 255}};
    const arma::vec m = d.marginals();
    CHECK(m[0] == 0.5);
    CHECK(m[1] == 1.0);
    CHECK(from_string<Binarize>("stochastic") == Binarize::stochastic);
    CHECK(to_string(Binarize::none) == "none");
    const std::string msg = error_of<InvalidArgument>([] { from_string<Binarize>("maybe"); });
    CHECK(msg == "Binarize: expected threshold, stochastic or none, got 'maybe'");
  }
}

TEST_SUITE("csv") {
  TEST_CASE("CSV reader skips a byte-order mark and a header line and reads gzip") {
    const std::string text = "\xEF\xBB\xBF x , y,z\r\n\r\n1, 2.5 ,-3e-2\r\n4,5,6\r\n";
    write_text(temp_path("h.csv"), text);
    write_gz(temp_path("h.csv.gz"), std::vector<unsigned char>(text.begin(), text.end()));
    for (const auto& p : {temp_path("h.csv"), temp_path("h.csv.gz")}) {
      CsvReader csv(p);
      CHECK(csv.header() == std::vector<std::string>{"x", "y", "z"});
      std::vector<double> row;
      REQUIRE(csv.next(row));
      CHECK(csv.line() == 3);
      CHECK(row == std::vector<double>{1, 2.5, -3e-2});
      REQUIRE(csv.next(row));
      CHECK(csv.line() == 4);
      CHECK(csv.columns() == 3);
      CHECK_FALSE(csv.next(row));
      const arma::mat m = read_csv_matrix(p);
      REQUIRE(m.n_rows == 2);
      REQUIRE(m.n_cols == 3);
      CHECK(m(1, 0) == 4.0);
      CHECK(m(0, 2) == -3e-2);
    }
    // Without a header the first line is a row; a file of a header alone has no rows.
    write_text(temp_path("n.csv"), "7,8\n");
    CHECK(CsvReader(temp_path("n.csv")).header().empty());
    CHECK(read_csv_matrix(temp_path("n.csv"))(0, 1) == 8.0);
    write_text(temp_path("only_header.csv"), "a,b\n");
    CHECK(read_csv_matrix(temp_path("only_header.csv")).n_elem == 0);
  }

  TEST_CASE("CSV reader names file and line and field of a bad value") {
    const std::string p = temp_path("bad_field.csv");
    write_text(p, "1,2,3\n\n4,abc,6\n");
    CHECK(error_of<DataError>([&] { read_csv_matrix(p); }) ==
          "read_csv(" + p + "): line 3, field 2: 'abc' is not a number");
    const std::pair<const char*, const char*> cases[] = {
        {"1,2\n3,\n", "line 2, field 2: '' is not a number"},
        {"1,2\n3,inf\n", "line 2, field 2: NaN or infinite value"},
        {"1,2\n3,1e999\n", "line 2, field 2: NaN or infinite value"},
        {"1,2\n3,4,5\n", "line 2 has 3 values, expected 2"},
        {"1;2\n3;4\n", "line 1: values must be separated by commas"},
        {"a\tb\n3\t4\n", "line 1: values must be separated by commas"},
    };
    for (const auto& [content, says] : cases) {
      CAPTURE(says);
      write_text(p, content);
      const std::string msg = error_of<DataError>([&] { read_csv_matrix(p); });
      CHECK(msg.find("read_csv(" + p + "): ") == 0);
      CHECK(msg.find(says) != std::string::npos);
    }
    CHECK(error_of<DataError>([&] { read_csv_matrix(temp_path("absent.csv")); }).find("absent.csv") != std::string::npos);
    // The same content with valid numbers is read (the refusals above are the bad fields').
    write_text(p, "1,2\n3,4\n");
    CHECK(read_csv_matrix(p).n_elem == 4);
  }

  TEST_CASE("CSV writer keeps every double exactly and writes a header") {
    const arma::mat m = {{1.0 / 3, -0.0, 4.9e-324}, {1e308, -2.5e-17, 123456789.0}};
    const std::string p = temp_path("w.csv");
    write_csv_matrix(p, m, {"a", "b", "c"});
    CsvReader csv(p);
    CHECK(csv.header() == std::vector<std::string>{"a", "b", "c"});
    const arma::mat back = read_csv_matrix(p);
    REQUIRE(back.n_rows == 2);
    REQUIRE(back.n_cols == 3);
    for (arma::uword k = 0; k < m.n_elem; ++k) {
      CHECK(back[k] == m[k]);
      CHECK(std::signbit(back[k]) == std::signbit(m[k]));
    }
    CHECK(format17(0.1) == "0.10000000000000001");
    CHECK_THROWS_AS(write_csv_matrix(temp_path("no_dir/w.csv"), m), OutputError);
  }

  TEST_CASE("values in memory are held at float precision - clipped to [0 -1] - NaN refused") {
    // Two examples of three values, one per column; the sparse form gives the same floats.
    const arma::mat V = {{0.0, -0.2}, {0.5, 1.7}, {1.0, 0.3005}};
    const Dataset d = dataset_from_values(V, "X");
    CHECK(d.source == "X");
    REQUIRE(d.dim() == 3);
    REQUIRE(d.size() == 2);
    REQUIRE(!d.is_bytes());
    const arma::fmat expected = {{0, 0}, {0.5f, 1}, {1, 0.3005f}};
    CHECK(arma::all(arma::vectorise(d.values == expected)));
    CHECK(arma::all(arma::vectorise(dataset_from_values(arma::SpMat<double>(V), "X").values ==
                                    expected)));
    // Bytes of an image divided by 255 are held as those bytes, in float and double (as an IDX
    // file of them is); one value off a step of 1/255 keeps all as floats.
    arma::fmat grey(1, 256);
    for (int b = 0; b < 256; ++b) grey(0, b) = float(b) / 255.0f;
    const Dataset g = dataset_from_values(grey, "grey");
    REQUIRE(g.is_bytes());
    for (int b = 0; b < 256; ++b) CHECK(int(g.pixels(0, b)) == b);
    arma::mat grey64 = arma::conv_to<arma::mat>::from(arma::regspace<arma::rowvec>(0, 255)) / 255.0;
    REQUIRE(dataset_from_values(grey64, "grey").is_bytes());
    CHECK(dataset_from_values(arma::SpMat<double>(grey64), "grey").pixels(0, 77) == 77);
    grey64(0, 77) = 0.3005;
    const Dataset fine = dataset_from_values(grey64, "fine");
    REQUIRE(!fine.is_bytes());
    CHECK(fine.values(0, 77) == 0.3005f);
    CHECK(fine.values(0, 78) == float(78 / 255.0));
    arma::mat bad = V;
    bad(1, 1) = arma::datum::nan;
    CHECK_THROWS_WITH_AS(dataset_from_values(bad, "X"),
                         doctest::Contains("dataset_from_values(X): NaN in example 1, dimension 1"),
                         DataError);
  }
}
