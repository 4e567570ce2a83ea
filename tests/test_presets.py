"""One preset shape for every method and study, and the CLI's choices derived from it."""

from __future__ import annotations

import pytest

from mixmiss.cli import build_parser
from mixmiss.errors import InputError
from mixmiss.mmgan import PRESETS as MMGAN_PRESETS
from mixmiss.presets import PRESET_NAMES, Presets
from mixmiss.registry import IMPUTERS


def test_names_settings_and_overrides():
    presets = Presets("a method", smoke={"epochs": 1}, quick={"epochs": 5, "lr": 0.1})
    assert list(presets) == list(PRESET_NAMES) and len(presets) == 3
    assert presets["paper"] == {}
    assert presets.settings("quick", lr=0.2, epochs=None) == {"epochs": 5, "lr": 0.2}


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(InputError, match="unknown preset 'fast' for a method; choose one of smoke"):
        Presets("a method")["fast"]


def test_presets_are_read_only():
    presets = Presets("a method", quick={"epochs": 5})
    with pytest.raises(TypeError):
        presets["quick"]["epochs"] = 6


@pytest.mark.parametrize("owner", [MMGAN_PRESETS, *(cls.PRESETS for cls in IMPUTERS.values())])
def test_every_method_uses_the_shape(owner):
    assert isinstance(owner, Presets) and list(owner) == list(PRESET_NAMES)


@pytest.mark.parametrize("argv", [["mmgan", "train"], ["impute", "train"], ["reproduce", "table1"]])
def test_cli_choices_come_from_the_preset_names(argv, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args([*argv, "--preset", "nope"])
    assert "choose from 'smoke', 'quick', 'paper'" in capsys.readouterr().err
