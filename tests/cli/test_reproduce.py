"""`mixmiss reproduce`: report-only on a study with no finished cell, and bad options."""

from __future__ import annotations

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
