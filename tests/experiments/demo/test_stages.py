"""The demo's stages: the output directory is prepared without touching anything foreign."""

from __future__ import annotations

import pytest

from mixmiss.errors import InputError
from mixmiss.experiments.demo.stages import (
    IMPUTE_DIR,
    MMGAN_DIR,
    REPORT_FILE,
    RESULTS_FILE,
    _prepare_output,
)


def test_an_earlier_demo_is_replaced(tmp_path):
    (tmp_path / RESULTS_FILE).write_text("{}")
    (tmp_path / MMGAN_DIR).mkdir()
    (tmp_path / IMPUTE_DIR / "mean").mkdir(parents=True)
    (tmp_path / REPORT_FILE).write_text("old")
    _prepare_output(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [RESULTS_FILE]


def test_a_directory_with_foreign_files_is_refused_untouched(tmp_path):
    (tmp_path / "thesis.tex").write_text("mine")
    with pytest.raises(InputError, match="did not write"):
        _prepare_output(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "mine"


def test_a_new_directory_is_created(tmp_path):
    _prepare_output(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
