"""Imputation methods by their CLI name.

Entries are ``"module:Class"`` strings imported on first use, so that
importing the registry does not import every method family.
"""

from __future__ import annotations

import importlib
import inspect
import os
from pathlib import Path

from ..errors import InputError
from .base import Imputer, read_saved_config

IMPUTERS: dict[str, str] = {
    "mean": "mixmiss.impute.mean:MeanImputer",
    "inpaint": "mixmiss.impute.inpaint:InpaintImputer",
    "misgan": "mixmiss.impute.misgan:MisGANImputer",
    "rbm": "mixmiss.rbm.imputer:ZeroedRBMImputer",
    "lm-rbm": "mixmiss.rbm.imputer:LMRBMImputer",
}


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
    accepted = inspect.signature(cls.__init__).parameters
    unknown = sorted(set(config) - set(accepted))
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        raise InputError(
            f"unknown setting(s) {', '.join(unknown)} for the {name} method; it takes "
            f"{', '.join(k for k in accepted if k != 'self')}."
        )
    return cls(**{**settings, **config})


def load_imputer(directory: str | os.PathLike) -> Imputer:
    """Load a saved imputer of whichever method saved it."""
    method = read_saved_config(Path(directory))["method"]
    return imputer_class(method).load(directory)
