"""A small RBM on real MNIST (I.M. 0.6) already beats mean imputation (0.252 here)."""

from __future__ import annotations

import pytest
import torch

from mixmiss.data import load_dataset, make_mask
from mixmiss.metrics import rmse_missing
from mixmiss.registry import make_imputer


@pytest.mark.real_data
@pytest.mark.parametrize("method", ["rbm", "lm-rbm"])
def test_small_rbm_beats_mean_imputation_on_mnist(mnist_dir, method):
    train = load_dataset("mnist", "train", data_dir=mnist_dir, download=False).images[:2000]
    test = load_dataset("mnist", "test", data_dir=mnist_dir, download=False).images[:500]
    mask = make_mask("im", len(train), (28, 28), 0.6, torch.Generator().manual_seed(0))
    mask_test = make_mask("im", len(test), (28, 28), 0.6, torch.Generator().manual_seed(1))
    imputer = make_imputer(
        method,
        "quick",
        n_hidden=128,
        epochs=4,
        batch_size=32,
        hidden="mean",
        random_state=0,
        device="cpu",
    ).fit(train, mask, progress=False)
    filled = imputer.impute(test, mask_test)
    pixel_mean = (train * mask).sum(0) / mask.sum(0)
    mean_filled = torch.where(mask_test.bool(), test, pixel_mean.expand_as(test))
    mean_error = rmse_missing(mean_filled, test, mask_test)
    error = rmse_missing(filled, test, mask_test)
    assert error < mean_error - 0.01, (error, mean_error)  # measured: 0.225 (rbm), 0.238 (lm)
