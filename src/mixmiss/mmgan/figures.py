"""Figures like the paper's Figs. 2-4: samples of every component with its weights.

One panel per component: a grid of EMA samples, titled with the component's
mixture weight alpha_k^(i) in every distribution ("d1=0.60 d2=0.00", the
paper's notation). Rendering only (matplotlib, Agg backend); the samples come
from :mod:`mixmiss.mmgan.sampling`.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from ..plotting import plt, save_figure
from ..rng import make_generator
from .model import MixedMembershipGAN
from .sampling import generate


def tile(images: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """(rows*cols, 1, H, W) -> one (rows*H, cols*W) image."""
    _, _, h, w = images.shape
    return images[:, 0].reshape(rows, cols, h, w).permute(0, 2, 1, 3).reshape(rows * h, cols * w)


def component_figure(
    model: MixedMembershipGAN,
    path: str | os.PathLike,
    grid: int = 8,
    seed: int = 0,
    title: str | None = None,
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
    """
    k_count = model.num_components
    components = torch.arange(k_count).repeat_interleave(grid * grid)
    images = generate(model, components, make_generator(seed)).view(
        k_count, grid * grid, 1, model.image_size, model.image_size
    )
    alpha = model.alpha.detach().cpu()
    fig, axes = plt.subplots(1, k_count, figsize=(2.4 * k_count, 2.8), squeeze=False)
    for k, ax in enumerate(axes[0]):
        ax.imshow(tile(images[k], grid, grid).numpy(), cmap="gray", vmin=0, vmax=1)
        weights = " ".join(f"d{i + 1}={alpha[i, k]:.2f}" for i in range(alpha.shape[0]))
        ax.set_title(f"G{k + 1}\n{weights}", fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)


def samples_figure(images: torch.Tensor, path: str | os.PathLike, title: str | None = None) -> Path:
    """Write a PNG grid of ``images`` (N, 1, H, W) in [0, 1], as square as possible."""
    n = images.shape[0]
    cols = int(torch.ceil(torch.sqrt(torch.tensor(float(n)))).item())
    rows = -(-n // cols)
    padded = torch.zeros(rows * cols, *images.shape[1:])
    padded[:n] = images
    fig, ax = plt.subplots(figsize=(max(2.0, cols * 0.35), max(2.0, rows * 0.35) + 0.4))
    ax.imshow(tile(padded, rows, cols).numpy(), cmap="gray", vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    return save_figure(fig, path)
