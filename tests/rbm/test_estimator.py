"""RBMImputer: scikit-learn's own checks, any numeric data, the imputer conventions, bad input."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from mixmiss.errors import InputError
from mixmiss.rbm import RBMImputer

TINY = {"n_components": 6, "n_iter": 3, "batch_size": 32, "random_state": 0}


@parametrize_with_checks(
    [
        RBMImputer(**TINY),
        RBMImputer(method="zeroed", low_rank=True, early_stopping=False, **TINY),
        RBMImputer(sample_posterior=True, add_indicator=True, keep_empty_features=True, **TINY),
    ]
)
def test_sklearn_checks(estimator, check):
    check(estimator)


def unit_data(seed=0, n=120, d=10, missing=0.3, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d)).astype(dtype)
    X[rng.random(X.shape) < missing] = np.nan
    return X


def mixed_table(seed=0, n=300, missing=0.3):
    """Binary, bounded, unbounded (heavy-tailed, negative), huge-scale and constant columns."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    X = np.column_stack(
        [
            (z + rng.normal(size=n) > 0).astype(float),  # binary
            np.clip(z + 5, 0, 10),  # bounded
            rng.standard_t(3, size=n) * 50 - 20,  # unbounded, negative
            1e6 * z + 3e7,  # a huge scale
            np.full(n, 7.25),  # constant
            z**2,
        ]
    )
    complete = X.copy()
    X[rng.random(X.shape) < missing] = np.nan
    return X, complete


@pytest.mark.parametrize("method", ["lm", "zeroed"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_transform_fills_exactly_the_nans_and_keeps_observed_bits(method, dtype):
    X = unit_data(dtype=dtype)
    out = RBMImputer(method=method, **TINY).fit(X).transform(X)
    observed = ~np.isnan(X)
    assert out.dtype == dtype and out.shape == X.shape
    assert not np.isnan(out).any()
    assert np.array_equal(out[observed].view(np.uint8), X[observed].view(np.uint8))


def test_any_numeric_table_is_imputed_inside_each_columns_observed_range():
    X, _ = mixed_table()
    est = RBMImputer(**TINY).fit(X)
    out = est.transform(X)
    observed = ~np.isnan(X)
    assert np.array_equal(out[observed].view(np.uint8), X[observed].view(np.uint8))
    np.testing.assert_array_equal(est.data_min_, np.nanmin(X, axis=0))
    np.testing.assert_array_equal(est.data_max_, np.nanmax(X, axis=0))
    assert (out >= est.data_min_).all() and (out <= est.data_max_).all()
    assert (out[:, 4] == 7.25).all()  # a constant column is imputed with the constant
    assert np.isin(out[:, 0], [0.0, 1.0]).mean() < 1  # mean imputation of a binary column


def test_values_outside_the_fitted_range_are_clipped_for_inference_only():
    X, _ = mixed_table()
    est = RBMImputer(**TINY).fit(X)
    row = np.array([[np.nan, 4.0, -1e9, np.nan, 7.25, np.nan]])  # -1e9: far below the range
    clipped = row.copy()
    clipped[0, 2] = est.data_min_[2]
    out, out_clipped = est.transform(row), est.transform(clipped)
    assert out[0, 2] == -1e9  # returned as given
    np.testing.assert_array_equal(np.delete(out, 2), np.delete(out_clipped, 2))


def test_estimator_contract_on_a_mixed_table():
    X, _ = mixed_table()
    est = RBMImputer(**TINY)
    assert est.get_params()["n_components"] == 6
    assert clone(est).get_params() == est.get_params()
    assert est.fit(X) is est
    assert est.n_features_in_ == 6
    assert est.components_.shape == (6, 6) and est.intercept_hidden_.shape == (6,)
    assert est.rank_ is None and 1 <= est.n_iter_ <= 3 and 0 <= est.best_iter_ <= est.n_iter_
    assert len(est.validation_rmse_) == 1  # 300 rows: checked every 7 epochs, and at the end
    first = est.transform(X)
    np.testing.assert_array_equal(est.fit_transform(X), first)  # idempotent, seeded
    np.testing.assert_array_equal(clone(est).fit(X).transform(X), first)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(X), first)
    assert est.hidden_activations(X).shape == (300, 6)
    assert list(est.get_feature_names_out()) == [f"x{i}" for i in range(6)]


def test_low_rank_uses_the_rule_of_thumb_rank():
    X = unit_data()
    est = RBMImputer(low_rank=True, early_stopping=False, **TINY).fit(X)
    assert est.rank_ == 7 and est.components_.shape == (6, 10)  # 10 * 0.7 observed


def test_works_inside_a_pipeline():
    X = unit_data(n=200)
    y = (np.nan_to_num(X[:, 0]) > 0.5).astype(int)
    pipe = Pipeline([("impute", RBMImputer(**TINY)), ("clf", LogisticRegression())])
    pipe.fit(X, y)
    assert pipe.predict(X).shape == (200,)
    assert clone(pipe).set_params(impute__n_components=4).fit(X, y).score(X, y) > 0.5


def test_entirely_missing_rows_are_filled_from_the_model():
    X, _ = mixed_table()
    X[3] = np.nan  # documented: allowed in fit and transform
    est = RBMImputer(**TINY).fit(X)
    out = est.transform(X)
    assert np.isfinite(out[3]).all()
    assert (out[3] >= est.data_min_).all() and (out[3] <= est.data_max_).all()


# -- the defaults learn ---------------------------------------------------------------


def rmse_on_missing(filled, complete, missing):
    return float(np.sqrt(((filled - complete)[missing] ** 2).mean()))


def test_defaults_beat_mean_imputation_on_digits():
    """Regression guard for the defaults (#19): they once returned the column means.

    Measured at the defaults chosen: RMSE about 0.84x SimpleImputer's on digits
    (50 % MCAR, scale 0..16); fails at 0.9x.
    """
    complete = load_digits().data
    rng = np.random.default_rng(0)
    missing = rng.random(complete.shape) < 0.5
    missing[:, complete.std(axis=0) == 0] = False  # constant pixels are trivially imputed
    X = np.where(missing, np.nan, complete)
    rbm = rmse_on_missing(RBMImputer(random_state=0).fit_transform(X), complete, missing)
    mean = rmse_on_missing(SimpleImputer().fit_transform(X), complete, missing)
    assert rbm < 0.9 * mean, (rbm, mean)


def test_defaults_beat_mean_imputation_on_a_low_rank_binary_table():
    rng = np.random.default_rng(1)
    factors = rng.random((2000, 3)) < 0.5  # 8 row types
    loadings = rng.normal(scale=3.0, size=(3, 40))
    complete = (rng.random((2000, 40)) < 1 / (1 + np.exp(-(factors @ loadings - 1.5)))).astype(
        float
    )
    missing = rng.random(complete.shape) < 0.5
    X = np.where(missing, np.nan, complete)
    rbm = rmse_on_missing(RBMImputer(random_state=0).fit_transform(X), complete, missing)
    mean = rmse_on_missing(SimpleImputer().fit_transform(X), complete, missing)
    assert rbm < 0.9 * mean, (rbm, mean)


def test_on_independent_columns_it_is_no_worse_than_mean_imputation():
    rng = np.random.default_rng(2)
    complete = rng.normal(size=(400, 8))  # nothing to learn across columns
    missing = rng.random(complete.shape) < 0.5
    X = np.where(missing, np.nan, complete)
    est = RBMImputer(random_state=0).fit(X)
    rbm = rmse_on_missing(est.transform(X), complete, missing)
    mean = rmse_on_missing(SimpleImputer().fit_transform(X), complete, missing)
    assert est.best_iter_ == 0 and not est.components_.any()  # W = 0: mean imputation
    assert rbm == pytest.approx(mean, rel=1e-3), (rbm, mean)


def test_early_stopping_keeps_the_best_epoch_and_stops():
    X, _ = mixed_table()
    est = RBMImputer(n_components=8, n_iter=300, n_iter_no_change=3, random_state=0).fit(X)
    scores = est.validation_rmse_  # one check every ceil(2048 / 300) = 7 epochs
    assert est.n_iter_ < 300 and len(scores) == est.n_iter_ // 7
    if est.best_iter_:
        assert est.best_iter_ % 7 == 0 and scores[est.best_iter_ // 7 - 1] == min(scores)
    without = RBMImputer(n_components=8, n_iter=4, early_stopping=False, random_state=0).fit(X)
    assert without.n_iter_ == 4 and without.validation_rmse_ == [] and without.best_iter_ == 4


# -- scikit-learn's imputer conventions -----------------------------------------------


def test_add_indicator_appends_a_missing_indicator():
    X, _ = mixed_table()
    X[:, 1] = np.where(np.isnan(X[:, 1]), 5.0, X[:, 1])  # a feature without missing values
    est = RBMImputer(add_indicator=True, **TINY).fit(X)
    out = est.transform(X)
    assert out.shape == (300, 6 + 5)
    expected = np.isnan(np.delete(X, 1, axis=1))
    np.testing.assert_array_equal(out[:, 6:], expected.astype(float))
    np.testing.assert_array_equal(out[:, :6], RBMImputer(**TINY).fit(X).transform(X))
    names = est.get_feature_names_out(["a", "b", "c", "d", "e", "f"])
    assert list(names[6:]) == [f"missingindicator_{c}" for c in "acdef"]


@pytest.mark.parametrize("keep", [False, True])
def test_keep_empty_features_as_simple_imputer(keep):
    X, _ = mixed_table()
    X[:, 2] = np.nan
    with pytest.warns(UserWarning, match=r"without any observed value.*\[2\]"):
        est = RBMImputer(keep_empty_features=keep, **TINY).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = SimpleImputer(keep_empty_features=keep).fit(X)
    Y = X.copy()
    Y[0, 2] = 3.0  # an observed value at transform time in the empty feature
    out = est.transform(Y)
    assert out.shape == (300, 6 if keep else 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert out.shape == reference.transform(Y).shape
    if keep:
        assert out[0, 2] == 3.0 and (out[1:, 2] == 0).all()
    assert list(est.get_feature_names_out()) == list(reference.get_feature_names_out())


def test_set_output_pandas_with_indicator_names():
    pd = pytest.importorskip("pandas")
    X, _ = mixed_table()
    frame = pd.DataFrame(X, columns=["bin", "bounded", "t", "huge", "const", "square"])
    est = RBMImputer(add_indicator=True, **TINY).set_output(transform="pandas")
    out = est.fit_transform(frame)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns[:6]) == list(frame.columns)
    assert list(out.columns[6:]) == [f"missingindicator_{c}" for c in frame.columns]
    assert not out.isna().any().any()
    np.testing.assert_array_equal(est.feature_names_in_, frame.columns)


def test_sample_posterior_gives_seeded_draws():
    X, complete = mixed_table(n=600)
    missing = np.isnan(X)
    draws = [
        RBMImputer(sample_posterior=True, **{**TINY, "random_state": seed}).fit_transform(X)
        for seed in range(3)
    ]
    again = RBMImputer(sample_posterior=True, **TINY).fit_transform(X)
    np.testing.assert_array_equal(again, draws[0])  # seeded
    assert not np.array_equal(draws[0][missing], draws[1][missing])  # seeds differ
    for out in draws:
        assert np.array_equal(out[~missing], X[~missing])
        assert np.isin(out[:, 0], [0.0, 1.0]).all()  # binary column: Bernoulli draws
        assert (out >= np.nanmin(X, axis=0)).all() and (out <= np.nanmax(X, axis=0)).all()
    mean = RBMImputer(**TINY).fit(X).transform(X)
    assert not np.array_equal(mean[missing], draws[0][missing])
    forced = RBMImputer(sample_posterior=True, visible="sample", **TINY).fit_transform(X)
    lo, hi = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    assert np.isin(forced[:, 2][missing[:, 2]], [lo[2], hi[2]]).all()


# -- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda X: X.__setitem__((0, 0), np.inf), "infinity"),
        (lambda X: X.__setitem__(slice(None), np.nan), "every feature is missing"),
    ],
)
def test_bad_training_data_is_a_clear_error(mutate, match):
    X = unit_data()
    mutate(X)
    with pytest.raises(ValueError, match=match):
        RBMImputer(**TINY).fit(X)


def test_wrong_dtype_feature_count_and_settings_are_clear_errors():
    X = unit_data()
    with pytest.raises(ValueError, match="could not convert|dtype"):
        RBMImputer(**TINY).fit(X.astype(str).astype(object) + "a")
    est = RBMImputer(**TINY).fit(X)
    with pytest.raises(ValueError, match="10 features"):
        est.transform(X[:, :9])
    with pytest.raises(InputError, match="unknown RBM training method"):
        RBMImputer(method="mice").fit(X)
    with pytest.raises(InputError, match="n_hidden"):
        RBMImputer(n_components=0).fit(X)
    with pytest.raises(InputError, match="hidden must be"):
        RBMImputer(hidden="maybe", **TINY).fit(X)
    with pytest.raises(InputError, match="learning_rate must be"):
        RBMImputer(learning_rate="fast", **TINY).fit(X)
    with pytest.raises(InputError, match="n_iter must be"):
        RBMImputer(n_iter="many").fit(X)
    with pytest.raises(InputError, match="validation_fraction must lie in"):
        RBMImputer(validation_fraction=1.5, **TINY).fit(X)
    with pytest.raises(InputError, match="n_iter_no_change"):
        RBMImputer(n_iter_no_change=0, **TINY).fit(X)


def test_precision_bf16_products_track_fp32_and_a_bad_setting_is_one_line():
    X = unit_data(seed=3, n=200, d=12)
    fp32 = RBMImputer(precision="fp32", **TINY).fit(X)
    bf16 = RBMImputer(precision="bf16", **TINY).fit(X)
    assert fp32.model_.W.dtype == bf16.model_.W.dtype == torch.float32  # fp32 masters
    filled32, filled16 = fp32.transform(X), bf16.transform(X)
    observed = ~np.isnan(X)
    assert np.array_equal(filled16[observed], X[observed])
    assert np.abs(filled16 - filled32).max() < 0.05  # bf16 keeps 8 bits of mantissa
    with pytest.raises(InputError, match="precision"):
        RBMImputer(precision="fp64", **TINY).fit(X)
