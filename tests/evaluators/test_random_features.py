"""The fixed random CNN features used for FID on image folders."""

import pytest
import torch

from mixmiss.data.shapes import make_shapes
from mixmiss.errors import InputError
from mixmiss.evaluators.random_features import RandomFeatures, random_features
from mixmiss.metrics import fid_from_features, gaussian_statistics


def test_features_are_fixed_by_the_seed_for_gray_and_rgb():
    for channels in (1, 3):
        x = torch.rand(5, channels, 32, 32, generator=torch.Generator().manual_seed(0))
        a, b = random_features(x), random_features(x)
        assert a.shape == (5, RandomFeatures(channels).feature_dim) == (5, 448)
        assert torch.equal(a, b)
    rgb = torch.rand(3, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    assert not torch.equal(RandomFeatures(3, seed=1)(rgb), RandomFeatures(3)(rgb))


def test_fid_on_these_features_tells_colours_apart():
    shapes = make_shapes(60, 32, seed=0)
    red = shapes.images[shapes.labels < 3]  # 180 red shapes
    blue = shapes.images[shapes.labels >= 6]
    reference = gaussian_statistics(random_features(red[:90]))
    same = fid_from_features(random_features(red[90:]), reference)
    other = fid_from_features(random_features(blue[:90]), reference)
    assert other > 5 * same


def test_bad_images_are_input_errors():
    with pytest.raises(InputError, match="C in"):
        random_features(torch.rand(2, 2, 8, 8))
