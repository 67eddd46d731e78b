"""Models move between Python and the rbmkit program: the same settings and seed give the same
bits, and each reads the other's model files."""
import json
import subprocess

import numpy as np
import pytest

import rbmkit
from conftest import write_idx

SETTINGS = dict(n_components=16, n_iter=3, batch_size=50, learning_rate=0.05, method="pcd", k=1,
                centering=True, average_from=0.5, weight_decay=1e-4, random_state=7)


def train_cli(cli, data, out, precision, binarize, epochs=3, average_from=0.5):
    subprocess.run([cli, "train", "--data", str(data), "--out", str(out),
                    "--hidden", "16", "--epochs", str(epochs), "--batch", "50", "--lr", "0.05",
                    "--method", "pcd", "--k", "1", "--centering", "1",
                    "--average-from", str(average_from), "--weight-decay", "1e-4",
                    "--binarize", binarize, "--seed", "7", "--precision", precision],
                   check=True, capture_output=True)


@pytest.fixture(scope="module")
def data(fashion_bytes, tmp_path_factory):
    X = fashion_bytes[0][:500]
    path = tmp_path_factory.mktemp("data") / "train.idx"
    write_idx(path, X)
    return path, X


@pytest.mark.parametrize("dtype, precision, binarize", [
    (np.float32, "float", "none"), (np.float64, "double", "threshold"),
    (np.float32, "float", "stochastic")])
def test_a_model_fitted_in_python_is_the_rbmkit_train_model_bit_for_bit(
        cli, data, tmp_path, dtype, precision, binarize):
    path, X = data
    train_cli(cli, path, tmp_path / "cli.rbm", precision, binarize)
    ours = rbmkit.BernoulliRBM(binarize=binarize, **SETTINGS).fit(X.astype(dtype) / 255)
    theirs = rbmkit.BernoulliRBM.load(tmp_path / "cli.rbm")
    assert theirs.components_.dtype == dtype
    assert np.array_equal(ours.components_, theirs.components_)
    assert np.array_equal(ours.intercept_visible_, theirs.intercept_visible_)
    assert np.array_equal(ours.intercept_hidden_, theirs.intercept_hidden_)
    # Another seed in Python gives another model: the comparison can fail.
    other = rbmkit.BernoulliRBM(binarize=binarize, **dict(SETTINGS, random_state=8))
    assert not np.array_equal(other.fit(X.astype(dtype) / 255).components_, theirs.components_)


def test_an_rbmkit_train_model_loads_with_its_settings_as_parameters(cli, data, tmp_path):
    path, X = data
    train_cli(cli, path, tmp_path / "cli.rbm", "float", "threshold")
    rbm = rbmkit.BernoulliRBM.load(tmp_path / "cli.rbm")
    params = rbm.get_params()
    for name, value in SETTINGS.items():
        assert params[name] == value, name
    assert params["binarize"] == "threshold"
    assert rbm.n_features_in_ == 784
    assert rbm.transform(X[:10].astype(np.float32) / 255).shape == (10, 16)


def test_a_model_saved_from_python_evaluates_in_rbmkit_eval_as_in_python(cli, data, tmp_path):
    path, X = data
    rbm = rbmkit.BernoulliRBM(**SETTINGS).fit(X / 255.0)
    rbm.save(tmp_path / "py.rbm")
    r = subprocess.run([cli, "eval", "--model", str(tmp_path / "py.rbm"), "--data", str(path),
                        "--exact", "--json"], check=True, capture_output=True, text=True)
    report = json.loads(r.stdout)
    assert report["method"] == "exact"
    assert report["log_likelihood"] == pytest.approx(rbm.log_likelihood(X / 255.0), rel=1e-12)


def test_a_fit_saved_from_python_continues_in_rbmkit_train_as_one_longer_run(cli, data, tmp_path):
    path, X = data
    rbm = rbmkit.BernoulliRBM(**dict(SETTINGS, binarize="threshold", average_from=1.0))
    rbm.fit(X / 255.0).save(tmp_path / "py.rbm")
    subprocess.run([cli, "train", "--resume", str(tmp_path / "py.rbm"), "--data", str(path),
                    "--epochs", "5", "--out", str(tmp_path / "resumed.rbm")],
                   check=True, capture_output=True)
    train_cli(cli, path, tmp_path / "cli.rbm", "double", "threshold", epochs=5, average_from=1)
    resumed = rbmkit.BernoulliRBM.load(tmp_path / "resumed.rbm")
    direct = rbmkit.BernoulliRBM.load(tmp_path / "cli.rbm")
    assert np.array_equal(resumed.components_, direct.components_)
    assert not np.array_equal(resumed.components_, rbm.components_)


def test_a_gaussian_model_is_refused_by_bernoulli_rbm_load(cli, tmp_path):
    rng = np.random.default_rng(3)
    np.savetxt(tmp_path / "real.csv", rng.normal(size=(40, 3)), delimiter=",")
    subprocess.run([cli, "train", "--data", str(tmp_path / "real.csv"), "--scale", "standardize",
                    "--visible", "gaussian", "--hidden", "2", "--epochs", "1", "--batch", "10",
                    "--out", str(tmp_path / "g.rbm")], check=True, capture_output=True)
    with pytest.raises(ValueError, match="Gaussian"):
        rbmkit.BernoulliRBM.load(tmp_path / "g.rbm")
