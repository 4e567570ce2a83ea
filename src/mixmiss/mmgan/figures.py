"""Figures like the paper's Figs. 2-4: samples of every component with its weights.

One panel per component: a grid of EMA samples, titled with the component's
mixture weight alpha_k^(i) in every distribution ("d1=0.60 d2=0.00", the
paper's notation). Rendering only (matplotlib, Agg backend); the samples come
from :mod:`mixmiss.mmgan.sampling`. Grids are drawn pixel for pixel at a whole
scale (:func:`mixmiss.plotting.image_grid_figure`), so samples keep their
square pixels.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..plotting import auto_scale, image_grid_figure, save_figure
from ..rng import make_generator
from .model import MixedMembershipGAN
from .sampling import generate


def tile(images: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """(rows*cols, C, H, W) -> one (rows*H, cols*W) image (C = 1) or (rows*H, cols*W, 3) (C = 3)."""
    _, c, h, w = images.shape
    grid = images.reshape(rows, cols, c, h, w).permute(0, 3, 1, 4, 2)
    grid = grid.reshape(rows * h, cols * w, c)
    return grid[:, :, 0] if c == 1 else grid


def component_figure(
    model: MixedMembershipGAN,
    path: str | os.PathLike,
    grid: int = 8,
    seed: int = 0,
    title: str | None = None,
    scale: int | None = None,
) -> Path:
    """Write a PNG with a ``grid`` x ``grid`` sample grid per component and its weights.

    Parameters
    ----------
    model : MixedMembershipGAN
    path : path
        Output PNG (written atomically).
    grid : int
        Samples per side of each panel.
    seed : int
        Seeds the noise (the same z for every component, as in training).
    title : str, optional
    scale : int, optional
        PNG pixels per sample pixel along each axis (default: the whole
        number that makes a panel about 200 pixels wide).
    """
    k_count = model.num_components
    components = torch.arange(k_count).repeat_interleave(grid * grid)
    images = generate(model, components, make_generator(seed)).view(
        k_count, grid * grid, model.channels, model.image_size, model.image_size
    )
    alpha = model.alpha.detach().cpu()
    panels = [tile(images[k], grid, grid).numpy() for k in range(k_count)]
    titles = [
        f"G{k + 1}\n" + " ".join(f"d{i + 1}={alpha[i, k]:.2f}" for i in range(alpha.shape[0]))
        for k in range(k_count)
    ]
    fig = image_grid_figure(
        [panels],
        scale=scale or auto_scale(grid * model.image_size),
        titles=[titles],
        suptitle=title,
    )
    return save_figure(fig, path, tight=False)


def samples_figure(
    images: torch.Tensor,
    path: str | os.PathLike,
    title: str | None = None,
    scale: int | None = None,
) -> Path:
    """Write a PNG grid of ``images`` (N, C, H, W) in [0, 1], as square as possible.

    ``scale``: PNG pixels per image pixel (default: a grid about 200 pixels wide).
    """
    n = images.shape[0]
    cols = int(torch.ceil(torch.sqrt(torch.tensor(float(n)))).item())
    rows = -(-n // cols)
    padded = torch.zeros(rows * cols, *images.shape[1:])
    padded[:n] = images
    grid = tile(padded, rows, cols).numpy()
    fig = image_grid_figure(
        [[grid]], scale=scale or auto_scale(grid.shape[1]), titles=[[title or ""]]
    )
    return save_figure(fig, path, tight=False)
