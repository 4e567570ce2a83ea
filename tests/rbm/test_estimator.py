"""RBMImputer: scikit-learn's own checks, the estimator contract on [0, 1] data, bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from mixmiss.rbm import RBMImputer
from mixmiss.rbm.estimator import expected_failed_checks

TINY = {"n_components": 6, "n_iter": 3, "batch_size": 32, "random_state": 0}


@parametrize_with_checks(
    [RBMImputer(**TINY), RBMImputer(method="zeroed", low_rank=False, **TINY)],
    expected_failed_checks=expected_failed_checks,
)
def test_sklearn_checks(estimator, check):
    check(estimator)


def unit_data(seed=0, n=120, d=10, missing=0.3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d)).astype(dtype)
    X[rng.random(X.shape) < missing] = np.nan
    return X


@pytest.mark.parametrize("method", ["lm", "zeroed"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_transform_fills_exactly_the_nans_and_keeps_observed_bits(method, dtype):
    X = unit_data(dtype=dtype)
    out = RBMImputer(method=method, **TINY).fit(X).transform(X)
    observed = ~np.isnan(X)
    assert out.dtype == dtype and out.shape == X.shape
    assert not np.isnan(out).any()
    assert np.array_equal(out[observed].view(np.uint8), X[observed].view(np.uint8))
    assert ((out >= 0) & (out <= 1)).all()


def test_estimator_contract_on_unit_data():
    X = unit_data()
    est = RBMImputer(**TINY)
    assert est.get_params()["n_components"] == 6
    assert clone(est).get_params() == est.get_params()
    assert est.fit(X) is est
    assert est.n_features_in_ == 10
    assert est.components_.shape == (6, 10) and est.intercept_hidden_.shape == (6,)
    assert est.observation_probability_.shape == (10,) and est.rank_ == 7  # 10 * 0.7
    first = est.transform(X)
    np.testing.assert_array_equal(est.fit_transform(X), first)  # idempotent, seeded
    np.testing.assert_array_equal(clone(est).fit(X).transform(X), first)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(X), first)
    assert est.hidden_activations(X).shape == (120, 6)
    assert list(est.get_feature_names_out()) == [f"x{i}" for i in range(10)]


def test_works_inside_a_pipeline():
    X = unit_data(n=200)
    y = (np.nan_to_num(X[:, 0]) > 0.5).astype(int)
    pipe = Pipeline([("impute", RBMImputer(**TINY)), ("clf", LogisticRegression())])
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (200,)
    assert clone(pipe).set_params(impute__n_components=4).fit(X, y).score(X, y) > 0.5


def test_entirely_missing_rows_are_filled_from_the_model():
    X = unit_data()
    X[3] = np.nan  # documented: allowed in fit and transform
    est = RBMImputer(**TINY).fit(X)
    out = est.transform(X)
    assert np.isfinite(out[3]).all() and ((out[3] >= 0) & (out[3] <= 1)).all()


@pytest.mark.parametrize(
    "mutate, error, match",
    [
        (lambda X: X.__setitem__((slice(None), 2), np.nan), ValueError, r"feature\(s\) \[2\]"),
        (lambda X: X.__setitem__((0, 0), 1.5), ValueError, "Values above 1"),
        (lambda X: X.__setitem__((0, 0), -0.1), ValueError, "Negative values"),
        (lambda X: X.__setitem__((0, 0), np.inf), ValueError, "infinity"),
    ],
)
def test_bad_training_data_is_a_clear_error(mutate, error, match):
    X = unit_data()
    mutate(X)
    with pytest.raises(error, match=match):
        RBMImputer(**TINY).fit(X)


def test_wrong_dtype_feature_count_and_settings_are_clear_errors():
    X = unit_data()
    with pytest.raises(ValueError, match="could not convert|dtype"):
        RBMImputer(**TINY).fit(X.astype(str).astype(object) + "a")
    est = RBMImputer(**TINY).fit(X)
    with pytest.raises(ValueError, match="10 features"):
        est.transform(X[:, :9])
    with pytest.raises(ValueError, match="unknown RBM training method"):
        RBMImputer(method="mice").fit(X)
    with pytest.raises(ValueError, match="n_hidden"):
        RBMImputer(n_components=0).fit(X)
    with pytest.raises(ValueError, match="hidden must be"):
        RBMImputer(hidden="maybe", **{k: v for k, v in TINY.items()}).fit(X)
