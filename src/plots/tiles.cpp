#include "rbmkit/plots/tiles.hpp"

#include <algorithm>
#include <cmath>

#include "rbmkit/core/error.hpp"

namespace rbmkit {

Picture tile_images(const arma::mat& images, const TileOptions& o) {
  const std::string shape = std::to_string(o.rows) + "x" + std::to_string(o.cols);
  if (o.rows == 0 || o.cols == 0 || o.rows * o.cols != images.n_rows)
    throw InvalidArgument("tile_images: image shape " + shape + " (" +
                          std::to_string(o.rows * o.cols) + " values) does not match images of " +
                          std::to_string(images.n_rows) + " values");
  if (images.n_cols == 0) throw InvalidArgument("tile_images: no image");
  if (!images.is_finite()) throw InvalidArgument("tile_images: a value is not finite");
  const std::size_t n = images.n_cols;
  const std::size_t per_row =
      o.per_row ? o.per_row : std::size_t(std::ceil(std::sqrt(double(n)) - 1e-9));
  const std::size_t grid_rows = (n + per_row - 1) / per_row;
  const std::size_t scale = std::max<std::size_t>(o.scale, 1);
  const std::size_t tw = o.cols * scale, th = o.rows * scale;
  Picture picture(o.gap + std::min(per_row, n) * (tw + o.gap), o.gap + grid_rows * (th + o.gap),
                  o.background);
  for (std::size_t k = 0; k < n; ++k) {
    const double* v = images.colptr(k);
    const auto [lo, hi] = std::minmax_element(v, v + images.n_rows);
    const double range = *hi - *lo;
    const long x0 = long(o.gap + (k % per_row) * (tw + o.gap));
    const long y0 = long(o.gap + (k / per_row) * (th + o.gap));
    for (std::size_t r = 0; r < o.rows; ++r)
      for (std::size_t c = 0; c < o.cols; ++c) {
        const double x = v[r * o.cols + c];
        const std::uint8_t g =
            range > 0 ? std::uint8_t(std::lround(255 * (x - *lo) / range)) : std::uint8_t(128);
        picture.fill_rect(x0 + long(c * scale), y0 + long(r * scale), long(scale), long(scale),
                          Rgb{g, g, g});
      }
  }
  return picture;
}

}  // namespace rbmkit
