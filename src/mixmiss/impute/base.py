"""The one interface every imputation method shares.

An imputer is fitted on masked training images and completes masked images:

- ``fit(x, mask)``: ``x`` (N, 1, H, W) in [0, 1], ``mask`` the same shape with
  1 = observed. The method never sees a missing pixel's true value: the base
  class zeroes missing pixels before the subclass is called.
- ``impute(x, mask)``: completed images in which observed pixels are exactly
  the inputs (the base class writes them back after the subclass fills in).
- ``save(directory)`` / ``Imputer.load(directory)``: ``imputer.json``
  (method name, configuration, mixmiss version) and ``state.pt`` (tensors,
  loaded with ``weights_only=True``), both written atomically.

Subclasses implement ``_fit``, ``_complete``, ``get_config`` (the keyword
arguments of ``__init__``), ``state_dict`` and ``load_state_dict``. Iterative
methods checkpoint into ``checkpoint_dir`` during ``fit`` and continue from
it when ``resume`` is set; those that keep per-epoch snapshots of their
model (``snapshot_every``) load one with ``from_snapshot``. ``impute`` on an
unfitted imputer is an error (:meth:`Imputer._require_fitted`). An image
with no observed pixel is not an error: each method completes it from what
it learned in ``fit``.
"""

from __future__ import annotations

import abc
import json
import os
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch

from .. import __version__
from ..atomic import atomic_torch_save, atomic_write_json, load_checkpoint
from ..errors import CacheError, InputError
from ..presets import Presets
from ..validation import check_images, check_mask

CONFIG_FILE = "imputer.json"
STATE_FILE = "state.pt"


class Imputer(abc.ABC):
    """Base class of the imputation methods (see the module docstring)."""

    #: The registry / CLI name of the method.
    method: ClassVar[str]

    #: The (H, W) of the only images the method takes (None: any size).
    image_shape: ClassVar[tuple[int, int] | None] = None

    #: How the method completes colour (RGB) images: "joint", "per-channel", or None for
    #: grayscale only (:mod:`mixmiss.impute.colour`).
    colour: ClassVar[str | None] = None

    #: Keyword arguments of ``__init__`` for each preset (:mod:`mixmiss.presets`).
    #: Methods without settings keep them empty.
    PRESETS: ClassVar[Presets] = Presets("a method without settings")

    #: The read-outs of a stochastic method, from the perception end (a sample) to the
    #: distortion end (a mean), its default among them: name -> keyword arguments of
    #: :meth:`with_readout`. Methods with a single read-out have none.
    READOUTS: ClassVar[dict[str, dict]] = {}

    #: The name in :data:`READOUTS` of what :meth:`impute` does by default.
    DEFAULT_READOUT: ClassVar[str | None] = None

    #: The read-outs the protocol scores beside the default one when not told otherwise
    #: (each costs an imputation of the training set): a small subset of :data:`READOUTS`.
    SCORED_READOUTS: ClassVar[tuple[str, ...]] = ()

    def with_readout(self, **modes) -> Imputer:
        """A copy that imputes with another read-out (:data:`READOUTS`), sharing the
        trained model; methods with a single read-out have none."""
        raise InputError(f"the {self.method!r} imputer has a single read-out.")

    def readout(self, name: str | None = None, k: int | None = None) -> Imputer:
        """The read-out ``name`` (default: this one), averaging ``k`` reconstructions when
        given; ``self`` when neither is given."""
        if name is None and k is None:
            return self
        if not self.READOUTS:
            raise InputError(f"the {self.method!r} imputer has a single read-out.")
        if name is not None and name not in self.READOUTS:
            raise InputError(
                f"unknown read-out {name!r} of {self.method!r}; choose one of "
                f"{', '.join(self.READOUTS)}."
            )
        modes = dict(self.READOUTS[name]) if name is not None else {}
        if k is not None:
            modes["n_samples"] = k
        return self.with_readout(**modes)

    def from_snapshot(self, checkpoint_dir: str | os.PathLike, epoch: int) -> Imputer:
        """A copy of this imputer (the run's settings) holding the model of the snapshot
        of ``epoch`` that a training with ``snapshot_every`` kept in ``checkpoint_dir``;
        methods that keep no snapshots have none."""
        raise InputError(
            f"the {self.method!r} imputer keeps no snapshots; a learning curve needs an "
            "iterative method that does (misgan, rbm, lm-rbm)."
        )

    # -- what subclasses provide -------------------------------------------------
    @abc.abstractmethod
    def _fit(
        self,
        x_obs: torch.Tensor,
        mask: torch.Tensor,
        checkpoint_dir: Path | None,
        resume: bool,
        progress: bool,
    ) -> None:
        """Learn from ``x_obs`` (missing pixels zeroed) and ``mask``."""

    @abc.abstractmethod
    def _complete(self, x_obs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Return images with every pixel filled in (observed ones are restored afterwards)."""

    @abc.abstractmethod
    def get_config(self) -> dict:
        """The JSON-able keyword arguments that rebuild this imputer."""

    def state_dict(self) -> dict[str, torch.Tensor]:
        """Learned tensors (empty for methods that learn nothing)."""
        return {}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        """Restore what :meth:`state_dict` returned (nothing, unless overridden)."""
        if state:
            raise CacheError(f"a {self.method!r} imputer stores no tensors, got {sorted(state)}.")

    def hidden_features(self, x, mask) -> torch.Tensor | None:
        """Per-image features for the downstream classifier, if the method has them
        (the RBMs' hidden activations); ``None`` otherwise."""
        return None

    # -- the shared contract ------------------------------------------------------
    @staticmethod
    def _checked(x, mask) -> tuple[torch.Tensor, torch.Tensor]:
        x = check_images(x, "x")
        if isinstance(mask, torch.Tensor | np.ndarray) and not _is_mask_dtype(mask.dtype):
            raise InputError(
                f"mask has dtype {mask.dtype}; pass a bool, integer or floating-point mask "
                "with 1 = observed and 0 = missing."
            )
        mask = check_mask(mask, x)
        return x * mask, mask

    def _require_fitted(self, fitted: bool) -> None:
        """Raise a clear error when :meth:`impute` is called before :meth:`fit`."""
        if not fitted:
            raise InputError(
                f"this {self.method!r} imputer is not fitted yet: call fit(x, mask) first, "
                "or load a saved one with mixmiss.impute.load_imputer(directory)."
            )

    def fit(
        self,
        x,
        mask,
        *,
        checkpoint_dir: str | os.PathLike | None = None,
        resume: bool = False,
        progress: bool = True,
    ) -> Imputer:
        """Fit on masked training images; returns ``self``."""
        x_obs, mask = self._checked(x, mask)
        directory = None if checkpoint_dir is None else Path(checkpoint_dir)
        self._fit(x_obs, mask, directory, resume, progress)
        return self

    def impute(self, x, mask) -> torch.Tensor:
        """Complete ``x`` where ``mask`` is 0; observed pixels are returned unchanged."""
        x_obs, mask = self._checked(x, mask)
        completed = self._complete(x_obs, mask).to(x_obs.dtype)
        return torch.where(mask.bool(), x_obs, completed.clamp(0.0, 1.0))

    def save(self, directory: str | os.PathLike) -> Path:
        """Write ``imputer.json`` and ``state.pt`` into ``directory`` (atomically)."""
        directory = Path(directory)
        atomic_torch_save(directory / STATE_FILE, self.state_dict())
        atomic_write_json(
            directory / CONFIG_FILE,
            {"method": self.method, "config": self.get_config(), "mixmiss": __version__},
        )
        return directory

    @classmethod
    def load(cls, directory: str | os.PathLike, device: str | None = None) -> Imputer:
        """Rebuild a saved imputer; refuses a directory saved by another method.

        ``device`` replaces the device it was saved with (e.g. ``"cpu"`` for an
        imputer trained on a GPU), for methods that have one.
        """
        directory = Path(directory)
        saved = read_saved_config(directory)
        if saved["method"] != cls.method:
            raise InputError(
                f"{directory} holds a {saved['method']!r} imputer, not {cls.method!r}; "
                f"load it with the {saved['method']!r} method (or mixmiss.impute.load_imputer)."
            )
        config = dict(saved["config"])
        if device is not None and "device" in config:
            config["device"] = device
        imputer = cls(**config)
        imputer.load_state_dict(load_checkpoint(directory / STATE_FILE))
        return imputer


def _is_mask_dtype(dtype) -> bool:
    """Bool, integer and real floating dtypes can hold a 0/1 mask; complex ones cannot."""
    if isinstance(dtype, torch.dtype):
        return not dtype.is_complex
    return (
        dtype == np.bool_ or np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)
    )


def read_saved_config(directory: Path) -> dict:
    """The ``imputer.json`` of a saved imputer, with a clear error when absent or unreadable."""
    path = directory / CONFIG_FILE
    try:
        saved = json.loads(path.read_text())
    except FileNotFoundError:
        raise CacheError(
            f"{directory} holds no saved imputer ({CONFIG_FILE} is missing)."
        ) from None
    except (OSError, ValueError) as exc:
        raise CacheError(f"cannot read {path}: {exc}.") from exc
    if not isinstance(saved, dict) or "method" not in saved or "config" not in saved:
        raise CacheError(f"{path} is not an imputer description written by mixmiss.")
    return saved
