import json

import pytest

from mixmiss.errors import InputError
from mixmiss.experiments import Cell, run_cells


def square(params: dict) -> dict:
    return {"value": params["x"] ** 2}


def test_cells_are_computed_once_and_cached(tmp_path):
    cells = [Cell(f"x={x}", {"x": x}) for x in range(3)]
    records = run_cells(cells, square, tmp_path, progress=False)
    assert [r["metrics"]["value"] for r in records] == [0, 1, 4]
    stored = json.loads((tmp_path / "cells" / "x=2.json").read_text())
    assert stored["params"] == {"x": 2} and "git_revision" in stored["provenance"]
    assert stored["wall_seconds"] >= 0

    calls = []

    def counting(params):
        calls.append(params["x"])
        return square(params)

    more = cells + [Cell("x=5", {"x": 5})]
    records = run_cells(more, counting, tmp_path, progress=False)
    assert calls == [5] and records[-1]["metrics"]["value"] == 25


def test_changed_params_recompute_the_cell(tmp_path):
    run_cells([Cell("c", {"x": 2})], square, tmp_path, progress=False)
    (record,) = run_cells([Cell("c", {"x": 3})], square, tmp_path, progress=False)
    assert record["metrics"]["value"] == 9


def test_parallel_workers_give_the_same_records(tmp_path):
    cells = [Cell(f"x={x}", {"x": x}) for x in range(4)]
    records = run_cells(cells, square, tmp_path, workers=2, progress=False)
    assert [r["metrics"]["value"] for r in records] == [0, 1, 4, 9]


def test_bad_cells():
    with pytest.raises(InputError, match="cell id"):
        Cell("a/b", {})
    with pytest.raises(InputError, match="unique"):
        run_cells([Cell("a", {}), Cell("a", {})], square, "/tmp/unused", progress=False)
    with pytest.raises(InputError, match="workers"):
        run_cells([], square, "/tmp/unused", workers=0, progress=False)
