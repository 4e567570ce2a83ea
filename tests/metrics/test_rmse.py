import math

import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.metrics import rmse_all, rmse_missing


def test_rmse_missing_averages_per_image_rmse_over_missing_pixels():
    target = torch.zeros(2, 1, 2, 2)
    imputed = torch.zeros(2, 1, 2, 2)
    imputed[0, 0, 0, 0] = 0.5  # image 0: missing pixels (0,0),(0,1): errors 0.5, 0
    imputed[1, 0, 1, 1] = 1.0  # image 1: one missing pixel with error 1
    imputed[1, 0, 0, 0] = 1.0  # observed in image 1: must not count
    mask = torch.ones(2, 1, 2, 2)
    mask[0, 0, 0, :] = 0
    mask[1, 0, 1, 1] = 0
    expected = (math.sqrt(0.25 / 2) + 1.0) / 2
    assert rmse_missing(imputed, target, mask) == pytest.approx(expected)


def test_per_image_mean_differs_from_pooled_rmse():
    target = torch.zeros(2, 1, 1, 4)
    imputed = torch.tensor([[[[1.0, 0, 0, 0]]], [[[1.0, 1, 1, 1]]]])
    mask = torch.zeros(2, 1, 1, 4)
    assert rmse_missing(imputed, target, mask) == pytest.approx((0.5 + 1.0) / 2)
    assert rmse_all(imputed, target) == pytest.approx(math.sqrt(5 / 8))


def test_images_without_missing_pixels_are_left_out():
    target = torch.zeros(2, 1, 2, 2)
    imputed = torch.full((2, 1, 2, 2), 0.3)
    mask = torch.zeros(2, 1, 2, 2)
    mask[1] = 1
    assert rmse_missing(imputed, target, mask) == pytest.approx(0.3)
    with pytest.raises(InputError, match="no pixel as missing"):
        rmse_missing(imputed, target, torch.ones_like(mask))


def test_bad_inputs():
    x = torch.rand(3, 1, 4, 4)
    with pytest.raises(InputError, match="differ in shape"):
        rmse_missing(x, torch.rand(3, 1, 4, 5), torch.ones(3, 1, 4, 5))
    with pytest.raises(InputError, match=r"mask has shape \(3, 1, 4\)"):
        rmse_missing(x, x, torch.ones(3, 1, 4))
    with pytest.raises(InputError, match="only 0 \\(missing\\) and 1"):
        rmse_missing(x, x, torch.full((3, 1, 4, 4), 0.5))
    with pytest.raises(InputError, match=r"imputed must lie in \[0, 1\]"):
        rmse_all(x * 2 + 0.1, x)
    with pytest.raises(InputError, match=r"\(N, 1, H, W\).*x\[:, None\]"):
        rmse_all(torch.rand(3, 4, 4), torch.rand(3, 4, 4))
