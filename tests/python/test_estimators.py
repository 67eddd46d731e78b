"""The gradient estimators of stochastic binary neurons on numpy arrays, with losses written in
Python: the unbiased ones average to the exact gradient, straight-through does not."""
import numpy as np
import pytest

import rbmkit

# One unit with activation a = 0.5 and the loss L(h) = (h - 0.3)^2 + noise: E[L] = p 0.49 +
# (1 - p) 0.09 + E[noise], so dE[L]/da = 0.4 p (1 - p), p = sigm(a).
A, B = 0.5, 100000
P = 1 / (1 + np.exp(-A))
EXACT = 0.4 * P * (1 - P)


def loss(h, rng):
    return (h[:, 0] - 0.3) ** 2 + rng.normal(0, 0.1, h.shape[0])


def loss_and_gradient(h, scaled, rng):
    return loss(h, rng), 2 * (h - 0.3)


def mean_and_error(g):
    return g.mean(), g.std() / np.sqrt(g.size)


@pytest.mark.parametrize("kind", [k for k in rbmkit.estimator_names() if rbmkit.is_unbiased(k)])
def test_unbiased_estimators_average_to_the_exact_gradient(kind):
    # 5 standard errors: false alarm < 6e-7 per estimator.
    e = rbmkit.GradientEstimator(1, kind, seed=3)
    g = e.estimate(np.full((B, 1), A), loss, loss_and_gradient)
    assert g.shape == (B, 1) and e.kind == kind
    mean, se = mean_and_error(g)
    assert abs(mean - EXACT) < 5 * se


def test_straight_through_is_biased_and_needs_the_loss_gradient():
    e = rbmkit.GradientEstimator(1, "straight-through", seed=3)
    with pytest.raises(ValueError, match="loss_and_gradient"):
        e.estimate(np.full((10, 1), A), loss)
    mean, se = mean_and_error(e.estimate(np.full((B, 1), A), loss, loss_and_gradient))
    assert abs(mean - EXACT) > 5 * se  # E[2 (h - 0.3)] = 2 (p - 0.3), not 0.4 p (1 - p)


def test_the_estimator_keeps_its_samples_and_checks_shapes():
    e = rbmkit.GradientEstimator(3, "centered-optimal", seed=1)
    a = np.zeros((50, 3))
    e.estimate(a, lambda h, rng: h.sum(axis=1))
    assert e.last_sample.shape == (50, 3) and set(np.unique(e.last_sample)) <= {0.0, 1.0}
    np.testing.assert_array_equal(e.last_loss, e.last_sample.sum(axis=1))
    assert e.samples_seen == 50 and e.optimal_baseline.shape == (3,)
    with pytest.raises(ValueError, match="must return 50 values"):
        e.estimate(a, lambda h, rng: h.sum())
    with pytest.raises(ValueError, match="activations have 2 units"):
        e.estimate(np.zeros((5, 2)), loss)
