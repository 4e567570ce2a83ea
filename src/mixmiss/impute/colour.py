"""Colour images on the grayscale imputer interface.

Every :class:`~mixmiss.impute.Imputer` works on (N, 1, H, W) images. A
method that also completes images of C channels (RGB: C = 3) says how in its
``colour`` class attribute, one of :data:`COLOUR_LAYOUTS`:

- ``"joint"``: an image's C channels are stacked into one image of C H rows,
  (N, C, H, W) -> (N, 1, C H, W), so the method sees all C H W values of an
  image together. The mean imputer then learns a mean per pixel and channel;
  an RBM gets C H W visible units, one per value, and the correlations
  between channels live in its weights. For methods that never look at a
  pixel's neighbours (they would see across the seam between channels).
- ``"per-channel"``: each channel is completed as a grayscale image of its
  own, (N, C, H, W) -> (N C, 1, H, W): for methods that work on neighbouring
  pixels (inpainting diffuses within a channel).
- ``None`` (the default): grayscale only (MisGAN's networks take one channel).

Both layouts are reshapes, so ``completed.reshape(x.shape)`` undoes them.
"""

from __future__ import annotations

import torch

from ..errors import InputError

COLOUR_LAYOUTS = ("joint", "per-channel")


def as_grayscale(x: torch.Tensor, layout: str | None) -> torch.Tensor:
    """(N, C, H, W) images (or masks) as the (N', 1, H', W') batch that ``layout`` gives.

    Grayscale images (C = 1) are returned as they are, whatever the layout.
    """
    n, c, h, w = x.shape
    if c == 1:
        return x
    if layout == "joint":
        return x.reshape(n, 1, c * h, w)
    if layout == "per-channel":
        return x.reshape(n * c, 1, h, w)
    if layout is None:
        raise InputError(f"this method completes grayscale images only, got {c} channels.")
    raise InputError(
        f"unknown colour layout {layout!r}; choose one of {', '.join(COLOUR_LAYOUTS)}."
    )
