"""Snapshots of a run's generator every N steps, to follow a run over training.

The run's checkpoint (:mod:`.run`) keeps only the latest state. A run
trained with ``snapshot_every=N`` (:func:`mixmiss.mmgan.train`) also keeps
``snapshots/step-<step>.pt`` after every N-th step: the EMA generator (what
sampling and evaluation use) and omega, nothing to resume from. So one can
ask afterwards whether a property of the final model, such as a region's
component that never draws one of its classes
(:func:`mixmiss.mmgan.evaluation.coverage_trace`), was there from early on
or came and went.

Snapshots are written atomically and loaded with ``weights_only=True``. A
resume from the checkpoint at step s deletes the snapshots after s (written
by the stretch of training that the kill threw away), so a resumed run ends
with the snapshots of an uninterrupted one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import torch

from ..atomic import atomic_torch_save, load_checkpoint
from ..device import resolve_device
from ..errors import CacheError, InputError
from .model import MixedMembershipGAN
from .run import build_model, read_info

SNAPSHOT_DIR = "snapshots"
_NAME = re.compile(r"step-(\d+)\.pt")


def check_snapshot_every(value) -> int | None:
    """``snapshot_every``: None (no snapshots) or a positive whole number of steps."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(
            f"snapshot_every must be a positive number of steps or None, got {value!r}."
        )
    return value


def snapshot_path(run_dir: str | os.PathLike, step: int) -> Path:
    """``<run_dir>/snapshots/step-<step, 7 digits>.pt``."""
    return Path(run_dir) / SNAPSHOT_DIR / f"step-{step:07d}.pt"


def snapshot_steps(run_dir: str | os.PathLike) -> list[int]:
    """The steps of the snapshots stored in ``run_dir``, ascending ([] when none)."""
    folder = Path(run_dir) / SNAPSHOT_DIR
    if not folder.is_dir():
        return []
    found = (_NAME.fullmatch(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def save_snapshot(run_dir: str | os.PathLike, step: int, model: MixedMembershipGAN) -> Path:
    """Write the EMA generator and omega of ``model`` at ``step`` (atomically)."""
    state = {
        "step": int(step),
        "generator_ema": model.generator_ema.state_dict(),
        "omega": model.omega.detach(),
        "config": model.config.to_dict(),
    }
    return atomic_torch_save(snapshot_path(run_dir, step), state)


def discard_snapshots_after(run_dir: str | os.PathLike, step: int) -> list[int]:
    """Delete the snapshots after ``step`` (and temporaries of a torn write); return their steps."""
    folder = Path(run_dir) / SNAPSHOT_DIR
    for stale in folder.glob(".step-*.tmp") if folder.is_dir() else ():
        stale.unlink(missing_ok=True)
    later = [s for s in snapshot_steps(run_dir) if s > step]
    for s in later:
        snapshot_path(run_dir, s).unlink(missing_ok=True)
    return later


def load_snapshot(
    run_dir: str | os.PathLike, step: int, device: str | torch.device = "cpu"
) -> MixedMembershipGAN:
    """The model of ``run_dir`` with its EMA generator and omega as they were at ``step``.

    Only sampling is meaningful on it (the live generator, the critic and
    the optimisers are freshly initialised).
    """
    path = snapshot_path(run_dir, step)
    if not path.is_file():
        stored = snapshot_steps(run_dir)
        raise CacheError(
            f"{run_dir} holds no snapshot of step {step} (stored: {stored or 'none'}); train "
            "with snapshot_every to keep them."
        )
    info = read_info(run_dir)
    torch_device = resolve_device(device)
    state = load_checkpoint(path, map_location=torch_device)
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
