#pragma once
/// The parameter update every machine shares: SGD with momentum (Hinton's practical guide §9)
/// and the running parameter average of Polyak & Juditsky (1992).
#include <armadillo>
#include <cstddef>
#include <string>
#include <vector>

#include "rbmkit/io/model_file.hpp"

namespace rbmkit {

/// velocity ← momentum · velocity + lr · delta, then param ← param + velocity, element by
/// element (param, velocity and delta of one shape).
template <class T>
void momentum_step(arma::Mat<T>& param, arma::Mat<T>& velocity, const arma::Mat<T>& delta,
                   T momentum, T lr);

/// True when any element of any of `params` is NaN or infinite.
template <class T>
bool any_non_finite(const std::vector<const arma::Mat<T>*>& params);
/// The same for a list of mutable arrays.
template <class T>
bool any_non_finite(const std::vector<arma::Mat<T>*>& params) {
  return any_non_finite(std::vector<const arma::Mat<T>*>(params.begin(), params.end()));
}

/// The running mean of a list of parameter arrays: after n calls of add, mean()[i] is the mean
/// of the n values passed for array i, updated as a ← a + (x − a)/n in T.
template <class T>
class ParameterAverage {
public:
  /// Adds the current values of `params` (the same shapes at every call).
  void add(const std::vector<const arma::Mat<T>*>& params);
  /// The same for a list of mutable arrays (a step's non-const parameters()).
  void add(const std::vector<arma::Mat<T>*>& params) {
    add(std::vector<const arma::Mat<T>*>(params.begin(), params.end()));
  }
  /// Forgets every update added (the average starts again).
  void reset() {
    mean_.clear();
    count_ = 0;
  }
  /// Updates added so far.
  std::size_t count() const { return count_; }
  /// The means, one per array; empty before the first add.
  const std::vector<arma::Mat<T>>& mean() const { return mean_; }
  /// Stores the means as arrays "<prefix>0", "<prefix>1", … and the count as config entry
  /// "<prefix>count".
  void save(ModelFile& file, const std::string& prefix) const;
  /// Restores what save stored; throws ModelError naming `source` when it is inconsistent with
  /// `params` (shapes).
  void load(const ModelFile& file, const std::string& prefix, const std::string& source,
            const std::vector<const arma::Mat<T>*>& params);

private:
  std::vector<arma::Mat<T>> mean_;
  std::size_t count_ = 0;
};

extern template void momentum_step(arma::Mat<float>&, arma::Mat<float>&, const arma::Mat<float>&,
                                   float, float);
extern template void momentum_step(arma::Mat<double>&, arma::Mat<double>&,
                                   const arma::Mat<double>&, double, double);
extern template bool any_non_finite(const std::vector<const arma::Mat<float>*>&);
extern template bool any_non_finite(const std::vector<const arma::Mat<double>*>&);
extern template class ParameterAverage<float>;
extern template class ParameterAverage<double>;

}  // namespace rbmkit
