"""The MMGAN run configuration: presets, overrides, validation and the dict round trip."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mixmiss.errors import InputError
from mixmiss.mmgan.config import PRESETS, MMGANConfig, make_config


def test_the_defaults_are_the_papers_section_4_settings():
    config = make_config("paper")
    assert config == MMGANConfig()
    assert (config.iters, config.batch_size, config.num_components) == (100_000, 32, None)
    assert (config.lr, config.betas, config.omega_lr) == (2e-4, (0.0, 0.9), 4e-4)
    assert (config.lam, config.ema_decay) == (0.5, 0.999)
    assert (config.z_dim, config.base_width) == (128, 64)
    assert not config.fixed_priors and not config.naive


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_every_preset_resolves_to_its_overrides_on_the_defaults(preset):
    config = make_config(preset)
    defaults = MMGANConfig()
    for field in dataclasses.fields(MMGANConfig):
        expected = PRESETS[preset].get(field.name, getattr(defaults, field.name))
        assert getattr(config, field.name) == expected, field.name


def test_quick_and_smoke_values():
    quick = make_config("quick")
    assert (quick.iters, quick.base_width, quick.ema_decay) == (8000, 32, 0.998)
    smoke = make_config("smoke")
    assert (smoke.iters, smoke.batch_size, smoke.base_width, smoke.num_threads) == (6, 8, 8, 1)
    assert smoke.checkpoint_every <= smoke.iters  # the smoke run exercises a checkpoint


def test_overrides_win_over_the_preset_and_none_is_ignored():
    config = make_config("smoke", iters=20, dataset="digits", sets="0-4;5-9", z_dim=None)
    assert (config.iters, config.dataset, config.sets) == (20, "digits", "0-4;5-9")
    assert config.z_dim == PRESETS["smoke"]["z_dim"]  # None means "not given"
    assert config.batch_size == PRESETS["smoke"]["batch_size"]
    assert make_config("quick", fixed_priors=True).fixed_priors
    # presets are not mutated by overrides
    assert PRESETS["smoke"]["iters"] == 6 and "dataset" not in PRESETS["smoke"]


def test_unknown_preset_names_the_choices():
    with pytest.raises(
        InputError,
        match="unknown preset 'fast' for the MMGAN trainer; choose one of smoke, quick, paper",
    ):
        make_config("fast")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"iters": 0}, "iters must be a positive integer, got 0"),
        ({"iters": True}, "iters must be a positive integer, got True"),
        ({"iters": 2.5}, "iters must be a positive integer, got 2.5"),
        ({"batch_size": -3}, "batch_size must be a positive integer, got -3"),
        ({"z_dim": "16"}, "z_dim must be a positive integer, got '16'"),
        ({"checkpoint_every": 0}, "checkpoint_every must be a positive integer"),
        ({"log_every": 0}, "log_every must be a positive integer"),
        ({"base_width": 7}, r"base_width must be even \(the last layer has w/2\), got 7"),
        ({"base_width": 0}, "base_width must be a positive integer"),
        ({"num_components": 0}, "num_components must be a positive integer or None, got 0"),
        ({"num_components": True}, "num_components must be a positive integer or None"),
        ({"lam": float("nan")}, "lam"),
        ({"lr": -1.0}, "lr must be a positive number"),
        ({"dataset": "svhn"}, "unknown dataset .svhn."),
        ({"seed": -1}, "seed must be a whole number >= 0"),
        ({"ema_decay": 1.0}, r"ema_decay must lie in \[0, 1\), got 1.0"),
        ({"ema_decay": -0.1}, r"ema_decay must lie in \[0, 1\)"),
        ({"ema_decay": float("nan")}, r"ema_decay must lie in \[0, 1\)"),
        ({"lam": -0.5}, r"lam \(lambda of Eq. 11\) must be a number >= 0, got -0.5"),
        ({"fixed_priors": True, "naive": True}, "--fixed-priors and --naive exclude each other"),
    ],
)
def test_bad_values_are_input_errors_with_a_clear_message(overrides, message):
    with pytest.raises(InputError, match=message):
        make_config("smoke", **overrides)
    with pytest.raises(InputError, match=message):
        MMGANConfig(**overrides)


def test_edge_values_that_are_allowed():
    assert make_config("smoke", ema_decay=0.0).ema_decay == 0.0
    assert make_config("smoke", lam=0.0).lam == 0.0
    assert make_config("smoke", num_components=1).num_components == 1
    assert make_config("smoke", base_width=2).base_width == 2


def test_config_is_frozen():
    config = make_config("smoke")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.iters = 7  # type: ignore[misc]


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_to_dict_from_dict_round_trip_through_json(preset):
    config = make_config(preset, dataset="digits", sets="C", num_components=5, betas=(0.5, 0.99))
    data = config.to_dict()
    # precision and the folder settings are written only when not at their defaults (runs
    # from before the settings compare equal)
    later = {"precision", "folder", "collections", "resolution", "channels"}
    assert set(data) == {f.name for f in dataclasses.fields(MMGANConfig)} - later
    restored = MMGANConfig.from_dict(json.loads(json.dumps(data)))  # betas come back as a list
    assert restored == config
    assert isinstance(restored.betas, tuple) and restored.betas == (0.5, 0.99)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_a_precision_other_than_auto_is_written_and_read_back(precision):
    config = make_config("smoke", precision=precision)
    assert config.to_dict()["precision"] == precision
    assert MMGANConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    # a config written before the setting existed reads as "auto"
    legacy = {k: v for k, v in make_config("smoke").to_dict().items() if k != "precision"}
    assert MMGANConfig.from_dict(legacy).precision == "auto"


def test_an_unknown_precision_is_a_clear_error():
    with pytest.raises(InputError, match="unknown precision 'fp16'; choose one of auto, fp32"):
        make_config("smoke", precision="fp16")


def test_from_dict_fills_defaults_and_leaves_its_argument_alone():
    data = {"iters": 12, "betas": [0.1, 0.2]}
    config = MMGANConfig.from_dict(data)
    assert config == MMGANConfig(iters=12, betas=(0.1, 0.2))
    assert data == {"iters": 12, "betas": [0.1, 0.2]}


def test_from_dict_refuses_unknown_keys_and_bad_values():
    with pytest.raises(InputError, match=r"unknown MMGAN config keys \['colour', 'width'\]"):
        MMGANConfig.from_dict({"width": 3, "colour": "red", "iters": 5})
    with pytest.raises(InputError, match="iters must be a positive integer"):
        MMGANConfig.from_dict({"iters": -1})


def test_folder_settings_round_trip_and_stay_out_of_registered_configs():
    config = make_config(
        "smoke", dataset="collections", collections=("/a", "/b"), sets="", resolution=64
    )
    data = json.loads(json.dumps(config.to_dict()))
    assert data["collections"] == ["/a", "/b"] and data["resolution"] == 64
    assert "channels" not in data and "folder" not in data
    assert MMGANConfig.from_dict(data) == config
    assert config.image_format == (64, 3)
    assert make_config("smoke", dataset="folder", folder="/d", sets="x").image_format == (32, 3)
    assert make_config("smoke", dataset="mnist").image_format is None


def test_the_title_names_what_the_run_learns():
    shapes = ("/s/red things", "/s/circles")
    assert make_config("smoke", dataset="collections", collections=shapes, sets="").title == (
        "red things / circles"
    )
    assert make_config("smoke", dataset="folder", folder="/d/pets", sets="a;b").title == "pets a;b"
    assert make_config("smoke", dataset="mnist", sets="B").title == "mnist B"


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"dataset": "collections"}, "collections with dataset 'collections'"),
        ({"dataset": "mnist", "folder": "/d"}, "a folder goes with dataset 'folder'"),
        ({"dataset": "mnist", "resolution": 32}, "trained at its own size"),
        ({"dataset": "folder", "folder": "/d", "resolution": 48}, "resolution must be one of"),
        ({"dataset": "folder", "folder": "/d", "channels": 2}, "channels must be 1"),
        (
            {"dataset": "collections", "collections": ("/a", "/b"), "fixed_priors": True},
            "--fixed-priors needs the true priors",
        ),
    ],
)
def test_bad_folder_settings_are_input_errors(overrides, match):
    with pytest.raises(InputError, match=match):
        make_config("smoke", **overrides)
