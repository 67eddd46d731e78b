#include "rbmkit/sampling/sweeps.hpp"

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/math.hpp"

namespace rbmkit {

template <class T>
void gibbs_sweep(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t first,
                 std::size_t last, Rng& rng) {
  const std::size_t n = bm.n_units();
  if (S.n_rows != n)
    throw DimensionError("gibbs_sweep: states have " + std::to_string(S.n_rows) +
                         " rows, machine has " + std::to_string(n) + " units");
  if (first > last || last > n) throw InvalidArgument("gibbs_sweep: unit range out of bounds");
  const arma::uword B = S.n_cols;
  for (std::size_t i = first; i < last; ++i) {
    // W is symmetric, so column i holds unit i's incoming weights contiguously.
    const arma::Row<T> a = bm.W().col(i).t() * S;
    const T bi = bm.bias()[i];
    for (arma::uword t = 0; t < B; ++t) S(i, t) = uniform<T>(rng) < sigmoid(T(a[t] + bi)) ? T(1) : T(0);
  }
}

template <class T>
void gibbs_sweeps_free(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                       Rng& rng) {
  for (std::size_t k = 0; k < sweeps; ++k) gibbs_sweep(bm, S, 0, bm.n_units(), rng);
}

template <class T>
void gibbs_sweeps_clamped(const BoltzmannMachine<T>& bm, arma::Mat<T>& S, std::size_t sweeps,
                          Rng& rng) {
  for (std::size_t k = 0; k < sweeps; ++k) gibbs_sweep(bm, S, bm.n_visible(), bm.n_units(), rng);
}

#define RBMKIT_SWEEPS_INSTANTIATE(T)                                                              \
  template void gibbs_sweep(const BoltzmannMachine<T>&, arma::Mat<T>&, std::size_t, std::size_t, \
                            Rng&);                                                               \
  template void gibbs_sweeps_free(const BoltzmannMachine<T>&, arma::Mat<T>&, std::size_t, Rng&); \
  template void gibbs_sweeps_clamped(const BoltzmannMachine<T>&, arma::Mat<T>&, std::size_t, Rng&);
RBMKIT_SWEEPS_INSTANTIATE(float)
RBMKIT_SWEEPS_INSTANTIATE(double)
#undef RBMKIT_SWEEPS_INSTANTIATE

}  // namespace rbmkit
