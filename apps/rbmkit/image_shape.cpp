#include "image_shape.hpp"

#include <cstdlib>

namespace rbmkit::cli {

namespace {

std::pair<std::size_t, std::size_t> parse_shape(const std::string& text) {
  const std::size_t x = text.find('x');
  auto number = [&](const std::string& s) -> std::size_t {
    if (s.empty() || s.size() > 6 || s.find_first_not_of("0123456789") != std::string::npos)
      return 0;
    return std::size_t(std::strtoul(s.c_str(), nullptr, 10));
  };
  const std::size_t rows = x == std::string::npos ? 0 : number(text.substr(0, x));
  const std::size_t cols = x == std::string::npos ? 0 : number(text.substr(x + 1));
  if (rows == 0 || cols == 0)
    throw UsageError("--image-shape: expected ROWSxCOLS of positive integers (e.g. 28x28), got '" +
                     text + "'");
  return {rows, cols};
}

}  // namespace

void add_image_shape_option(po::options_description& desc) {
  desc.add_options()("image-shape", po::value<std::string>(),
                     "ROWSxCOLS of one image (default: the IDX header of the data)");
}

void check_image_shape_syntax(const po::variables_map& vm) {
  if (vm.count("image-shape")) parse_shape(vm["image-shape"].as<std::string>());
}

std::pair<std::size_t, std::size_t> image_shape(const po::variables_map& vm,
                                                const std::vector<std::size_t>& data_shape,
                                                std::size_t n_visible, const std::string& whence) {
  std::pair<std::size_t, std::size_t> shape;
  std::string from;
  if (vm.count("image-shape")) {
    shape = parse_shape(vm["image-shape"].as<std::string>());
    from = vm["image-shape"].as<std::string>();
  } else {
    std::vector<std::size_t> dims;
    for (std::size_t d : data_shape)
      if (d != 1) dims.push_back(d);
    if (dims.size() != 2)
      throw UsageError("--image-shape: needed, as the image shape is not known (" + whence + ")");
    shape = {dims[0], dims[1]};
    from = std::to_string(dims[0]) + "x" + std::to_string(dims[1]) + " (from " + whence + ")";
  }
  if (shape.first * shape.second != n_visible)
    throw UsageError("--image-shape: " + from + " is " +
                     std::to_string(shape.first * shape.second) + " pixels, the model has " +
                     std::to_string(n_visible) + " visible units");
  return shape;
}

std::vector<std::size_t> stored_data_shape(const ModelFile& file, const std::string& model,
                                           std::string& whence) {
  const auto it = file.config.find("data.source");
  if (it == file.config.end()) {
    whence = model + " does not name its training data";
    return {};
  }
  if (is_csv_path(it->second)) {
    whence = "the training data " + it->second + " is CSV";
    return {};
  }
  try {
    whence = "the IDX header of " + it->second;
    return read_idx_shape(it->second);
  } catch (const DataError&) {
    whence = "the training data " + it->second + " cannot be read";
    return {};
  }
}

}  // namespace rbmkit::cli
