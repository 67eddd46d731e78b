// The dense floor of an RBM's training: the five products of one PCD-1 minibatch done with
// OpenBLAS alone (Wᵀv of the data, W h of the sampled hidden states, Wᵀv of the chains, and the
// statistics v hᵀ of both phases), repeated for a run's minibatches. Nothing else of training
// (no sampling, no update) is timed. Prints the best of `repeats` runs, in seconds, for float
// and double. bench/compare-peers puts it next to whole training runs.
//
// usage: dense_floor [VISIBLE HIDDEN BATCH MINIBATCHES REPEATS]
//   defaults 784 500 100 1000 3 (10 epochs of 10,000 examples in minibatches of 100)
#include <armadillo>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace {

template <class T>
double floor_seconds(arma::uword nv, arma::uword nh, arma::uword batch, long minibatches) {
  arma::arma_rng::set_seed(1);
  const arma::Mat<T> W = arma::randn<arma::Mat<T>>(nv, nh) * T(0.01);
  const arma::Mat<T> V = arma::conv_to<arma::Mat<T>>::from(arma::randu<arma::mat>(nv, batch) < 0.31);
  const arma::Mat<T> Hs = arma::conv_to<arma::Mat<T>>::from(arma::randu<arma::mat>(nh, batch) < 0.5);
  arma::Mat<T> Hp(nh, batch), Vn(nv, batch), Hn(nh, batch), P(nv, nh), N(nv, nh);
  const auto t0 = std::chrono::steady_clock::now();
  for (long m = 0; m < minibatches; ++m) {
    Hp = W.t() * V;
    Vn = W * Hs;
    Hn = W.t() * V;
    P = V * Hp.t();
    N = V * Hn.t();
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

template <class T>
double best(int repeats, arma::uword nv, arma::uword nh, arma::uword batch, long minibatches) {
  double b = 1e300;
  for (int r = 0; r < repeats; ++r) b = std::min(b, floor_seconds<T>(nv, nh, batch, minibatches));
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  // Every argument a positive count; anything else (--help included) gets the usage line.
  for (int k = 1; k < argc; ++k) {
    char* end = nullptr;
    if (k > 5 || std::strtol(argv[k], &end, 10) <= 0 || *end != '\0') {
      std::fprintf(stderr,
                   "usage: dense_floor [VISIBLE HIDDEN BATCH MINIBATCHES REPEATS] (positive "
                   "counts; defaults 784 500 100 1000 3)\n");
      return 2;
    }
  }
  const arma::uword nv = argc > 1 ? std::atol(argv[1]) : 784;
  const arma::uword nh = argc > 2 ? std::atol(argv[2]) : 500;
  const arma::uword batch = argc > 3 ? std::atol(argv[3]) : 100;
  const long minibatches = argc > 4 ? std::atol(argv[4]) : 1000;
  const int repeats = argc > 5 ? std::atoi(argv[5]) : 3;
  std::printf("float %.3f\ndouble %.3f\n", best<float>(repeats, nv, nh, batch, minibatches),
              best<double>(repeats, nv, nh, batch, minibatches));
  return 0;
}
