"""Colour images on the grayscale imputer interface: the two layouts and what they give."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.impute.colour import as_grayscale
from mixmiss.impute.inpaint import InpaintImputer
from mixmiss.impute.mean import MeanImputer
from mixmiss.registry import IMPUTERS


def test_the_layouts_are_reshapes_that_reshape_back():
    x = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).view(2, 3, 4, 5)
    joint = as_grayscale(x, "joint")
    assert joint.shape == (2, 1, 12, 5) and torch.equal(joint[1, 0, 4:8], x[1, 1])
    split = as_grayscale(x, "per-channel")
    assert split.shape == (6, 1, 4, 5) and torch.equal(split[4, 0], x[1, 1])
    assert torch.equal(joint.reshape(x.shape), x) and torch.equal(split.reshape(x.shape), x)
    gray = x[:, :1]
    assert as_grayscale(gray, None) is gray


def test_grayscale_only_and_unknown_layouts_are_refused():
    x = torch.zeros(1, 3, 2, 2)
    with pytest.raises(InputError, match="grayscale images only"):
        as_grayscale(x, None)
    with pytest.raises(InputError, match="unknown colour layout"):
        as_grayscale(x, "interleaved")


def test_every_method_declares_a_known_layout():
    assert {name: cls.colour for name, cls in IMPUTERS.items()} == {
        "mean": "joint", "inpaint": "per-channel", "rbm": "joint", "lm-rbm": "joint",
        "misgan": None,
    }  # fmt: skip


def test_joint_mean_learns_a_mean_per_pixel_and_channel():
    x = torch.rand(8, 3, 4, 4, generator=torch.Generator().manual_seed(0))
    mask = torch.ones_like(x)
    mask[0] = 0
    imputer = MeanImputer().fit(
        as_grayscale(x, "joint"), as_grayscale(mask, "joint"), progress=False
    )
    completed = imputer.impute(as_grayscale(x, "joint"), as_grayscale(mask, "joint"))
    torch.testing.assert_close(completed.reshape(x.shape)[0], x[1:].mean(dim=0), rtol=0, atol=1e-6)


def test_per_channel_inpainting_never_mixes_channels():
    x = torch.stack([torch.full((4, 4), 0.2), torch.full((4, 4), 0.9)])[None]  # (1, 2, 4, 4)
    mask = torch.ones_like(x)
    mask[..., 1:3, 1:3] = 0
    imputer = InpaintImputer(fill="mean")
    imputer.fit(as_grayscale(x, "per-channel"), as_grayscale(mask, "per-channel"), progress=False)
    completed = imputer.impute(as_grayscale(x, "per-channel"), as_grayscale(mask, "per-channel"))
    torch.testing.assert_close(completed.reshape(x.shape), x, rtol=0, atol=1e-6)
