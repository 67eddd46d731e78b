"""rbmkit.BernoulliRBM(method='pt'): parallel-tempering training through the estimator, its
temperatures as a parameter, refused where invalid, and kept by model files."""
import numpy as np
import pytest

import rbmkit

SMALL = dict(n_components=8, n_iter=3, batch_size=20, random_state=1)


def test_pt_trains_reproducibly_and_differs_from_pcd(binary_data):
    a = rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=4).fit(binary_data)
    b = rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=4).fit(binary_data)
    c = rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=3).fit(binary_data)
    p = rbmkit.BernoulliRBM(**SMALL, method="pcd").fit(binary_data)
    assert np.isfinite(a.components_).all()
    assert np.array_equal(a.components_, b.components_)
    assert not np.array_equal(a.components_, c.components_)
    assert not np.array_equal(a.components_, p.components_)


def test_pt_model_files_keep_the_temperatures_and_the_tempered_chains(binary_data, tmp_path):
    rbm = rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=3).fit(binary_data)
    rbm.save(tmp_path / "m.rbm")
    back = rbmkit.BernoulliRBM.load(tmp_path / "m.rbm")
    assert back.get_params() == rbm.get_params()
    assert back.n_temperatures == 3
    rbm.partial_fit(binary_data)
    back.partial_fit(binary_data)
    assert np.array_equal(back.components_, rbm.components_)


@pytest.mark.parametrize("temperatures", [0, 1])
def test_fewer_than_two_temperatures_are_refused_by_the_parameters_name(binary_data, temperatures):
    with pytest.raises(ValueError, match="n_temperatures: must be at least 2"):
        rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=temperatures).fit(binary_data)
    # Other methods ignore the parameter.
    rbmkit.BernoulliRBM(**SMALL, method="pcd", n_temperatures=temperatures).fit(binary_data)


def test_equivalence_with_pt_gives_the_same_bits_from_tempered_samples(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL, method="pt", n_temperatures=3).fit(binary_data)
    e = rbmkit.equivalence(rbm, binary_data, method="pt", k=2, batch_size=20)
    assert e.max_abs_difference == 0.0
    assert np.array_equal(e.reward, np.r_[np.ones(20), -np.ones(20)])
    # The negative samples come from the chains, not the minibatch.
    assert not np.array_equal(e.v[:20], e.v[20:])
    cd = rbmkit.equivalence(rbm, binary_data, method="cd", k=2, batch_size=20)
    assert not np.array_equal(cd.v[20:], e.v[20:])
