"""Reconstruction error of imputed images.

The LM-RBM paper reports the "average image per-pixel RMSE": for each image
the root mean squared error over its *missing* pixels, averaged over images
(:func:`rmse_missing`). Mean imputation on MNIST then gives 0.257 at every
I.M. rate, as in the paper's Table 1; pooling all missing pixels into one
RMSE would give 0.260 instead. :func:`rmse_all` is the plain RMSE over every
pixel of every image.
"""

from __future__ import annotations

import torch

from ..errors import InputError
from ..validation import check_images, check_mask


def rmse_missing(imputed, target, mask) -> float:
    """Mean over images of the per-image RMSE over missing pixels (mask == 0).

    Parameters
    ----------
    imputed, target : tensor (N, 1, H, W) in [0, 1]
    mask : tensor (N, 1, H, W), 1 = observed, 0 = missing

    Images with no missing pixel have no such error and are left out of the
    mean; if no image has a missing pixel an :class:`InputError` is raised.
    """
    imputed = check_images(imputed, "imputed")
    target = check_images(target, "target")
    if imputed.shape != target.shape:
        raise InputError(
            f"imputed {tuple(imputed.shape)} and target {tuple(target.shape)} differ in shape."
        )
    missing = 1.0 - check_mask(mask, target)
    counts = missing.sum(dim=(1, 2, 3))
    squared = ((imputed - target) ** 2 * missing).sum(dim=(1, 2, 3))
    has_missing = counts > 0
    if not bool(has_missing.any()):
        raise InputError(
            "the mask marks no pixel as missing, so there is no imputation error to measure."
        )
    per_image = torch.sqrt(squared[has_missing] / counts[has_missing])
    return float(per_image.double().mean())


def rmse_all(imputed, target) -> float:
    """Plain RMSE over all pixels of all images."""
    imputed = check_images(imputed, "imputed")
    target = check_images(target, "target")
    if imputed.shape != target.shape:
        raise InputError(
            f"imputed {tuple(imputed.shape)} and target {tuple(target.shape)} differ in shape."
        )
    return float(torch.sqrt(((imputed.double() - target.double()) ** 2).mean()))
