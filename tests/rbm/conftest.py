"""Small seeded RBMs and minibatches shared by the RBM tests."""

from __future__ import annotations

import pytest
import torch

from mixmiss.rbm.model import RBM


def random_rbm(n=6, m=5, seed=0, dtype=torch.float64, scale=0.5) -> RBM:
    g = torch.Generator().manual_seed(seed)
    return RBM(
        torch.randn(n, generator=g, dtype=dtype) * scale,
        torch.randn(m, generator=g, dtype=dtype) * scale,
        torch.randn(n, m, generator=g, dtype=dtype) * scale,
    )


def random_batch(batch=7, n=6, rate=0.4, seed=1, dtype=torch.float64):
    """Grayscale rows in [0, 1] with an I.M. mask (1 = observed), missing entries zeroed."""
    g = torch.Generator().manual_seed(seed)
    v = torch.rand(batch, n, generator=g, dtype=dtype)
    observed = (torch.rand(batch, n, generator=g, dtype=dtype) >= rate).to(dtype)
    return v * observed, observed


@pytest.fixture
def small_rbm() -> RBM:
    return random_rbm()
