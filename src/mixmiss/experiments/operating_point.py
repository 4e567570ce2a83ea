"""Choose a stochastic imputer's read-out without ground truth: held-out observed pixels.

The LM-RBM paper proposes it as the adaptation of its perception-distortion
trade-off to real data, where no missing pixel's true value is known. Hold
out a random ``fraction`` of each image's OBSERVED pixels (each observed
pixel independently, so an image keeps about ``1 - fraction`` of them),
impute the images with those pixels hidden too, and score every read-out
(:data:`~mixmiss.impute.Imputer.READOUTS`) on them:

    score(r) = RMSE_ho(r) / min_r RMSE_ho  +  weight * FID(r) / min_r FID

``RMSE_ho`` is the paper's per-image RMSE over the held-out pixels, ``FID``
(only with ``weight > 0``) a caller's FID of the completed images; both
divided by their best so the weight is unit-free. The read-out of least
score is chosen (``weight = 0``: least held-out RMSE).

:func:`select_readout` zeroes the missing pixels of its input before
anything else, so a missing pixel's true value never reaches the choice (a
test poisons them). The held-out images see fewer observed pixels than at
use, so held-out errors run a little higher than the true ones; what matters
is their ranking. :func:`select_on_run` applies it to a trained run's test
set and, beside the choice, reports each read-out's true RMSE (the protocol
knows the missing pixels) and the chosen one's gap to the best.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import torch

from ..atomic import atomic_write_json
from ..context import DEFAULT_CONTEXT, Context
from ..errors import InputError
from ..impute import Imputer
from ..metrics import rmse_missing
from ..registry import load_imputer
from ..rng import make_generator
from ..validation import check_images, check_mask

#: The fraction of observed pixels held out by default.
HOLDOUT_FRACTION = 0.1


def hold_out(
    mask, fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Split the observed pixels of ``mask``: (still observed, held out), both 0/1 floats."""
    if not 0.0 < float(fraction) < 1.0:
        raise InputError(f"the held-out fraction must be in (0, 1), got {fraction!r}.")
    observed = mask.bool()
    held = observed & (torch.rand(mask.shape, generator=generator) < fraction)
    return (observed & ~held).float(), held.float()


def select_readout(
    imputer: Imputer,
    x,
    mask,
    readouts: Sequence[str] | None = None,
    fraction: float = HOLDOUT_FRACTION,
    seed: int = 0,
    weight: float = 0.0,
    fid: Callable[[torch.Tensor], float] | None = None,
) -> dict:
    """The read-out of least held-out score (see the module docstring).

    Parameters
    ----------
    imputer : Imputer
        A fitted stochastic imputer (one with :data:`~mixmiss.impute.Imputer.READOUTS`).
    x, mask : tensors (N, C, H, W)
        Images and their masks (1 = observed); missing values are never read.
    readouts : list of str, optional
        The candidates (default: every read-out of the method).
    fraction : float
        Share of each image's observed pixels held out.
    seed : int
        Seeds which pixels are held out.
    weight : float
        Weight of the FID term (0: held-out RMSE only); needs ``fid``.
    fid : callable, optional
        ``fid(completed images) -> float``.

    Returns
    -------
    dict with ``chosen``, ``fraction``, ``weight``, ``seed`` and ``scores``
    (per read-out: ``heldout_rmse``, ``fid``, ``score``).
    """
    x = torch.as_tensor(x, dtype=torch.float32)
    mask = check_mask(mask, x)
    x_obs = torch.where(mask.bool(), x, 0.0)
    x_obs = check_images(x_obs, "x")  # from here on no missing value exists
    if not float(weight) >= 0:
        raise InputError(f"weight must be a non-negative number, got {weight!r}.")
    if weight > 0 and fid is None:
        raise InputError("a weight on the FID needs an fid function (or weight 0).")
    names = list(readouts) if readouts is not None else list(imputer.READOUTS)
    if not names:
        raise InputError(
            f"the {imputer.method!r} imputer has a single read-out: nothing to choose."
        )
    fit_mask, held = hold_out(mask, fraction, make_generator(seed))
    scores = {}
    for name in names:
        completed = imputer.readout(name).impute(x_obs, fit_mask)
        scores[name] = {
            "heldout_rmse": rmse_missing(completed, x_obs, 1.0 - held),  # error on held pixels
            "fid": fid(completed) if weight > 0 else None,
        }
    best_rmse = min(s["heldout_rmse"] for s in scores.values())
    best_fid = min(s["fid"] for s in scores.values()) if weight > 0 else None
    for s in scores.values():
        s["score"] = s["heldout_rmse"] / best_rmse + (
            weight * s["fid"] / best_fid if weight > 0 else 0.0
        )
    chosen = min(names, key=lambda n: scores[n]["score"])
    return {"chosen": chosen, "fraction": fraction, "weight": weight, "seed": seed,
            "scores": scores}  # fmt: skip


def select_on_run(
    directory: str | os.PathLike,
    seed: int = 0,
    max_test: int = 10_000,
    fraction: float = HOLDOUT_FRACTION,
    weight: float = 0.0,
    context: Context = DEFAULT_CONTEXT,
) -> dict:
    """:func:`select_readout` on a trained run's masked test set ``seed``, with each read-out's
    true RMSE beside it; written to ``select-seed<seed>.json`` in the run directory."""
    from ..evaluators import fid_score, get_lenet
    from .imputation import masked_split, read_run

    directory = Path(directory)
    run = read_run(directory)
    imputer = load_imputer(directory)
    test = masked_split(run["dataset"], "test", run["mechanism"], run["rate"], seed, max_test,
                        context.data_dir)  # fmt: skip
    fid = None
    if weight > 0:
        lenet = get_lenet(run["dataset"], context.data_dir, context.cache_dir,
                          device=context.device, progress=context.progress)  # fmt: skip

        def fid(images):
            return fid_score(images, lenet, context.data_dir, context.cache_dir)

    choice = select_readout(imputer, test.images, test.mask, fraction=fraction, seed=seed,
                            weight=weight, fid=fid)  # fmt: skip
    # only now, after the choice, the missing pixels' true values: how good was it?
    for name, score in choice["scores"].items():
        completed = imputer.readout(name).impute(test.images, test.mask)
        score["true_rmse"] = rmse_missing(completed, test.images, test.mask)
    best = min(choice["scores"], key=lambda n: choice["scores"][n]["true_rmse"])
    choice["best_true"] = best
    choice["gap"] = (
        choice["scores"][choice["chosen"]]["true_rmse"] - choice["scores"][best]["true_rmse"]
    )
    choice.update({"method": run["method"], "mechanism": run["mechanism"], "rate": run["rate"],
                   "n_test": int(test.images.shape[0])})  # fmt: skip
    atomic_write_json(directory / f"select-seed{seed}.json", choice)
    return choice
