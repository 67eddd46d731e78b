// The RBM and Boltzmann-machine conversions to and from ModelFile (rbmkit/io/model_file.hpp).
#include <algorithm>
#include <limits>

#include "rbmkit/core/error.hpp"
#include "rbmkit/io/model_file.hpp"

namespace rbmkit {

template <class T>
ModelFile make_rbm_file(const Rbm<T>& rbm, const std::map<std::string, std::string>& config,
                        const Rng::State& rng_state, bool refer) {
  if (!rbm.W().is_finite() || !rbm.b().is_finite() || !rbm.c().is_finite())
    throw NumericalError("make_rbm_file: parameters contain NaN or infinity; nothing written");
  ModelFile f;
  f.element_type = element_type_of<T>();
  f.kind = MachineKind::rbm;
  f.n_visible = rbm.n_visible();
  f.n_hidden = rbm.n_hidden();
  f.config = config;
  f.rng_state = rng_state;
  f.put_refers = refer;  // the weights only: b and c are put as converted copies
  f.put<T>("W", rbm.W());
  f.put_refers = false;
  f.put<T>("b", arma::Mat<T>(rbm.b()));
  f.put<T>("c", arma::Mat<T>(rbm.c()));
  if (rbm.visible_units() == UnitType::gaussian) {
    if (!rbm.z().is_finite())
      throw NumericalError("make_rbm_file: log-variances contain NaN or infinity; nothing written");
    f.visible_units = UnitType::gaussian;
    f.put<T>("z", arma::Mat<T>(rbm.z()));
    const Standardization& st = rbm.standardization();
    if (!st.empty()) {  // in T: the trainer rounds its statistics to T (training/engine.cpp)
      f.put<T>("data.mean", arma::conv_to<arma::Mat<T>>::from(st.mean));
      f.put<T>("data.sd", arma::conv_to<arma::Mat<T>>::from(st.sd));
    }
  }
  return f;
}

template <class T>
Rbm<T> rbm_from_file(const ModelFile& f, const std::string& source) {
  const std::string fn = "load_rbm(" + source + ")";
  if (f.kind != MachineKind::rbm) throw ModelError(fn + ": the file holds a general Boltzmann machine, not an RBM");
  // Shapes come from the stored arrays (bounded by the file size), never from the header alone.
  const arma::Mat<T> W = f.get<T>("W", source), b = f.get<T>("b", source), c = f.get<T>("c", source);
  if (W.n_rows != f.n_visible || W.n_cols != f.n_hidden || b.n_elem != f.n_visible ||
      c.n_elem != f.n_hidden || f.n_visible == 0 || f.n_hidden == 0)
    throw ModelError(fn + ": parameter shapes disagree with the header");
  if (!W.is_finite() || !b.is_finite() || !c.is_finite())
    throw ModelError(fn + ": parameters contain NaN or infinity");
  Rbm<T> rbm;
  rbm.W() = W;
  rbm.b() = arma::vectorise(b);
  rbm.c() = arma::vectorise(c);
  if (f.visible_units == UnitType::gaussian) {
    const arma::Mat<T> z = f.get<T>("z", source);
    if (z.n_elem != f.n_visible) throw ModelError(fn + ": array z has the wrong shape");
    if (!z.is_finite()) throw ModelError(fn + ": log-variances contain NaN or infinity");
    rbm.set_visible_units(UnitType::gaussian);
    rbm.z() = arma::vectorise(z);
    const bool has_mean = std::any_of(f.arrays.begin(), f.arrays.end(),
                                      [](const NamedArray& a) { return a.name == "data.mean"; });
    if (has_mean) {
      Standardization st;
      st.mean = arma::vectorise(f.get<double>("data.mean", source));
      st.sd = arma::vectorise(f.get<double>("data.sd", source));
      if (st.mean.n_elem != f.n_visible || st.sd.n_elem != f.n_visible)
        throw ModelError(fn + ": standardisation data.mean or data.sd has the wrong shape");
      if (!st.mean.is_finite() || !st.sd.is_finite() || arma::any(st.sd <= 0))
        throw ModelError(fn + ": standardisation data.sd must be positive and finite");
      rbm.standardization() = st;
    }
  }
  return rbm;
}

template <class T>
void save_rbm(const std::string& path, const Rbm<T>& rbm,
              const std::map<std::string, std::string>& config, const Rng::State& rng_state) {
  write_model_file(path, make_rbm_file(rbm, config, rng_state));
}

template <class T>
Rbm<T> load_rbm(const std::string& path) {
  return rbm_from_file<T>(read_model_file(path), path);
}

#define RBMKIT_MODEL_IO_INSTANTIATE(T)                                                    \
  template ModelFile make_rbm_file(const Rbm<T>&, const std::map<std::string, std::string>&, \
                                   const Rng::State&, bool);                              \
  template Rbm<T> rbm_from_file(const ModelFile&, const std::string&);                    \
  template void save_rbm(const std::string&, const Rbm<T>&,                               \
                         const std::map<std::string, std::string>&, const Rng::State&);   \
  template Rbm<T> load_rbm(const std::string&);
RBMKIT_MODEL_IO_INSTANTIATE(float)
RBMKIT_MODEL_IO_INSTANTIATE(double)

template <class T>
ModelFile make_bm_file(const BoltzmannMachine<T>& bm,
                       const std::map<std::string, std::string>& config,
                       const Rng::State& rng_state) {
  if (!bm.W().is_finite() || !bm.bias().is_finite())
    throw NumericalError("make_bm_file: parameters contain NaN or infinity; nothing written");
  bm.check("make_bm_file");
  ModelFile f;
  f.element_type = element_type_of<T>();
  f.kind = MachineKind::bm;
  f.n_visible = bm.n_visible();
  f.n_hidden = bm.n_hidden();
  f.config = config;
  f.rng_state = rng_state;
  f.put<T>("W", bm.W());
  f.put<T>("bias", arma::Mat<T>(bm.bias()));
  f.put<T>("mask", bm.mask());
  return f;
}

template <class T>
BoltzmannMachine<T> bm_from_file(const ModelFile& f, const std::string& source) {
  const std::string fn = "load_bm(" + source + ")";
  if (f.kind != MachineKind::bm)
    throw ModelError(fn + ": the file holds an RBM, not a general Boltzmann machine");
  if (f.n_visible == 0) throw ModelError(fn + ": no visible units");
  if (f.n_hidden > std::numeric_limits<std::uint64_t>::max() - f.n_visible)
    throw ModelError(fn + ": unit counts overflow");
  const std::uint64_t n = f.n_visible + f.n_hidden;
  const arma::Mat<T> W = f.get<T>("W", source), bias = f.get<T>("bias", source),
                     mask = f.get<T>("mask", source);
  if (W.n_rows != n || W.n_cols != n || bias.n_elem != n || mask.n_rows != n || mask.n_cols != n)
    throw ModelError(fn + ": parameter shapes disagree with the header");
  BoltzmannMachine<T> bm(f.n_visible, f.n_hidden);
  try {
    bm.set_mask(mask);
    bm.W() = W;
    bm.bias() = arma::vectorise(bias);
    bm.check(fn);
  } catch (const Error& e) {
    throw ModelError(e.what());
  }
  return bm;
}

template <class T>
void save_bm(const std::string& path, const BoltzmannMachine<T>& bm,
             const std::map<std::string, std::string>& config, const Rng::State& rng_state) {
  write_model_file(path, make_bm_file(bm, config, rng_state));
}

template <class T>
BoltzmannMachine<T> load_bm(const std::string& path) {
  return bm_from_file<T>(read_model_file(path), path);
}

#define RBMKIT_MODEL_IO_BM_INSTANTIATE(T)                                                   \
  template ModelFile make_bm_file(const BoltzmannMachine<T>&,                               \
                                  const std::map<std::string, std::string>&, const Rng::State&); \
  template BoltzmannMachine<T> bm_from_file(const ModelFile&, const std::string&);          \
  template void save_bm(const std::string&, const BoltzmannMachine<T>&,                     \
                        const std::map<std::string, std::string>&, const Rng::State&);      \
  template BoltzmannMachine<T> load_bm(const std::string&);
RBMKIT_MODEL_IO_BM_INSTANTIATE(float)
RBMKIT_MODEL_IO_BM_INSTANTIATE(double)

}  // namespace rbmkit
