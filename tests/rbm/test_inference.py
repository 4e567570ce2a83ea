"""Imputation read-outs of a trained RBM against brute-force sums over every hidden state."""

from __future__ import annotations

import itertools

import pytest
import torch

from mixmiss.device import torch_threads
from mixmiss.errors import InputError
from mixmiss.rbm import inference
from mixmiss.rbm.energy import energy, linearised_observed_energy, zeroed_observed_energy
from mixmiss.rbm.inference import hidden_probability, impute, reconstruction_error
from mixmiss.rbm.model import RBM, LowRankRBM

from .conftest import random_batch, random_rbm

N, M = 6, 4  # visible and hidden units of the brute-force RBMs: 2^4 hidden states


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, above all on a busy machine."""
    with torch_threads(1):
        yield


def all_hidden(m: int = M) -> torch.Tensor:
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=m)), dtype=torch.float64)


def hidden_posterior(model: RBM, v_row, observed_row, method: str) -> torch.Tensor:
    """P(h | v_o) (2^m,) for one row, normalised exp(-energy) over every hidden state."""
    hs = all_hidden(model.n_hidden)
    v = v_row.expand(len(hs), -1)
    o = observed_row.expand(len(hs), -1)
    params = (model.b, model.c, model.weight())
    if method == "lm":
        e = linearised_observed_energy(v, hs, o, *params)
    else:
        e = zeroed_observed_energy(v, hs, o, *params)
    return torch.softmax(-e, dim=0)


def brute_hidden_marginals(model, v_obs, observed, method):
    hs = all_hidden(model.n_hidden)
    return torch.stack(
        [hidden_posterior(model, v, o, method) @ hs for v, o in zip(v_obs, observed, strict=True)]
    )


def brute_sampled_hidden_mean_visible(model, v_obs, observed, method):
    """E_{h ~ P(h | v_o)} [sigma(W h + b)]: what hidden="sample", visible="mean" estimates."""
    hs = all_hidden(model.n_hidden)
    p_v_given_h = torch.sigmoid(hs @ model.weight().T + model.b)  # (2^m, n)
    return torch.stack(
        [
            hidden_posterior(model, v, o, method) @ p_v_given_h
            for v, o in zip(v_obs, observed, strict=True)
        ]
    )


@pytest.mark.parametrize("method", ["lm", "zeroed"])
def test_hidden_probability_is_the_exact_conditional_of_the_observed_energy(method):
    model = random_rbm(n=N, m=M, seed=3, scale=0.8)
    v_obs, observed = random_batch(batch=5, n=N, rate=0.5, seed=4)
    expected = brute_hidden_marginals(model, v_obs, observed, method)
    got = hidden_probability(model, v_obs, observed, method)
    assert got.shape == (5, M)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_lm_and_zeroed_differ_only_with_missing_units():
    model = random_rbm(n=N, m=M, seed=5)
    v_obs, observed = random_batch(batch=4, n=N, rate=0.5, seed=6)
    assert not torch.allclose(
        hidden_probability(model, v_obs, observed, "lm"),
        hidden_probability(model, v_obs, observed, "zeroed"),
        atol=1e-3,
    )
    # complete data: both are the full-energy conditional sigma(v W + c)
    v = torch.rand(4, N, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    complete = torch.ones_like(v)
    hs = all_hidden()
    for method in ("lm", "zeroed"):
        got = hidden_probability(model, v, complete, method)
        for row, p in zip(v, got, strict=True):
            post = torch.softmax(-energy(row.expand(len(hs), -1), hs, model.b, model.c, model.W), 0)
            torch.testing.assert_close(p, post @ hs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["lm", "zeroed"])
def test_mean_field_imputation_reads_the_visible_conditional_of_the_hidden_marginals(method):
    model = random_rbm(n=N, m=M, seed=7, scale=0.8)
    v_obs, observed = random_batch(batch=5, n=N, rate=0.5, seed=8)
    p_h = brute_hidden_marginals(model, v_obs, observed, method)
    p_v = torch.sigmoid(p_h @ model.W.T + model.b)
    got = impute(model, v_obs, observed, method, hidden="mean", visible="mean")
    expected = torch.where(observed.bool(), v_obs, p_v)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["lm", "zeroed"])
def test_sampled_hidden_imputation_averages_to_the_exact_expectation(method):
    """hidden="sample", visible="mean" with many samples converges to
    E_h[sigma(W h + b)] under the exact P(h | v_o): each missing entry is a mean of
    4,000 draws of a quantity in [0, 1], so its standard error is below 0.008."""
    model = random_rbm(n=N, m=M, seed=9, scale=0.8)
    v_obs, observed = random_batch(batch=3, n=N, rate=0.5, seed=10)
    expected = brute_sampled_hidden_mean_visible(model, v_obs, observed, method)
    got = impute(
        model, v_obs, observed, method, n_samples=4000, generator=torch.Generator().manual_seed(0)
    )
    missing = ~observed.bool()
    assert missing.any()
    assert float((got - expected)[missing].abs().max()) < 0.03
    # the mean-field read-out is a different number (Jensen): the test can tell them apart
    mean_field = impute(model, v_obs, observed, method, hidden="mean")
    assert float((mean_field - expected)[missing].abs().max()) > 0.005


def test_observed_entries_are_returned_unchanged_in_every_mode():
    model = random_rbm(seed=11)
    v_obs, observed = random_batch(batch=6, rate=0.4, seed=12)
    for hidden, visible in itertools.product(inference.HIDDEN_MODES, inference.VISIBLE_MODES):
        out = impute(
            model,
            v_obs,
            observed,
            "lm",
            hidden=hidden,
            visible=visible,
            generator=torch.Generator().manual_seed(1),
        )
        assert out.shape == v_obs.shape and out.dtype == v_obs.dtype
        assert torch.equal(out[observed.bool()], v_obs[observed.bool()])
        assert bool(((out >= 0) & (out <= 1)).all())


def test_sampled_visible_units_are_binary_averages():
    model = random_rbm(seed=13)
    v_obs, observed = random_batch(batch=8, rate=0.5, seed=14)
    missing = ~observed.bool()
    one = impute(
        model, v_obs, observed, "lm", visible="sample", generator=torch.Generator().manual_seed(2)
    )
    assert set(one[missing].tolist()) <= {0.0, 1.0}
    five = impute(
        model,
        v_obs,
        observed,
        "lm",
        visible="sample",
        n_samples=5,
        generator=torch.Generator().manual_seed(2),
    )
    assert torch.equal(five[missing] * 5, (five[missing] * 5).round())


def test_sampling_is_seeded_by_the_generator():
    model = random_rbm(seed=15)
    v_obs, observed = random_batch(batch=8, rate=0.5, seed=16)

    def run(seed):
        return impute(
            model,
            v_obs,
            observed,
            "lm",
            visible="sample",
            n_samples=3,
            generator=torch.Generator().manual_seed(seed),
        )

    assert torch.equal(run(0), run(0))
    assert not torch.equal(run(0), run(1))


def test_chunked_rows_give_the_same_result(monkeypatch):
    model = random_rbm(seed=17)
    v_obs, observed = random_batch(batch=11, rate=0.5, seed=18)
    whole = impute(model, v_obs, observed, "lm", hidden="mean")
    monkeypatch.setattr(inference, "_CHUNK", 3)  # 4 blocks, the last one short
    chunked = impute(model, v_obs, observed, "lm", hidden="mean")
    torch.testing.assert_close(chunked, whole, rtol=0, atol=1e-14)


def test_low_rank_model_imputes_like_dense_with_w_materialised():
    g = torch.Generator().manual_seed(19)
    low = LowRankRBM(
        torch.randn(N, generator=g, dtype=torch.float64),
        torch.randn(M, generator=g, dtype=torch.float64),
        torch.randn(N, 2, generator=g, dtype=torch.float64),
        torch.randn(2, M, generator=g, dtype=torch.float64),
    )
    dense = RBM(low.b, low.c, low.weight())
    v_obs, observed = random_batch(batch=5, n=N, rate=0.5, seed=20)
    for method in ("lm", "zeroed"):
        torch.testing.assert_close(
            hidden_probability(low, v_obs, observed, method),
            hidden_probability(dense, v_obs, observed, method),
            rtol=0,
            atol=1e-12,
        )
        torch.testing.assert_close(
            impute(low, v_obs, observed, method, hidden="mean"),
            impute(dense, v_obs, observed, method, hidden="mean"),
            rtol=0,
            atol=1e-12,
        )


@pytest.mark.parametrize("method", ["lm", "zeroed"])
def test_reconstruction_error_is_the_observed_mse_of_the_mean_field_reconstruction(method):
    model = random_rbm(n=N, m=M, seed=21)
    v_obs, observed = random_batch(batch=5, n=N, rate=0.5, seed=22)
    p_v = torch.sigmoid(
        brute_hidden_marginals(model, v_obs, observed, method) @ model.W.T + model.b
    )
    expected = (((p_v - v_obs) ** 2) * observed).sum() / observed.sum()
    got = reconstruction_error(model, v_obs, observed, method)
    assert got.ndim == 0
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_reconstruction_error_with_nothing_observed_is_zero_not_nan():
    model = random_rbm()
    v_obs, observed = torch.zeros(3, 6, dtype=torch.float64), torch.zeros(3, 6, dtype=torch.float64)
    assert float(reconstruction_error(model, v_obs, observed, "lm")) == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hidden": "mode"}, r"hidden must be one of \('sample', 'mean'\), got 'mode'"),
        ({"visible": "binary"}, r"visible must be one of \('mean', 'sample'\), got 'binary'"),
        ({"n_samples": 0}, "n_samples must be a positive integer, got 0"),
        ({"n_samples": 2.0}, "n_samples must be a positive integer"),
        ({"method": "marginal"}, "unknown RBM training method 'marginal'"),
    ],
)
def test_bad_arguments_are_input_errors(kwargs, message):
    model = random_rbm()
    v_obs, observed = random_batch()
    kwargs = {"method": "lm", **kwargs}
    method = kwargs.pop("method")
    with pytest.raises(InputError, match=message):
        impute(model, v_obs, observed, method, **kwargs)
