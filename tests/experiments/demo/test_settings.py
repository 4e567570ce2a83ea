"""The demo's settings: the configs' own names, checkpoints spaced for the run's length."""

from __future__ import annotations

import pytest

from mixmiss.experiments.demo import DEMO_SETTINGS, SMOKE
from mixmiss.mmgan import MMGANConfig, make_config
from mixmiss.registry import make_imputer


@pytest.mark.parametrize("settings", [*DEMO_SETTINGS.values(), SMOKE])
def test_settings_are_valid_overrides_of_the_quick_presets(settings):
    config = make_config("quick", dataset="digits", sets="A", **settings.mmgan_settings())
    assert isinstance(config, MMGANConfig) and config.iters == settings.mmgan["iters"]
    assert 1 <= config.checkpoint_every <= config.iters and config.log_every >= 1
    for method in ("rbm", "lm-rbm"):
        imputer = make_imputer(method, "quick", **settings.rbm)
        assert imputer.get_config()["epochs"] == settings.rbm["epochs"]


def test_mnist_trains_longer_and_on_fewer_images_than_digits():
    digits, mnist = DEMO_SETTINGS["digits"], DEMO_SETTINGS["mnist"]
    assert mnist.mmgan["iters"] > digits.mmgan["iters"]
    assert mnist.max_train < digits.max_train
