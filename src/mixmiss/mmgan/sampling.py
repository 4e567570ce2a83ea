"""Sampling a trained MMGAN (paper, Section 3), always from the EMA generator.

For distribution i: draw k ~ Cat(alpha^(i)), z ~ p_z = N(0, I), x = G_k(z).
"""

from __future__ import annotations

import torch

from ..errors import InputError
from ..rng import make_generator
from .model import MixedMembershipGAN


def _check_count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(f"the number of samples must be a positive integer, got {n!r}.")
    return n


@torch.no_grad()
def generate(
    model: MixedMembershipGAN,
    components: torch.Tensor,
    generator: torch.Generator,
    batch_size: int = 2000,
) -> torch.Tensor:
    """x = G_ema(z, c) for given component indices, z drawn from ``generator``.

    Parameters
    ----------
    model : MixedMembershipGAN
    components : torch.Tensor, shape (N,), int64
    generator : torch.Generator
        CPU generator for z.
    batch_size : int
        Images per forward pass.

    Returns
    -------
    torch.Tensor, shape (N, C, H, W), float32 in [0, 1], on the CPU.
    """
    g_ema = model.generator_ema.eval()
    device = model.omega.device
    out = []
    for start in range(0, len(components), batch_size):
        c = components[start : start + batch_size]
        z = torch.randn(len(c), model.config.z_dim, generator=generator)
        x = g_ema(z.to(device), c.to(device))
        out.append(((x + 1.0) / 2.0).clamp_(0.0, 1.0).cpu())
    return torch.cat(out)


def sample_component(
    model: MixedMembershipGAN, k: int, n: int, seed: int | None = 0
) -> torch.Tensor:
    """n samples (n, C, H, W) in [0, 1] of component k (0-based) from the EMA generator."""
    n = _check_count(n)
    if isinstance(k, bool) or not isinstance(k, int) or not 0 <= k < model.num_components:
        raise InputError(
            f"component {k!r} does not exist; this model has components 0..{model.num_components - 1}."
        )
    return generate(model, torch.full((n,), k, dtype=torch.long), make_generator(seed))


def sample_distribution(
    model: MixedMembershipGAN, distribution: int, n: int, seed: int | None = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The sampling process of Section 3 for distribution i (1-based, as S_i).

    Returns
    -------
    images : torch.Tensor, shape (n, C, H, W), in [0, 1]
    components : torch.Tensor, shape (n,), int64
        The drawn k of each sample (0-based).
    """
    n = _check_count(n)
    count = model.num_distributions
    if (
        isinstance(distribution, bool)
        or not isinstance(distribution, int)
        or not (1 <= distribution <= count)
    ):
        raise InputError(
            f"distribution {distribution!r} does not exist; this run has distributions 1..{count}."
        )
    generator = make_generator(seed)
    alpha = model.alpha.detach().cpu()[distribution - 1]
    components = torch.multinomial(alpha, n, replacement=True, generator=generator)
    return generate(model, components, generator), components
