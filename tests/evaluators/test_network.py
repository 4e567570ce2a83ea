"""The evaluator CNN: shapes, feature dimension, pre-ReLU features, the config round trip."""

from __future__ import annotations

import json

import pytest
import torch

from mixmiss.device import torch_threads
from mixmiss.evaluators import RECIPES
from mixmiss.evaluators.network import ClassifierCNN, ClassifierConfig
from mixmiss.rng import isolated_seed


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, above all on a busy machine."""
    with torch_threads(1):
        yield


def network(config: ClassifierConfig, seed: int = 0) -> ClassifierCNN:
    with isolated_seed(seed):
        return ClassifierCNN(config).eval()


@pytest.mark.parametrize("dataset", sorted(RECIPES))
def test_recipe_networks_have_the_stated_shapes(dataset):
    config = RECIPES[dataset].architecture
    net = network(config)
    size = config.image_size
    x = torch.rand(3, 1, size, size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert net.features(x).shape == (3, config.hidden)
        assert net(x).shape == (3, config.num_classes)
    side = size // 4  # two 2x2 max-pools
    assert net.fc1.in_features == config.channels[1] * side * side
    assert (config.hidden, size) == (
        {"digits": 64}.get(dataset, 128),
        8 if dataset == "digits" else 28,
    )


@pytest.mark.parametrize("size, side", [(8, 2), (10, 2), (12, 3), (28, 7)])
def test_flattened_size_follows_the_pools_for_any_image_size(size, side):
    config = ClassifierConfig(size, (4, 6), 3, 5, num_classes=3)
    net = network(config)
    assert net.fc1.in_features == 6 * side * side
    with torch.no_grad():
        assert net(torch.rand(2, 1, size, size)).shape == (2, 3)


def test_features_are_pre_relu_and_the_logits_read_them():
    config = ClassifierConfig(8, (4, 8), 3, 16, num_classes=10, dropout=0.5)
    net = network(config)
    x = torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        features = net.features(x)
        assert (features < 0).any() and (features > 0).any()
        # eval mode: dropout is off, logits = Linear(ReLU(features))
        expected = net.head[2](torch.relu(features))
        torch.testing.assert_close(net(x), expected, rtol=0, atol=1e-6)


def test_input_is_centred_before_the_trunk():
    """A fresh network in eval mode (BN running mean 0, variance 1, no conv bias) maps
    the constant 0.5 image to a zero trunk output: its features are exactly fc1's bias."""
    net = network(ClassifierConfig(8, (4, 8), 3, 16))
    with torch.no_grad():
        features = net.features(torch.full((2, 1, 8, 8), 0.5))
        torch.testing.assert_close(features, net.fc1.bias.expand(2, -1), rtol=0, atol=1e-7)
        assert not torch.allclose(net.features(torch.zeros(1, 1, 8, 8)), net.fc1.bias, atol=1e-4)


def test_dropout_acts_in_training_mode_only():
    net = network(ClassifierConfig(8, (4, 8), 3, 32, dropout=0.5))
    x = torch.rand(6, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    with torch.no_grad(), isolated_seed(0):
        eval_a, eval_b = net(x), net(x)
        net.train()
        train_a = net(x)
        train_b = net(x)
    assert torch.equal(eval_a, eval_b)
    assert not torch.equal(train_a, train_b)


def test_config_round_trips_through_json():
    config = ClassifierConfig(28, (32, 64), 5, 128, num_classes=7, dropout=0.1)
    data = json.loads(json.dumps(config.to_dict()))
    assert data["channels"] == [32, 64]
    restored = ClassifierConfig.from_dict(data)
    assert restored == config and isinstance(restored.channels, tuple)
    assert ClassifierConfig.from_dict({**data, "dropout": 0.3}).dropout == 0.3


def test_same_seed_same_weights():
    config = ClassifierConfig(8, (4, 8), 3, 16)
    a, b, c = network(config, 0), network(config, 0), network(config, 1)
    assert torch.equal(a.fc1.weight, b.fc1.weight)
    assert not torch.equal(a.fc1.weight, c.fc1.weight)
