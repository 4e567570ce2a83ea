"""Algorithm 1, vectorised, against a literal per-sample transcription of it."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.rbm.cd import ContrastiveDivergence, uniform_
from mixmiss.rbm.energy import linearised_observed_energy
from mixmiss.rbm.mask import observation_probability
from mixmiss.rbm.model import RBM, LowRankRBM

from .conftest import random_batch


def uniforms(rows: int, cols: int, generator) -> torch.Tensor:
    """The step's uniform draws, in its order (float64 for the float64 models here)."""
    return uniform_(torch.empty(rows, cols, dtype=torch.float64), generator)


def copy_of(model: RBM) -> RBM:
    return RBM.from_state_dict({k: v.clone() for k, v in model.state_dict().items()})


def algorithm1(model: RBM, v, observed, eta, lam, lines_8_9: bool, seed: int):
    """Lines 1-11 of Algorithm 1, one sample at a time, with the uniforms drawn in
    the order the vectorised step draws them (all h, all v', all h').
    ``lines_8_9=False`` is the method of [5] (b_m = 0)."""
    b, c, W = model.b, model.c, model.W
    g = torch.Generator().manual_seed(seed)
    batch, n = v.shape
    u_h = uniforms(batch, W.shape[1], g)
    u_v = uniforms(batch, n, g)
    u_h2 = uniforms(batch, W.shape[1], g)
    db, dc, dW = torch.zeros_like(b), torch.zeros_like(c), torch.zeros_like(W)
    for i in range(batch):
        m = 1.0 - observed[i]  # Algorithm 1: m = 1 marks a missing unit
        b_m = torch.sigmoid(b) * m if lines_8_9 else torch.zeros_like(b)
        h = (u_h[i] < torch.sigmoid((v[i] * (1 - m) + b_m) @ W + c)).to(v.dtype)
        v_ = (u_v[i] < torch.sigmoid(W @ h + b)).to(v.dtype)
        h_ = (u_h2[i] < torch.sigmoid((v_ * (1 - m) + b_m) @ W + c)).to(v.dtype)
        dc += eta * (h - h_)
        db += eta * (v[i] - v_) * (1 - m)
        dW += eta * (torch.outer(v[i] * (1 - m), h) - torch.outer(v_ * (1 - m), h_))
        if lines_8_9:
            db += eta * lam * b_m * (1 - torch.sigmoid(b)) * (W @ (h - h_))
            dW += eta * torch.outer(lam * b_m, h - h_)
    return {"b": b + db, "c": c + dc, "W": W + dW}


def step(model, method, v, observed, eta, lam, seed):
    model = copy_of(model)
    cd = ContrastiveDivergence(model, method, eta, lam, 1, torch.Generator().manual_seed(seed))
    cd.step(v, observed)
    return model.state_dict()


@pytest.mark.parametrize("method", ["zeroed", "lm"])
def test_vectorised_step_is_algorithm_1(small_rbm, method):
    v, observed = random_batch(batch=9)
    lam = torch.linspace(0.2, 0.9, v.shape[1], dtype=v.dtype)
    got = step(small_rbm, method, v, observed, 0.05, lam, seed=3)
    want = algorithm1(small_rbm, v, observed, 0.05, lam, method == "lm", seed=3)
    for name in want:
        torch.testing.assert_close(got[name], want[name], rtol=0, atol=1e-12)


def test_complete_data_gives_standard_cd1_for_both_methods(small_rbm):
    v, _ = random_batch(batch=8)
    observed = torch.ones_like(v)
    lam = observation_probability(observed)
    zeroed = step(small_rbm, "zeroed", v, observed, 0.1, lam, seed=5)
    lm = step(small_rbm, "lm", v, observed, 0.1, lam, seed=5)
    # standard CD-1, no missing-data machinery at all
    b, c, W = small_rbm.b, small_rbm.c, small_rbm.W
    g = torch.Generator().manual_seed(5)
    h = (uniforms(8, 5, g) < torch.sigmoid(v @ W + c)).double()
    v_ = (uniforms(8, 6, g) < torch.sigmoid(h @ W.T + b)).double()
    h_ = (uniforms(8, 5, g) < torch.sigmoid(v_ @ W + c)).double()
    standard = {
        "b": b + 0.1 * (v - v_).sum(0),
        "c": c + 0.1 * (h - h_).sum(0),
        "W": W + 0.1 * (v.T @ h - v_.T @ h_),
    }
    for name in standard:
        torch.testing.assert_close(zeroed[name], standard[name], rtol=0, atol=1e-12)
        torch.testing.assert_close(lm[name], standard[name], rtol=0, atol=1e-12)


def test_lm_update_is_the_gradient_of_the_linearised_energy(small_rbm):
    """With lambda = 1, lines 6-9 are -eta * grad [Ê_o(v, h) - Ê_o(v', h')], b_m = sigma(b) m."""
    v, observed = random_batch(batch=6)
    lam = torch.ones(v.shape[1], dtype=v.dtype)
    got = step(small_rbm, "lm", v, observed, 0.1, lam, seed=7)
    # the same samples, drawn as the step draws them
    b, c, W = (p.clone().requires_grad_() for p in (small_rbm.b, small_rbm.c, small_rbm.W))
    g = torch.Generator().manual_seed(7)
    m = 1.0 - observed
    with torch.no_grad():
        b_m = torch.sigmoid(b) * m
        h = (uniforms(6, 5, g) < torch.sigmoid((v + b_m) @ W + c)).double()
        v_ = (uniforms(6, 6, g) < torch.sigmoid(h @ W.T + b)).double() * observed
        h_ = (uniforms(6, 5, g) < torch.sigmoid((v_ + b_m) @ W + c)).double()
    objective = (
        linearised_observed_energy(v, h, observed, b, c, W)
        - linearised_observed_energy(v_, h_, observed, b, c, W)
    ).sum()
    objective.backward()
    for name, p in {"b": b, "c": c, "W": W}.items():
        torch.testing.assert_close(got[name], p.detach() - 0.1 * p.grad, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["zeroed", "lm"])
def test_low_rank_update_is_the_chain_rule_of_the_dense_one(method):
    g = torch.Generator().manual_seed(0)
    A = torch.randn(6, 3, generator=g, dtype=torch.float64) * 0.5
    B = torch.randn(3, 5, generator=g, dtype=torch.float64) * 0.5
    b = torch.randn(6, generator=g, dtype=torch.float64)
    c = torch.randn(5, generator=g, dtype=torch.float64)
    v, observed = random_batch(batch=8)
    lam = observation_probability(observed)
    dense = step(RBM(b, c, A @ B), method, v, observed, 0.05, lam, seed=2)
    low = LowRankRBM(b.clone(), c.clone(), A.clone(), B.clone())
    ContrastiveDivergence(low, method, 0.05, lam, 1, torch.Generator().manual_seed(2)).step(
        v, observed
    )
    dW = dense["W"] - A @ B
    torch.testing.assert_close(low.A, A + dW @ B.T, rtol=0, atol=1e-12)
    torch.testing.assert_close(low.B, B + A.T @ dW, rtol=0, atol=1e-12)
    torch.testing.assert_close(low.b, dense["b"], rtol=0, atol=1e-12)
    torch.testing.assert_close(low.c, dense["c"], rtol=0, atol=1e-12)


def test_cd_k_runs_k_gibbs_steps_and_differs_from_cd1(small_rbm):
    v, observed = random_batch(batch=16)
    lam = observation_probability(observed)
    one = copy_of(small_rbm)
    ContrastiveDivergence(one, "lm", 0.1, lam, 1, torch.Generator().manual_seed(0)).step(
        v, observed
    )
    three = copy_of(small_rbm)
    ContrastiveDivergence(three, "lm", 0.1, lam, 3, torch.Generator().manual_seed(0)).step(
        v, observed
    )
    assert torch.isfinite(three.W).all()
    assert not torch.equal(one.W, three.W)


def test_bad_method_and_missing_lambda_are_clear_errors(small_rbm):
    with pytest.raises(InputError, match="unknown RBM training method"):
        ContrastiveDivergence(small_rbm, "dropout", 0.1)
    with pytest.raises(InputError, match="needs lam"):
        ContrastiveDivergence(small_rbm, "lm", 0.1)


def test_uniforms_are_uniform_on_the_open_interval():
    u = uniform_(torch.empty(1001, 997), torch.Generator().manual_seed(0))  # n not a multiple of 4
    assert 0.0 < float(u.min()) and float(u.max()) < 1.0
    assert abs(float(u.mean()) - 0.5) < 2e-3 and abs(float(u.var()) - 1 / 12) < 1e-3
    # Bernoulli frequencies match p to well within sampling error
    p = torch.tensor([0.01, 0.3, 0.77])
    freq = (uniform_(torch.empty(200_000, 3), torch.Generator().manual_seed(1)) < p).float()
    torch.testing.assert_close(freq.mean(0), p, rtol=0, atol=4e-3)
    # quarters of one draw are independent: neighbours uncorrelated
    flat = u.flatten()
    assert abs(float(torch.corrcoef(torch.stack([flat[:-1], flat[1:]]))[0, 1])) < 5e-3
