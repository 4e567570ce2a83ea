"""Snapshots of a run every N steps or epochs, to follow a run over training.

A run's checkpoint (:mod:`.checkpoint`) keeps only its latest state. A run
that keeps snapshots also writes ``<folder>/<unit>-<index>.pt`` after every
N-th step (MMGAN: the EMA generator) or epoch (MisGAN: the imputer network;
the RBMs: the model and lambda):
what evaluation needs, nothing to resume from. So one can ask afterwards how
a measure of the model moved over training.

Snapshots are written atomically (a kill mid-write leaves a ``.tmp`` file,
never a torn snapshot) and loaded with ``weights_only=True``. A resume from
the checkpoint at index s calls :meth:`Snapshots.discard_after` (s): the
snapshots after s were written by the stretch of training that the kill
threw away, and the resumed run writes them again, so it ends with the
snapshots of an uninterrupted run.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_torch_save, clear_temporaries, load_checkpoint
from ..errors import CacheError, InputError
from .checkpoint import check_same_settings

SNAPSHOT_DIR = "snapshots"


def check_snapshot_every(value, unit: str = "steps", name: str = "snapshot_every") -> int | None:
    """None (no snapshots) or a positive whole number of ``unit``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{name} must be a positive number of {unit} or None, got {value!r}.")
    return value


@dataclass(frozen=True)
class Snapshots:
    """The snapshots of one run: ``<folder>/<unit>-<index, 7 digits>.pt``.

    Attributes
    ----------
    folder : Path
        Usually ``<run directory>/snapshots``.
    unit : str
        What the index counts (``"step"``, ``"epoch"``); names the files.
    """

    folder: Path
    unit: str = "step"

    def __init__(self, folder: str | os.PathLike, unit: str = "step"):
        object.__setattr__(self, "folder", Path(folder))
        object.__setattr__(self, "unit", unit)

    def path(self, index: int) -> Path:
        return self.folder / f"{self.unit}-{int(index):07d}.pt"

    def indices(self) -> list[int]:
        """The indices of the stored snapshots, ascending ([] when none)."""
        if not self.folder.is_dir():
            return []
        pattern = re.compile(rf"{re.escape(self.unit)}-(\d+)\.pt")
        found = (pattern.fullmatch(p.name) for p in self.folder.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def save(self, index: int, state: dict[str, Any]) -> Path:
        """Write ``state`` (tensors and plain containers) as the snapshot at ``index``."""
        return atomic_torch_save(self.path(index), {**state, self.unit: int(index)})

    def discard_after(self, index: int) -> list[int]:
        """Delete the snapshots after ``index`` and temporaries of a torn write; return their
        indices."""
        clear_temporaries(self.folder, f"{self.unit}-*")
        later = [i for i in self.indices() if i > index]
        for i in later:
            self.path(i).unlink(missing_ok=True)
        return later

    def load(self, index: int, map_location: str | torch.device = "cpu") -> dict[str, Any]:
        """The stored state at ``index``; a clear error when there is none."""
        path = self.path(index)
        if not path.is_file():
            stored = self.indices()
            raise CacheError(
                f"{self.folder.parent} holds no snapshot of {self.unit} {index} (stored: "
                f"{stored or 'none'}); train with snapshots every N {self.unit}s to keep them."
            )
        return load_checkpoint(path, map_location=map_location)


def epoch_snapshots(checkpoint_dir: str | os.PathLike) -> Snapshots:
    """The per-epoch snapshots a run keeps in ``checkpoint_dir`` (MisGAN, the RBMs)."""
    return Snapshots(Path(checkpoint_dir) / SNAPSHOT_DIR, "epoch")


def snapshot_epochs(checkpoint_dir: str | os.PathLike) -> list[int]:
    """The epochs of the snapshots stored in ``checkpoint_dir``, ascending ([] when none)."""
    return epoch_snapshots(checkpoint_dir).indices()


def load_epoch_snapshot(
    checkpoint_dir: str | os.PathLike, epoch: int, settings: dict, may_change, what: str
) -> dict[str, Any]:
    """The snapshot of ``epoch`` in ``checkpoint_dir``, refused (:class:`CacheError`) unless
    its ``"config"`` equals ``settings`` but for ``may_change``; ``what`` names the model."""
    snapshots = epoch_snapshots(checkpoint_dir)
    state = snapshots.load(epoch)
    try:
        check_same_settings(state["config"], settings, may_change, snapshots.path(epoch))
    except (InputError, KeyError, TypeError) as exc:  # other settings, or a foreign file
        raise CacheError(
            f"{snapshots.path(epoch)} is not a snapshot of this {what} ({exc}); "
            "delete the snapshots folder or evaluate with the run's own settings."
        ) from exc
    return state
