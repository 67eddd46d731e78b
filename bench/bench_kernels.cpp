// The RBM's products with a binary operand against OpenBLAS, and the fused sampling against the
// element-wise functions, on the shapes of bench/compare-peers (784 visible, 500 hidden,
// minibatch 100): random operands of given densities, and (fashion_*) 100 Fashion-MNIST images,
// whose shared ones the sum trees use. Densities are the fraction of ones in the binary operand (Fashion-MNIST: 0.31,
// MNIST: 0.13). The binary kernels use rbmkit's threads (all cores), as OpenBLAS does.
//
//   build/bench/bench_kernels [--benchmark_filter=REGEX]
#include <benchmark/benchmark.h>

#include <armadillo>

#include "kernels/binary.hpp"
#include "kernels/products.hpp"
#include "kernels/sum_tree.hpp"
#include "kernels/uniforms.hpp"
#include "rbmkit/core/math.hpp"
#include "rbmkit/core/parallel.hpp"
#include "rbmkit/io/dataset.hpp"

using namespace rbmkit;

namespace {

constexpr arma::uword nv = 784, nh = 500, batch = 100;

template <class T>
arma::Mat<T> binary(arma::uword rows, arma::uword cols, double density) {
  arma::arma_rng::set_seed(7);
  return arma::conv_to<arma::Mat<T>>::from(arma::randu<arma::mat>(rows, cols) < density);
}

template <class T>
arma::Mat<T> weights() {
  arma::arma_rng::set_seed(3);
  return arma::randn<arma::Mat<T>>(nv, nh) * T(0.01);
}

double density_arg(const benchmark::State& state) { return double(state.range(0)) / 100.0; }

// The binary benchmarks call the gathers of the ones directly (not the products of products.hpp),
// so that densities above one half, where the products gather the zeros instead, are measured
// too.

/// The ones of X, as the products find them.
template <class T>
detail::OnesPattern ones(const arma::Mat<T>& X) {
  detail::OnesPattern p;
  detail::find_ones(X.memptr(), X.n_rows, X.n_cols, X.n_rows, p);
  return p;
}

/// Wᵀ V + c with binary V: gathers of the rows of W (through Wᵀ, built in every iteration as
/// the training step builds it once per minibatch) against sgemm/dgemm.
template <class T>
void hidden_input_binary(benchmark::State& state) {
  const arma::Mat<T> W = weights<T>(), V = binary<T>(nv, batch, density_arg(state));
  const arma::Col<T> c(nh, arma::fill::zeros);
  arma::Mat<T> Wt, A;
  for (auto _ : state) {
    Wt = W.t();
    detail::gather_product(Wt, ones(V), c.memptr(), A);
    benchmark::DoNotOptimize(A.memptr());
  }
}
template <class T>
void hidden_input_blas(benchmark::State& state) {
  const arma::Mat<T> W = weights<T>(), V = binary<T>(nv, batch, density_arg(state));
  const arma::Col<T> c(nh, arma::fill::zeros);
  arma::Mat<T> A;
  for (auto _ : state) {
    A = W.t() * V;
    A.each_col() += c;
    benchmark::DoNotOptimize(A.memptr());
  }
}

/// W H + b with binary H (sampled hidden states).
template <class T>
void visible_input_binary(benchmark::State& state) {
  const arma::Mat<T> W = weights<T>(), H = binary<T>(nh, batch, density_arg(state));
  const arma::Col<T> b(nv, arma::fill::zeros);
  arma::Mat<T> A;
  for (auto _ : state) {
    detail::gather_product(W, ones(H), b.memptr(), A);
    benchmark::DoNotOptimize(A.memptr());
  }
}
template <class T>
void visible_input_blas(benchmark::State& state) {
  const arma::Mat<T> W = weights<T>(), H = binary<T>(nh, batch, density_arg(state));
  const arma::Col<T> b(nv, arma::fill::zeros);
  arma::Mat<T> A;
  for (auto _ : state) {
    A = W * H;
    A.each_col() += b;
    benchmark::DoNotOptimize(A.memptr());
  }
}

/// The statistic V Hᵀ with binary V and grey H (hidden means), transposed (products.hpp).
template <class T>
void statistics_binary(benchmark::State& state) {
  const arma::Mat<T> V = binary<T>(nv, batch, density_arg(state));
  const arma::Mat<T> H = arma::randu<arma::Mat<T>>(nh, batch);
  arma::Mat<T> Pt, Vt;
  for (auto _ : state) {
    detail::transpose(V, Vt);  // each visible unit's examples: the ones of Vᵀ
    detail::gather_product(H, ones(Vt), static_cast<const T*>(nullptr), Pt);
    benchmark::DoNotOptimize(Pt.memptr());
  }
}
template <class T>
void statistics_blas(benchmark::State& state) {
  const arma::Mat<T> V = binary<T>(nv, batch, density_arg(state));
  const arma::Mat<T> H = arma::randu<arma::Mat<T>>(nh, batch);
  arma::Mat<T> P;
  for (auto _ : state) {
    P = V * H.t();
    benchmark::DoNotOptimize(P.memptr());
  }
}

/// sigm and Bernoulli draws of a 500 × 100 block: fused and vectorised, against rbmkit's
/// element-wise sigmoid and sample_bernoulli.
template <class T>
void sample_fused(benchmark::State& state) {
  const arma::Mat<T> A = arma::randn<arma::Mat<T>>(nh, batch);
  arma::Mat<T> P(nh, batch), S(nh, batch);
  Rng rng(1);
  for (auto _ : state) {
    detail::fill_uniform(rng, S.memptr(), S.n_elem);
    detail::sigmoid_sample(A.memptr(), nh, batch, P.memptr(), S.memptr(), S.memptr());
    benchmark::DoNotOptimize(S.memptr());
  }
}
/// The uniforms of those draws alone (the samplers' stream, kernels/uniforms.hpp).
template <class T>
void sample_uniforms(benchmark::State& state) {
  arma::Mat<T> U(nh, batch);
  Rng rng(1);
  for (auto _ : state) {
    detail::fill_uniform(rng, U.memptr(), U.n_elem);
    benchmark::DoNotOptimize(U.memptr());
  }
}
template <class T>
void sample_elementwise(benchmark::State& state) {
  const arma::Mat<T> A = arma::randn<arma::Mat<T>>(nh, batch);
  Rng rng(1);
  for (auto _ : state) {
    const arma::Mat<T> P = sigmoid<T>(A);
    const arma::Mat<T> S = sample_bernoulli<T>(P, rng);
    benchmark::DoNotOptimize(S.memptr());
  }
}

/// The first 100 Fashion-MNIST training images binarised at 0.5 (784 × 100), whose columns share
/// most of their ones as real minibatches do; empty when Debian's dataset-fashion-mnist is not
/// installed.
template <class T>
const arma::Mat<T>& fashion_minibatch() {
  static const arma::Mat<T> V = [] {
    try {
      const Dataset d = read_idx(default_train_images());
      arma::Mat<T> v(d.dim(), batch);
      for (arma::uword j = 0; j < batch; ++j)
        for (arma::uword i = 0; i < d.dim(); ++i) v(i, j) = d.pixels(i, j) > 127 ? T(1) : T(0);
      return v;
    } catch (const std::exception&) {
      return arma::Mat<T>();
    }
  }();
  return V;
}

/// Wᵀ V + c of Fashion-MNIST images by rbmkit's products (a sum tree: kernels/sum_tree.hpp,
/// its pairing included), by the plain gathers, and by sgemm/dgemm; Wᵀ formed outside the loop, as the training step
/// keeps it.
template <class T>
void fashion_hidden_input(benchmark::State& state) {
  const arma::Mat<T>& V = fashion_minibatch<T>();
  if (V.n_elem == 0) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  const arma::Mat<T> W = weights<T>();
  const arma::Col<T> c(nh, arma::fill::zeros);
  const int kind = int(state.range(0));  // 0: rbmkit's products, 1: plain gathers, 2: BLAS
  detail::ProductBuffers<T> buf;
  buf.Wt = W.t();
  arma::Mat<T> A;
  const detail::OnesPattern p = ones(V);
  for (auto _ : state) {
    if (kind == 0) {  // pairing included: forget the cached trees
      buf.wt_ready = true;
      for (auto& cached : buf.trees) cached.source.clear();
      detail::hidden_input(W, c, V, A, buf);
    } else if (kind == 1) {
      detail::gather_product(buf.Wt, p, c.memptr(), A);
    } else {
      A = W.t() * V;
      A.each_col() += c;
    }
    benchmark::DoNotOptimize(A.memptr());
  }
}

/// Pairing 100 Fashion-MNIST images greedily (the Gibbs half-steps' trees) and their 784 pixels
/// by neighbours (the statistics' trees).
void fashion_sum_tree_build(benchmark::State& state) {
  const arma::Mat<float>& V = fashion_minibatch<float>();
  if (V.n_elem == 0) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  const bool units = state.range(0) == 1;
  const arma::Mat<float> X = units ? arma::Mat<float>(V.t()) : V;
  const detail::OnesPattern p = ones(X);
  detail::SumTree t;
  for (auto _ : state) {
    detail::build_sum_tree(p, t, units ? detail::Pairing::neighbours : detail::Pairing::greedy);
    benchmark::DoNotOptimize(t.idx.data());
  }
  state.counters["owned_share"] = double(t.owned()) / double(t.ones);
}

/// The pattern of Vᵀ (for each pixel, the images where it is on: what the statistics gather)
/// of 100 Fashion-MNIST images, float, one thread: transposing V and scanning Vᵀ (from_ones:0)
/// against scanning V itself (from_ones:1, find_ones_transposed).
void fashion_transposed_pattern(benchmark::State& state) {
  const arma::Mat<float>& V = fashion_minibatch<float>();
  if (V.n_elem == 0) {
    state.SkipWithError("dataset-fashion-mnist is not installed");
    return;
  }
  const bool direct = state.range(0) == 1;
  arma::Mat<float> Vt;
  detail::OnesPattern p;
  for (auto _ : state) {
    if (direct) {
      detail::find_ones_transposed(V.memptr(), V.n_rows, V.n_cols, V.n_rows, p);
    } else {
      Vt = V.t();
      detail::find_ones(Vt.memptr(), Vt.n_rows, Vt.n_cols, Vt.n_rows, p);
    }
    benchmark::DoNotOptimize(p.idx.data());
  }
}

void densities(benchmark::internal::Benchmark* b) {
  for (int d : {5, 13, 31, 50, 70}) b->Arg(d);
  b->ArgName("density%")->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(hidden_input_binary<float>)->Apply(densities);
BENCHMARK(hidden_input_blas<float>)->Apply(densities);
BENCHMARK(hidden_input_binary<double>)->Apply(densities);
BENCHMARK(hidden_input_blas<double>)->Apply(densities);
BENCHMARK(visible_input_binary<float>)->Apply(densities);
BENCHMARK(visible_input_blas<float>)->Apply(densities);
BENCHMARK(visible_input_binary<double>)->Apply(densities);
BENCHMARK(visible_input_blas<double>)->Apply(densities);
BENCHMARK(statistics_binary<float>)->Apply(densities);
BENCHMARK(statistics_blas<float>)->Apply(densities);
BENCHMARK(statistics_binary<double>)->Apply(densities);
BENCHMARK(statistics_blas<double>)->Apply(densities);
BENCHMARK(fashion_hidden_input<float>)
    ->ArgName("products_gathers_blas")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(fashion_hidden_input<double>)
    ->ArgName("products_gathers_blas")->DenseRange(0, 2)->Unit(benchmark::kMicrosecond);
BENCHMARK(fashion_sum_tree_build)->ArgName("units")->DenseRange(0, 1)->Unit(benchmark::kMicrosecond);
BENCHMARK(fashion_transposed_pattern)
    ->ArgName("from_ones")
    ->DenseRange(0, 1)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_fused<float>)->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_elementwise<float>)->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_uniforms<float>)->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_fused<double>)->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_elementwise<double>)->Unit(benchmark::kMicrosecond);
BENCHMARK(sample_uniforms<double>)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
