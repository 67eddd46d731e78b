#include "rbmkit/sampling/gibbs.hpp"

#include "rbmkit/core/error.hpp"

namespace rbmkit {

template <class T>
Phase<T> gibbs_chain_from(const Rbm<T>& rbm, const arma::Mat<T>& H0, std::size_t k, Rng& rng) {
  if (k == 0) throw InvalidArgument("gibbs_chain: k must be at least 1");
  Phase<T> out;
  arma::Mat<T> Hm = H0;
  for (std::size_t step = 0; step < k; ++step) {
    const arma::Mat<T> H = sample_bernoulli<T>(Hm, rng);
    out.v = rbm.sample_visible(H, rng);
    Hm = rbm.hidden_mean(out.v);
  }
  out.h = std::move(Hm);
  return out;
}

template <class T>
Phase<T> gibbs_chain(const Rbm<T>& rbm, const arma::Mat<T>& V0, std::size_t k, Rng& rng) {
  return gibbs_chain_from(rbm, rbm.hidden_mean(V0), k, rng);
}

template <class T>
arma::Mat<T> sample_model(const Rbm<T>& rbm, std::size_t n, std::size_t steps, Rng& rng) {
  if (steps == 0) throw InvalidArgument("sample_model: steps must be at least 1");
  if (n == 0) return arma::Mat<T>(rbm.n_visible(), 0);
  const arma::Mat<T> start =
      rbm.visible_units() == UnitType::gaussian
          ? rbm.sample_visible(arma::Mat<T>(rbm.n_hidden(), n, arma::fill::zeros), rng)
          : sample_bernoulli<T>(arma::repmat(sigmoid<T>(arma::Mat<T>(rbm.b())), 1, n), rng);
  return gibbs_chain(rbm, start, steps, rng).v;
}

template arma::Mat<float> sample_model(const Rbm<float>&, std::size_t, std::size_t, Rng&);
template arma::Mat<double> sample_model(const Rbm<double>&, std::size_t, std::size_t, Rng&);
template Phase<float> gibbs_chain(const Rbm<float>&, const arma::Mat<float>&, std::size_t, Rng&);
template Phase<double> gibbs_chain(const Rbm<double>&, const arma::Mat<double>&, std::size_t,
                                   Rng&);
template Phase<float> gibbs_chain_from(const Rbm<float>&, const arma::Mat<float>&, std::size_t,
                                       Rng&);
template Phase<double> gibbs_chain_from(const Rbm<double>&, const arma::Mat<double>&, std::size_t,
                                        Rng&);

}  // namespace rbmkit
