"""Finding an image in a rendered PNG: to check that figures draw images pixel for pixel."""

from __future__ import annotations

import numpy as np


def find_upscaled(png: np.ndarray, image: np.ndarray, scales=range(1, 9)):
    """Where ``image`` appears in ``png``, each pixel a whole ``scale`` x ``scale`` block.

    ``png`` (H, W, 3) uint8 as read back; ``image`` (h, w, 3) uint8. Returns
    ``(scale, top, left)`` of the first exact match, None when there is none
    (the image was resampled: stretched, shrunk, or enlarged by a fraction).
    """
    for scale in scales:
        block = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
        h, w = block.shape[:2]
        for top, left in np.argwhere((png == block[0, 0]).all(axis=2)):
            if top + h <= png.shape[0] and left + w <= png.shape[1]:
                if np.array_equal(png[top : top + h, left : left + w], block):
                    return scale, int(top), int(left)
    return None


def gray8(image) -> np.ndarray:
    """A gray image in [0, 1] (H, W) as the (H, W, 3) uint8 a figure should show."""
    gray = np.round(np.clip(np.asarray(image, dtype=np.float64), 0, 1) * 255).astype(np.uint8)
    return np.repeat(gray[:, :, None], 3, axis=2)
