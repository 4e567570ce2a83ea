"""Shared fixtures: no network, a private cache per test, the real datasets when present."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch

from mixmiss.data.datasets import DATASETS, IdxFiles

# pytest-xdist runs two workers on the two cores: one torch thread each.
if os.environ.get("PYTEST_XDIST_WORKER"):
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Fail any test that opens an internet socket: the suite must run offline."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            raise RuntimeError(f"test tried to reach the network: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets an empty cache directory: none relies on an earlier run's cache."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("MIXMISS_CACHE_DIR", str(cache))
    return cache


def _real_dir(name: str) -> Path:
    root = Path(os.environ.get("MIXMISS_DATA_DIR", "~/.cache/mixmiss")).expanduser()
    directory = root / name
    spec = DATASETS[name]
    for split in ("train", "test"):
        for filename in IdxFiles.names(split):
            assert spec.idx is not None
            if not any((directory / (filename + ext)).is_file() for ext in ("", ".gz")):
                pytest.skip(
                    f"{name} IDX files not found in {directory}: set MIXMISS_DATA_DIR to a "
                    f"directory holding {name}/ (e.g. ../shared/data) to run this test"
                )
    return root


@pytest.fixture
def mnist_dir() -> Path:
    """The data directory holding the real MNIST files (skips when absent)."""
    return _real_dir("mnist")


@pytest.fixture
def small_mnist_evaluator(mnist_dir, monkeypatch):
    """A 1-epoch MNIST evaluator (2,000 images) and a 1-epoch reference LeNet (the
    paper's FID network, 1,000 images) in the test's private cache, with FID
    reference statistics over the first 2,000 training images: plumbing tests of
    the MNIST pipeline stay fast (the full statistics are tested in tests/evaluators)."""
    from mixmiss.evaluators import reference, train_evaluator, train_lenet

    evaluator = train_evaluator("mnist", mnist_dir, epochs=1, max_train=2000, progress=False)
    train_lenet("mnist", mnist_dir, epochs=1, max_train=1000, progress=False)
    real_load = reference.load_dataset
    monkeypatch.setattr(
        reference, "load_dataset", lambda *a, **k: real_load(*a, **k).subset(slice(0, 2000))
    )
    return evaluator


@pytest.fixture
def fashion_dir() -> Path:
    """The data directory holding the real Fashion-MNIST files (skips when absent)."""
    return _real_dir("fashion-mnist")
