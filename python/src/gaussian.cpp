// Gaussian visible units from Python (docs/gaussian.md): real-valued data as the engine holds
// them, the parts of a Gaussian model file beyond W, b, c, P(h = 1 | x) and log-densities.
#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/evaluation/exact.hpp"
#include "rbmkit/evaluation/features.hpp"
#include "rbmkit/io/dataset.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/training/config.hpp"

namespace rbmkit::python {

namespace {

/// Examples (rows of X) held as floats as they are (dataset_from_real_values).
template <class T>
Dataset real_dataset(const Array<T>& X) {
  const arma::Mat<T> V = columns_of(X, "real_dataset");
  py::gil_scoped_release nogil;
  return dataset_from_real_values(V, "X");
}

/// (precision "float32"/"float64", TrainConfig, components_, intercept_visible_,
/// intercept_hidden_, log_variance_, mean_, scale_) of the Gaussian-Bernoulli RBM in a model
/// file's bytes, in the file's precision.
py::tuple gaussian_model(const py::bytes& bytes, const std::string& source) {
  const ModelFile f = parse_model_file(std::string(bytes), source);
  if (f.visible_units != UnitType::gaussian)
    throw ModelError(source + ": the model's visible units are not Gaussian");
  const TrainConfig config = TrainConfig::from_file(f, source);
  auto parts = [&](const char* precision, const auto& rbm) {
    using T = typename std::decay_t<decltype(rbm.W())>::elem_type;
    const Standardization& st = rbm.standardization();
    if (st.empty()) throw ModelError(source + ": the model has no standardisation");
    const py::tuple a = attributes_of(rbm);
    return py::make_tuple(precision, config, a[0], a[1], a[2], vector_of<T>(rbm.z()),
                          vector_of<T>(arma::conv_to<arma::Col<T>>::from(st.mean)),
                          vector_of<T>(arma::conv_to<arma::Col<T>>::from(st.sd)));
  };
  if (f.element_type == ElementType::float32) return parts("float32", rbm_from_file<float>(f, source));
  return parts("float64", rbm_from_file<double>(f, source));
}

/// The Gaussian-Bernoulli RBM of the estimator's attributes.
template <class T>
Rbm<T> gaussian_of(const Array<T>& W, const Array<T>& b, const Array<T>& c, const Array<T>& z,
                   const Array<T>& mean, const Array<T>& scale) {
  Rbm<T> rbm = rbm_of(W, b, c);
  const std::size_t nv = rbm.n_visible();
  if (z.ndim() != 1 || mean.ndim() != 1 || scale.ndim() != 1 || std::size_t(z.shape(0)) != nv ||
      std::size_t(mean.shape(0)) != nv || std::size_t(scale.shape(0)) != nv)
    throw InvalidArgument("GaussianBernoulliRBM: log_variance_, mean_ and scale_ must be "
                          "n_features long");
  rbm.set_visible_units(UnitType::gaussian);
  for (std::size_t i = 0; i < nv; ++i) rbm.z()[i] = z.data()[i];
  Standardization st;
  st.mean.set_size(nv);
  st.sd.set_size(nv);
  for (std::size_t i = 0; i < nv; ++i) {
    st.mean[i] = double(mean.data()[i]);
    st.sd[i] = double(scale.data()[i]);
  }
  rbm.standardization() = st;
  return rbm;
}

/// P(h = 1 | x) of every example (row) of X, standardised with the model's statistics.
template <class T>
py::array_t<T> gaussian_hidden_mean(const Array<T>& W, const Array<T>& b, const Array<T>& c,
                                    const Array<T>& z, const Array<T>& mean,
                                    const Array<T>& scale, const Array<T>& X) {
  const Rbm<T> rbm = gaussian_of(W, b, c, z, mean, scale);
  const Dataset data = real_dataset(X);
  arma::Mat<T> H;
  {
    py::gil_scoped_release nogil;
    H = hidden_features(rbm, data, Binarize::none, 0.5);
  }
  return rows_of(H);
}

/// The log-density of every example (row) of X in the data's own units, in nats: −F(x') − log Z
/// − Σ_i log s_i, x' the standardised example, log Z exact (exact_log_partition).
template <class T>
py::array_t<double> gaussian_log_density(const Array<T>& W, const Array<T>& b, const Array<T>& c,
                                         const Array<T>& z, const Array<T>& mean,
                                         const Array<T>& scale, const Array<T>& X) {
  const Rbm<double> rbm = gaussian_of(W, b, c, z, mean, scale).template cast<double>();
  const Dataset data = real_dataset(X);
  arma::vec out;
  {
    py::gil_scoped_release nogil;
    if (data.dim() != rbm.n_visible())
      throw DimensionError("gaussian_log_density: X has " + std::to_string(data.dim()) +
                           " features, the model " + std::to_string(rbm.n_visible()));
    const double offset = exact_log_partition(rbm) + rbm.standardization().log_scale();
    Rng unused;
    const arma::mat V = make_batch<double>(standardized_view(data, rbm.standardization()), 0,
                                           data.size(), Binarize::none, 0.5, unused);
    out = -rbm.free_energy(V) - offset;
  }
  return vector_of<double>(out);
}

template <class F, class D, class... Args>
void both(py::module_& m, const char* name, F f, D d, const char* doc, Args... args) {
  m.def(name, f, args..., doc);
  m.def(name, d, args..., doc);
}

}  // namespace

void bind_gaussian(py::module_& m) {
  both(m, "real_dataset", &real_dataset<float>, &real_dataset<double>,
       "A Dataset of real values (rows of X) held as floats as they are.",
       py::arg("X").noconvert());
  m.def("gaussian_model", &gaussian_model, py::arg("bytes"), py::arg("source"),
        "(precision, TrainConfig, components_, intercept_visible_, intercept_hidden_, "
        "log_variance_, mean_, scale_) of the Gaussian-Bernoulli RBM in a model file's bytes.");
  const auto W = py::arg("components").noconvert(), b = py::arg("intercept_visible").noconvert(),
             c = py::arg("intercept_hidden").noconvert(), z = py::arg("log_variance").noconvert(),
             mean = py::arg("mean").noconvert(), scale = py::arg("scale").noconvert();
  both(m, "gaussian_hidden_mean", &gaussian_hidden_mean<float>, &gaussian_hidden_mean<double>,
       "P(h = 1 | x) of every row of X, standardised with mean and scale.", W, b, c, z, mean,
       scale, py::arg("X").noconvert());
  both(m, "gaussian_log_density", &gaussian_log_density<float>, &gaussian_log_density<double>,
       "Log-density (nats) of every row of X in the data's units, with exact log Z.", W, b, c,
       z, mean, scale, py::arg("X").noconvert());
}

}  // namespace rbmkit::python
