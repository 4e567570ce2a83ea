"""Mean imputation: the observed per-pixel training mean."""

from __future__ import annotations

import pytest
import torch

from mixmiss.data import load_dataset, make_mask
from mixmiss.errors import InputError
from mixmiss.impute.mean import MeanImputer
from mixmiss.metrics import rmse_missing


def test_each_missing_pixel_gets_its_observed_training_mean():
    x = torch.tensor([[0.2, 0.4], [0.6, 0.8]]).view(1, 1, 2, 2).repeat(3, 1, 1, 1)
    x[1] = 1.0
    mask = torch.ones_like(x)
    mask[2, 0, 0, 0] = 0  # pixel (0, 0): observed 0.2 and 1.0 -> 0.6
    mask[:, 0, 1, 1] = 0  # pixel (1, 1): never observed -> global observed mean
    imputer = MeanImputer().fit(x, mask, progress=False)
    observed = x[mask.bool()]
    assert imputer.global_mean_ == pytest.approx(float(observed.double().mean()))
    expected = torch.tensor([[0.6, 0.6], [2.2 / 3, imputer.global_mean_]])
    torch.testing.assert_close(imputer.pixel_mean_[0, 0], expected)
    out = imputer.impute(x, mask)
    assert out[2, 0, 0, 0] == pytest.approx(0.6)
    assert out[0, 0, 1, 1] == pytest.approx(imputer.global_mean_)


def test_training_without_any_observed_pixel_is_an_error():
    x = torch.rand(4, 1, 3, 3)
    with pytest.raises(InputError, match="no pixel as observed"):
        MeanImputer().fit(x, torch.zeros_like(x), progress=False)


def test_images_of_another_size_are_refused():
    x = torch.rand(4, 1, 3, 3)
    imputer = MeanImputer().fit(x, torch.ones_like(x), progress=False)
    y = torch.rand(2, 1, 4, 4)
    with pytest.raises(InputError, match="fitted on"):
        imputer.impute(y, torch.ones_like(y))


@pytest.mark.real_data
def test_mean_imputation_reproduces_the_paper_rmse_on_mnist(mnist_dir):
    """Table 1: 0.257 at I.M. 0.6 (first 50,000 training images, 10,000 test images)."""
    train = load_dataset("mnist", "train", mnist_dir).subset(slice(0, 50_000))
    test = load_dataset("mnist", "test", mnist_dir)
    g = torch.Generator().manual_seed(0)
    train_mask = make_mask("im", len(train), (28, 28), 0.6, g)
    test_mask = make_mask("im", len(test), (28, 28), 0.6, g)
    imputer = MeanImputer().fit(train.images, train_mask, progress=False)
    out = imputer.impute(test.images, test_mask)
    assert rmse_missing(out, test.images, test_mask) == pytest.approx(0.257, abs=0.003)
