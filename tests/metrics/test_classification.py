import numpy as np
import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.metrics import logistic_accuracy


def blobs(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=n)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    return centres[labels] + rng.normal(scale=0.5, size=(n, 2)), labels


def test_separable_classes_are_learned():
    x, y = blobs(300, 0)
    xt, yt = blobs(200, 1)
    assert logistic_accuracy(x, y, xt, yt) > 0.97


def test_random_labels_give_chance():
    rng = np.random.default_rng(0)
    x, xt = rng.normal(size=(400, 5)), rng.normal(size=(400, 5))
    acc = logistic_accuracy(x, rng.integers(0, 4, 400), xt, rng.integers(0, 4, 400))
    assert 0.12 < acc < 0.40


def test_images_are_flattened_and_tensors_accepted():
    x, y = blobs(200, 0)
    images = torch.tensor(x, dtype=torch.float32).view(200, 1, 1, 2)
    assert logistic_accuracy(images, torch.tensor(y), images, torch.tensor(y)) > 0.95


def test_bad_inputs():
    x, y = blobs(50, 0)
    with pytest.raises(InputError, match="2 features per row but test_x has 3"):
        logistic_accuracy(x, y, np.zeros((5, 3)), np.zeros(5, dtype=int))
    with pytest.raises(InputError, match="single class"):
        logistic_accuracy(x, np.zeros(50, dtype=int), x, y)
    with pytest.raises(InputError, match="train_y must be 50 integer labels"):
        logistic_accuracy(x, y.astype(float), x, y)
    with pytest.raises(InputError, match="NaN"):
        logistic_accuracy(np.full_like(x, np.nan), y, x, y)
