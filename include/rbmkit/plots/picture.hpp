#pragma once
/// Pictures: 8-bit RGB rasters that the plots draw into (with Cairo) and that are saved as PNG.
///
/// A `Picture` owns its pixels in Cairo's RGB24 layout (one 32-bit word 0x00RRGGBB per pixel, row
/// after row), so Cairo draws into it directly; the public interface never names Cairo.
/// `write_png` encodes with Cairo into memory and writes through `write_file_atomically`, so a
/// failed write never damages an existing file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rbmkit {

/// An 8-bit RGB colour.
struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb& o) const { return r == o.r && g == o.g && b == o.b; }
  bool operator!=(const Rgb& o) const { return !(*this == o); }
};

/// Named colours used by the plots.
namespace colors {
constexpr Rgb white{255, 255, 255};
constexpr Rgb black{0, 0, 0};
constexpr Rgb grid{225, 225, 225};
constexpr Rgb axis{60, 60, 60};
}  // namespace colors

/// The k-th colour of a ten-colour qualitative palette (Tableau 10), cycling for k >= 10.
Rgb palette(std::size_t k);

/// An RGB raster of width x height pixels, row-major from the top-left corner.
class Picture {
public:
  Picture() = default;
  /// A picture filled with `fill`; throws InvalidArgument when a side is zero or above 32767
  /// (Cairo's limit).
  Picture(std::size_t width, std::size_t height, Rgb fill = colors::white);

  std::size_t width() const { return width_; }
  std::size_t height() const { return height_; }
  /// The colour at (x, y); throws InvalidArgument outside the picture.
  Rgb pixel(std::size_t x, std::size_t y) const;
  /// Sets (x, y) to `c`; coordinates outside the picture are ignored.
  void set(long x, long y, Rgb c);
  /// Fills the w x h rectangle whose top-left corner is (x, y), clipped to the picture.
  void fill_rect(long x, long y, long w, long h, Rgb c);
  /// The pixels as 0x00RRGGBB words, row after row (Cairo's CAIRO_FORMAT_RGB24).
  const std::vector<std::uint32_t>& words() const { return words_; }
  std::vector<std::uint32_t>& words() { return words_; }

private:
  std::size_t width_ = 0, height_ = 0;
  std::vector<std::uint32_t> words_;
};

/// The PNG encoding of `picture` (8-bit RGB), as bytes.
std::string png_bytes(const Picture& picture);
/// Writes `picture` as a PNG file, atomically; OutputError names `path` on failure.
void write_png(const std::string& path, const Picture& picture);
/// Reads a PNG file (any colour type; alpha is composed over white); DataError names `path`
/// when it is missing or not a PNG.
Picture read_png(const std::string& path);

/// Loads Cairo (libcairo.so.2, opened when rbmkit first draws) now, or throws OutputError naming
/// the library and the Debian package (libcairo2). A command that draws after long work calls it
/// first, so a missing library stops it before the work rather than after.
void require_drawing();

}  // namespace rbmkit
