#pragma once
/// The receptive fields of an RBM as a picture: each hidden unit's weights to the visible units
/// (a column of W), reshaped to the image shape of the data and tiled, each contrast-normalised.
#include <cstddef>

#include "rbmkit/models/rbm.hpp"
#include "rbmkit/plots/tiles.hpp"

namespace rbmkit {

/// The columns of rbm.W() as rows x cols images (row-major, as IDX images are stored), tiled
/// by tile_images with `scale` pixels per weight. Throws InvalidArgument naming the shape when
/// rows * cols differs from the number of visible units.
Picture receptive_fields(const Rbm<double>& rbm, std::size_t rows, std::size_t cols,
                         std::size_t scale = 2);

}  // namespace rbmkit
