import json

import numpy as np
import pytest
import torch

from mixmiss.data import load_dataset
from mixmiss.errors import CacheError, InputError
from mixmiss.evaluators import (
    evaluator_info,
    fid_score,
    get_evaluator,
    load_evaluator,
    reference_statistics,
    train_evaluator,
)


@pytest.fixture
def digits_evaluator(private_cache):
    return train_evaluator("digits", epochs=15, progress=False, device="cpu")


def test_digits_evaluator_trains_caches_and_reloads(digits_evaluator, private_cache):
    meta = digits_evaluator.metadata
    assert meta["dataset"] == "digits" and meta["seed"] == 0
    assert meta["test_accuracy"] > 0.85
    assert meta["architecture"]["name"] == "ClassifierCNN"
    stored = json.loads((private_cache / "evaluators" / "digits.json").read_text())
    assert stored["checksum"] == meta["checksum"] and len(meta["checksum"]) == 64
    loaded = load_evaluator("digits", device="cpu")
    test = load_dataset("digits", "test")
    assert torch.equal(loaded.predict(test.images), digits_evaluator.predict(test.images))
    assert loaded.accuracy(test.images, test.labels) == pytest.approx(meta["test_accuracy"])
    assert evaluator_info("digits")["test_accuracy"] == meta["test_accuracy"]
    assert get_evaluator("digits").metadata["checksum"] == meta["checksum"]


def test_training_is_reproducible_and_leaves_global_rng_alone(private_cache):
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = train_evaluator("digits", epochs=2, progress=False, device="cpu")
    after = torch.rand(1)
    b = train_evaluator("digits", epochs=2, progress=False, device="cpu")
    assert torch.equal(before, after)
    assert a.metadata["checksum"] == b.metadata["checksum"]


def test_features_are_the_penultimate_layer(digits_evaluator):
    images = load_dataset("digits", "test").images[:10]
    features = digits_evaluator.features(images)
    assert features.shape == (10, digits_evaluator.feature_dim) == (10, 64)
    assert (features < 0).any()  # taken before the ReLU


def test_reference_statistics_are_cached_and_fid_is_sensible(digits_evaluator, private_cache):
    mu, sigma = reference_statistics(digits_evaluator)
    files = list((private_cache / "fid").glob("digits-train-*.npz"))
    assert len(files) == 1 and mu.shape == (64,) and sigma.shape == (64, 64)
    again, _ = reference_statistics(digits_evaluator)
    np.testing.assert_array_equal(mu, again)
    real = fid_score(load_dataset("digits", "test").images, digits_evaluator)
    noise = fid_score(
        torch.rand(300, 1, 8, 8, generator=torch.Generator().manual_seed(0)), digits_evaluator
    )
    assert 0 <= real < noise / 10


def test_show_before_train_says_how_to_fix(private_cache):
    with pytest.raises(CacheError, match="mixmiss evaluator train --dataset mnist"):
        evaluator_info("mnist")


def test_corrupt_weights_are_refused_not_retrained(digits_evaluator, private_cache):
    weights = private_cache / "evaluators" / "digits.pt"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(CacheError, match="does not match the checksum"):
        load_evaluator("digits")
    with pytest.raises(CacheError):
        get_evaluator("digits")


def test_unwritable_cache_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError, match="evaluator cache directory .* is not writable"):
        train_evaluator("digits", cache_dir=blocker, epochs=1, progress=False)


def test_bad_arguments(digits_evaluator):
    with pytest.raises(InputError, match="unknown dataset"):
        train_evaluator("svhn")
    with pytest.raises(InputError, match="epochs must be >= 1"):
        train_evaluator("digits", epochs=0)
    with pytest.raises(InputError, match="takes 8x8 images"):
        digits_evaluator.predict(torch.rand(2, 1, 28, 28))
    with pytest.raises(InputError, match=r"must lie in \[0, 1\]"):
        digits_evaluator.features(torch.rand(2, 1, 8, 8) * 2 - 1)


@pytest.mark.real_data
def test_mnist_evaluator_pipeline_on_a_small_subset(mnist_dir, private_cache):
    evaluator = train_evaluator(
        "mnist", mnist_dir, epochs=1, max_train=3000, progress=False, device="cpu"
    )
    assert evaluator.metadata["train_images"] == 3000
    assert evaluator.metadata["test_accuracy"] > 0.85
    assert load_evaluator("mnist").feature_dim == 128


def test_a_registered_dataset_without_an_evaluator_is_a_clear_error(tmp_path):
    from mixmiss.errors import InputError
    from mixmiss.evaluators import get_evaluator

    with pytest.raises(InputError, match="no evaluator for cifar10 yet"):
        get_evaluator("cifar10", tmp_path, tmp_path)
