"""Rendering the split study from hand-made cell records: a dropped class, a phase, pending cells."""

import json

from mixmiss.experiments.splits import splits_cells, write_splits_report
from mixmiss.experiments.splits.render import regions_to_follow, summarize


def _trace_entry(step, r1_dropped, r2_dropped):
    regions = {
        "r1": {"coverage": 0.5 if r1_dropped else 1.0, "divergence": 0.4, "dropped": r1_dropped,
               "observed": {"0": 0.9, "3": 0.0}},
        "r2": {"coverage": 0.0 if r2_dropped else 1.0, "divergence": 0.0, "dropped": r2_dropped,
               "observed": {"1": 1.0}},
        "r3": {"coverage": 1.0, "divergence": 0.0, "dropped": [], "observed": {"2": 1.0}},
    }  # fmt: skip
    return {"step": step, "regions": regions, "assignment": {"r1": 0, "r2": 1, "r3": 2}}


def _record(cell, out):
    """A finished record of ``cell`` whose region r1 = {0, 3} never draws 3 after step 2,
    drawn by G3 instead; r2 = {1} was dropped at step 2 only (a phase)."""
    coverage = {
        "regions": {
            "r1": {"component": 0, "coverage": 0.5, "divergence": 0.45, "dropped": [3],
                   "misplaced": [{"class": 3, "component": 2, "share": 0.3,
                                  "held_elsewhere": 0.9}],
                   "observed": {"0": 0.95, "3": 0.0}, "expected": {"0": 0.5, "3": 0.5}},
            "r2": {"component": 1, "coverage": 1.0, "divergence": 0.0, "dropped": [],
                   "misplaced": [], "observed": {"1": 1.0}, "expected": {"1": 1.0}},
            "r3": {"component": 2, "coverage": 1.0, "divergence": 0.0, "dropped": [],
                   "misplaced": [], "observed": {"2": 0.7}, "expected": {"2": 1.0}},
        },
        "min_coverage": 0.5, "max_divergence": 0.45, "expected_from": "class counts",
    }  # fmt: skip
    metrics = {
        "step": 6, "avg": 88.5, "random": 0.5, "accuracy": {"r1": 95.0, "r2": 100.0, "r3": 70.5},
        "alpha": [[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]], "fid": [924.0, 19.0],
        "coverage": coverage, "train_seconds": 1.0,
        "trace": [_trace_entry(2, [3], [1]), _trace_entry(4, [3], []), _trace_entry(6, [3], [])],
    }  # fmt: skip
    record = {"id": cell.id, "params": cell.params, "metrics": metrics, "wall_seconds": 3.0,
              "provenance": {"git_revision": "abc", "machine": "test"}}  # fmt: skip
    path = out / "cells" / f"{cell.id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))


def test_a_dropped_class_and_a_phase_are_reported(tmp_path):
    first, second = splits_cells("smoke")
    _record(first, tmp_path)
    (tmp_path / "cells" / "damaged.json").write_text("{not json")
    written = write_splits_report("smoke", tmp_path)
    text = written["markdown"].read_text()
    assert (
        "remedy none: 1 of 3 regions drop a class at the end, in 1 of 1 cells; 1 more regions "
        "dropped one for a while and drew it again by the end (1 of them still after the first "
        "1/8 of training)." in text
    )
    row = [line for line in text.splitlines() if line.startswith("| digits | split1 | none |")]
    assert row == ["| digits | split1 | none | 6 | r1 50 r2 100 r3 100 | r1 (G1) [3] | "
                   "3 in G3 (30 %) | 0.45 | 88.5 | 924.0 / 19.0 |"]  # fmt: skip
    assert (
        "| digits split1 | none | r1 {0,3} | 3: collapse, dropped since step 2 | 50 50 50 |" in text
    )
    assert "| r2 {1} | 1: phase, dropped until step 2, drawn at the end | 0 100 100 |" in text
    assert text.rstrip().endswith(f"- `{second.id}`")  # the other smoke cell is pending
    report = json.loads(written["json"].read_text())
    assert report["cells"][first.id]["dropping"]["r1"]["since"] == {"3": 2}
    assert report["pending"] == [second.id]
    assert written["figure"].stat().st_size > 0


def test_an_empty_study_lists_every_cell_as_pending(tmp_path):
    written = write_splits_report("smoke", tmp_path)
    text = written["markdown"].read_text()
    assert "No cell has finished." in text
    assert "No region dropped a class" in text
    assert all(f"- `{c.id}`" in text for c in splits_cells("smoke"))


def test_the_summary_counts_late_phases_apart_from_the_first_steps(tmp_path):
    first, _ = splits_cells("smoke")
    _record(first, tmp_path)
    record = json.loads((tmp_path / "cells" / f"{first.id}.json").read_text())
    late = summarize([record])["none"]  # r2 came back at step 2 of 6: after 6/8 steps
    record["params"]["config"]["iters"] = 64  # step 2 of 64 is inside the first eighth
    early = summarize([record])["none"]
    assert (late["regions_recovering"], late["regions_recovering_late"]) == (1, 1)
    assert (early["regions_recovering"], early["regions_recovering_late"]) == (1, 0)


def test_the_figure_follows_drops_at_the_end_and_late_phases_only(tmp_path):
    first, _ = splits_cells("smoke")
    _record(first, tmp_path)
    record = json.loads((tmp_path / "cells" / f"{first.id}.json").read_text())
    assert sorted(regions_to_follow(record)) == ["r1", "r2"]  # r2's phase ended at 2 of 6
    record["params"]["config"]["iters"] = 64  # step 2 of 64: an early loss, not followed
    assert sorted(regions_to_follow(record)) == ["r1"]
