#pragma once
/// Image tiles: a grid of grey images (e.g. an RBM's receptive fields), each contrast-normalised
/// on its own so that its smallest value is black and its largest white.
#include <armadillo>
#include <cstddef>

#include "rbmkit/plots/picture.hpp"

namespace rbmkit {

/// How `tile_images` lays the images out.
struct TileOptions {
  std::size_t rows = 0, cols = 0;  ///< the shape of one image; rows * cols = the column length
  std::size_t per_row = 0;         ///< images per row of tiles; 0 = ceil(sqrt(count))
  std::size_t scale = 2;           ///< picture pixels per image pixel (at least 1)
  std::size_t gap = 2;             ///< pixels between tiles and around the border
  Rgb background = {96, 96, 96};   ///< the colour of the gaps
};

/// Tiles the columns of `images` (each one image, row-major: value (r, c) at index r * cols + c)
/// in a grid, left to right and top to bottom. Each image is contrast-normalised: v maps to
/// round(255 (v - min) / (max - min)) of its own min and max, a constant image to grey 128.
/// Throws InvalidArgument naming the shape when rows * cols differs from images.n_rows, when
/// there is no image, or when a value is not finite.
Picture tile_images(const arma::mat& images, const TileOptions& options);

}  // namespace rbmkit
