"""The coverage section of table2.md, from the runs' stored evaluations."""

from __future__ import annotations

import json

from mixmiss.experiments.table2.coverage import coverage_table, run_coverage


def _write(out, cell, report):
    path = out / "runs" / cell / "eval.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(report))


def test_a_run_that_drops_a_class_is_listed(tmp_path):
    histogram = [[50, 0, 50, 0], [0, 30, 0, 70]]  # G1 draws 0 and 2, never 1
    _write(tmp_path, "c1", {"case": "0-2;3", "label_histogram": histogram,
                            "assignment": {"r1": 0, "r2": 1}})  # fmt: skip
    _write(tmp_path, "c2", "not a report")
    table = coverage_table(tmp_path, ["c1", "c2", "c3"])
    assert "| c1 | 67 % | 0.33 | r1 (G1) drops [1] | 1 in G2 (30 %) |" in table
    assert "| c2 | n/a | n/a | no stored evaluation |" in table
    assert "| c3 | n/a |" in table
    assert run_coverage(tmp_path, "c1")["expected_from"] == "uniform"


def test_a_report_with_its_own_coverage_is_used_as_stored(tmp_path):
    stored = {"regions": {}, "min_coverage": 0.5, "max_divergence": 0.1}
    _write(tmp_path, "c", {"coverage": stored})
    assert run_coverage(tmp_path, "c") == stored
