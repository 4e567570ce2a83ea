"""The region-level recovery section of table2.md, from the runs' stored evaluations."""

from __future__ import annotations

import json

from mixmiss.experiments.table2.recovery import region_recovery_table


def test_rows_from_stored_reports_and_missing_ones(tmp_path):
    report = {
        "case": "0-1;1-2",
        "regions": {"r1": "S1\\S2", "r2": "S2\\S1", "r3": "S1∩S2"},
        "alpha": [[0.25, 0.0, 0.25, 0.5], [0.0, 0.5, 0.0, 0.5]],
        "true_priors": [[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]],
        "label_histogram": [[10, 0, 0], [0, 0, 10], [9, 1, 0], [0, 10, 0]],
        "weight_recovery_error": 0.25,
    }
    path = tmp_path / "runs" / "c1" / "eval.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(report))
    table = region_recovery_table(tmp_path, ["c1", "c2"])
    row = (
        "| c1 | r1: G1,G3; r2: G2; r3: G4 | (r1 r2 r3) d1: 0.50 0.00 0.50; d2: 0.00 0.50 0.50 "
        "| 0.250 | 0.000 |"
    )
    assert row in table
    assert "| c2 | n/a | no stored evaluation |" in table
