"""The shared input checks: what they accept as is, and the message of what they refuse."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.validation import (
    check_images,
    check_labels,
    check_mask,
    check_positive_int,
    check_rate,
)

# -- check_images ------------------------------------------------------------------------


def test_images_are_returned_unchanged():
    x = torch.rand(3, 1, 4, 5, dtype=torch.float64)
    assert check_images(x) is x
    edges = torch.tensor([0.0, 1.0]).view(2, 1, 1, 1)  # both ends of [0, 1] are allowed
    assert check_images(edges) is edges


def test_numpy_images_become_a_tensor_of_the_same_values():
    x = np.random.default_rng(0).random((2, 1, 3, 3)).astype(np.float32)
    out = check_images(x)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    np.testing.assert_array_equal(out.numpy(), x)


@pytest.mark.parametrize(
    "x, message",
    [
        (
            torch.rand(2, 4, 4),
            r"images must have shape \(N, 1, H, W\), got \(2, 4, 4\)\. Add the channel",
        ),
        (torch.rand(2, 3, 4, 4), r"must have shape \(N, 1, H, W\), got \(2, 3, 4, 4\)\.$"),
        (torch.rand(4, 4), r"must have shape \(N, 1, H, W\), got \(4, 4\)\.$"),
        (torch.rand(0, 1, 4, 4), r"images is empty \(shape \(0, 1, 4, 4\)\)"),
        (torch.rand(2, 1, 0, 4), "images is empty"),
        (torch.zeros(2, 1, 4, 4, dtype=torch.uint8), "got torch.uint8. Divide uint8 images by 255"),
        (torch.zeros(2, 1, 4, 4, dtype=torch.int64), r"tensor in \[0, 1\], got torch.int64\.$"),
        (torch.full((1, 1, 2, 2), float("nan")), "contains NaN or infinite values"),
        (torch.full((1, 1, 2, 2), float("inf")), "contains NaN or infinite values"),
        (
            torch.tensor([-0.5, 1.0]).view(2, 1, 1, 1),
            r"must lie in \[0, 1\], found values in \[-0.5, 1\]",
        ),
        (torch.tensor([0.0, 1.5]).view(2, 1, 1, 1), r"found values in \[0, 1.5\]. Rescale"),
        (np.zeros((1, 1, 2, 2), dtype=object), "images has dtype object"),
        ([[[[0.5]]]], "images must be a torch.Tensor or numpy.ndarray, got list"),
    ],
)
def test_bad_images_are_refused_with_a_message(x, message):
    with pytest.raises(InputError, match=message):
        check_images(x)


def test_the_name_appears_in_the_message():
    with pytest.raises(InputError, match=r"^fakes must have shape"):
        check_images(torch.rand(2, 2), name="fakes")


# -- check_mask ----------------------------------------------------------------------------


def test_mask_is_cast_to_the_images_dtype():
    like = torch.rand(2, 1, 3, 3, dtype=torch.float64)
    for mask in (
        torch.ones(2, 1, 3, 3, dtype=torch.bool),
        torch.ones(2, 1, 3, 3, dtype=torch.uint8),
        np.ones((2, 1, 3, 3), dtype=np.float32),
    ):
        out = check_mask(mask, like)
        assert out.dtype == torch.float64 and torch.equal(out, torch.ones_like(like))


def test_mask_values_are_kept():
    like = torch.rand(1, 1, 2, 2)
    mask = torch.tensor([[[[1, 0], [0, 1]]]])
    assert check_mask(mask, like).tolist() == [[[[1.0, 0.0], [0.0, 1.0]]]]


@pytest.mark.parametrize(
    "mask, message",
    [
        (
            torch.ones(2, 1, 3, 2),
            r"mask has shape \(2, 1, 3, 2\) but the images have \(2, 1, 3, 3\)",
        ),
        (torch.ones(2, 3, 3), "mask has shape"),
        (torch.full((2, 1, 3, 3), 0.5), r"must hold only 0 \(missing\) and 1 \(observed\)"),
        (torch.full((2, 1, 3, 3), 2), "must hold only 0"),
        (torch.full((2, 1, 3, 3), float("nan")), "must hold only 0"),
        ("mask", "must be a torch.Tensor or numpy.ndarray, got str"),
    ],
)
def test_bad_masks_are_refused(mask, message):
    with pytest.raises(InputError, match=message):
        check_mask(mask, torch.rand(2, 1, 3, 3))


# -- check_rate ----------------------------------------------------------------------------


@pytest.mark.parametrize("rate", [0.5, 1e-9, 0.999, np.float32(0.25), np.float64(0.75)])
def test_rates_strictly_inside_the_unit_interval(rate):
    out = check_rate(rate)
    assert isinstance(out, float) and out == pytest.approx(float(rate))


def test_fraction_like_rates():
    from fractions import Fraction

    assert check_rate(Fraction(1, 4)) == 0.25


@pytest.mark.parametrize("rate", [0, 0.0, 1, 1.0, -0.1, 1.5, float("nan"), float("inf")])
def test_rates_at_or_outside_the_ends_are_refused(rate):
    with pytest.raises(InputError, match=r"rate must lie strictly between 0 and 1 \(the fraction"):
        check_rate(rate)


@pytest.mark.parametrize("rate", [True, "0.5", None, 0.5j])
def test_non_numbers_are_refused(rate):
    with pytest.raises(InputError, match=r"missing_rate must be a number in \(0, 1\), got"):
        check_rate(rate, name="missing_rate")


# -- check_positive_int --------------------------------------------------------------------


@pytest.mark.parametrize("value", [1, 7, np.int64(3), np.uint8(2)])
def test_positive_ints(value):
    out = check_positive_int(value, "n")
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize("value", [0, -1, 2.0, "3", True, None, np.float64(2)])
def test_non_positive_ints_are_refused(value):
    with pytest.raises(
        InputError, match=re.escape(f"epochs must be a positive integer, got {value!r}.")
    ):
        check_positive_int(value, "epochs")


# -- check_labels --------------------------------------------------------------------------


def test_labels_become_int64():
    for labels in (torch.tensor([1, 2, 3], dtype=torch.int32), np.array([1, 2, 3], dtype=np.uint8)):
        out = check_labels(labels, 3)
        assert out.dtype == torch.int64 and out.tolist() == [1, 2, 3]


@pytest.mark.parametrize(
    "labels, message",
    [
        (torch.tensor([1, 2]), r"labels must have shape \(3,\), got \(2,\)"),
        (torch.tensor([[1, 2, 3]]), r"labels must have shape \(3,\), got \(1, 3\)"),
        (
            torch.tensor([1.0, 2.0, 3.0]),
            "labels must hold integer class indices, got torch.float32",
        ),
        (torch.tensor([True, False, True]), "integer class indices, got torch.bool"),
        (torch.tensor([1, 2, 3], dtype=torch.complex64), "integer class indices"),
        ([1, 2, 3], "labels must be a torch.Tensor or numpy.ndarray, got list"),
    ],
)
def test_bad_labels_are_refused(labels, message):
    with pytest.raises(InputError, match=message):
        check_labels(labels, 3)
