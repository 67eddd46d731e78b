// What a trained RBM does, on scikit-learn's attributes: hidden means (transform), the
// pseudo-log-likelihood (score_samples), the log-likelihood (exact or AIS), Gibbs sampling,
// and rbmkit model files.
#include <pybind11/stl.h>

#include <optional>

#include "arrays.hpp"
#include "bindings.hpp"
#include "rbmkit/evaluation/likelihood.hpp"
#include "rbmkit/evaluation/monitors.hpp"
#include "rbmkit/io/model_file.hpp"
#include "rbmkit/sampling/gibbs.hpp"
#include "rbmkit/training/config.hpp"

namespace rbmkit::python {

namespace {

/// P(h = 1 | v) for every example (row) of V.
template <class T>
py::array_t<T> hidden_mean(const Array<T>& W, const Array<T>& b, const Array<T>& c,
                           const Array<T>& V) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  const arma::Mat<T> X = columns_of(V, "hidden_mean");
  arma::Mat<T> H;
  {
    py::gil_scoped_release nogil;
    H = rbm.hidden_mean(X);
  }
  return rows_of(H);
}

/// Σ_i log P(v_i | v_−i) for every binary example (row) of V, in nats.
template <class T>
py::array_t<double> pseudo_likelihood(const Array<T>& W, const Array<T>& b, const Array<T>& c,
                                      const Array<T>& V) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  const arma::Mat<T> X = columns_of(V, "pseudo_log_likelihood");
  arma::vec p;
  {
    py::gil_scoped_release nogil;
    p = pseudo_log_likelihood(rbm, X);
  }
  return vector_of<double>(p);
}

/// One block Gibbs step from every example (row) of V: h ~ P(h|v), then v ~ P(v|h).
template <class T>
py::array_t<T> gibbs(const Array<T>& W, const Array<T>& b, const Array<T>& c, const Array<T>& V,
                     std::uint64_t seed) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  const arma::Mat<T> X = columns_of(V, "gibbs");
  arma::Mat<T> S;
  {
    py::gil_scoped_release nogil;
    Rng rng(seed);
    S = gibbs_chain(rbm, X, 1, rng).v;
  }
  return rows_of(S);
}

/// `n` samples of the model after `steps` Gibbs steps (sample_model).
template <class T>
py::array_t<T> sample(const Array<T>& W, const Array<T>& b, const Array<T>& c, std::size_t n,
                      std::size_t steps, std::uint64_t seed) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  arma::Mat<T> S;
  {
    py::gil_scoped_release nogil;
    Rng rng(seed);
    S = sample_model(rbm, n, steps, rng);
  }
  return rows_of(S);
}

/// The mean log-likelihood of `data` binarised at 0.5, with log Z exact or by AIS (the AIS
/// base from `data` itself), as a dict of the LikelihoodReport's numbers.
template <class T>
py::dict log_likelihood(const Array<T>& W, const Array<T>& b, const Array<T>& c,
                        const Dataset& data, const std::string& method, std::uint64_t seed,
                        std::size_t ais_runs, std::size_t ais_betas) {
  const Rbm<double> rbm = rbm_of(W, b, c).template cast<double>();
  LikelihoodOptions o;
  o.method = from_string<LikelihoodMethod>(method);
  o.ais_runs = ais_runs;
  o.ais_betas = ais_betas;
  o.binarize = Binarize::threshold;
  o.threshold = 0.5;
  LikelihoodReport r;
  {
    py::gil_scoped_release nogil;
    Rng rng(seed);
    r = evaluate_likelihood(rbm, data, data, o, rng);
  }
  py::dict d;
  d["method"] = to_string(r.method);
  d["examples"] = r.examples;
  d["log_likelihood"] = r.log_likelihood;
  d["log_likelihood_lower"] = r.log_likelihood_lower;
  d["log_likelihood_upper"] = r.log_likelihood_upper;
  d["mean_neg_free_energy"] = r.mean_neg_free_energy;
  d["log_z"] = r.log_z.log_z;
  d["log_z_stderr"] = r.log_z.log_z_stderr;
  // The reverse-annealing estimate, read as conservative only when nothing contradicts it
  // (likelihood.hpp); None otherwise, with the reverse estimate and the reasons beside it.
  d["conservative_log_likelihood"] =
      r.has_conservative() ? py::object(py::float_(r.reverse_log_likelihood)) : py::none();
  if (r.has_reverse) {
    d["reverse_log_likelihood"] = r.reverse_log_likelihood;
    d["reverse_log_z_stderr"] = r.reverse_log_z_stderr;
    d["reverse_above_ais"] = r.reverse_above_ais;
    d["reverse_above_ceiling"] = r.reverse_above_ceiling;
  }
  d["seconds"] = r.seconds;
  return d;
}

/// A model file's content for the estimator: (precision "float32"/"float64", TrainConfig,
/// components_, intercept_visible_, intercept_hidden_).
py::tuple parse_model(const py::bytes& bytes, const std::string& source) {
  const ModelFile f = parse_model_file(std::string(bytes), source);
  if (f.visible_units == UnitType::gaussian)  // W, b, c alone would be another model
    throw ModelError(source + ": BernoulliRBM loads RBMs with Bernoulli visible units; this "
                              "model's visible units are Gaussian (rbmkit eval and transform read it)");
  const TrainConfig config = TrainConfig::from_file(f, source);
  if (f.element_type == ElementType::float32) {
    const py::tuple a = attributes_of(rbm_from_file<float>(f, source));
    return py::make_tuple("float32", config, a[0], a[1], a[2]);
  }
  const py::tuple a = attributes_of(rbm_from_file<double>(f, source));
  return py::make_tuple("float64", config, a[0], a[1], a[2]);
}

/// Writes a model file holding the RBM of the attributes: into the file of the training state
/// `state` when given (so the file also continues the run), else a file of the model and `config`.
template <class T>
void save_model(const std::string& path, const std::optional<py::bytes>& state,
                const TrainConfig& config, const Array<T>& W, const Array<T>& b,
                const Array<T>& c) {
  const Rbm<T> rbm = rbm_of(W, b, c);
  ModelFile f;
  if (state) {
    f = parse_model_file(std::string(*state), "the estimator's training state");
    const ModelFile model = make_rbm_file(rbm, {}, {});
    for (const char* name : {"W", "b", "c"}) f.put<T>(name, model.get<T>(name));
  } else {
    f = make_rbm_file(rbm, config.to_map(), {});
  }
  py::gil_scoped_release nogil;
  write_model_file(path, f);
}

/// Registers `f` for float and for double arrays (never converted: the dtype picks).
template <class F, class D, class... Args>
void both(py::module_& m, const char* name, F f, D d, const char* doc, Args... args) {
  m.def(name, f, args..., doc);
  m.def(name, d, args..., doc);
}

}  // namespace

void bind_model(py::module_& m) {
  const auto W = py::arg("components").noconvert(), b = py::arg("intercept_visible").noconvert(),
             c = py::arg("intercept_hidden").noconvert();
  both(m, "hidden_mean", &hidden_mean<float>, &hidden_mean<double>,
       "P(h = 1 | v) for every row of V.", W, b, c, py::arg("V").noconvert());
  both(m, "pseudo_log_likelihood", &pseudo_likelihood<float>, &pseudo_likelihood<double>,
       "Pseudo-log-likelihood of every binary row of V, summed over all bits (nats).", W, b, c,
       py::arg("V").noconvert());
  both(m, "gibbs", &gibbs<float>, &gibbs<double>,
       "One block Gibbs step from every row of V.", W, b, c, py::arg("V").noconvert(),
       py::arg("seed"));
  both(m, "sample", &sample<float>, &sample<double>,
       "n samples after `steps` Gibbs steps from the visible biases' base-rate model.", W, b, c,
       py::arg("n"), py::arg("steps"), py::arg("seed"));
  both(m, "log_likelihood", &log_likelihood<float>, &log_likelihood<double>,
       "Mean log-likelihood of the data binarised at 0.5; method 'exact' or 'ais'.", W, b, c,
       py::arg("data"), py::arg("method"), py::arg("seed"), py::arg("ais_runs"),
       py::arg("ais_betas"));
  both(m, "save_model", &save_model<float>, &save_model<double>,
       "Writes an rbmkit model file (atomically).", py::arg("path"), py::arg("state"),
       py::arg("config"), W, b, c);
  m.def("parse_model", &parse_model, py::arg("bytes"), py::arg("source"),
        "(precision, TrainConfig, components_, intercept_visible_, intercept_hidden_) of the "
        "RBM in a model file's bytes.");
  m.attr("default_ais_runs") = default_ais_runs;
  m.attr("default_ais_betas") = default_ais_betas;
}

}  // namespace rbmkit::python
