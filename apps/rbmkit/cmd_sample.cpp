// rbmkit sample: samples of an RBM drawn by parallel tempering (sampling/tempering.hpp), their
// visible means tiled in a PNG picture, and the swap acceptance rates printed.
#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "image_shape.hpp"
#include "rbmkit/core/random.hpp"
#include "rbmkit/io/files.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/plots/tiles.hpp"
#include "rbmkit/sampling/phases.hpp"
#include "rbmkit/sampling/tempering.hpp"

namespace rbmkit::cli {

int cmd_sample(const std::vector<std::string>& args) {
  po::options_description desc("sample options");
  desc.add_options()
      ("model", po::value<std::string>(), "RBM model file (required)")
      ("out", po::value<std::string>(), "PNG file to write (required)")
      ("count", defaulted<long long>(64), "samples: persistent tempered chains at beta = 1")
      ("steps", defaulted<long long>(1000), "tempered steps after the burn-in")
      ("burn-in", defaulted<long long>(0),
       "tempered steps before --steps, left out of the swap statistics")
      ("temperatures", defaulted<long long>(20),
       "inverse temperatures per chain, evenly spaced from 1 to 0 (1 = plain Gibbs sampling)")
      ("seed", defaulted<long long>(1), "random seed")
      ("zoom", defaulted<long long>(2), "picture pixels per visible unit");
  add_image_shape_option(desc);
  po::variables_map vm;
  if (!parse("sample",
             "--model MODEL --out FILE.png [--count N] [--steps K] [--burn-in B] "
             "[--temperatures T] [--seed S] [--zoom Z] [--image-shape ROWSxCOLS]",
             desc, args, vm))
    return ok;
  if (!vm.count("model")) throw UsageError("--model: a model file is required");
  if (!vm.count("out")) throw UsageError("--out: a PNG file to write is required");
  check_image_shape_syntax(vm);
  const std::size_t count = get_count(vm, "count", 1, 10000);  // a picture of 100 x 100 tiles
  const std::size_t steps = get_count(vm, "steps", 1);
  const std::size_t burn_in = get_count(vm, "burn-in", 0);
  const std::size_t temperatures = get_count(vm, "temperatures", 1, (long long)max_temperatures);
  const std::size_t zoom = get_count(vm, "zoom", 1);
  const std::uint64_t seed = get_seed(vm);
  const std::string model_path = vm["model"].as<std::string>();
  const std::string out = vm["out"].as<std::string>();
  check_output_path(out);
  const ModelFile file = read_model_file(model_path);
  if (file.kind != MachineKind::rbm)
    throw ModelError(model_path + ": holds a Boltzmann machine; sample draws from an RBM");
  const Rbm<float> rbm = rbm_from_file<float>(file, model_path);
  if (rbm.visible_units() != UnitType::bernoulli)
    throw ModelError(model_path + ": has Gaussian visible units; sample draws from RBMs with "
                     "binary visible units");
  std::string whence;
  std::vector<std::size_t> data_shape;
  if (!vm.count("image-shape")) data_shape = stored_data_shape(file, model_path, whence);
  const auto [rows, cols] = image_shape(vm, data_shape, rbm.n_visible(), whence);

  Rng rng(seed);
  StageProgress progress;
  const TemperedSamples<float> s =
      sample_tempered(rbm, count, steps, burn_in, temperatures, rng, progress.callback());
  progress.finish();
  TileOptions tiles;
  tiles.rows = rows;
  tiles.cols = cols;
  tiles.scale = zoom;
  write_png(out, tile_images(arma::conv_to<arma::mat>::from(s.v_mean), tiles));

  std::printf("%zu tempered chains, %zu temperatures (beta 1 to %.3g), %zu steps after %zu "
              "burn-in, seed %llu\n",
              count, temperatures, s.betas.back(), steps, burn_in, (unsigned long long)seed);
  if (temperatures > 1) {
    std::printf("swap acceptance between neighbouring temperatures, beta 1 first:");
    for (const double r : s.swaps.rates()) std::printf(" %.3f", r);
    std::printf(" (overall %.3f)\n", s.swaps.overall_rate());
  }
  std::cerr << "rbmkit sample: visible means of " << count << " samples (" << rows << "x" << cols
            << ") written to " << out << "\n";
  return ok;
}

}  // namespace rbmkit::cli
