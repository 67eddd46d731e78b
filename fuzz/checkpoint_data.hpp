#pragma once
// The data set every checkpoint of the checkpoint target was trained on (make_seeds.cpp writes
// the seeds from it): a resumed run must be given the data its file records, so the target
// always offers this one. 12 binary pixels × 30 examples, a fixed pattern.
#include "rbmkit/io/dataset.hpp"

namespace rbmkit::fuzz {

inline Dataset checkpoint_data() {
  Dataset d;
  d.source = "checkpoint-data";
  d.pixels.set_size(12, 30);
  for (arma::uword j = 0; j < d.pixels.n_cols; ++j)
    for (arma::uword i = 0; i < d.pixels.n_rows; ++i)
      d.pixels(i, j) = (i * 7 + j * 13) % 5 < 2 ? 255 : 0;
  return d;
}

}  // namespace rbmkit::fuzz
