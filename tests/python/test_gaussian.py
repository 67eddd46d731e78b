"""rbmkit.GaussianBernoulliRBM: the same bits as `rbmkit train --visible gaussian`, and the
log-density and features `rbmkit eval` and `transform` give for that model."""
import json
import subprocess

import numpy as np
import pytest

import rbmkit

SETTINGS = dict(n_components=4, n_iter=3, batch_size=20, learning_rate=0.01, method="pcd", k=1,
                variance="learned", average_from=0.5, weight_decay=1e-4, random_state=7)


@pytest.fixture(scope="module")
def mixture(tmp_path_factory):
    """100 examples of 3 real features from two Gaussians, as an array and a CSV file."""
    rng = np.random.default_rng(5)
    side = rng.choice([-2.0, 2.0], size=(100, 1))
    X = 10 * np.arange(3) + (3 + np.arange(3)) * (side + 0.5 * rng.normal(size=(100, 3)))
    path = tmp_path_factory.mktemp("data") / "mixture.csv"
    np.savetxt(path, X, delimiter=",", fmt="%.17g")
    return path, X


def train_cli(cli, path, out, seed=7):
    subprocess.run([cli, "train", "--data", str(path), "--scale", "standardize", "--visible",
                    "gaussian", "--variance", "learned", "--hidden", "4", "--epochs", "3",
                    "--batch", "20", "--lr", "0.01", "--method", "pcd", "--k", "1",
                    "--average-from", "0.5", "--weight-decay", "1e-4", "--seed", str(seed),
                    "--out", str(out)], check=True, capture_output=True)


def test_a_gaussian_model_fitted_in_python_is_the_rbmkit_train_model_bit_for_bit(cli, mixture, tmp_path):
    path, X = mixture
    train_cli(cli, path, tmp_path / "g.rbm")
    theirs = rbmkit.GaussianBernoulliRBM.load(tmp_path / "g.rbm")
    ours = rbmkit.GaussianBernoulliRBM(**SETTINGS).fit(X.astype(np.float32))
    assert ours.components_.dtype == np.float32
    for name in ("components_", "intercept_visible_", "intercept_hidden_", "log_variance_",
                 "mean_", "scale_"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert np.any(ours.log_variance_ != 0)
    # Another seed gives another model: the comparison can fail.
    other = rbmkit.GaussianBernoulliRBM(**dict(SETTINGS, random_state=8)).fit(X.astype(np.float32))
    assert not np.array_equal(other.components_, theirs.components_)


def test_score_samples_and_transform_are_rbmkit_eval_and_transform(cli, mixture, tmp_path):
    path, X = mixture
    train_cli(cli, path, tmp_path / "g.rbm")
    rbm = rbmkit.GaussianBernoulliRBM.load(tmp_path / "g.rbm")
    r = subprocess.run([cli, "eval", "--model", str(tmp_path / "g.rbm"), "--data", str(path),
                        "--scale", "standardize", "--exact", "--json"],
                       check=True, capture_output=True, text=True)
    report = json.loads(r.stdout)
    assert rbm.score(X.astype(np.float32)) == pytest.approx(report["log_likelihood_data_units"],
                                                            abs=1e-9)
    # Data moved by 5 in one feature scores far lower: the comparison can fail.
    moved = X.astype(np.float32).copy()
    moved[:, 0] += 5
    assert rbm.score(moved) < report["log_likelihood_data_units"] - 0.1
    t = subprocess.run([cli, "transform", "--model", str(tmp_path / "g.rbm"), "--data", str(path)],
                       check=True, capture_output=True, text=True)
    cli_features = np.loadtxt(t.stdout.splitlines(), delimiter=",")
    assert np.allclose(rbm.transform(X.astype(np.float32)), cli_features, atol=1e-6)


def test_bad_parameters_and_data_are_refused_naming_them():
    X = np.random.default_rng(1).normal(size=(30, 2))
    with pytest.raises(ValueError, match="learning_rate"):
        rbmkit.GaussianBernoulliRBM(learning_rate=-1).fit(X)
    with pytest.raises(ValueError, match="variance"):
        rbmkit.GaussianBernoulliRBM(variance="sometimes").fit(X)
    rbm = rbmkit.GaussianBernoulliRBM(n_components=2, n_iter=1, random_state=0).fit(X)
    assert rbm.transform(X).shape == (30, 2)
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError):
        rbm.transform(bad)
