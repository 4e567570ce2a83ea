"""Shared fixtures of the MMGAN tests: tiny seeded runs on the bundled 8x8 digits."""

from __future__ import annotations

import pytest
import torch

from mixmiss.evaluators import train_evaluator
from mixmiss.mmgan import make_config, train


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run fastest (and deterministically) on one thread."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def smoke_config(**overrides):
    """The smoke preset on digits case A unless overridden."""
    return make_config("smoke", **{"dataset": "digits", "sets": "A", **overrides})


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """A finished smoke run (learned weights) on digits case A."""
    out = tmp_path_factory.mktemp("run") / "learned"
    train(smoke_config(), out, progress=False, command="test")
    return out


@pytest.fixture(scope="module")
def digits_evaluator(tmp_path_factory):
    """A tiny digits evaluator trained in a private cache (tests never use ~/.cache)."""
    return train_evaluator(
        "digits", cache_dir=tmp_path_factory.mktemp("evalcache"), epochs=3, progress=False
    )
