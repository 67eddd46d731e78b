// rbmkit filters: an RBM's receptive fields (the columns of W, one per hidden unit, reshaped to
// the image shape and contrast-normalised) tiled in a PNG picture.

#include <iostream>

#include "cli.hpp"
#include "image_shape.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/plots/receptive_fields.hpp"

namespace rbmkit::cli {

int cmd_filters(const std::vector<std::string>& args) {
  po::options_description desc("filters options");
  desc.add_options()
      ("model", po::value<std::string>(), "RBM model file (required)")
      ("out", po::value<std::string>(), "PNG file to write (required)")
      ("zoom", defaulted<long long>(2), "picture pixels per weight");
  add_image_shape_option(desc);
  po::variables_map vm;
  if (!parse("filters", "--model MODEL --out FILE.png [--image-shape ROWSxCOLS]", desc, args, vm))
    return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  if (!vm.count("out")) throw UsageError("--out: a PNG file to write is required");
  check_image_shape_syntax(vm);
  const std::size_t zoom = get_count(vm, "zoom", 1);
  const std::string model_path = vm["model"].as<std::string>();
  const std::string out = vm["out"].as<std::string>();
  check_output_path(out);
  const ModelFile file = read_model_file(model_path);
  if (file.kind != MachineKind::rbm)
    throw ModelError(model_path + ": holds a Boltzmann machine; filters pictures an RBM's weights");
  const Rbm<double> rbm = rbm_from_file<double>(file, model_path);
  std::string whence;
  std::vector<std::size_t> data_shape;
  if (!vm.count("image-shape")) data_shape = stored_data_shape(file, model_path, whence);
  const auto [rows, cols] = image_shape(vm, data_shape, rbm.n_visible(), whence);
  write_png(out, receptive_fields(rbm, rows, cols, zoom));
  std::cerr << "rbmkit filters: " << rbm.n_hidden() << " receptive fields of " << rows << "x"
            << cols << " written to " << out << "\n";
  return ok;
}

}  // namespace rbmkit::cli
