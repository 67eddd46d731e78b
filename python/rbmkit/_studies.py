"""rbmkit.equivalence: the two gradient paths of Bengio (2013, §4.2) on one minibatch."""
from collections import namedtuple

from . import _core
from ._rbm import _seed_of

Updates = namedtuple("Updates", "components intercept_visible intercept_hidden")
Updates.__doc__ = """A raw update (before learning rate and penalties) in scikit-learn's layout:
components (n_components, n_features), intercept_visible (n_features,), intercept_hidden
(n_components,)."""

Equivalence = namedtuple("Equivalence", "contrastive correlator reward v h max_abs_difference")
Equivalence.__doc__ = """Both updates of one minibatch and the stream they were computed from:
reward (+1 for the positive phase's samples, -1 for the negative phase's), v and h (one row per
sample; h holds P(h = 1 | v)), and the largest absolute difference between the two updates."""


def equivalence(model, X, *, method="cd", k=1, batch_size=None, random_state=1):
    """The contrastive update and the reward-correlator update of a fitted BernoulliRBM,
    computed from the same samples: the first minibatch a training run on X would draw (its
    order, binarisation and phases; with method='pcd' the chains start at the next batch_size
    examples of the order; with method='pt' tempered chains at the model's n_temperatures start
    there). Float64 statistics in both cases; they agree to the last bit when
    the link holds (docs/derivation.md).

    batch_size defaults to the model's; X must hold at least one minibatch (two for 'pcd').
    random_state seeds the draws as `rbmkit equiv --seed` does.
    Returns an Equivalence of two Updates, the reward stream and its samples.
    """
    X = model._check_input(X)
    result = _core.equivalence(*model._parameters(), model._dataset(X), method, int(k),
                               int(batch_size or model.batch_size), model.binarize,
                               _seed_of(random_state), int(model.n_temperatures))
    return Equivalence(Updates(*result["contrastive"]), Updates(*result["correlator"]),
                       result["reward"], result["v"], result["h"], result["max_abs_difference"])
