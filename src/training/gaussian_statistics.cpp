#include "rbmkit/training/gaussian_statistics.hpp"

#include "rbmkit/core/error.hpp"

namespace rbmkit {

namespace {

template <class T>
void require_gaussian(const Rbm<T>& rbm, const char* who) {
  if (rbm.visible_units() != UnitType::gaussian)
    throw InvalidArgument(std::string(who) + ": the RBM's visible units are not Gaussian");
}

}  // namespace

template <class T>
Phase<T> precision_weighted(const Rbm<T>& rbm, const Phase<T>& phase) {
  require_gaussian(rbm, "precision_weighted");
  Phase<T> out{phase.v, phase.h};
  out.v.each_col() %= arma::Col<T>(arma::exp(-rbm.z()));
  return out;
}

template <class T>
arma::Mat<T> log_variance_statistic(const Rbm<T>& rbm, const Phase<T>& phase) {
  require_gaussian(rbm, "log_variance_statistic");
  if (phase.v.n_rows != rbm.n_visible() || phase.h.n_rows != rbm.n_hidden() ||
      phase.v.n_cols != phase.h.n_cols)
    throw DimensionError("log_variance_statistic: the phase does not fit the model");
  arma::Mat<T> D = phase.v;
  D.each_col() -= rbm.b();
  arma::Mat<T> S = T(0.5) * arma::square(D) - phase.v % (rbm.W() * phase.h);
  S.each_col() %= arma::Col<T>(arma::exp(-rbm.z()));
  return S;
}

template <class T>
arma::Col<T> log_variance_gradient(GradientPath path, const Rbm<T>& rbm, const Phase<T>& pos,
                                   const Phase<T>& neg) {
  const arma::Mat<T> Sp = log_variance_statistic(rbm, pos);
  const arma::Mat<T> Sn = log_variance_statistic(rbm, neg);
  const T n_pos = T(Sp.n_cols), n_neg = T(Sn.n_cols);
  if (path == GradientPath::contrastive) {
    const arma::Col<T> sp = arma::sum(Sp, 1), sn = arma::sum(Sn, 1);
    if (n_pos == n_neg) return arma::Col<T>((sp - sn) / n_pos);
    return arma::Col<T>(sp / n_pos - sn / n_neg);
  }
  // The reward correlator over the stream of make_reward_stream: runs of +1, then of −1.
  if (Sp.n_cols != Sn.n_cols)
    throw InvalidArgument("log_variance_gradient: the reward correlator needs equal numbers of "
                          "positive and negative samples, got " + std::to_string(Sp.n_cols) +
                          " and " + std::to_string(Sn.n_cols));
  arma::Col<T> g(Sp.n_rows, arma::fill::zeros);
  const arma::Mat<T> Rp = Sp * T(1), Rn = Sn * T(-1);  // exact: R = ±1
  const arma::Col<T> sum_p = arma::sum(Rp, 1), sum_n = arma::sum(Rn, 1);
  g += sum_p;
  g += sum_n;
  g /= n_pos;
  return g;
}

#define RBMKIT_GAUSSIAN_STATISTICS_INSTANTIATE(T)                                          \
  template Phase<T> precision_weighted(const Rbm<T>&, const Phase<T>&);                    \
  template arma::Mat<T> log_variance_statistic(const Rbm<T>&, const Phase<T>&);            \
  template arma::Col<T> log_variance_gradient(GradientPath, const Rbm<T>&, const Phase<T>&, \
                                              const Phase<T>&);
RBMKIT_GAUSSIAN_STATISTICS_INSTANTIATE(float)
RBMKIT_GAUSSIAN_STATISTICS_INSTANTIATE(double)
#undef RBMKIT_GAUSSIAN_STATISTICS_INSTANTIATE

}  // namespace rbmkit
