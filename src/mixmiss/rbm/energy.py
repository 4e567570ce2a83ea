"""Energies of the RBM and of its observed part (LM-RBM paper, Sec. 3).

With ``o`` the observed indicator (the project's mask) and ``m = 1 - o``::

    E(v, h)      = -b^T v - v^T W h - c^T h
    E_o(v_o, h)  = -b_o^T v_o - v_o^T W_o h - c^T h - 1^T zeta(b_m + W_m h)
    Ê_o(v_o, h)  = -b_o^T v_o - v_o^T W_o h - (c + W_m^T sigma(b_m))^T h
                   - 1^T zeta(b_m)

``E_o`` is exact: summing ``exp(-E)`` over the missing units gives
``exp(-E_o)``. ``Ê_o`` is its first-order Taylor expansion about
``W_m h = 0``. The paper writes ``Ê_o`` without the last term, which does
not depend on ``v`` or ``h``: it cancels in every conditional distribution
and in the CD update. It is kept here so that ``Ê_o`` and ``E_o`` agree at
the expansion point. The energy of the method of [5] (Salakhutdinov et al.
2007) drops the missing units altogether: :func:`zeroed_observed_energy`.

All functions take rows ``v`` (N, n), ``h`` (N, m), ``observed`` (N, n) with
1 = observed, and return the N energies; missing entries of ``v`` are
ignored. They are plain differentiable torch expressions (for tests and
diagnostics; training never evaluates an energy).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .mask import missing_indicator


def energy(v, h, b, c, W) -> torch.Tensor:
    """``E(v, h) = -b^T v - v^T W h - c^T h``; (N,)."""
    return -(v @ b) - ((v @ W) * h).sum(dim=1) - h @ c


def zeroed_observed_energy(v, h, observed, b, c, W) -> torch.Tensor:
    """The energy of [5]: the missing units and their parameters removed,
    ``-b_o^T v_o - v_o^T W_o h - c^T h``; (N,)."""
    v_o = v * observed
    return -(v_o @ b) - ((v_o @ W) * h).sum(dim=1) - h @ c


def observed_energy(v, h, observed, b, c, W) -> torch.Tensor:
    """The exact observed energy ``E_o`` (softplus form); (N,)."""
    m = missing_indicator(observed)
    missing_term = (m * F.softplus(b + h @ W.T)).sum(dim=1)  # 1^T zeta(b_m + W_m h)
    return zeroed_observed_energy(v, h, observed, b, c, W) - missing_term


def linearised_observed_energy(v, h, observed, b, c, W) -> torch.Tensor:
    """``Ê_o``: ``E_o`` linearised about ``W_m h = 0`` (constant term kept); (N,)."""
    m = missing_indicator(observed)
    tilt = ((m * torch.sigmoid(b)) @ W * h).sum(dim=1)  # sigma(b_m)^T W_m h
    constant = (m * F.softplus(b)).sum(dim=1)  # 1^T zeta(b_m)
    return zeroed_observed_energy(v, h, observed, b, c, W) - tilt - constant
