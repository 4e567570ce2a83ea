"""One checkpoint file per run: atomic writes, ``weights_only`` loads, one compatibility check.

A checkpoint is a dict of tensors, numbers and plain containers holding the
run's ``config`` (its JSON-able settings) beside whatever the model's
trainer stores (weights, optimisers, RNG states, position). It is written
through :func:`mixmiss.atomic.atomic_torch_save`, so a kill during the
write leaves the previous checkpoint intact, and loaded with
``weights_only=True``, so a checkpoint from an untrusted source cannot run
code. Resuming with settings other than the stored ones is refused, except
for the few a resume may change (typically the number of epochs or steps).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ..atomic import atomic_torch_save, clear_temporaries, load_checkpoint
from ..errors import CacheError, InputError


@dataclass(frozen=True)
class Checkpoint:
    """The checkpoint file of one run.

    Attributes
    ----------
    path : Path
    config : dict
        The run's settings, stored in every checkpoint and compared on load.
    may_change : tuple of str
        Settings a resume may change (e.g. ``("epochs",)`` to extend a run).
    owns_directory : bool
        The checkpoint's directory belongs to this run alone (a run directory), so a load,
        which starts a resume, removes every temporary a killed write left there (of the
        checkpoint, a log, a record). False for a directory other runs write into at the
        same time (a shared cache): only the checkpoint's own temporaries are removed.
    """

    path: Path
    config: dict
    may_change: tuple[str, ...] = ()
    owns_directory: bool = False

    def __init__(
        self,
        path: str | os.PathLike,
        config: dict,
        may_change: Iterable[str] = (),
        *,
        owns_directory: bool = False,
    ):
        object.__setattr__(self, "path", Path(path))
        object.__setattr__(self, "config", dict(config))
        object.__setattr__(self, "may_change", tuple(may_change))
        object.__setattr__(self, "owns_directory", bool(owns_directory))

    def exists(self) -> bool:
        return self.path.is_file()

    def save(self, state: dict[str, Any]) -> Path:
        """Write ``state`` (and the config) atomically."""
        clear_temporaries(self.path.parent, self.path.name)
        return atomic_torch_save(self.path, {**state, "config": self.config})

    def load(self, map_location: str | torch.device = "cpu") -> dict[str, Any]:
        """The stored state, after checking that it was written with the same settings."""
        clear_temporaries(self.path.parent, "*" if self.owns_directory else self.path.name)
        state = load_checkpoint(self.path, map_location=map_location)
        if not isinstance(state, dict) or not isinstance(state.get("config"), dict):
            raise CacheError(
                f"{self.path} is not a mixmiss training checkpoint (it stores no settings); "
                "delete it, or train into another directory."
            )
        check_same_settings(state["config"], self.config, self.may_change, self.path)
        return state


def check_same_settings(
    stored: dict, wanted: dict, may_change: Iterable[str], where: str | os.PathLike
) -> None:
    """Raise :class:`InputError` naming each setting (except ``may_change``) that differs."""
    free = set(may_change)
    keys = sorted((set(stored) | set(wanted)) - free)
    differ = [k for k in keys if stored.get(k) != wanted.get(k)]
    if differ:
        detail = ", ".join(f"{k}: {stored.get(k)!r} stored, {wanted.get(k)!r} now" for k in differ)
        raise InputError(
            f"cannot resume from {where}: it was written with other settings ({detail}); "
            "resume with the same settings, or train into another directory."
        )
