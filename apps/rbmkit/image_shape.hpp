#pragma once
// The image shape of pictures of a model's visible units (train --filters, rbmkit filters):
// --image-shape ROWSxCOLS, or the shape of one example in the IDX header of the data.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "cli.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit::cli {

/// Adds --image-shape to `desc`.
void add_image_shape_option(po::options_description& desc);

/// Checks the syntax of --image-shape when given (UsageError naming it), before any long work.
void check_image_shape_syntax(const po::variables_map& vm);

/// Rows and columns of the images of `n_visible` units: --image-shape when given, else
/// `data_shape` (the IDX example shape; dimensions of size 1 aside, it must have two). Throws
/// UsageError naming --image-shape when it is malformed, its product is not `n_visible`, or no
/// shape is known (`whence` says where one was looked for, e.g. "data.csv is CSV").
std::pair<std::size_t, std::size_t> image_shape(const po::variables_map& vm,
                                                const std::vector<std::size_t>& data_shape,
                                                std::size_t n_visible, const std::string& whence);

/// The IDX example shape of the training data a model file names (its data.source entry), or
/// empty when that is unknown, CSV or unreadable; `whence` says where the shape was looked for.
std::vector<std::size_t> stored_data_shape(const ModelFile& file, const std::string& model,
                                           std::string& whence);

}  // namespace rbmkit::cli
