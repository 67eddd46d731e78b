#include "rbmkit/plots/receptive_fields.hpp"

namespace rbmkit {

Picture receptive_fields(const Rbm<double>& rbm, std::size_t rows, std::size_t cols,
                         std::size_t scale) {
  TileOptions o;
  o.rows = rows;
  o.cols = cols;
  o.scale = scale;
  return tile_images(rbm.W(), o);
}

}  // namespace rbmkit
