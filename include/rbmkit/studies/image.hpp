#pragma once
/// RGB images, PNG files (libpng) and a small line-plot renderer for rbmkit's figures.
///
/// The image type is a plain 8-bit RGB raster with a few drawing primitives (rectangles, thick
/// lines, text in a built-in 8 x 17 bitmap font); `render(Plot)` draws line plots with linear or
/// logarithmic axes, ticks, grid and a legend; `write_png` saves any image atomically.
#include <cstddef>
#include <cstdint>
#include <optional>
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
class Image {
public:
  Image() = default;
  /// An image filled with `fill`; throws InvalidArgument when a side is zero or above 65535.
  Image(std::size_t width, std::size_t height, Rgb fill = colors::white);

  std::size_t width() const { return width_; }
  std::size_t height() const { return height_; }
  /// The colour at (x, y); throws InvalidArgument outside the image.
  Rgb pixel(std::size_t x, std::size_t y) const;
  /// Sets (x, y) to `c`; coordinates outside the image are ignored (drawing clips).
  void set(long x, long y, Rgb c);
  /// The pixels as R, G, B bytes, row after row (3 * width * height bytes).
  const std::vector<std::uint8_t>& bytes() const { return rgb_; }
  std::vector<std::uint8_t>& bytes() { return rgb_; }

  /// Fills the w x h rectangle whose top-left corner is (x, y), clipped to the image.
  void fill_rect(long x, long y, long w, long h, Rgb c);
  /// A straight line from (x0, y0) to (x1, y1) drawn with square pen of `thickness` pixels.
  void draw_line(double x0, double y0, double x1, double y1, Rgb c, int thickness = 1);
  /// Text in the built-in font with its cell's top-left corner at (x, y); with `vertical` the
  /// text reads upwards and (x, y) is the bottom-left corner. Characters outside printable ASCII
  /// are drawn as '?'.
  void draw_text(long x, long y, const std::string& text, Rgb c, bool vertical = false);
  /// Width and height in pixels of `text` drawn horizontally.
  static long text_width(const std::string& text);
  static long text_height();

private:
  std::size_t width_ = 0, height_ = 0;
  std::vector<std::uint8_t> rgb_;
};

/// Writes `image` as an 8-bit RGB PNG file, atomically (OutputError names the file on failure).
void write_png(const std::string& path, const Image& image);
/// Reads a PNG file of any colour type into RGB (DataError names the file on failure).
Image read_png(const std::string& path);

/// One line of a plot: points (x[k], y[k]) joined in order, with a legend label.
struct Series {
  std::string label;
  std::vector<double> x, y;
  std::optional<Rgb> color;  ///< palette(index of the series) when unset
};

/// A line plot: axes with ticks and grid, one coloured line with markers per series, a legend.
/// On a logarithmic axis, points with a non-positive or non-finite coordinate are skipped.
struct Plot {
  std::string title, x_label, y_label;
  bool log_x = false, log_y = false;
  std::vector<Series> series;
  std::size_t width = 960, height = 600;
};

/// Draws `plot`. Throws InvalidArgument when a series has x and y of different lengths or the
/// image is too small for the axes and legend.
Image render(const Plot& plot);

}  // namespace rbmkit
