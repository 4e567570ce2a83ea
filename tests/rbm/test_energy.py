"""The observed energies: E_o is the exact marginal, Ê_o its first-order Taylor expansion."""

from __future__ import annotations

import itertools

import pytest
import torch

from mixmiss.rbm.energy import (
    energy,
    linearised_observed_energy,
    observed_energy,
    zeroed_observed_energy,
)

from .conftest import random_batch, random_rbm


def all_binary(n: int) -> torch.Tensor:
    return torch.tensor(list(itertools.product([0.0, 1.0], repeat=n)), dtype=torch.float64)


def test_exact_observed_energy_marginalises_the_missing_units():
    """exp(-E_o(v_o, h)) = sum over v_m of exp(-E(v, h))."""
    model = random_rbm(n=5, m=3, seed=4)
    observed = torch.tensor([[1.0, 0.0, 1.0, 0.0, 0.0]], dtype=torch.float64)
    v_o = torch.tensor([[1.0, 0.0, 0.0, 0.0, 0.0]], dtype=torch.float64)
    for h in all_binary(3):
        h = h[None]
        v_all = all_binary(5)
        consistent = ((v_all - v_o).abs() * observed).sum(1) == 0
        v_m = v_all[consistent]  # the 2^3 completions of v_o
        brute = torch.logsumexp(-energy(v_m, h.expand(len(v_m), 3), *params(model)), 0)
        exact = -observed_energy(v_o, h, observed, *params(model))
        torch.testing.assert_close(exact[0], brute, rtol=0, atol=1e-12)


def params(model):
    return model.b, model.c, model.W


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_linearised_energy_is_first_order_taylor_of_exact_energy(seed):
    """Ê_o(h) = E_o|_{u=0} + dE_o/du|_{u=0} . u with u = W_m h: values, and the
    gradient against autograd; the gap is second order in the size of W."""
    model = random_rbm(n=7, m=4, seed=seed)
    v, observed = random_batch(batch=5, n=7, seed=seed + 10)
    h = (torch.rand(5, 4, generator=torch.Generator().manual_seed(seed)) < 0.5).double()
    b, c, W = params(model)
    m = 1.0 - observed

    # E_o as a function of u = W h (only the missing rows enter the softplus term)
    def exact_of_u(u):
        from torch.nn.functional import softplus

        return zeroed_observed_energy(v, h, observed, b, c, W) - (m * softplus(b + u)).sum(1)

    u = (h @ W.T).requires_grad_()
    zero = torch.zeros_like(u, requires_grad=True)
    e0 = exact_of_u(zero)
    (grad,) = torch.autograd.grad(e0.sum(), zero)
    taylor = e0.detach() + (grad * u.detach()).sum(1)
    torch.testing.assert_close(
        linearised_observed_energy(v, h, observed, b, c, W), taylor, rtol=0, atol=1e-12
    )
    torch.testing.assert_close(grad, -m * torch.sigmoid(b).expand_as(m), rtol=0, atol=1e-12)
    # the gradient of Ê_o in h (autograd) equals that of the Taylor polynomial in h
    hh = h.clone().requires_grad_()
    (g_lin,) = torch.autograd.grad(linearised_observed_energy(v, hh, observed, b, c, W).sum(), hh)
    hh2 = h.clone().requires_grad_()
    poly = zeroed_observed_energy(v, hh2, observed, b, c, W) + (grad * (hh2 @ W.T)).sum(1)
    (g_poly,) = torch.autograd.grad(poly.sum(), hh2)
    torch.testing.assert_close(g_lin, g_poly, rtol=0, atol=1e-12)
    # and at a point where W_m h = 0 the exact and linearised gradients coincide
    h0 = torch.zeros_like(h, requires_grad=True)
    (g_exact0,) = torch.autograd.grad(observed_energy(v, h0, observed, b, c, W).sum(), h0)
    (g_lin0,) = torch.autograd.grad(linearised_observed_energy(v, h0, observed, b, c, W).sum(), h0)
    torch.testing.assert_close(g_lin0, g_exact0, rtol=0, atol=1e-12)
    # away from the expansion point the gap shrinks quadratically with the scale of W
    gaps = []
    for scale in (1e-1, 1e-2):
        Ws = W * scale
        gap = observed_energy(v, h, observed, b, c, Ws) - linearised_observed_energy(
            v, h, observed, b, c, Ws
        )
        gaps.append(gap.abs().max())
    assert gaps[1] < gaps[0] / 50  # O(scale^2): 100x smaller for 10x smaller W


def test_energies_agree_on_complete_data_and_zeroed_drops_missing_units():
    model = random_rbm(n=6, m=5, seed=3)
    v, _ = random_batch(batch=4, n=6)
    h = torch.ones(4, 5, dtype=torch.float64)
    full = torch.ones_like(v)
    e = energy(v, h, *params(model))
    for fn in (observed_energy, linearised_observed_energy, zeroed_observed_energy):
        torch.testing.assert_close(fn(v, h, full, *params(model)), e, rtol=0, atol=1e-12)
    none = torch.zeros_like(v)
    torch.testing.assert_close(
        zeroed_observed_energy(v, h, none, *params(model)), -(h @ model.c), rtol=0, atol=1e-12
    )
