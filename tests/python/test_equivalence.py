"""rbmkit.equivalence: both gradient paths' updates from one minibatch, as arrays in
scikit-learn's layout, drawn as `rbmkit equiv` draws them."""
import subprocess

import numpy as np
import pytest

import rbmkit
from conftest import write_idx


@pytest.fixture(scope="module")
def fitted():
    X = (np.random.RandomState(0).rand(300, 12) < 0.4).astype(np.float64)
    return rbmkit.BernoulliRBM(n_components=5, n_iter=2, random_state=0).fit(X), X


@pytest.mark.parametrize("method", ["cd", "pcd"])
def test_both_updates_are_the_same_bits_and_the_contrastive_statistics_of_the_stream(
        fitted, method):
    rbm, X = fitted
    e = rbmkit.equivalence(rbm, X, method=method, k=2, batch_size=50)
    assert e.v.shape == (100, 12) and e.h.shape == (100, 5) and e.reward.shape == (100,)
    assert list(e.reward) == [1.0] * 50 + [-1.0] * 50
    for a, b in zip(e.contrastive, e.correlator):
        assert np.array_equal(a, b)
    assert e.max_abs_difference == 0
    pos, neg = e.reward > 0, e.reward < 0
    dW = e.h[pos].T @ e.v[pos] / 50 - e.h[neg].T @ e.v[neg] / 50
    np.testing.assert_allclose(e.contrastive.components, dW, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(e.contrastive.intercept_visible,
                               e.v[pos].mean(0) - e.v[neg].mean(0), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(e.contrastive.intercept_hidden,
                               e.h[pos].mean(0) - e.h[neg].mean(0), rtol=1e-12, atol=1e-15)
    # The transposed statistics would not match: the layout is checked.
    assert not np.allclose(e.contrastive.components[::-1], dW)


def test_the_updates_are_those_rbmkit_equiv_dumps(cli, fitted, tmp_path):
    rbm, X = fitted
    rbm.save(tmp_path / "m.rbm")
    write_idx(tmp_path / "x.idx", (X * 255).astype(np.uint8))
    subprocess.run([cli, "equiv", "--model", str(tmp_path / "m.rbm"), "--data",
                    str(tmp_path / "x.idx"), "--method", "pcd", "--k", "2", "--batch", "50",
                    "--binarize", "none", "--seed", "3", "--dump", str(tmp_path / "dump")],
                   check=True, capture_output=True)
    e = rbmkit.equivalence(rbm, X, method="pcd", k=2, batch_size=50, random_state=3)
    dumped = np.loadtxt(tmp_path / "dump" / "contrastive_dW.csv", delimiter=",")
    assert np.array_equal(e.contrastive.components, dumped.T)
    other = rbmkit.equivalence(rbm, X, method="pcd", k=2, batch_size=50, random_state=4)
    assert not np.array_equal(other.contrastive.components, dumped.T)
