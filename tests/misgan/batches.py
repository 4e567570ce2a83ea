"""Tiny seeded 28x28 batches and parameter snapshots for the MisGAN tests."""

from __future__ import annotations

import torch

TINY = {"batch_size": 8, "width": 4, "imputer_hidden": [16, 16, 16], "device": "cpu"}


def masked_batch(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 28, 28, generator=g)
    mask = (torch.rand(n, 1, 28, 28, generator=g) > 0.5).float()
    return x, mask


def snapshot(module):
    return [p.detach().clone() for p in module.parameters()]


def changed(module, before):
    return any(not torch.equal(p, q) for p, q in zip(module.parameters(), before, strict=True))
