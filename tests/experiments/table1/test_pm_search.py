"""The P.M. design search: verdicts, finalists, resume, the report and figure on a small real run."""

import json
import math

import pytest

from mixmiss.context import Context
from mixmiss.evaluators import get_lenet
from mixmiss.experiments.table1 import pm_search
from mixmiss.experiments.table1.pm_search import (
    DEFAULT_DESIGN,
    RATES,
    design_grid,
    search,
    search_markdown,
    select_finalists,
    verdicts,
)
from mixmiss.experiments.table1.pm_search_figure import plot_search
from mixmiss.provenance import provenance

PAPER = {  # the paper's Mean column at P.M. 0.3 / 0.6 / 0.9: RMSE, FID, accuracy
    0.3: (0.262, 18.0, 85.4),
    0.6: (0.264, 58.0, 74.6),
    0.9: (0.262, 111.0, 44.2),
}


def _row(design, rate, rmse_gap=0.0, fid_factor=1.0, accuracy_gap=None):
    rmse, fid, accuracy = PAPER[rate]
    return {
        **design,
        "rate": rate,
        "rmse": rmse + rmse_gap,
        "fid_lenet": fid * fid_factor,
        "accuracy": None if accuracy_gap is None else accuracy + accuracy_gap,
        "seconds": 1.0,
    }


def test_the_grid_covers_counts_sides_and_placements():
    grid = design_grid((4, 32))
    assert len(grid) == 2 * 2 * 4 and DEFAULT_DESIGN in grid  # counts x sides x placements


def test_verdicts_use_the_stated_tolerances():
    design = {"count": 8, "sides": "uniform", "placement": "inside"}
    assert verdicts(_row(design, 0.6, 0.0029, 1.49, 1.9)) == {
        "rmse": True,
        "fid": True,
        "accuracy": True,
    }
    assert verdicts(_row(design, 0.6, 0.004, 1.6, -2.1)) == {
        "rmse": False,
        "fid": False,
        "accuracy": False,
    }
    assert verdicts(_row(design, 0.9))["accuracy"] is None  # not measured


def test_finalists_meet_rmse_and_fid_at_every_rate_else_the_closest_in_rmse():
    good = {"count": 8, "sides": "uniform", "placement": "inside"}
    close = {"count": 16, "sides": "fixed", "placement": "inside"}
    far = {"count": 64, "sides": "fixed", "placement": "centre"}
    rows = [_row(good, r) for r in RATES] + [_row(close, r, 0.004) for r in RATES]
    rows += [_row(far, r, 0.02) for r in RATES]
    assert select_finalists(rows, [good, close, far], 2) == [good]
    rows = rows[3:]  # without the passing design: the two closest in RMSE
    assert select_finalists(rows, [good, close, far], 2) == [close, far]


def test_search_resumes_from_the_rows_it_saved(monkeypatch):
    measured = []

    def fake_measure(design, rate, lenet, context, accuracy):
        measured.append((design["count"], rate, accuracy))
        return _row(design, rate, 0.0, 1.0, 0.0 if accuracy else None)

    monkeypatch.setattr(pm_search, "measure_design", fake_measure)
    designs = design_grid((8,))
    saved = []
    context = Context(progress=False)
    rows = search(designs, None, context, save=saved.append, finalists=1)
    # stage 1 on the six designs, stage 2 adds the default design (32 rectangles)
    assert len(rows) == (len(designs) + 1) * len(RATES) and saved[-1] == rows
    first = len(measured)
    # a killed search resumed from what it saved measures nothing twice
    assert search(designs, None, context, done=saved[-1], finalists=1) == rows
    assert len(measured) == first
    # stage 2 measured the accuracy of the default design and of the finalist
    with_accuracy = {(c, r) for c, r, a in measured if a}
    assert (DEFAULT_DESIGN["count"], 0.3) in with_accuracy and (8, 0.9) in with_accuracy


@pytest.mark.real_data
def test_a_small_real_search_renders(mnist_dir, small_mnist_evaluator, tmp_path):
    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    lenet = get_lenet("mnist", mnist_dir, device="cpu", progress=False)
    design = {"count": 4, "sides": "uniform", "placement": "inside"}
    row = pm_search.measure_design(design, 0.6, lenet, context, True, 600, 200)
    assert row["missing_fraction"] == pytest.approx(0.6, abs=0.05)
    assert math.isfinite(row["fid_lenet"]) and 0 <= row["accuracy"] <= 100
    rows = [{**row, "rate": r} for r in RATES]
    text = search_markdown(rows, provenance(None), wall_seconds=1.0)
    assert "| 4 | uniform | inside |" in text and "P.M. design search" in text
    path = plot_search(rows, tmp_path / "search.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    json.dumps(rows)  # the rows are what rows.json stores


def test_a_design_that_cannot_reach_the_rate_is_recorded_not_measured():
    design = {"count": 1, "sides": "uniform", "placement": "overhang"}
    row = pm_search.measure_design(design, 0.9, None, Context(progress=False))
    assert "use more rectangles" in row["unreachable"] and math.isnan(row["rmse"])
    rows = [row, *(_row(design, r) for r in (0.3, 0.6))]
    assert select_finalists(rows, [design], 1) == [design]  # ranked last, not crashing
    assert "/ n/a |" in search_markdown(rows, provenance(None), wall_seconds=1.0)
