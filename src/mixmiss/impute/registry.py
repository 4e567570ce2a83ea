"""Imputation methods by their CLI name.

Entries are ``"module:Class"`` strings imported on first use, so that
importing the registry does not import every method family.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from ..errors import InputError
from .base import Imputer, read_saved_config

IMPUTERS: dict[str, str] = {}
IMPUTERS["rbm"] = "mixmiss.rbm.imputer:ZeroedRBMImputer"
IMPUTERS["lm-rbm"] = "mixmiss.rbm.imputer:LMRBMImputer"


def imputer_class(name: str) -> type[Imputer]:
    """The class registered as ``name``; a clear error for unknown names."""
    try:
        target = IMPUTERS[name]
    except KeyError:
        raise InputError(
            f"unknown imputation method {name!r}; choose one of {', '.join(IMPUTERS)}."
        ) from None
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def make_imputer(name: str, preset: str | None = None, **config) -> Imputer:
    """A new, unfitted imputer of method ``name``: the ``preset``'s settings
    (``smoke``, ``quick`` or ``paper``), overridden by ``config``."""
    cls = imputer_class(name)
    settings = {}
    if preset is not None:
        if preset not in cls.PRESETS:
            raise InputError(
                f"unknown preset {preset!r} for {name}; choose one of {', '.join(cls.PRESETS)}."
            )
        settings = dict(cls.PRESETS[preset])
    return cls(**{**settings, **config})


def load_imputer(directory: str | os.PathLike) -> Imputer:
    """Load a saved imputer of whichever method saved it."""
    method = read_saved_config(Path(directory))["method"]
    return imputer_class(method).load(directory)
