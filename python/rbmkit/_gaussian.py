"""rbmkit.GaussianBernoulliRBM: real-valued visible units (docs/gaussian.md) with scikit-learn's
estimator and transformer interface on rbmkit's engine.

Everything numeric happens in the C++ library (rbmkit._core); this file validates input, maps
parameters onto the engine's TrainConfig and keeps the fitted state.
"""
import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from . import _core
from ._rbm import _DEFAULTS, _seed_of, _train_config, _validate_data

# The one table from the estimator's parameters to the engine's TrainConfig fields.
_FIELDS = {
    "n_components": "hidden",
    "learning_rate": "lr",
    "batch_size": "batch",
    "n_iter": "epochs",
    "method": "method",
    "k": "k",
    "gradient": "gradient",
    "variance": "variance",
    "average_from": "average_from",
    "weight_decay": "weight_decay",
}
_SOURCE = "the estimator's training state"


class GaussianBernoulliRBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Gaussian-Bernoulli restricted Boltzmann machine trained by rbmkit's C++ engine.

    Real-valued visible units and binary hidden units in the parameterisation of Cho, Ilin &
    Raiko (2011): E(v, h) = sum_i (v_i - b_i)^2 / (2 s_i^2) - sum_ij W_ij h_j v_i / s_i^2 - c'h,
    s_i^2 = exp(z_i). fit standardises every feature with its mean and standard deviation
    (kept as ``mean_`` and ``scale_`` and applied by every method), then trains by CD-k or
    PCD-k as ``rbmkit train --visible gaussian`` does: the same settings, seed and data give the
    same bits.

    Parameters
    ----------
    n_components : int, default=16
        Hidden units.
    learning_rate : float, default=0.01
    batch_size : int, default=100
    n_iter : int, default=20
        Epochs.
    method : {'pcd', 'cd'}, default='pcd'
    k : int, default=1
        Gibbs steps per negative phase.
    gradient : {'contrastive', 'reward-correlator'}, default='contrastive'
        How the update is computed from the samples; both give the same bits.
    variance : {'unit', 'learned'}, default='unit'
        Fixed unit variances of the standardised features, or variances trained with them.
    average_from : float, default=0.5
        Parameters are averaged from epoch floor(average_from * n_iter) on (1: last iterate).
    weight_decay : float, default=1e-4
    random_state : int, RandomState instance or None, default=None
        An int is the engine's seed itself (as ``rbmkit train --seed``).
    verbose : int, default=0

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
    intercept_hidden_ : ndarray of shape (n_components,)
    intercept_visible_ : ndarray of shape (n_features,)
        b, in standardised units.
    log_variance_ : ndarray of shape (n_features,)
        z = log s^2 of the standardised features (0 with variance='unit').
    mean_, scale_ : ndarray of shape (n_features,)
        The standardisation x' = (x - mean_) / scale_ of the training data.
    n_features_in_ : int
    """

    def __init__(self, n_components=16, *, learning_rate=0.01, batch_size=_DEFAULTS.batch,
                 n_iter=_DEFAULTS.epochs, method=_DEFAULTS.method, k=_DEFAULTS.k,
                 gradient=_DEFAULTS.gradient, variance="unit",
                 average_from=_DEFAULTS.average_from, weight_decay=_DEFAULTS.weight_decay,
                 random_state=None, verbose=0):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.method = method
        self.k = k
        self.gradient = gradient
        self.variance = variance
        self.average_from = average_from
        self.weight_decay = weight_decay
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None):
        """Trains a fresh model on X (n_samples x n_features, any finite real values; float32
        or float64, others become float64; the fitted attributes keep its dtype)."""
        X = _validate_data(self, X, dtype=(np.float64, np.float32), order="C", reset=True)
        config = self._config(_seed_of(self.random_state))
        train = _core.train_float if X.dtype == np.float32 else _core.train_double
        on_epoch = self._report_epoch if self.verbose else None
        state = train(config, _core.real_dataset(X), None, on_epoch)[0]
        self._set_model(_core.gaussian_model(state, _SOURCE))
        return self

    def _config(self, seed):
        config = _core.TrainConfig()
        config.visible = "gaussian"
        config.binarize = "none"
        config.centering = False
        return _train_config("GaussianBernoulliRBM", _FIELDS, self.get_params(), seed, config)

    def _report_epoch(self, epoch, epochs, error_name, error, seconds):
        print("[%s] Iteration %d/%d, %s = %.5f, time = %.2fs"
              % (type(self).__name__, epoch, epochs, error_name.replace("_", " "), error, seconds),
              flush=True)

    def _set_model(self, parts):
        (_, _, self.components_, self.intercept_visible_, self.intercept_hidden_,
         self.log_variance_, self.mean_, self.scale_) = parts

    def _check_input(self, X):
        check_is_fitted(self)
        return _validate_data(self, X, dtype=self.components_.dtype, order="C", reset=False)

    def _parameters(self):
        return (self.components_, self.intercept_visible_, self.intercept_hidden_,
                self.log_variance_, self.mean_, self.scale_)

    def transform(self, X):
        """P(h = 1 | x) of every example, x standardised with mean_ and scale_:
        (n_samples, n_components), X's dtype."""
        X = self._check_input(X)
        return _core.gaussian_hidden_mean(*self._parameters(), X)

    def score_samples(self, X):
        """The model's log-density of every example in X's own units, in nats: the density of
        the standardised example (log Z by exact enumeration of the hidden units, at most 30)
        minus sum_i log scale_i. float64."""
        X = self._check_input(X)
        return _core.gaussian_log_density(*self._parameters(), X)

    def score(self, X, y=None):
        """Mean log-density of X (nats per example, X's units)."""
        return float(np.mean(self.score_samples(X)))

    @classmethod
    def load(cls, path):
        """A fitted estimator from a model file of ``rbmkit train --visible gaussian``:
        parameters from its configuration, attributes in the file's precision."""
        with open(path, "rb") as f:
            state = f.read()
        parts = _core.gaussian_model(state, str(path))
        config = parts[1]
        rbm = cls(**{name: getattr(config, field) for name, field in _FIELDS.items()},
                  random_state=int(config.seed))
        rbm._set_model(parts)
        rbm.n_features_in_ = rbm.components_.shape[1]
        return rbm

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def _more_tags(self):
        return {"preserves_dtype": [np.float64, np.float32]}
