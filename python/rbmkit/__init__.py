"""rbmkit: restricted Boltzmann machines trained by rbmkit's C++ library, as scikit-learn
estimators.

    import rbmkit
    rbm = rbmkit.BernoulliRBM(n_components=256, n_iter=20, random_state=0).fit(X)
    features = rbm.transform(X)

docs/python.md describes the estimator, how float input becomes training data, and model files
shared with the ``rbmkit`` program.
"""
from . import _core
from ._core import GradientEstimator, estimator_names, is_unbiased, read_idx, read_idx_labels
from ._gaussian import GaussianBernoulliRBM
from ._rbm import BernoulliRBM
from ._studies import Equivalence, Updates, equivalence

__version__ = _core.__version__
__all__ = ["BernoulliRBM", "GaussianBernoulliRBM", "equivalence", "Equivalence", "Updates", "GradientEstimator",
           "estimator_names", "is_unbiased", "read_idx", "read_idx_labels"]
