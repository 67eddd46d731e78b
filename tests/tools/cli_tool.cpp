// A helper of the CLI tests: gzip-compresses a file with a full flush after a chosen line, so a
// test can cut the compressed file exactly at that flush (a copy that stopped early: every byte
// before the cut decompresses cleanly, but the stream has no end, CRC or length).
//
//   rbmkit_gzip_tool IN OUT [FLUSH_AFTER_LINE]
//
// Writes OUT and prints the byte offset in OUT just after the flush (the whole size without one).
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

int fail(const std::string& what) {
  std::cerr << "rbmkit_gzip_tool: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) return fail("usage: rbmkit_gzip_tool IN OUT [FLUSH_AFTER_LINE]");
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) return fail(std::string("cannot read ") + argv[1]);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t split = text.size();
  if (argc == 4) {
    const long lines = std::strtol(argv[3], nullptr, 10);
    split = 0;
    for (long k = 0; k < lines; ++k) {
      const std::size_t nl = text.find('\n', split);
      if (nl == std::string::npos) return fail("the input has fewer lines than asked");
      split = nl + 1;
    }
  }
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return fail("deflateInit2 failed");
  std::string out(deflateBound(&z, uLong(text.size())) + 64, '\0');
  auto run = [&](std::size_t begin, std::size_t end, int flush) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data() + begin));
    z.avail_in = uInt(end - begin);
    z.next_out = reinterpret_cast<Bytef*>(&out[z.total_out]);
    z.avail_out = uInt(out.size() - z.total_out);
    return deflate(&z, flush);
  };
  if (run(0, split, Z_FULL_FLUSH) != Z_OK) return fail("deflate failed");
  const std::size_t offset = z.total_out;
  if (run(split, text.size(), Z_FINISH) != Z_STREAM_END) return fail("deflate did not finish");
  out.resize(z.total_out);
  deflateEnd(&z);
  std::ofstream os(argv[2], std::ios::binary);
  os.write(out.data(), std::streamsize(out.size()));
  if (!os.flush()) return fail(std::string("cannot write ") + argv[2]);
  std::cout << (argc == 4 ? offset : out.size()) << "\n";
  return 0;
}
