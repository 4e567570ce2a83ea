"""Complete a user's own images: fit an imputer on them, then fill in their missing pixels.

No ground truth is needed: a method learns from the observed pixels only
(the imputer interface never shows it a missing value), and completing
writes the images back with their missing pixels filled. The images are
read and written by :mod:`mixmiss.data.masked_images` (a folder of PNGs with
alpha or mask PNGs, or a ``.npy`` / ``.npz`` array with NaN).

- :func:`fit_on_images` (``mixmiss impute fit``) fits a method on one set
  and writes a new directory, all at once: the saved imputer
  (``imputer.json``, ``state.pt``) and ``fit.json`` (method, preset, seed,
  settings, the images' size and channels, provenance, training seconds).
  There is no resume: an interrupted fit leaves nothing behind.
- :func:`complete_images` (``mixmiss impute complete``) completes a set of
  the fitted size and channels and writes a new directory, all at once:
  one PNG per image, ``completed.npy`` and ``completion.json`` (which
  imputer, which images, provenance).

What each method takes (:func:`method_support`): any size and RGB for the
methods with a ``colour`` layout (:mod:`mixmiss.impute.colour`: mean, rbm,
lm-rbm stack the channels into one image, inpaint completes each channel
alone); MisGAN only 28x28 grayscale.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_directory, atomic_write_json, check_new_directory
from ..context import DEFAULT_CONTEXT, Context
from ..data.masked_images import CHANNELS, MaskedImages, read_masked_images, write_completed
from ..device import resolve_device
from ..errors import CacheError, InputError
from ..impute import Imputer
from ..impute.colour import as_grayscale
from ..provenance import provenance
from ..registry import IMPUTERS, imputer_class, load_imputer, make_imputer

FIT_FILE = "fit.json"
COMPLETION_FILE = "completion.json"


def method_support(method: str) -> str:
    """What images ``method`` takes: ``"grayscale or RGB, any size"``, ``"28x28 grayscale only"``."""
    cls = imputer_class(method)
    colours = "grayscale" if cls.colour is None else "grayscale or RGB"
    if cls.image_shape is None:
        return f"{colours}, any size"
    return "{}x{} {} only".format(*cls.image_shape, colours)


def check_method_takes(cls: type[Imputer], images: MaskedImages) -> None:
    """A clear error when ``cls`` cannot complete images of ``images``' channels or size."""
    c, h, w = images.shape
    if c > 1 and cls.colour is None:
        others = ", ".join(name for name, other in IMPUTERS.items() if other.colour is not None)
        raise InputError(
            f"the {cls.method} method completes grayscale images only and {images.source} "
            f"holds {images.describe()} images; use one of {others}, or convert the images "
            "to grayscale."
        )
    if cls.image_shape is not None and (h, w) != tuple(cls.image_shape):
        others = ", ".join(name for name, other in IMPUTERS.items() if other.image_shape is None)
        side = "{}x{}".format(*cls.image_shape)
        raise InputError(
            f"the {cls.method} method takes only {side} images (its networks are built for "
            f"that size) and {images.source} holds {h}x{w} images; resize them to {side}, "
            f"or use a method that takes any size ({others})."
        )


def _images_record(images: MaskedImages, masks: str | os.PathLike | None) -> dict:
    c, h, w = images.shape
    return {
        "path": str(images.source),
        "masks": None if masks is None else str(masks),
        "n_images": len(images.names),
        "channels": c,
        "height": h,
        "width": w,
        "observed_fraction": float(images.mask.mean()),
    }


def _as_batch(images: MaskedImages, layout: str | None) -> tuple[torch.Tensor, torch.Tensor]:
    """The images and masks as the float32 (N', 1, H', W') batch a method takes."""
    x = torch.from_numpy(images.values.astype(np.float32, copy=False))
    mask = torch.from_numpy(images.mask.astype(np.float32))
    return as_grayscale(x, layout), as_grayscale(mask, layout)


def fit_on_images(
    out: str | os.PathLike,
    images: str | os.PathLike,
    method: str,
    masks: str | os.PathLike | None = None,
    preset: str = "quick",
    seed: int = 0,
    overrides: dict | None = None,
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
) -> Imputer:
    """Fit ``method`` on a user's masked images and save it in the new directory ``out``.

    Parameters
    ----------
    out : path
        A directory that does not exist yet (or is empty); written all at once.
    images, masks : path
        As :func:`mixmiss.data.masked_images.read_masked_images`.
    method : str
        A name in :data:`mixmiss.registry.IMPUTERS` that takes these images
        (:func:`method_support`).
    preset : {"smoke", "quick", "paper"}
    seed : int
        The method's ``random_state``.
    overrides : dict, optional
        Constructor arguments that replace the preset's.
    context : Context
        Device and progress bar.
    command : list of str, optional
        The CLI's argv, recorded in ``fit.json`` (None: a Python call).

    Returns
    -------
    The fitted imputer.
    """
    out = check_new_directory(out)
    cls = imputer_class(method)
    resolve_device(context.device)
    data = read_masked_images(images, masks)
    check_method_takes(cls, data)
    imputer = make_imputer(
        method, preset, **{**(overrides or {}), "random_state": seed, "device": context.device}
    )
    start = time.perf_counter()
    imputer.fit(*_as_batch(data, cls.colour), progress=context.progress)
    record = {
        "method": method,
        "preset": preset,
        "seed": seed,
        "overrides": overrides or {},
        "config": imputer.get_config(),
        "colour": cls.colour,
        "images": _images_record(data, masks),
        "train_seconds": getattr(imputer, "train_seconds_", time.perf_counter() - start),
        "provenance": provenance(command),
    }
    with atomic_directory(out) as tmp:
        imputer.save(tmp)
        atomic_write_json(tmp / FIT_FILE, record)
    return imputer


def read_fit(directory: str | os.PathLike) -> dict:
    """The ``fit.json`` of a directory written by :func:`fit_on_images`."""
    path = Path(directory) / FIT_FILE
    try:
        record = json.loads(path.read_text())
        if not isinstance(record, dict) or not {"method", "images"} <= set(record):
            raise ValueError("it is not a fit record")
        return record
    except FileNotFoundError:
        raise CacheError(
            f"{directory} holds no imputer fitted on images ({FIT_FILE} is missing); create "
            "one with `mixmiss impute fit --method M --images X --out DIR`."
        ) from None
    except (OSError, ValueError) as exc:
        raise CacheError(f"cannot read {path}: {exc}; fit the imputer again.") from exc


def complete_images(
    directory: str | os.PathLike,
    images: str | os.PathLike,
    out: str | os.PathLike,
    masks: str | os.PathLike | None = None,
    command: Sequence[str] | None = None,
    device: str | None = None,
) -> Path:
    """Complete a user's masked images with the imputer in ``directory``; write them to ``out``.

    Parameters
    ----------
    directory : path
        Written by :func:`fit_on_images`.
    images, masks : path
        As :func:`mixmiss.data.masked_images.read_masked_images`; the images
        must have the size and channels the imputer was fitted on.
    out : path
        A directory that does not exist yet (or is empty), written all at
        once: the PNGs and ``completed.npy``
        (:func:`mixmiss.data.masked_images.write_completed`) and ``completion.json``.
    command : list of str, optional
        The CLI's argv, recorded in ``completion.json``.
    device : str, optional
        Replaces the device the imputer was fitted on (an imputer fitted on a
        GPU completes on a CPU with ``device="cpu"``).

    Returns
    -------
    ``out`` as a Path.
    """
    out = check_new_directory(out)
    fit = read_fit(directory)
    imputer = load_imputer(directory, device)
    data = read_masked_images(images, masks)
    fitted = tuple(fit["images"][key] for key in ("channels", "height", "width"))
    if data.shape != fitted:
        raise InputError(
            f"the imputer in {directory} was fitted on {CHANNELS[fitted[0]]} "
            f"{fitted[1]}x{fitted[2]} images and {data.source} holds {data.describe()} images; "
            "complete images of the fitted size and channels, or fit an imputer on these."
        )
    completed = imputer.impute(*_as_batch(data, type(imputer).colour))
    record = {
        "imputer": str(directory),
        "method": imputer.method,
        "images": _images_record(data, masks),
        "provenance": provenance(command),
    }
    with atomic_directory(out) as tmp:
        write_completed(tmp, data, completed.reshape(data.values.shape).numpy())
        atomic_write_json(tmp / COMPLETION_FILE, record)
    return out
