"""`mixmiss reproduce`: report-only on a study with no finished cell, and bad options."""

from __future__ import annotations

import json

import pytest

from mixmiss.cli import main


def test_report_only_on_an_empty_study_lists_every_cell_as_pending(run, tmp_path):
    code, out, err = run("reproduce", "table2", "--preset", "smoke", "--out", tmp_path,
                         "--report-only")  # fmt: skip
    assert code == 0, err
    assert "markdown:" in out and out.strip().endswith("--report-only)")
    text = (tmp_path / "table2.md").read_text()
    assert "## Pending cells" in text and "smoke-digits-A-fixed-seed0" in text


def test_the_table_must_be_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["reproduce", "table3", "--out", str(tmp_path)])
    assert "invalid choice: 'table3'" in capsys.readouterr().err


def test_splits_report_only_and_plan(run, tmp_path):
    code, out, err = run("reproduce", "splits", "--preset", "smoke", "--out", tmp_path,
                         "--seed", "3", "--report-only")  # fmt: skip
    assert code == 0, err
    text = (tmp_path / "splits.md").read_text()
    assert "Splits drawn from seed 3" in text and "- `smoke-digits-seed3-split2`" in text
    recorded = json.loads((tmp_path / "splits.json").read_text())["provenance"]["command"]
    assert recorded.startswith("mixmiss reproduce splits") and recorded.endswith("--report-only")
    code, out, err = run("reproduce", "splits", "--preset", "quick", "--out", tmp_path,
                         "--remedy", "lam=1.0", "--only", "mnist-split4", "--plan")  # fmt: skip
    assert code == 0, err
    assert "splits --preset quick" in out and "1 pending" in out and "mmgan n=3" in out


def test_splits_refuses_a_knob_outside_the_paper(run, tmp_path):
    code, _, err = run("reproduce", "splits", "--preset", "smoke", "--out", tmp_path,
                       "--remedy", "lr=0.1")  # fmt: skip
    assert code == 2 and "not one of the paper's knobs" in err
    assert not (tmp_path / "cells").exists()
