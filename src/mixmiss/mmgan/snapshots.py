"""Snapshots of a run's generator every N steps, to follow a run over training.

The run's checkpoint (:mod:`.run`) keeps only the latest state. A run
trained with ``snapshot_every=N`` (:func:`mixmiss.mmgan.train`) also keeps
``snapshots/step-<step>.pt`` after every N-th step: the EMA generator (what
sampling and evaluation use) and omega, nothing to resume from. So one can
ask afterwards whether a property of the final model, such as a region's
component that never draws one of its classes
(:func:`mixmiss.mmgan.evaluation.coverage_trace`), was there from early on
or came and went.

Snapshots are kept by the shared :class:`mixmiss.training.snapshots.Snapshots`
(atomic writes, ``weights_only`` loads, the snapshots after a resumed
checkpoint deleted), so a resumed run ends with the snapshots of an
uninterrupted one.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..device import resolve_device
from ..errors import CacheError
from ..training.snapshots import SNAPSHOT_DIR, Snapshots, check_snapshot_every
from .model import MixedMembershipGAN
from .run import build_model, read_info

__all__ = [
    "SNAPSHOT_DIR",
    "check_snapshot_every",
    "discard_snapshots_after",
    "load_snapshot",
    "save_snapshot",
    "snapshot_path",
    "snapshot_steps",
]


def _snapshots(run_dir: str | os.PathLike) -> Snapshots:
    return Snapshots(Path(run_dir) / SNAPSHOT_DIR, "step")


def snapshot_path(run_dir: str | os.PathLike, step: int) -> Path:
    """``<run_dir>/snapshots/step-<step, 7 digits>.pt``."""
    return _snapshots(run_dir).path(step)


def snapshot_steps(run_dir: str | os.PathLike) -> list[int]:
    """The steps of the snapshots stored in ``run_dir``, ascending ([] when none)."""
    return _snapshots(run_dir).indices()


def save_snapshot(run_dir: str | os.PathLike, step: int, model: MixedMembershipGAN) -> Path:
    """Write the EMA generator and omega of ``model`` at ``step`` (atomically)."""
    state = {
        "generator_ema": model.generator_ema.state_dict(),
        "omega": model.omega.detach(),
        "config": model.config.to_dict(),
    }
    return _snapshots(run_dir).save(step, state)


def discard_snapshots_after(run_dir: str | os.PathLike, step: int) -> list[int]:
    """Delete the snapshots after ``step`` (and temporaries of a torn write); return their steps."""
    return _snapshots(run_dir).discard_after(step)


def load_snapshot(
    run_dir: str | os.PathLike, step: int, device: str | torch.device = "cpu"
) -> MixedMembershipGAN:
    """The model of ``run_dir`` with its EMA generator and omega as they were at ``step``.

    Only sampling is meaningful on it (the live generator, the critic and
    the optimisers are freshly initialised).
    """
    info = read_info(run_dir)
    torch_device = resolve_device(device)
    state = _snapshots(run_dir).load(step, map_location=torch_device)
    path = snapshot_path(run_dir, step)
    stored = {k: v for k, v in state.get("config", {}).items() if k != "iters"}
    wanted = {k: v for k, v in info.config.to_dict().items() if k != "iters"}
    if stored != wanted:
        raise CacheError(
            f"{path} was written by another run (its config differs from {run_dir}'s); "
            "delete the snapshots folder."
        )
    model = build_model(info, torch_device)
    model.generator_ema.load_state_dict(state["generator_ema"])
    with torch.no_grad():
        model.omega.copy_(state["omega"])
    return model.eval()
