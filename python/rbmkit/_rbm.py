"""rbmkit.BernoulliRBM: scikit-learn's estimator and transformer interface on rbmkit's engine.

Everything numeric happens in the C++ library (rbmkit._core); this file validates input the way
scikit-learn does, maps parameters onto the engine's TrainConfig and keeps the fitted state.
"""
import numbers
import re

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from . import _core

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _validate_data
except ImportError:  # older: the estimator's own method
    def _validate_data(estimator, X, **kwargs):
        return estimator._validate_data(X, **kwargs)

_DEFAULTS = _core.TrainConfig()

# The one table from the estimator's parameters to the engine's TrainConfig fields (RbmConfig's
# fields under their own names). Library messages name fields; users see parameters.
_FIELDS = {
    "n_components": "hidden",
    "learning_rate": "lr",
    "batch_size": "batch",
    "n_iter": "epochs",
    "method": "method",
    "n_temperatures": "temperatures",
    "k": "k",
    "gradient": "gradient",
    "centering": "centering",
    "average_from": "average_from",
    "weight_decay": "weight_decay",
    "binarize": "binarize",
}

# Examples of sparse input densified at a time by transform, score_samples and gibbs.
_SPARSE_CHUNK = 4096


def _speak_parameters(message, fields):
    """A library message with TrainConfig/RbmConfig fields named by the estimator's parameters
    (`fields`: parameter name -> field name)."""
    parameter_of = {field: name for name, field in fields.items()}

    def name(m):
        return parameter_of.get(m.group(2), m.group(0))
    return re.sub(r"\b(TrainConfig|RbmConfig)::(\w+)", name, message)


def _train_config(who, fields, values, seed, config=None):
    """The engine's TrainConfig (or `config`, completed) of an estimator's parameter `values`,
    `fields` mapping parameter names to fields; checked, with messages that name parameters and
    start with `who`. Raises ValueError."""
    config = _core.TrainConfig() if config is None else config
    for name, field in fields.items():
        try:
            setattr(config, field, values[name])
        except (TypeError, ValueError) as e:
            raise ValueError("%s: %s=%r is not valid (%s)" % (who, name, values[name], e)) from None
    config.seed = seed
    try:
        config.validate()
    except ValueError as e:
        raise ValueError(who + ": " + _speak_parameters(str(e), fields)) from None
    return config


def _seed_of(random_state):
    """The engine's 64-bit seed: an int is used as it is (so it matches `rbmkit train --seed`);
    None or a RandomState draws one."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if not 0 <= random_state < 2**64:
            raise ValueError(
                "BernoulliRBM: random_state must be in [0, 2**64), got %r" % random_state)
        return int(random_state)
    rng = check_random_state(random_state)
    return int(rng.randint(np.iinfo(np.int64).max, dtype=np.int64))


class BernoulliRBM(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Bernoulli restricted Boltzmann machine trained by rbmkit's C++ engine.

    A drop-in for ``sklearn.neural_network.BernoulliRBM``: same attributes (``components_`` is
    n_components x n_features, ``intercept_hidden_``, ``intercept_visible_``), ``transform``
    gives P(h = 1 | v). Training runs rbmkit's engine (persistent CD with centring and parameter
    averaging by default) with the GIL released; Ctrl-C stops ``fit`` between two minibatches
    and raises KeyboardInterrupt, leaving the estimator as it was.

    Parameters
    ----------
    n_components : int, default=256
        Hidden units.
    learning_rate : float, default=0.1
        Learning rate of every update.
    batch_size : int, default=100
        Examples per minibatch (the data set's size when smaller).
    n_iter : int, default=20
        Epochs: passes over the training data, each in a fresh random order.
    method : {'pcd', 'cd', 'pt'}, default='pcd'
        Negative phase: persistent chains (Tieleman 2008), chains started at the data, or
        parallel tempering (Desjardins et al. 2010): persistent chains each run at
        n_temperatures inverse temperatures, the beta = 1 ones giving the negative phase.
    n_temperatures : int, default=20
        method='pt' only: inverse temperatures per chain, evenly spaced from 1 to 0 (at least
        2); ignored by the other methods.
    k : int, default=1
        Gibbs steps per negative phase.
    gradient : {'contrastive', 'reward-correlator'}, default='contrastive'
        How the update is computed from the samples; both give the same bits.
    centering : bool, default=True
        Centred gradient (Melchior, Fischer & Wiskott 2016).
    average_from : float, default=0.5
        Parameters are averaged over every update from epoch floor(average_from * n_iter) on;
        1 keeps the last iterate.
    weight_decay : float, default=1e-4
        L2 penalty on the weights.
    binarize : {'none', 'stochastic', 'threshold'}, default='none'
        How values in [0, 1] become visible states: 'none' uses them as probabilities (mean-field
        input, as scikit-learn does), 'stochastic' draws 0/1 states with those probabilities for
        every minibatch, 'threshold' uses 1[x >= 0.5] in training and in transform.
    random_state : int, RandomState instance or None, default=None
        An int is the engine's seed itself: the same seed and thread count give the same bits,
        and the same model as ``rbmkit train --seed`` with the same settings and data.
    verbose : int, default=0
        Prints the reconstruction error and time of every epoch.

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        Weights (W transposed); the dtype of the training data.
    intercept_hidden_ : ndarray of shape (n_components,)
    intercept_visible_ : ndarray of shape (n_features,)
    n_features_in_ : int
    random_state_ : numpy.random.Generator
        Draws the seeds of ``gibbs`` and ``sample``.
    """

    def __init__(self, n_components=256, *, learning_rate=_DEFAULTS.lr,
                 batch_size=_DEFAULTS.batch, n_iter=_DEFAULTS.epochs, method=_DEFAULTS.method,
                 n_temperatures=_DEFAULTS.temperatures, k=_DEFAULTS.k,
                 gradient=_DEFAULTS.gradient, centering=_DEFAULTS.centering,
                 average_from=_DEFAULTS.average_from, weight_decay=_DEFAULTS.weight_decay,
                 binarize="none", random_state=None, verbose=0):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.method = method
        self.n_temperatures = n_temperatures
        self.k = k
        self.gradient = gradient
        self.centering = centering
        self.average_from = average_from
        self.weight_decay = weight_decay
        self.binarize = binarize
        self.random_state = random_state
        self.verbose = verbose

    # ---- training ---------------------------------------------------------------------------

    def fit(self, X, y=None):
        """Trains a fresh model on X (n_samples x n_features, values in [0, 1]).

        X is float32 or float64 (others become float64), dense or scipy CSR; the fitted
        attributes keep its dtype. docs/python.md says how the values become training data.
        """
        X = _validate_data(self, X, accept_sparse="csr", dtype=(np.float64, np.float32),
                           order="C", reset=True)
        config = self._config(self.n_iter, self.average_from, _seed_of(self.random_state))
        self._set_fitted(self._train(config, X, state=None), config.seed)
        return self

    def partial_fit(self, X, y=None):
        """Trains one epoch over X (minibatches of batch_size, no averaging), continuing the
        model, chains and optimiser state of the previous fit, partial_fit or load."""
        first = not hasattr(self, "components_")
        dtype = (np.float64, np.float32) if first else self.components_.dtype
        X = _validate_data(self, X, accept_sparse="csr", dtype=dtype, order="C", reset=first)
        # A continued run draws from the generator stored in its state, not from the seed.
        seed = _seed_of(self.random_state)
        result = self._train(self._config(1, 1.0, seed), X, getattr(self, "_state", None))
        self._set_fitted(result, seed if first else None)
        return self

    def _config(self, n_iter, average_from, seed):
        """The engine's TrainConfig of the parameters, checked (messages name parameters)."""
        values = self.get_params()
        values.update(n_iter=n_iter, average_from=average_from)
        return _train_config("BernoulliRBM", _FIELDS, values, seed)

    def _train(self, config, X, state):
        data = self._dataset(X)
        on_epoch = self._report_epoch if self.verbose else None
        train = _core.train_float if X.dtype == np.float32 else _core.train_double
        return train(config, data, state, on_epoch)

    def _report_epoch(self, epoch, epochs, error_name, error, seconds):
        print("[%s] Iteration %d/%d, %s = %.5f, time = %.2fs"
              % (type(self).__name__, epoch, epochs, error_name.replace("_", " "), error, seconds),
              flush=True)

    def _set_fitted(self, result, seed):
        self._state, self.components_, self.intercept_visible_, self.intercept_hidden_ = result
        if seed is not None:
            self.random_state_ = np.random.default_rng(seed)

    @staticmethod
    def _dataset(X):
        if sp.issparse(X):
            X = _canonical_csr(X)
            return _core.Dataset.from_csr(X.data, X.indices.astype(np.int64, copy=False),
                                          X.indptr.astype(np.int64, copy=False), X.shape[1])
        return _core.Dataset.from_dense(X)

    # ---- the fitted model -------------------------------------------------------------------

    def _check_input(self, X):
        check_is_fitted(self)
        return _validate_data(self, X, accept_sparse="csr", dtype=self.components_.dtype,
                              order="C", reset=False)

    def _parameters(self):
        return self.components_, self.intercept_visible_, self.intercept_hidden_

    def _states(self, X):
        """Visible states of dense X as fit binarised them ('stochastic' uses the values,
        their expectation, so that transforms are deterministic)."""
        return _core.threshold_states(X) if self.binarize == "threshold" else X

    def transform(self, X):
        """P(h = 1 | v) of every example: (n_samples, n_components), X's dtype."""
        X = self._check_input(X)
        return _by_chunks(X, lambda V: _core.hidden_mean(*self._parameters(), self._states(V)))

    def score_samples(self, X):
        """Pseudo-log-likelihood of every example, summed over all its bits (not one random
        bit as scikit-learn's estimate): sum_i log P(v_i | v_-i) in nats, of X binarised at
        0.5 (likelihoods are of binary vectors)."""
        X = self._check_input(X)
        return _by_chunks(X, lambda V: _core.pseudo_log_likelihood(
            *self._parameters(), _core.threshold_states(V)))

    def log_likelihood(self, X, method="exact", *, ais_runs=_core.default_ais_runs,
                       ais_betas=_core.default_ais_betas, random_state=None,
                       return_report=False):
        """Mean log-likelihood of X binarised at 0.5, in nats per example.

        method='exact' enumerates the smaller layer (up to 30 units; ValueError beyond),
        method='ais' estimates log Z by annealed importance sampling from a base built from X.
        With return_report=True, a dict with log Z, its standard error, the +-3 sigma bounds
        and, for AIS, the reverse-annealing estimate: 'conservative_log_likelihood' holds it
        only when it contradicts neither AIS nor the certain ceiling from the RBM's modes
        (None otherwise; 'reverse_above_ais' and 'reverse_above_ceiling' say why).
        """
        X = self._check_input(X)
        if method not in ("exact", "ais"):
            raise ValueError("BernoulliRBM.log_likelihood: method must be 'exact' or 'ais', "
                             "got %r" % (method,))
        seed = self._draw_seed(random_state)
        report = _core.log_likelihood(*self._parameters(), self._dataset(X), method, seed,
                                      ais_runs, ais_betas)
        return report if return_report else report["log_likelihood"]

    def gibbs(self, v):
        """One block Gibbs step from every row of v: h ~ P(h|v), then v ~ P(v|h)."""
        v = self._check_input(v)
        return _by_chunks(v, lambda V: _core.gibbs(*self._parameters(), self._states(V),
                                                   self._draw_seed(None)))

    def sample(self, n_samples=1, steps=1000, random_state=None):
        """n_samples states of the model after `steps` block Gibbs steps, one chain each,
        started from the visible biases alone."""
        check_is_fitted(self)
        return _core.sample(*self._parameters(), int(n_samples), int(steps),
                            self._draw_seed(random_state))

    def _draw_seed(self, random_state):
        if random_state is not None:
            return _seed_of(random_state)
        return int(self.random_state_.integers(np.iinfo(np.int64).max))

    # ---- model files ------------------------------------------------------------------------

    def save(self, path):
        """Writes an rbmkit model file (atomically): ``rbmkit eval``, ``export`` and, after fit,
        ``train --resume`` on the same data read it."""
        check_is_fitted(self)
        seed = self.random_state if isinstance(self.random_state, numbers.Integral) else 0
        config = self._config(self.n_iter, self.average_from, seed)
        _core.save_model(str(path), getattr(self, "_state", None), config, *self._parameters())

    @classmethod
    def load(cls, path):
        """A fitted estimator from an rbmkit model file (from ``rbmkit train``, ``import`` or
        save): parameters from its configuration, attributes in the file's precision.
        partial_fit continues its training state when it has one."""
        with open(path, "rb") as f:
            state = f.read()
        precision, config, W, b, c = _core.parse_model(state, str(path))
        rbm = cls(**{name: getattr(config, field) for name, field in _FIELDS.items()},
                  random_state=int(config.seed))
        rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_ = W, b, c
        rbm.n_features_in_ = W.shape[1]
        rbm.random_state_ = np.random.default_rng(int(config.seed))
        rbm._state = state
        return rbm

    # ---- scikit-learn -----------------------------------------------------------------------

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def _more_tags(self):
        return {"preserves_dtype": [np.float64, np.float32]}


def _canonical_csr(X):
    """X with sorted indices and no duplicates (a copy only when it is not already so)."""
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _by_chunks(X, f):
    """f of dense X, or of sparse X densified a chunk of rows at a time."""
    if not sp.issparse(X):
        return f(X)
    parts = [f(np.ascontiguousarray(X[i:i + _SPARSE_CHUNK].toarray()))
             for i in range(0, X.shape[0], _SPARSE_CHUNK)]
    return np.concatenate(parts) if parts else f(np.zeros((0, X.shape[1]), X.dtype))
