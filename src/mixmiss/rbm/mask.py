"""The one place where the project's mask convention meets Algorithm 1's.

The project's masks (``mixmiss.data.make_mask``) mark an OBSERVED pixel with 1;
Algorithm 1 of the LM-RBM paper writes ``m`` for the MISSING indicator
(``m = 1`` where a unit is missing). Every function of :mod:`mixmiss.rbm`
takes the project's ``observed`` mask and converts it here, so the two
conventions never meet anywhere else.
"""

from __future__ import annotations

import torch


def missing_indicator(observed: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """Algorithm 1's ``m`` (1 = missing) from the project's mask (1 = observed).

    Parameters
    ----------
    observed : tensor (N, n) or any shape, values 0 / 1 (or bool), 1 = observed
    out : float tensor of the same shape, optional
        Where to write ``m`` (a preallocated buffer in the training loop).

    Returns
    -------
    m : float tensor, same shape, ``m = 1 - observed``
    """
    if observed.dtype == torch.bool:
        observed = observed.to(torch.get_default_dtype() if out is None else out.dtype)
    return torch.sub(1.0, observed, out=out) if out is not None else 1.0 - observed


def observation_probability(observed: torch.Tensor) -> torch.Tensor:
    """Algorithm 1's ``lambda``: per-unit probability of being observed, (n,).

    Parameters
    ----------
    observed : tensor (N, n), 1 = observed
    """
    return observed.to(torch.float32).mean(dim=0)


def expected_observed_units(observed: torch.Tensor) -> int:
    """The paper's rank rule of thumb: the expected number of observed visible
    units in the training data, ``round(sum(lambda))`` (at least 1)."""
    return max(1, round(float(observed.to(torch.float64).sum(dim=1).mean())))
