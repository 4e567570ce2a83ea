"""Matplotlib set-up shared by every figure: the Agg backend, atomic PNG writing, image grids.

Images (samples, imputations) are drawn with :func:`image_grid_figure`:
pixel for pixel, each image pixel an exact ``scale`` x ``scale`` block of
the PNG, so square images keep square pixels whatever their number, the
titles or the figure's shape (``imshow`` in subplots resamples each image
to whatever its axes measure in pixels, which is rarely a whole multiple
of the image).
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .atomic import atomic_write_bytes  # noqa: E402

#: Resolution of every PNG (dots per inch); image grids are laid out in its pixels.
FIGURE_DPI = 120


def save_figure(fig, path: str | os.PathLike, dpi: int = FIGURE_DPI, tight: bool = True) -> Path:
    """Write ``fig`` as a PNG atomically (temp file, then rename) and close it.

    ``tight`` crops the figure to its artists (matplotlib's ``bbox_inches="tight"``);
    figures of :func:`image_grid_figure` are laid out to the pixel and saved
    with ``tight=False`` at their own resolution.
    """
    buffer = io.BytesIO()
    if tight:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    else:
        fig.savefig(buffer, format="png", dpi=fig.dpi)
    plt.close(fig)
    return atomic_write_bytes(path, buffer.getvalue())


def to_rgb8(image: np.ndarray) -> np.ndarray:
    """An image in [0, 1] as (H, W, 3) uint8: gray (H, W) or colour (H, W, 3 or 4, alpha dropped)."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return np.round(np.clip(image[:, :, :3], 0.0, 1.0) * 255).astype(np.uint8)


def upscale(image: np.ndarray, scale: int) -> np.ndarray:
    """``image`` with each pixel repeated into a ``scale`` x ``scale`` block."""
    return np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)


def auto_scale(pixels: int, target: int = 200) -> int:
    """The whole scale that brings an image ``pixels`` wide nearest ``target`` pixels (>= 1)."""
    return max(1, round(target / pixels))


def _inches(pixels: int) -> float:
    """``pixels / FIGURE_DPI`` rounded up so that matplotlib's ``int(inches * dpi)`` is ``pixels``."""
    inches = pixels / FIGURE_DPI
    while int(inches * FIGURE_DPI) < pixels:
        inches = float(np.nextafter(inches, np.inf))
    return inches


def image_grid_figure(
    images: Sequence[Sequence[np.ndarray]],
    scale: int = 1,
    titles: Sequence[Sequence[str]] | None = None,
    row_labels: Sequence[str] | None = None,
    suptitle: str | None = None,
    gap: int = 12,
    fontsize: float = 9,
):
    """A figure of images in rows and columns, each drawn pixel for pixel at a whole ``scale``.

    Every image pixel becomes a ``scale`` x ``scale`` block of the PNG
    (``fig.figimage`` at whole-pixel offsets, no resampling), so pixels stay
    square. Save it with ``save_figure(fig, path, tight=False)``.

    Parameters
    ----------
    images : rows of images
        Each image in [0, 1]: gray (H, W) or colour (H, W, 3 or 4).
    scale : int
        Figure pixels per image pixel, along each axis.
    titles : rows of str, optional
        A title over each image (same shape as ``images``; "" for none).
    row_labels : sequence of str, optional
        A label left of each row.
    suptitle : str, optional
        A title over the whole figure.
    gap : int
        Pixels between columns and between rows.
    fontsize : float
        Of titles and labels (the suptitle is one point larger).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if scale < 1 or int(scale) != scale:
        raise ValueError(f"scale must be a whole number >= 1, got {scale}")
    blocks = [[upscale(to_rgb8(image), int(scale)) for image in row] for row in images]
    titles = titles or [[""] * len(row) for row in blocks]
    fig = plt.figure(dpi=FIGURE_DPI)
    renderer = fig.canvas.get_renderer()

    def text(label: str, size: float, **kwargs) -> tuple:
        """A text of the figure (placed later) and its width and height in pixels."""
        artist = fig.text(0, 0, label, fontsize=size, **kwargs)
        if not label:
            return artist, 0, 0
        box = artist.get_window_extent(renderer)
        return artist, math.ceil(box.width), math.ceil(box.height)

    cell_titles = [[text(t, fontsize, ha="center", va="bottom") for t in row] for row in titles]
    labels = [text(label, fontsize, ha="right", va="center") for label in row_labels or []]
    sup = text(suptitle, fontsize + 1, ha="center", va="top") if suptitle else None

    # the layout in pixels, from the top left
    pad, text_gap = 6, 3
    n_cols = max(len(row) for row in blocks)
    col_w = [0] * n_cols
    for row, row_titles in zip(blocks, cell_titles, strict=True):
        for c, (block, (_, title_w, _)) in enumerate(zip(row, row_titles, strict=True)):
            col_w[c] = max(col_w[c], block.shape[1], title_w)
    title_h = [max(h + text_gap if h else 0 for _, _, h in row) for row in cell_titles]
    image_h = [max(block.shape[0] for block in row) for row in blocks]
    label_w = max((w + 2 * text_gap for _, w, _ in labels), default=0)
    sup_h = sup[2] + 2 * text_gap if sup else 0
    width = 2 * pad + label_w + sum(col_w) + gap * (n_cols - 1)
    height = 2 * pad + sup_h + sum(title_h) + sum(image_h) + gap * (len(blocks) - 1)
    fig.set_size_inches(_inches(width), _inches(height))

    def place(artist, x: float, y_from_top: float) -> None:
        artist.set_position((x / width, 1 - y_from_top / height))

    if sup:
        place(sup[0], width / 2, pad)
    top = pad + sup_h
    for r, row in enumerate(blocks):
        image_top = top + title_h[r]
        left = pad + label_w
        for c, block in enumerate(row):
            x = left + (col_w[c] - block.shape[1]) // 2
            fig.figimage(block, x, height - image_top - block.shape[0], origin="upper")
            place(cell_titles[r][c][0], x + block.shape[1] / 2, image_top - text_gap)
            left += col_w[c] + gap
        if labels:
            place(labels[r][0], pad + label_w - text_gap, image_top + image_h[r] / 2)
        top = image_top + image_h[r] + gap
    return fig
