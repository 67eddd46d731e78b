#include "rbmkit/training/update.hpp"

#include <algorithm>
#include <cstdlib>

#include "rbmkit/core/error.hpp"
#include "rbmkit/core/parallel.hpp"
#include "kernels/optimizer.hpp"

namespace rbmkit {

template <class T>
void momentum_step(arma::Mat<T>& param, arma::Mat<T>& velocity, const arma::Mat<T>& delta,
                   T momentum, T lr) {
  T* p = param.memptr();
  T* v = velocity.memptr();
  const T* d = delta.memptr();
  for (arma::uword i = 0; i < param.n_elem; ++i) {
    v[i] = momentum * v[i] + lr * d[i];
    p[i] += v[i];
  }
}

template <class T>
bool any_non_finite(const std::vector<const arma::Mat<T>*>& params) {
  for (const arma::Mat<T>* p : params)
    if (!p->is_finite()) return true;
  return false;
}

template <class T>
void ParameterAverage<T>::add(const std::vector<const arma::Mat<T>*>& params) {
  if (count_ == 0) {
    mean_.clear();
    mean_.reserve(params.size());  // growing would copy the means made so far (W among them)
    for (const arma::Mat<T>* p : params) mean_.emplace_back(arma::size(*p), arma::fill::zeros);
  }
  ++count_;
  const T w = T(1) / T(count_);
  for (std::size_t k = 0; k < params.size(); ++k) {
    T* a = mean_[k].memptr();
    const T* x = params[k]->memptr();
    // Element-wise, so split among threads in blocks of 4096 values (the same bits at every
    // thread count).
    constexpr std::size_t block = 4096;
    const std::size_t n = mean_[k].n_elem;
    auto body = [&](std::size_t first, std::size_t last, int) {
      const std::size_t begin = first * block, end = std::min(n, last * block);
      if (begin < end) detail::running_mean(a + begin, x + begin, end - begin, w);
    };
    const std::size_t blocks = (n + block - 1) / block;
    if (blocks < 8)
      body(0, blocks, 0);
    else
      parallel_for_dynamic(blocks, body);
  }
}

template <class T>
void ParameterAverage<T>::save(ModelFile& file, const std::string& prefix) const {
  file.config[prefix + "count"] = std::to_string(count_);
  for (std::size_t k = 0; k < mean_.size(); ++k) file.put<T>(prefix + std::to_string(k), mean_[k]);
}

template <class T>
void ParameterAverage<T>::load(const ModelFile& file, const std::string& prefix,
                               const std::string& source,
                               const std::vector<const arma::Mat<T>*>& params) {
  const auto it = file.config.find(prefix + "count");
  if (it == file.config.end()) throw ModelError(source + ": no " + prefix + "count entry");
  char* end = nullptr;
  count_ = std::strtoull(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0' || it->second[0] == '-')
    throw ModelError(source + ": " + prefix + "count = '" + it->second + "' is not a count");
  mean_.clear();
  if (count_ == 0) return;
  mean_.reserve(params.size());
  for (std::size_t k = 0; k < params.size(); ++k) {
    mean_.push_back(file.get<T>(prefix + std::to_string(k), source));
    if (arma::size(mean_.back()) != arma::size(*params[k]))
      throw ModelError(source + ": array " + prefix + std::to_string(k) +
                       " does not match the model's shape");
    if (!mean_.back().is_finite())
      throw ModelError(source + ": array " + prefix + std::to_string(k) +
                       " contains NaN or infinity");
  }
}

template void momentum_step(arma::Mat<float>&, arma::Mat<float>&, const arma::Mat<float>&, float,
                            float);
template void momentum_step(arma::Mat<double>&, arma::Mat<double>&, const arma::Mat<double>&,
                            double, double);
template bool any_non_finite(const std::vector<const arma::Mat<float>*>&);
template bool any_non_finite(const std::vector<const arma::Mat<double>*>&);
template class ParameterAverage<float>;
template class ParameterAverage<double>;

}  // namespace rbmkit
