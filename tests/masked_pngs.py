"""Folders of PNG images whose alpha channel marks the missing pixels, for the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image


def write_masked_pngs(
    folder: Path,
    n: int = 6,
    size: tuple[int, int] = (10, 12),
    channels: int = 3,
    missing: float = 0.3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Write ``img00.png``, ... (RGBA or gray + alpha; alpha 0 = missing) into ``folder``.

    Observed values lie in 1..254; a missing pixel stores 0 under its alpha 0, so
    a completion that fills it in differs from what the file holds there. Returns
    the stored (N, C, H, W) uint8 values and the (N, H, W) observed mask.
    """
    rng = np.random.default_rng(seed)
    h, w = size
    observed = rng.random((n, h, w)) >= missing
    values = rng.integers(1, 255, (n, channels, h, w), dtype=np.uint8)
    values = np.where(observed[:, None], values, np.uint8(0))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        planes = [*values[i], observed[i].astype(np.uint8) * 255]
        # (H, W, 4) uint8 is read as RGBA, (H, W, 2) as gray + alpha
        Image.fromarray(np.stack(planes, axis=-1)).save(folder / f"img{i:02d}.png")
    return values, observed


def read_png(path: Path) -> np.ndarray:
    """A PNG's values as (C, H, W) uint8."""
    array = np.asarray(Image.open(path))
    return array[None] if array.ndim == 2 else np.moveaxis(array, -1, 0)
