#include "rbmkit/sampling/gibbs.hpp"

#include <stdexcept>

#include "rbmkit/core/error.hpp"
#include "sampling/gibbs_steps.hpp"

namespace rbmkit {
namespace detail {
namespace {

void check_steps(std::size_t k) {
  if (k == 0) throw InvalidArgument("gibbs_chain: k must be at least 1");
}

/// A = Wᵀ V + c: the products' kernels for Bernoulli visible units (0/1 states take the
/// gathers, grey data BLAS); for Gaussian visible units Rbm::hidden_input's BLAS product
/// Wᵀ (V / σ²) + c, never the gathers, whatever the values of V.
template <class T>
void hidden_input_of(const Rbm<T>& rbm, const arma::Mat<T>& V, arma::Mat<T>& A,
                     ProductBuffers<T>& buf) {
  if (rbm.visible_units() == UnitType::gaussian) {
    A = rbm.hidden_input(V);
    return;
  }
  hidden_input(rbm.W(), rbm.c(), V, A, buf);
}

/// k Gibbs steps from the sampled hidden states in out.h: v ~ P(v|h) (Bernoulli units: sigmoid
/// and draws in one pass; Gaussian units: Rbm::sample_visible), then h's means; every step but
/// the last samples h from them in the same pass. The sampled states and the last step's means
/// share out.h (the states are consumed by P(v|h) before the means are formed). Every Bernoulli
/// draw takes its uniforms as sample_bernoulli does (one fill_uniform per layer, one value per
/// unit, column by column, before the comparison), so the states are those of the element-wise
/// steps of Rbm::hidden_mean, Rbm::sample_visible and sample_bernoulli up to rounding.
template <class T>
void run_chain(const Rbm<T>& rbm, std::size_t k, Rng& rng, ProductBuffers<T>& buf,
               Phase<T>& out) {
  const std::size_t nv = rbm.n_visible(), nh = rbm.n_hidden(), n = out.h.n_cols;
  const bool gaussian = rbm.visible_units() == UnitType::gaussian;
  for (std::size_t step = 0; step < k; ++step) {
    if (gaussian) {
      out.v = rbm.sample_visible(out.h, rng);
    } else {
      visible_input(rbm.W(), rbm.b(), out.h, buf.A, buf);
      out.v.set_size(nv, n);
      sigmoid_sample_drawn(rng, buf.A.memptr(), nv, n, static_cast<T*>(nullptr), out.v.memptr());
    }
    hidden_input_of(rbm, out.v, buf.A, buf);
    if (step + 1 == k) {
      sigmoid_sample_split(buf.A.memptr(), nh, n, out.h.memptr(), static_cast<T*>(nullptr),
                           static_cast<const T*>(nullptr));
    } else {
      sigmoid_sample_drawn(rng, buf.A.memptr(), nh, n, static_cast<T*>(nullptr), out.h.memptr());
    }
  }
}

}  // namespace

template <class T>
void hidden_mean(const Rbm<T>& rbm, const arma::Mat<T>& V, arma::Mat<T>& P,
                 ProductBuffers<T>& buf) {
  hidden_input_of(rbm, V, buf.A, buf);
  P.set_size(arma::size(buf.A));
  sigmoid_sample_split(buf.A.memptr(), buf.A.n_rows, buf.A.n_cols, P.memptr(),
                       static_cast<T*>(nullptr), static_cast<const T*>(nullptr));
}

template <class T>
void gibbs_from_means(const Rbm<T>& rbm, const arma::Mat<T>& Hm, std::size_t k, Rng& rng,
                      ProductBuffers<T>& buf, Phase<T>& out) {
  check_steps(k);
  if (&Hm == &out.h) throw std::logic_error("gibbs_from_means: the means must not be out.h");
  out.h.set_size(arma::size(Hm));
  fill_uniform(rng, out.h.memptr(), out.h.n_elem);
  bernoulli(Hm.memptr(), Hm.n_elem, out.h.memptr(), out.h.memptr());
  run_chain(rbm, k, rng, buf, out);
}

template <class T>
void gibbs_from_states(const Rbm<T>& rbm, const arma::Mat<T>& V0, std::size_t k, Rng& rng,
                       ProductBuffers<T>& buf, Phase<T>& out) {
  check_steps(k);
  hidden_input_of(rbm, V0, buf.A, buf);
  gibbs_from_hidden_input(rbm, k, rng, buf, out);
}

template <class T>
void gibbs_from_hidden_input(const Rbm<T>& rbm, std::size_t k, Rng& rng, ProductBuffers<T>& buf,
                             Phase<T>& out) {
  check_steps(k);
  out.h.set_size(arma::size(buf.A));
  sigmoid_sample_drawn(rng, buf.A.memptr(), buf.A.n_rows, buf.A.n_cols, static_cast<T*>(nullptr),
                       out.h.memptr());
  run_chain(rbm, k, rng, buf, out);
}

#define RBMKIT_GIBBS_STEPS_INSTANTIATE(T)                                                    \
  template void hidden_mean(const Rbm<T>&, const arma::Mat<T>&, arma::Mat<T>&,               \
                            ProductBuffers<T>&);                                             \
  template void gibbs_from_means(const Rbm<T>&, const arma::Mat<T>&, std::size_t, Rng&,      \
                                 ProductBuffers<T>&, Phase<T>&);                             \
  template void gibbs_from_states(const Rbm<T>&, const arma::Mat<T>&, std::size_t, Rng&,     \
                                  ProductBuffers<T>&, Phase<T>&);                            \
  template void gibbs_from_hidden_input(const Rbm<T>&, std::size_t, Rng&, ProductBuffers<T>&, \
                                        Phase<T>&);
RBMKIT_GIBBS_STEPS_INSTANTIATE(float)
RBMKIT_GIBBS_STEPS_INSTANTIATE(double)
#undef RBMKIT_GIBBS_STEPS_INSTANTIATE

}  // namespace detail

template <class T>
Phase<T> gibbs_chain_from(const Rbm<T>& rbm, const arma::Mat<T>& H0, std::size_t k, Rng& rng) {
  detail::ProductBuffers<T> buf;
  Phase<T> out;
  detail::gibbs_from_means(rbm, H0, k, rng, buf, out);
  return out;
}

template <class T>
Phase<T> gibbs_chain(const Rbm<T>& rbm, const arma::Mat<T>& V0, std::size_t k, Rng& rng) {
  detail::ProductBuffers<T> buf;
  Phase<T> out;
  detail::gibbs_from_states(rbm, V0, k, rng, buf, out);
  return out;
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
