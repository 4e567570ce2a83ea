"""Input checks shared by every public function.

Each check either returns its argument as the tensor type the library works
with, or raises :class:`~mixmiss.errors.InputError` with a message that says
what was wrong and how to fix it. Nothing is silently repaired: a (N, H, W)
array is not reshaped, values outside [0, 1] are not clipped.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

from .errors import InputError


def _as_tensor(x: Any, name: str) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(x, np.ndarray):
        if x.dtype == object:
            raise InputError(f"{name} has dtype object; pass a numeric array.")
        return torch.from_numpy(x)
    raise InputError(f"{name} must be a torch.Tensor or numpy.ndarray, got {type(x).__name__}.")


def check_images(x: Any, name: str = "images", channels: tuple[int, ...] = (1,)) -> torch.Tensor:
    """Return ``x`` as a float tensor of shape (N, C, H, W) with values in [0, 1].

    Raises :class:`InputError` for another rank, a channel count C not in
    ``channels`` (default: grayscale only), an empty batch, a non-floating
    dtype, non-finite values or values outside [0, 1].
    """
    x = _as_tensor(x, name)
    if x.ndim != 4 or x.shape[1] not in channels:
        hint = " Add the channel axis with x[:, None]." if x.ndim == 3 else ""
        shape = "(N, 1, H, W)" if channels == (1,) else f"(N, C, H, W) with C in {channels}"
        raise InputError(f"{name} must have shape {shape}, got {tuple(x.shape)}.{hint}")
    if x.shape[0] == 0 or x.shape[2] == 0 or x.shape[3] == 0:
        raise InputError(f"{name} is empty (shape {tuple(x.shape)}).")
    if not x.is_floating_point():
        hint = " Divide uint8 images by 255." if x.dtype == torch.uint8 else ""
        raise InputError(f"{name} must be a floating-point tensor in [0, 1], got {x.dtype}.{hint}")
    if not bool(torch.isfinite(x).all()):
        raise InputError(f"{name} contains NaN or infinite values; images must be finite.")
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        raise InputError(
            f"{name} must lie in [0, 1], found values in [{low:.4g}, {high:.4g}]. "
            "Rescale (e.g. (x + 1) / 2 for tanh outputs) before passing them."
        )
    return x


def check_mask(mask: Any, like: torch.Tensor, name: str = "mask") -> torch.Tensor:
    """Return ``mask`` (1 = observed, 0 = missing) as a tensor shaped like ``like``.

    Raises :class:`InputError` for a mismatched shape or values other than 0/1.
    """
    mask = _as_tensor(mask, name)
    if tuple(mask.shape) != tuple(like.shape):
        raise InputError(
            f"{name} has shape {tuple(mask.shape)} but the images have {tuple(like.shape)}; "
            "a mask needs one entry (1 = observed, 0 = missing) per pixel."
        )
    if mask.dtype != torch.bool:
        if not bool(((mask == 0) | (mask == 1)).all()):
            raise InputError(
                f"{name} must hold only 0 (missing) and 1 (observed); found other values."
            )
    return mask.to(like.dtype)


def check_rate(rate: Any, name: str = "rate") -> float:
    """Return a missing rate strictly between 0 and 1 as a float."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
        raise InputError(f"{name} must be a number in (0, 1), got {rate!r}.")
    rate = float(rate)
    if not 0.0 < rate < 1.0:
        raise InputError(
            f"{name} must lie strictly between 0 and 1 (the fraction of missing pixels), "
            f"got {rate}."
        )
    return rate


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int >= 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_generator(generator: Any, name: str = "generator") -> torch.Generator | None:
    """Return ``generator`` if it is a ``torch.Generator`` (or None)."""
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    raise InputError(
        f"{name} must be a torch.Generator, e.g. torch.Generator().manual_seed(0), "
        f"got {type(generator).__module__}.{type(generator).__name__}."
    )


def check_image_shape(image_shape: Any, name: str = "image_shape") -> tuple[int, int]:
    """Return ``image_shape`` as (H, W) with positive integer sides."""
    if isinstance(image_shape, numbers.Integral) and not isinstance(image_shape, bool):
        raise InputError(
            f"{name} must be (H, W), got the number {image_shape}; "
            f"pass ({image_shape}, {image_shape}) for square images."
        )
    try:
        sides = tuple(image_shape)
    except TypeError:
        raise InputError(f"{name} must be (H, W), got {image_shape!r}.") from None
    if len(sides) != 2 or not all(
        isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1 for s in sides
    ):
        raise InputError(f"{name} must be (H, W) with positive integer sides, got {sides!r}.")
    return int(sides[0]), int(sides[1])


def check_labels(labels: Any, n: int, name: str = "labels") -> torch.Tensor:
    """Return integer class labels of length ``n`` as an int64 tensor."""
    labels = _as_tensor(labels, name)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise InputError(f"{name} must have shape ({n},), got {tuple(labels.shape)}.")
    if labels.is_floating_point() or labels.dtype == torch.bool or labels.is_complex():
        raise InputError(f"{name} must hold integer class indices, got {labels.dtype}.")
    return labels.long()
