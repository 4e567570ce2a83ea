"""Choosing the torch device from a user setting."""

from __future__ import annotations

import torch

from .errors import InputError

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def resolve_device(name: str | torch.device = "auto") -> torch.device:
    """``"auto"`` -> CUDA when available, else CPU; ``"cuda"`` fails clearly without a GPU."""
    if isinstance(name, torch.device):
        return name
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(
            f"device {name!r} was asked for but no CUDA GPU is available; use --device cpu or auto."
        )
    try:
        return torch.device(name)
    except RuntimeError:
        raise InputError(
            f"unknown device {name!r}; choose one of {', '.join(DEVICE_CHOICES)}."
        ) from None
