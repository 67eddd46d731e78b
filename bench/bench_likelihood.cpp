// Timings of rbmkit's likelihood estimators (docs/results/likelihood.md):
//   exact log Z of a 784 x 20 RBM (target < 2 s),
//   AIS with the default schedule (14,500 intermediate distributions) and 100 runs on a
//   784 x 500 RBM (target < 60 s on 2 cores) from the base-rate model and from the modes base
//   (rbmkit eval's default, with its mode search), and reverse annealing from 100 examples,
//   pseudo-log-likelihood of 10,000 examples under a 784 x 500 RBM (product form vs direct form),
//   and one AIS transition for 100 chains: the binary-sparse kernel vs two OpenBLAS SGEMMs.
//
// usage: bench_likelihood [--quick] [MODEL_20 MODEL_500]
//   Without model files, random RBMs of realistic scale are used (W ~ N(0, 0.05²) for 500
//   hidden units, N(0, 0.5²) for 20; biases from the Fashion-MNIST marginals). --quick uses
//   1,450 intermediate distributions and scales the AIS time by 10.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "rbmkit/io/dataset.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/core/parallel.hpp"

using namespace rbmkit;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Rbm<double> random_model(std::size_t nh, double scale, const arma::vec& base, Rng& rng) {
  Rbm<double> r(784, nh);
  for (auto& w : r.W()) w = scale * rng.normal();
  r.b() = base;
  r.c().fill(-1.0);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--quick") == 0)
      quick = true;
    else
      files.push_back(argv[i]);
  }
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  std::printf("machine: %d thread(s); %s%s\n", threads(), blas_info().c_str(),
              coretype ? (std::string("; OPENBLAS_CORETYPE=") + coretype).c_str() : "");
  const Dataset train = load_dataset(default_train_images());
  const Dataset test = load_dataset(default_test_images());
  const arma::vec base = base_rate_biases(train);
  Rng rng(1);
  const Rbm<double> m20 = files.size() >= 2 ? load_rbm<double>(files[0]) : random_model(20, 0.5, base, rng);
  const Rbm<double> m500 = files.size() >= 2 ? load_rbm<double>(files[1]) : random_model(500, 0.05, base, rng);
  std::printf("models: %s\n", files.size() >= 2 ? (files[0] + ", " + files[1]).c_str()
                                                : "random (see the header of this file)");

  // Exact log Z, 784 x 20: best of 3.
  double best = 1e300, lz = 0;
  for (int r = 0; r < 3; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    lz = exact_log_partition(m20);
    best = std::min(best, seconds_since(t0));
  }
  std::printf("exact log Z, 784x20 (2^20 states)        %8.3f s   (log Z = %.6f; target < 2 s)\n", best, lz);

  // AIS, default schedule, 100 runs, 784 x 500.
  const std::size_t K = quick ? default_ais_betas / 10 : default_ais_betas;
  const auto betas = ais_schedule(K);
  {
    Rng arng(2);
    const auto t0 = std::chrono::steady_clock::now();
    const LogZEstimate e = ais_log_partition(m500, base, 100, betas, arng);
    const double s = seconds_since(t0) * double(default_ais_betas) / double(K);
    std::printf("AIS, 784x500, 100 runs, %5zu distributions %7.2f s%s (log Z = %.3f +- %.3f; target < 60 s)\n",
                K, s, quick ? " (scaled from --quick)" : "", e.log_z, e.log_z_stderr);
  }
  {
    // The default base of rbmkit eval --ais: the base-rate model plus the model's modes found
    // from the test images (mode search timed separately).
    auto t0 = std::chrono::steady_clock::now();
    const AisBase modes = mode_mixture_base(m500, test, base);
    const double search = seconds_since(t0);
    Rng arng(2);
    t0 = std::chrono::steady_clock::now();
    const LogZEstimate e = ais_log_partition(m500, modes, 100, betas, arng);
    const double s = seconds_since(t0) * double(default_ais_betas) / double(K);
    std::printf("AIS from the modes base (%zu components, search from %zu images %.2f s) %7.2f s%s "
                "(log Z = %.3f +- %.3f; target < 60 s in all)\n",
                modes.components(), modes.starts, search, s, quick ? " (scaled)" : "", e.log_z,
                e.log_z_stderr);
  }
  {
    Rng brng(3), rrng(4);
    const arma::fmat V = make_batch<float>(test, 0, 100, Binarize::threshold, 0.5, brng);
    const auto t0 = std::chrono::steady_clock::now();
    const ReverseAisEstimate e = reverse_ais(m500.cast<float>(), base, V, 1, betas, rrng);
    const double s = seconds_since(t0) * double(default_ais_betas) / double(K);
    std::printf("reverse AIS, 784x500, 100 examples        %7.2f s%s (conservative log Z = %.3f +- %.3f)\n",
                s, quick ? " (scaled)" : "", e.log_z_mean, e.log_z_stderr);
  }

  // Pseudo-log-likelihood: product form vs the direct double loop (taken when max |W| >= 600;
  // one far weight forces it), on the first 200 test images, scaled to 10,000.
  {
    Rng brng(5);
    const arma::fmat V = make_batch<float>(test, 0, 200, Binarize::threshold, 0.5, brng);
    const Rbm<float> f = m500.cast<float>();
    Rbm<float> direct = f;
    direct.W()(0, 0) = 1000.f;
    auto t0 = std::chrono::steady_clock::now();
    const double p1 = arma::mean(pseudo_log_likelihood(f, V));
    const double s1 = seconds_since(t0) * 50;
    t0 = std::chrono::steady_clock::now();
    arma::vec p2 = pseudo_log_likelihood(direct, V);
    const double s2 = seconds_since(t0) * 50;
    std::printf("pseudo-LL, 784x500, 10,000 examples: product form %.2f s, direct form %.1f s "
                "(%.0fx; mean PLL %.3f)\n", s1, s2, s2 / s1, p1);
  }

  // One AIS transition (hidden and visible inputs) for 100 chains: binary-sparse accumulation
  // inside ais_log_partition vs two dense float GEMMs through OpenBLAS.
  {
    const arma::fmat W = arma::conv_to<arma::fmat>::from(m500.W());
    Rng brng(6);
    const arma::fmat V = make_batch<float>(test, 0, 100, Binarize::threshold, 0.5, brng);
    arma::fmat H(500, 100);
    for (auto& h : H) h = brng.uniform() < 0.3 ? 1.f : 0.f;
    arma::fmat A, X;
    const int reps = 50;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) {
      A = W.t() * V;
      X = W * H;
    }
    const double gemm = seconds_since(t0) / reps;
    Rng arng(7);
    const auto t1 = std::chrono::steady_clock::now();
    ais_log_partition(m500, base, 100, ais_schedule(200), arng);
    const double sparse = seconds_since(t1) / 200;
    std::printf("one AIS step, 100 chains: whole step %.2f ms (sparse kernels); the two SGEMMs "
                "alone %.2f ms\n", sparse * 1e3, gemm * 1e3);
  }
  return 0;
}
