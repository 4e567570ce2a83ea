"""Explicit randomness: generators and isolated seeding.

Library code never seeds the global RNGs for good. Where torch offers no
generator argument (module initialisation, dropout), :func:`isolated_seed`
seeds inside ``torch.random.fork_rng`` so the caller's global state is
restored on exit.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch


def make_generator(seed: int | None, device: str | torch.device = "cpu") -> torch.Generator:
    """A ``torch.Generator`` on ``device``, seeded with ``seed`` (or from entropy when None)."""
    generator = torch.Generator(device=device)
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(int(seed))
    return generator


@contextlib.contextmanager
def isolated_seed(seed: int, device: str | torch.device = "cpu") -> Iterator[None]:
    """Seed torch's global RNG (and CUDA's when used) inside the block only."""
    device = torch.device(device)
    cuda = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(int(seed))
        yield
