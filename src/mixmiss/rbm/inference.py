"""Imputation and hidden features of a trained RBM (LM-RBM paper, Sec. 3).

"Imputation is performed by conditionally sampling hidden layer activations
under Ê_o and then conditionally sampling a reconstruction of the visible
layer under E": the hidden units follow the observed-energy conditional

    P(h = 1 | v_o) = sigma((v_o + b_m) W + c),  b_m = sigma(b) * m  ("lm")
                                                b_m = 0             ("zeroed", [5])

and the visible units the full-energy conditional ``P(v = 1 | h) =
sigma(W h + b)``. The missing entries are then read off the visible layer;
the observed ones are returned unchanged. ``hidden="sample"`` (the paper's
text) or ``"mean"`` (the probabilities, mean-field: the read-out that matches
the paper's Table 1, and the default of the ``rbm`` / ``lm-rbm`` imputers, see
:mod:`mixmiss.rbm.imputer`) for the first step,
``visible="mean"`` (the probabilities, the default: they minimise the squared
error for a given ``h``) or ``"sample"`` (binary) for the second, and
``n_samples`` reconstructions averaged.
"""

from __future__ import annotations

import torch

from ..errors import InputError
from ..validation import check_positive_int
from .cd import check_method, sample_bernoulli_
from .mask import missing_indicator
from .model import RBM

HIDDEN_MODES = ("sample", "mean")
VISIBLE_MODES = ("mean", "sample")
_CHUNK = 2048  # rows per block: bounds memory at about 2048 x m floats


def check_mode(value: str, choices: tuple[str, ...], name: str) -> str:
    if value not in choices:
        raise InputError(f"{name} must be one of {choices}, got {value!r}.")
    return value


def hidden_probability(
    model: RBM, v_obs: torch.Tensor, observed: torch.Tensor, method: str
) -> torch.Tensor:
    """``P(h = 1 | v_o)`` under the method's observed energy; (N, m).

    Parameters
    ----------
    v_obs : tensor (N, n), missing entries zeroed
    observed : tensor (N, n), 1 = observed
    method : {"lm", "zeroed"}
    """
    x = v_obs
    if check_method(method) == "lm":
        x = v_obs + missing_indicator(observed) * torch.sigmoid(model.b)
    return model.hidden_input(x).sigmoid_()


def impute(
    model: RBM,
    v_obs: torch.Tensor,
    observed: torch.Tensor,
    method: str,
    *,
    hidden: str = "sample",
    visible: str = "mean",
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Fill the missing entries of ``v_obs`` (N, n); observed entries are kept.

    Parameters
    ----------
    model : RBM
    v_obs : tensor (N, n) in [0, 1], missing entries zeroed
    observed : tensor (N, n), 1 = observed
    method : {"lm", "zeroed"}
        Which observed energy the hidden layer is sampled under.
    hidden : {"sample", "mean"}
    visible : {"mean", "sample"}
    n_samples : int
        Number of reconstructions averaged.
    generator : torch.Generator, optional

    Returns
    -------
    tensor (N, n)
    """
    check_mode(hidden, HIDDEN_MODES, "hidden")
    check_mode(visible, VISIBLE_MODES, "visible")
    n_samples = check_positive_int(n_samples, "n_samples")
    out = torch.empty_like(v_obs)
    for start in range(0, v_obs.shape[0], _CHUNK):
        rows = slice(start, start + _CHUNK)
        p_h = hidden_probability(model, v_obs[rows], observed[rows], method)
        total = torch.zeros_like(v_obs[rows])
        for _ in range(n_samples):
            h = p_h.clone()
            if hidden == "sample":
                sample_bernoulli_(h, torch.empty_like(h), generator)
            v = model.visible_input(h).sigmoid_()
            if visible == "sample":
                sample_bernoulli_(v, torch.empty_like(v), generator)
            total += v
        total /= n_samples
        out[rows] = torch.where(observed[rows].bool(), v_obs[rows], total)
    return out


def draw_missing(
    model: RBM,
    v_obs: torch.Tensor,
    observed: torch.Tensor,
    method: str,
    bernoulli: torch.Tensor,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One draw of the missing entries from the model; observed entries are kept.

    ``h ~ P(h | v_o)`` under the method's observed energy, then
    ``v ~ P(v | h) = Bernoulli(sigma(W h + b))`` for the units where
    ``bernoulli`` is true and ``sigma(W h + b)`` for the others (units whose
    values are grey levels rather than bits). Calls with different generator
    states give multiple imputations.

    Parameters
    ----------
    model : RBM
    v_obs : tensor (N, n) in [0, 1], missing entries zeroed
    observed : tensor (N, n), 1 = observed
    method : {"lm", "zeroed"}
    bernoulli : bool tensor (n,)
        Units read out as binary draws.
    generator : torch.Generator, optional

    Returns
    -------
    tensor (N, n)
    """
    out = torch.empty_like(v_obs)
    for start in range(0, v_obs.shape[0], _CHUNK):
        rows = slice(start, start + _CHUNK)
        h = hidden_probability(model, v_obs[rows], observed[rows], method)
        sample_bernoulli_(h, torch.empty_like(h), generator)
        p_v = model.visible_input(h).sigmoid_()
        v = sample_bernoulli_(p_v.clone(), torch.empty_like(p_v), generator)
        v = torch.where(bernoulli, v, p_v)
        out[rows] = torch.where(observed[rows].bool(), v_obs[rows], v)
    return out


def reconstruction_error(
    model: RBM, v_obs: torch.Tensor, observed: torch.Tensor, method: str
) -> torch.Tensor:
    """Mean squared error over observed entries of the mean-field reconstruction
    ``sigma(W P(h | v_o) + b)``; a 0-d tensor (no host sync), for monitoring."""
    p_v = model.visible_input(hidden_probability(model, v_obs, observed, method)).sigmoid_()
    return ((p_v - v_obs) ** 2 * observed).sum() / observed.sum().clamp_min(1.0)
