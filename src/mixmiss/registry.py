"""Imputation methods by their CLI name: the one place that knows every family.

It sits above the method families it names (:mod:`mixmiss.impute` for the
untrained baselines, :mod:`mixmiss.rbm`, :mod:`mixmiss.misgan`), so every
import in mixmiss points down: the families know only the shared
:class:`~mixmiss.impute.Imputer` interface, never the registry.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

from .errors import InputError
from .impute import Imputer, read_saved_config
from .impute.inpaint import InpaintImputer
from .impute.mean import MeanImputer
from .misgan import MisGANImputer
from .rbm.imputer import LMRBMImputer, ZeroedRBMImputer

IMPUTERS: dict[str, type[Imputer]] = {
    cls.method: cls
    for cls in (MeanImputer, InpaintImputer, MisGANImputer, ZeroedRBMImputer, LMRBMImputer)
}


def imputer_class(name: str) -> type[Imputer]:
    """The class registered as ``name``; a clear error for unknown names."""
    try:
        return IMPUTERS[name]
    except KeyError:
        raise InputError(
            f"unknown imputation method {name!r}; choose one of {', '.join(IMPUTERS)}."
        ) from None


def make_imputer(name: str, preset: str | None = None, **config) -> Imputer:
    """A new, unfitted imputer of method ``name``: the ``preset``'s settings
    (``smoke``, ``quick`` or ``paper``), overridden by ``config``."""
    cls = imputer_class(name)
    settings = {} if preset is None else dict(cls.PRESETS[preset])
    accepted = inspect.signature(cls.__init__).parameters
    unknown = sorted(set(config) - set(accepted))
    if unknown and not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        raise InputError(
            f"unknown setting(s) {', '.join(unknown)} for the {name} method; it takes "
            f"{', '.join(k for k in accepted if k != 'self')}."
        )
    return cls(**{**settings, **config})


def load_imputer(directory: str | os.PathLike, device: str | None = None) -> Imputer:
    """Load a saved imputer of whichever method saved it (on ``device`` if given)."""
    method = read_saved_config(Path(directory))["method"]
    return imputer_class(method).load(directory, device)
