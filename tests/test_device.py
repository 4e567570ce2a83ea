"""Choosing the torch device and the number of CPU threads."""

from __future__ import annotations

import pytest
import torch

from mixmiss.device import DEVICE_CHOICES, resolve_device, torch_threads
from mixmiss.errors import InputError


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_auto_is_cpu_without_a_gpu(no_gpu):
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device() == torch.device("cpu")


def test_auto_is_cuda_with_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == torch.device("cuda")


def test_cpu_and_torch_devices_pass_through(no_gpu):
    assert resolve_device("cpu") == torch.device("cpu")
    device = torch.device("cuda", 1)  # a device object is taken as given
    assert resolve_device(device) is device


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "cuda:1"])
def test_cuda_without_a_gpu_is_a_clear_input_error(no_gpu, name):
    with pytest.raises(InputError, match=f"device '{name}' was asked for but no CUDA GPU"):
        resolve_device(name)


def test_cuda_with_a_gpu_is_resolved(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("cuda:1") == torch.device("cuda", 1)


@pytest.mark.parametrize("name", ["tpu", "gpu", "CPU", "", "cpu:x"])
def test_unknown_device_names_the_choices(no_gpu, name):
    with pytest.raises(InputError, match=f"unknown device '{name}'; choose one of auto, cpu, cuda"):
        resolve_device(name)
    assert DEVICE_CHOICES == ("auto", "cpu", "cuda")


def test_torch_threads_sets_and_restores():
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    with torch_threads(target):
        assert torch.get_num_threads() == target
    assert torch.get_num_threads() == before


def test_torch_threads_none_leaves_the_count():
    before = torch.get_num_threads()
    with torch_threads(None):
        assert torch.get_num_threads() == before
    assert torch.get_num_threads() == before


def test_torch_threads_restores_after_an_exception():
    before = torch.get_num_threads()
    target = 1 if before != 1 else 2
    with pytest.raises(KeyError), torch_threads(target):
        raise KeyError("x")
    assert torch.get_num_threads() == before
