"""The generated shapes collection and the pixel rule that names what an image shows."""

import numpy as np
import pytest
import torch

from mixmiss.data.shapes import CLASS_NAMES, class_fractions, classify_shapes, make_shapes
from mixmiss.errors import InputError


def test_same_seed_same_pixels_other_seed_other_pixels():
    a, b, c = make_shapes(3, 16, seed=5), make_shapes(3, 16, seed=5), make_shapes(3, 16, seed=6)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)
    assert a.images.shape == (27, 3, 16, 16) and a.class_names == CLASS_NAMES
    assert 0.0 <= a.images.min() and a.images.max() <= 1.0


@pytest.mark.parametrize("size", [32, 64])
def test_the_rule_names_every_generated_shape(size):
    dataset = make_shapes(20, size, seed=1)
    names = classify_shapes(dataset.images)
    truth = [CLASS_NAMES[label] for label in dataset.labels]
    assert names == truth  # 180 images, no error allowed


def test_the_rule_sees_no_shape_in_grey_noise_or_a_speck():
    noise = torch.full((2, 3, 32, 32), 0.5) + 0.05 * torch.randn(
        2, 3, 32, 32, generator=torch.Generator().manual_seed(0)
    ).mean(1, keepdim=True)
    noise[1, 0, 3:5, 3:5] = 1.0  # a 2x2 red speck: under 2 % of the image
    assert classify_shapes(noise.clamp(0, 1)) == ["none", "none"]


def test_the_rule_survives_blur_and_colour_noise():
    """Generated samples are softer than the data: blur and jitter must not change the answer."""
    dataset = make_shapes(10, 32, seed=2)
    blurred = torch.nn.functional.avg_pool2d(
        dataset.images, 3, 1, padding=1, count_include_pad=False
    )
    noisy = blurred + 0.05 * torch.randn(blurred.shape, generator=torch.Generator().manual_seed(0))
    names = classify_shapes(noisy.clamp(0, 1))
    truth = [CLASS_NAMES[label] for label in dataset.labels]
    assert np.mean([a == b for a, b in zip(names, truth, strict=True)]) >= 0.95


def test_class_fractions_sum_to_one():
    dataset = make_shapes(4, 32, seed=3)
    fractions = class_fractions(dataset.images[:8])  # 4 red circles, 4 red squares
    assert fractions == {"red-circle": 0.5, "red-square": 0.5}


def test_bad_arguments_are_input_errors():
    with pytest.raises(InputError, match="size"):
        make_shapes(2, 4)
    with pytest.raises(InputError, match="per_class"):
        make_shapes(0)
    with pytest.raises(InputError, match="RGB"):
        classify_shapes(torch.zeros(2, 1, 8, 8))
