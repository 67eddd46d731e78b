"""rbmkit.BernoulliRBM as a scikit-learn estimator: scikit-learn's own checks, Pipeline and
GridSearchCV, pickling, dtypes, sparse input, partial_fit, model files, and parameter errors."""
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import check_estimator

import rbmkit

SMALL = dict(n_components=8, n_iter=5, batch_size=20, random_state=1)


def test_check_estimator_passes_on_the_default_estimator():
    check_estimator(rbmkit.BernoulliRBM())


def test_check_estimator_passes_with_cd_and_the_reward_correlator():
    check_estimator(rbmkit.BernoulliRBM(method="cd", gradient="reward-correlator", k=2))


def test_pipeline_and_grid_search_learn_features_that_separate_two_classes(fashion_bytes):
    X, y = fashion_bytes
    keep = (y == 1) | (y == 9)  # trousers and ankle boots
    X, y = X[keep][:400] / 255.0, y[keep][:400]
    pipe = Pipeline([("rbm", rbmkit.BernoulliRBM(n_components=16, n_iter=3, random_state=0)),
                     ("clf", LogisticRegression(max_iter=500))])
    search = GridSearchCV(pipe, {"rbm__n_components": [8, 16], "rbm__learning_rate": [0.05, 0.1]},
                          cv=2)
    search.fit(X, y)
    assert set(search.best_params_) == {"rbm__n_components", "rbm__learning_rate"}
    assert search.best_score_ > 0.9
    assert search.best_estimator_.named_steps["rbm"].components_.shape[1] == 784


def test_a_pickled_model_transforms_identically_and_keeps_training_identically(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    copy = pickle.loads(pickle.dumps(rbm))
    assert np.array_equal(copy.transform(binary_data), rbm.transform(binary_data))
    assert np.array_equal(copy.score_samples(binary_data), rbm.score_samples(binary_data))
    rbm.partial_fit(binary_data)
    copy.partial_fit(binary_data)
    assert np.array_equal(copy.components_, rbm.components_)


def test_the_same_seed_gives_the_same_bits_and_another_seed_other_bits(binary_data):
    a = rbmkit.BernoulliRBM(**SMALL).fit(binary_data).components_
    b = rbmkit.BernoulliRBM(**SMALL).fit(binary_data).components_
    c = rbmkit.BernoulliRBM(**dict(SMALL, random_state=2)).fit(binary_data).components_
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_attributes_and_transforms_keep_the_input_dtype(binary_data, dtype):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data.astype(dtype))
    for attribute in (rbm.components_, rbm.intercept_hidden_, rbm.intercept_visible_):
        assert attribute.dtype == dtype
    assert rbm.components_.shape == (8, 12)
    assert rbm.intercept_hidden_.shape == (8,) and rbm.intercept_visible_.shape == (12,)
    assert rbm.transform(binary_data.astype(dtype)).dtype == dtype
    assert rbm.gibbs(binary_data.astype(dtype)).dtype == dtype
    assert rbm.sample(3, steps=5).dtype == dtype


def test_a_csr_matrix_trains_and_transforms_as_its_dense_array(binary_data):
    dense = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    X = sp.csr_matrix(binary_data)
    sparse = rbmkit.BernoulliRBM(**SMALL).fit(X)
    assert np.array_equal(sparse.components_, dense.components_)
    assert np.array_equal(sparse.transform(X), dense.transform(binary_data))
    assert np.array_equal(sparse.score_samples(X), dense.score_samples(binary_data))


def test_transform_is_the_hidden_mean_in_scikit_learns_layout(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    expected = 1 / (1 + np.exp(-(binary_data @ rbm.components_.T + rbm.intercept_hidden_)))
    np.testing.assert_allclose(rbm.transform(binary_data), expected, rtol=1e-12)
    # A wrongly oriented attribute would be caught: the transposed weights give other values.
    assert not np.allclose(rbm.transform(binary_data),
                           1 / (1 + np.exp(-(binary_data @ rbm.components_[::-1].T))))


def test_score_samples_sums_the_log_conditional_of_every_bit(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    W, b, c = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_

    def free_energy(V):
        return -V @ b - np.logaddexp(0, V @ W + c).sum(axis=1)

    V = binary_data[:5]
    expected = np.zeros(5)
    for i in range(V.shape[1]):
        flipped = V.copy()
        flipped[:, i] = 1 - flipped[:, i]
        expected -= np.logaddexp(0, free_energy(V) - free_energy(flipped))
    np.testing.assert_allclose(rbm.score_samples(V), expected, rtol=1e-10)


def test_exact_log_likelihood_matches_enumeration_and_ais_comes_close(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    W, b, c = rbm.components_.T, rbm.intercept_visible_, rbm.intercept_hidden_
    states = ((np.arange(2**12)[:, None] >> np.arange(12)) & 1).astype(np.float64)
    neg_f = states @ b + np.logaddexp(0, states @ W + c).sum(axis=1)
    log_z = np.logaddexp.reduce(neg_f)
    data_neg_f = binary_data @ b + np.logaddexp(0, binary_data @ W + c).sum(axis=1)
    exact = rbm.log_likelihood(binary_data, "exact")
    assert exact == pytest.approx(data_neg_f.mean() - log_z, rel=1e-10)
    report = rbm.log_likelihood(binary_data, "ais", random_state=1, return_report=True)
    assert report["method"] == "ais"
    assert abs(report["log_likelihood"] - exact) < 0.1
    # The reverse estimate is given as conservative only when nothing contradicts it; when it
    # is, it lies below the exact value within 3 of its standard errors.
    assert "reverse_log_likelihood" in report
    conservative = report["conservative_log_likelihood"]
    if conservative is None:
        assert report["reverse_above_ais"] or report["reverse_above_ceiling"]
    else:
        assert conservative == report["reverse_log_likelihood"]
        assert conservative <= exact + 3 * report["reverse_log_z_stderr"]


def test_partial_fit_continues_one_epoch_at_a_time(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL)
    rbm.partial_fit(binary_data[:100])
    first = rbm.components_.copy()
    rbm.partial_fit(binary_data[100:])
    assert rbm.components_.shape == (8, 12) and not np.array_equal(rbm.components_, first)
    with pytest.raises(ValueError, match="12 features"):
        rbm.partial_fit(binary_data[:, :5])


def test_gibbs_and_sample_give_binary_states_of_the_right_shape(binary_data):
    rbm = rbmkit.BernoulliRBM(**SMALL).fit(binary_data)
    v = rbm.gibbs(binary_data[:7])
    s = rbm.sample(50, steps=20, random_state=4)
    assert v.shape == (7, 12) and s.shape == (50, 12)
    assert set(np.unique(v)) <= {0.0, 1.0} and set(np.unique(s)) <= {0.0, 1.0}
    assert np.array_equal(s, rbm.sample(50, steps=20, random_state=4))
    assert not np.array_equal(s, rbm.sample(50, steps=20, random_state=5))


def test_save_and_load_round_trip_the_model_and_its_training_state(binary_data, tmp_path):
    rbm = rbmkit.BernoulliRBM(**dict(SMALL, method="cd", k=3)).fit(binary_data)
    rbm.save(tmp_path / "m.rbm")
    back = rbmkit.BernoulliRBM.load(tmp_path / "m.rbm")
    assert back.get_params() == rbm.get_params()
    assert np.array_equal(back.components_, rbm.components_)
    assert np.array_equal(back.transform(binary_data), rbm.transform(binary_data))
    rbm.partial_fit(binary_data)
    back.partial_fit(binary_data)
    assert np.array_equal(back.components_, rbm.components_)


@pytest.mark.parametrize("params, message", [
    (dict(learning_rate=-1.0), "learning_rate: must be a positive finite number"),
    (dict(n_components=0), "n_components: must be at least 1"),
    (dict(method="gibbs"), "method='gibbs' is not valid"),
    (dict(average_from=2.0), r"average_from: must be in \[0, 1\]"),
    (dict(k=0), "k: must be at least 1"),
])
def test_bad_parameters_are_refused_by_their_own_names(binary_data, params, message):
    with pytest.raises(ValueError, match=message):
        rbmkit.BernoulliRBM(**params).fit(binary_data)


def test_values_outside_the_unit_interval_train_as_their_clipped_values(binary_data):
    wide = binary_data * 3 - 1  # 0 -> -1, 1 -> 2
    a = rbmkit.BernoulliRBM(**SMALL).fit(wide).components_
    b = rbmkit.BernoulliRBM(**SMALL).fit(binary_data).components_
    assert np.array_equal(a, b)
