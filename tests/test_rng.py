"""Explicit generators and seeding that leaves the caller's global RNG alone."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mixmiss.rng import isolated_seed, make_generator


def test_make_generator_is_seeded():
    a = torch.rand(5, generator=make_generator(3))
    assert torch.equal(a, torch.rand(5, generator=make_generator(3)))
    assert torch.equal(a, torch.rand(5, generator=torch.Generator().manual_seed(3)))
    assert not torch.equal(a, torch.rand(5, generator=make_generator(4)))
    # numpy integers are seeds too
    assert torch.equal(a, torch.rand(5, generator=make_generator(np.int64(3))))


def test_make_generator_without_seed_draws_from_entropy():
    draws = {tuple(torch.rand(4, generator=make_generator(None)).tolist()) for _ in range(3)}
    assert len(draws) == 3


def test_make_generator_device():
    generator = make_generator(0, "cpu")
    assert generator.device == torch.device("cpu")


def test_isolated_seed_is_deterministic_inside_and_restores_the_state_outside():
    torch.manual_seed(11)
    expected_after = torch.rand(3)
    torch.manual_seed(11)
    with isolated_seed(5):
        inside = torch.rand(3)
        torch.rand(100)  # consume more: must not leak out
    assert torch.equal(torch.rand(3), expected_after)
    with isolated_seed(5):
        assert torch.equal(torch.rand(3), inside)
    torch.manual_seed(5)
    assert torch.equal(torch.rand(3), inside)  # it is torch.manual_seed(5) inside


def test_isolated_seed_restores_after_an_exception():
    torch.manual_seed(1)
    state = torch.get_rng_state()
    with pytest.raises(RuntimeError, match="boom"), isolated_seed(2):
        torch.rand(10)
        raise RuntimeError("boom")
    assert torch.equal(torch.get_rng_state(), state)


def test_isolated_seed_covers_module_initialisation():
    with isolated_seed(0):
        a = torch.nn.Linear(4, 3).weight.detach().clone()
    with isolated_seed(0):
        b = torch.nn.Linear(4, 3).weight.detach().clone()
    with isolated_seed(1):
        c = torch.nn.Linear(4, 3).weight.detach().clone()
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_isolated_seed_accepts_numpy_seeds_and_cpu_devices():
    with isolated_seed(np.int32(7), torch.device("cpu")):
        a = torch.rand(2)
    with isolated_seed(7, "cpu"):
        assert torch.equal(torch.rand(2), a)
