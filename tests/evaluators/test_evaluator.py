"""The Evaluator wrapper: batched logits, predictions, features and accuracy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mixmiss.data import load_dataset
from mixmiss.device import torch_threads
from mixmiss.errors import InputError
from mixmiss.evaluators import Evaluator, train_evaluator
from mixmiss.evaluators.network import ClassifierCNN, ClassifierConfig
from mixmiss.rng import isolated_seed


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, above all on a busy machine."""
    with torch_threads(1):
        yield


def untrained(hidden: int = 12, seed: int = 0) -> Evaluator:
    with isolated_seed(seed):
        network = ClassifierCNN(ClassifierConfig(8, (4, 8), 3, hidden))
    return Evaluator(network, {"dataset": "digits", "checksum": "0" * 64})


@pytest.fixture(scope="module")
def images() -> torch.Tensor:
    return load_dataset("digits", "test").images[:50]


def test_properties():
    evaluator = untrained(hidden=12)
    assert evaluator.dataset == "digits"
    assert evaluator.feature_dim == 12
    assert evaluator.device == torch.device("cpu")


def test_outputs_have_the_documented_shapes_and_types(images):
    evaluator = untrained()
    assert evaluator.logits(images).shape == (50, 10)
    predicted = evaluator.predict(images)
    assert predicted.shape == (50,) and predicted.dtype == torch.int64
    assert torch.equal(predicted, evaluator.logits(images).argmax(dim=1))
    features = evaluator.features(images)
    assert features.shape == (50, 12) and features.dtype == torch.float32


def test_batch_size_does_not_change_the_outputs(images):
    evaluator = untrained()
    for fn in (evaluator.logits, evaluator.features):
        whole = fn(images)
        torch.testing.assert_close(fn(images, batch_size=7), whole, rtol=0, atol=1e-5)
        torch.testing.assert_close(fn(images, batch_size=1), whole, rtol=0, atol=1e-5)


def test_the_network_is_run_in_eval_mode(images):
    """A network left in training mode would apply dropout and batch statistics."""
    evaluator = untrained()
    expected = evaluator.logits(images)
    evaluator.network.train()
    torch.testing.assert_close(evaluator.logits(images, batch_size=5), expected, rtol=0, atol=1e-5)
    assert not evaluator.network.training


def test_numpy_and_float64_inputs_are_accepted(images):
    evaluator = untrained()
    expected = evaluator.features(images)
    torch.testing.assert_close(evaluator.features(images.double()), expected, rtol=0, atol=1e-5)
    torch.testing.assert_close(evaluator.features(images.numpy()), expected, rtol=0, atol=1e-5)


def test_accuracy_counts_the_matching_labels(images):
    evaluator = untrained()
    predicted = evaluator.predict(images)
    assert evaluator.accuracy(images, predicted) == 1.0
    assert evaluator.accuracy(images, (predicted + 1) % 10) == 0.0
    half = predicted.clone()
    half[::2] = (half[::2] + 1) % 10
    assert evaluator.accuracy(images, half) == 0.5
    assert evaluator.accuracy(images, predicted.numpy().astype(np.int32)) == 1.0


@pytest.mark.parametrize(
    "bad, message",
    [
        (torch.rand(2, 1, 28, 28), r"the digits evaluator takes 8x8 images, got \(28, 28\)"),
        (torch.rand(2, 8, 8), r"must have shape \(N, 1, H, W\)"),
        (torch.rand(2, 1, 8, 8) + 1, r"must lie in \[0, 1\]"),
        (torch.zeros(2, 1, 8, 8, dtype=torch.uint8), "Divide uint8 images by 255"),
    ],
)
def test_bad_images_are_input_errors(bad, message):
    evaluator = untrained()
    for fn in (evaluator.logits, evaluator.predict, evaluator.features):
        with pytest.raises(InputError, match=message):
            fn(bad)


def test_bad_labels_are_input_errors(images):
    evaluator = untrained()
    with pytest.raises(InputError, match=r"labels must have shape \(50,\), got \(49,\)"):
        evaluator.accuracy(images, torch.zeros(49, dtype=torch.long))
    with pytest.raises(InputError, match="labels must hold integer class indices"):
        evaluator.accuracy(images, torch.zeros(50))


def test_a_briefly_trained_evaluator_beats_chance_and_its_reported_accuracy_is_real(tmp_path):
    """8 epochs on the first 640 digits (80 steps, under a second; measured 97.5 %): far
    above the 10 % of chance, and the metadata's test accuracy is what
    :meth:`Evaluator.accuracy` gives on the test split."""
    evaluator = train_evaluator(
        "digits", cache_dir=tmp_path, epochs=8, max_train=640, progress=False, device="cpu"
    )
    test = load_dataset("digits", "test")
    accuracy = evaluator.accuracy(test.images, test.labels)
    assert accuracy == evaluator.metadata["test_accuracy"]
    assert accuracy > 0.8
    shuffled = test.labels[torch.randperm(len(test), generator=torch.Generator().manual_seed(0))]
    assert evaluator.accuracy(test.images, shuffled) < 0.3
