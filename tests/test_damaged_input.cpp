#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "gzip_writer.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/csv.hpp"
#include "rbmkit/io/dataset.hpp"
#include "error_of.hpp"
#include "temp_path.hpp"

using namespace rbmkit;
using test::error_of;

namespace {

/// `text` gzip-compressed with a full flush after its first `flush_at` bytes; `*flush_offset`
/// receives the compressed size up to the flush (the bytes a copy that stopped there holds).
std::string gzip(const std::string& text, std::size_t flush_at, std::size_t* flush_offset) {
  const fuzz::FlushedGzip gz = fuzz::gzip_with_flush(text.data(), text.size(), flush_at);
  REQUIRE(gz.ok);
  *flush_offset = gz.flush_end;
  return gz.bytes;
}

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ten_rows() {
  std::string csv;
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 6; ++j) csv += std::string(j ? "," : "") + std::to_string((i + j) % 3 == 0);
    csv += "\n";
  }
  return csv;
}

std::string idx_images() {
  std::string b = {0, 0, 8, 3, 0, 0, 0, 5, 0, 0, 0, 2, 0, 0, 0, 3};
  for (int k = 0; k < 30; ++k) b.push_back(char(k * 8));
  return b;
}

std::string idx_labels() { return std::string{0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4}; }

}  // namespace

TEST_SUITE("data") {
  TEST_CASE("a gzip file cut at any byte is refused as damaged by every reader") {
    struct Reader {
      std::string name, text;
      std::function<void(const std::string&)> read;
    };
    const std::vector<Reader> readers = {
        {"rows.csv.gz", ten_rows(), [](const std::string& p) { read_csv(p); }},
        {"matrix.csv.gz", ten_rows(), [](const std::string& p) { read_csv_matrix(p); }},
        {"images.idx.gz", idx_images(), [](const std::string& p) { read_idx(p); }},
        {"labels.idx.gz", idx_labels(), [](const std::string& p) { read_idx_labels(p); }}};
    for (const Reader& r : readers) {
      CAPTURE(r.name);
      std::size_t flush = 0;
      const std::string gz = gzip(r.text, r.text.size() / 3, &flush);
      const std::string path = test::temp_path(r.name);
      write(path, gz);
      CHECK(error_of<DataError>([&] { r.read(path); }).empty());
      for (std::size_t cut = 2; cut < gz.size(); ++cut) {
        CAPTURE(cut);
        write(path, gz.substr(0, cut));
        const std::string msg = error_of<DataError>([&] { r.read(path); });
        CHECK(msg.find(path + "): damaged compressed data") != std::string::npos);
      }
      // The case: a copy that stopped right after the flush decompresses cleanly up to
      // there; without the end of the stream it is still refused.
      write(path, gz.substr(0, flush));
      CHECK(error_of<DataError>([&] { r.read(path); }).find("cut short") != std::string::npos);
    }
  }

  TEST_CASE("gzip files with a changed CRC or length or bytes after the end are refused") {
    std::size_t flush = 0;
    const std::string gz = gzip(idx_images(), 20, &flush), path = test::temp_path("x.idx.gz");
    auto damaged = [&](const std::string& bytes) {
      write(path, bytes);
      return error_of<DataError>([&] { read_idx(path); });
    };
    std::string crc = gz, length = gz, data = gz;
    crc[gz.size() - 8] = char(crc[gz.size() - 8] ^ 1);
    length[gz.size() - 1] = char(length[gz.size() - 1] ^ 1);
    data[flush - 4] = char(data[flush - 4] ^ 0x40);
    CHECK(damaged(crc).find("damaged compressed data: incorrect data check") != std::string::npos);
    CHECK(damaged(length).find("damaged compressed data: incorrect length check") !=
          std::string::npos);
    CHECK(damaged(data).find("damaged compressed data") != std::string::npos);
    CHECK(damaged(gz + "x").find("follow the end of the gzip stream") != std::string::npos);
    CHECK(damaged(gz + std::string(16, '\0')).find("follow the end") != std::string::npos);
    CHECK(damaged(gz + "\x1f").find("follow the end") != std::string::npos);
    CHECK(damaged(gz + "\x1f\x8b").find("cut short") != std::string::npos);  // a second member begun
    CHECK(damaged(gz).empty());  // the intact file, for contrast
  }

  TEST_CASE("a file of two complete gzip members is read as both contents") {
    std::size_t flush = 0;
    const std::string rows = ten_rows(), path = test::temp_path("two.csv.gz");
    write(path, gzip(rows, 7, &flush) + gzip(rows, 30, &flush));
    const Dataset d = read_csv(path);
    CHECK(d.size() == 20);
    CHECK(d.dim() == 6);
    // A raw file that merely starts like gzip is read as gzip and refused, never half-read.
    write(path, "\x1f\x8b" "0,1\n");
    CHECK(error_of<DataError>([&] { read_csv(path); }).find("damaged compressed data") != std::string::npos);
  }
}
