#include "rbmkit/plots/picture.hpp"

#include <algorithm>
#include <memory>

#include "plots/cairo_canvas.hpp"
#include "rbmkit/core/error.hpp"
#include "rbmkit/io/files.hpp"

namespace rbmkit {

using detail::cairo;

Rgb palette(std::size_t k) {
  static const Rgb tableau[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                  {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                  {188, 189, 34},  {23, 190, 207}};
  return tableau[k % 10];
}

namespace {

std::uint32_t word(Rgb c) { return (std::uint32_t(c.r) << 16) | (std::uint32_t(c.g) << 8) | c.b; }

using Surface = std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)>;

}  // namespace

Picture::Picture(std::size_t width, std::size_t height, Rgb fill) : width_(width), height_(height) {
  if (width == 0 || height == 0 || width > 32767 || height > 32767)
    throw InvalidArgument("Picture: size " + std::to_string(width) + " x " +
                          std::to_string(height) + " is outside 1..32767");
  words_.assign(width * height, word(fill));
}

Rgb Picture::pixel(std::size_t x, std::size_t y) const {
  if (x >= width_ || y >= height_)
    throw InvalidArgument("Picture::pixel: (" + std::to_string(x) + ", " + std::to_string(y) +
                          ") is outside " + std::to_string(width_) + " x " +
                          std::to_string(height_));
  const std::uint32_t w = words_[y * width_ + x];
  return Rgb{std::uint8_t(w >> 16), std::uint8_t(w >> 8), std::uint8_t(w)};
}

void Picture::set(long x, long y, Rgb c) {
  if (x < 0 || y < 0 || std::size_t(x) >= width_ || std::size_t(y) >= height_) return;
  words_[std::size_t(y) * width_ + std::size_t(x)] = word(c);
}

void Picture::fill_rect(long x, long y, long w, long h, Rgb c) {
  const long x0 = std::max(x, 0L), y0 = std::max(y, 0L);
  const long x1 = std::min(x + w, long(width_)), y1 = std::min(y + h, long(height_));
  for (long yy = y0; yy < y1; ++yy)
    std::fill(words_.begin() + yy * long(width_) + x0, words_.begin() + yy * long(width_) + x1,
              word(c));
}

std::string png_bytes(const Picture& picture) {
  if (picture.width() == 0) throw InvalidArgument("png_bytes: the picture is empty");
  // Cairo's surface over the words does not write them; the cast only satisfies its signature.
  Surface surface(cairo().image_surface_create_for_data(
                      reinterpret_cast<unsigned char*>(
                          const_cast<std::uint32_t*>(picture.words().data())),
                      CAIRO_FORMAT_RGB24, int(picture.width()), int(picture.height()),
                      int(4 * picture.width())),
                  cairo().surface_destroy);
  std::string bytes;
  const cairo_status_t status = cairo().surface_write_to_png_stream(
      surface.get(),
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &bytes);
  if (status != CAIRO_STATUS_SUCCESS)
    throw OutputError(std::string("png_bytes: cairo: ") + cairo().status_to_string(status));
  return bytes;
}

void write_png(const std::string& path, const Picture& picture) {
  const std::string bytes = png_bytes(picture);
  write_file_atomically(path, [&](std::ostream& os) {
    os.write(bytes.data(), std::streamsize(bytes.size()));
  });
}

Picture read_png(const std::string& path) {
  Surface surface(cairo().image_surface_create_from_png(path.c_str()), cairo().surface_destroy);
  const cairo_status_t status = cairo().surface_status(surface.get());
  if (status != CAIRO_STATUS_SUCCESS)
    throw DataError("read_png(" + path + "): " + cairo().status_to_string(status));
  Picture picture(std::size_t(cairo().image_surface_get_width(surface.get())),
                  std::size_t(cairo().image_surface_get_height(surface.get())));
  detail::CairoCanvas canvas(picture, "read_png(" + path + ")");
  cairo().set_source_surface(canvas.cr(), surface.get(), 0, 0);  // over the white fill
  cairo().paint(canvas.cr());
  canvas.flush();
  return picture;
}

void require_drawing() { cairo(); }

}  // namespace rbmkit
