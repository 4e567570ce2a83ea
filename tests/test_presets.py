"""One preset shape for every method and study, and the CLI's choices derived from it."""

from __future__ import annotations

import pytest

from mixmiss.cli import build_parser
from mixmiss.errors import InputError
from mixmiss.mmgan import PRESETS as MMGAN_PRESETS
from mixmiss.presets import OPTIONAL_PRESET_NAMES, PRESET_NAMES, Presets
from mixmiss.registry import IMPUTERS


def test_names_settings_and_overrides():
    presets = Presets("a method", smoke={"epochs": 1}, quick={"epochs": 5, "lr": 0.1})
    assert list(presets) == list(PRESET_NAMES) and len(presets) == 3
    assert presets["paper"] == {}
    assert presets.settings("quick", lr=0.2, epochs=None) == {"epochs": 5, "lr": 0.2}


def test_standard_is_offered_only_where_defined():
    plain = Presets("a method", quick={"epochs": 5})
    with pytest.raises(InputError, match="unknown preset 'standard' for a method; choose one of "
                       "smoke, quick, paper[.]"):  # fmt: skip
        plain["standard"]
    richer = Presets("a study", quick={"epochs": 5}, standard={"epochs": 50})
    assert list(richer) == [*PRESET_NAMES, *OPTIONAL_PRESET_NAMES] and len(richer) == 4
    assert richer["standard"] == {"epochs": 50} and richer.settings("standard", lr=1) == {
        "epochs": 50, "lr": 1}  # fmt: skip
    with pytest.raises(TypeError):
        richer["standard"]["epochs"] = 6


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


def test_table1_offers_standard_and_the_other_tables_do_not(capsys):
    parser = build_parser()
    assert parser.parse_args(
        ["reproduce", "table1", "--preset", "standard", "--out", "x"]
    ).preset == ("standard")
    with pytest.raises(SystemExit):
        parser.parse_args(["reproduce", "table2", "--preset", "standard", "--out", "x"])
    assert "invalid choice: 'standard'" in capsys.readouterr().err
