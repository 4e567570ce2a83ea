"""The compute plan: counts, projected hours from the bench figures, Ray requests; nothing run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mixmiss.cli import main
from mixmiss.experiments.plan import BENCH_FIGURES, CellCost, format_plan
from mixmiss.experiments.table1 import plan_table1, table1_cells
from mixmiss.experiments.table1.grid import get_preset, run_directory
from mixmiss.experiments.table1.resources import cell_cost
from mixmiss.experiments.table2 import plan_table2

HOURS = 3600


def test_table1_paper_plan_cli_json_reports_243_trainings_with_hours_per_method(tmp_path, capsys):
    out = tmp_path / "study"
    argv = ["reproduce", "table1", "--preset", "paper", "--out", str(out), "--plan", "--json"]
    assert main(argv) == 0
    plan = json.loads(capsys.readouterr().out)
    assert not out.exists()  # nothing created, nothing run
    assert plan["pending"] == plan["cells"] == 405
    assert plan["trainings"] == 243  # mean imputation and inpainting train nothing
    rows = {row["group"]: row for row in plan["groups"]}
    assert list(rows) == ["mean", "inpaint", "rbm", "lm-rbm", "misgan"]
    assert all(row["pending"] == 81 for row in rows.values())  # 27 (mechanism, rate) x 3
    # 500 epochs at the committed figures, times the bench's 2 cores, for 81 trainings
    for method, figure in (("rbm", "rbm-paper"), ("lm-rbm", "lm-rbm-paper"),
                           ("misgan", "misgan-paper")):  # fmt: skip
        seconds = BENCH_FIGURES[figure].seconds * 500
        assert rows[method]["hours_per_training"] == [round(seconds / HOURS, 4)]
        assert rows[method]["cpu_hours"] == pytest.approx(81 * seconds * 2 / HOURS, abs=0.01)
        assert rows[method]["gpu_hours"] is None  # no GPU figure is committed
    assert rows["misgan"]["hours_per_training"] == [pytest.approx(150.9, abs=0.1)]
    assert rows["mean"]["cpu_hours"] == rows["inpaint"]["cpu_hours"] == 0.0
    assert rows["rbm"]["ray_task"] == {"cpus": 2, "gpus": 0.25}
    assert rows["misgan"]["ray_task"] == {"cpus": 2, "gpus": 0.5}
    assert rows["mean"]["ray_task"] == {"cpus": 1, "gpus": 0.0}
    total = plan["total"]
    assert total["cpu_hours"] == pytest.approx(sum(r["cpu_hours"] for r in rows.values()))
    assert total["cpu_hours_complete"] and total["gpu_hours"] is None
    assert len(plan["pending_cells"]) == 405


def test_finished_cells_leave_the_plan(tmp_path):
    cell = table1_cells(get_preset("paper"))[0]
    evals = [{"rmse": 0.1, "fid": 1.0, "accuracy": 0.9, "accuracy_hidden": None}]
    record = {"id": cell.id, "params": cell.params, "wall_seconds": 1.0,
              "metrics": {"evals": evals, "train_seconds": 1.0},
              "provenance": {"git_revision": None, "machine": "test"}}  # fmt: skip
    (tmp_path / "cells").mkdir()
    (tmp_path / "cells" / f"{cell.id}.json").write_text(json.dumps(record))
    plan = plan_table1("paper", tmp_path)
    assert (plan["finished"], plan["pending"]) == (1, 404)
    assert cell.id not in plan["pending_cells"]


def test_a_cell_whose_model_is_trained_only_evaluates(tmp_path):
    """--readouts all: new cells, but the models of the finished study are reused."""
    cells = [c for c in table1_cells(get_preset("quick", readouts="all"))
             if c.params["method"] == "lm-rbm"]  # fmt: skip
    trained, training, interrupted = cells[:3]
    for cell, status in ((trained, "trained"), (interrupted, "training")):
        run_dir = run_directory(cell.params, tmp_path)
        run_dir.mkdir(parents=True)
        record = {"method": "lm-rbm", "dataset": "mnist", "status": status}
        (run_dir / "run.json").write_text(json.dumps(record))
    plan = plan_table1("quick", tmp_path, readouts="all")
    assert plan["pending"] == 45 and plan["trainings"] == 45 - 18 - 1
    assert cell_cost(trained, tmp_path) == CellCost(
        0.0, "lm-rbm: trained already, evaluation only", trains=False
    )
    assert cell_cost(training, tmp_path).trains and cell_cost(interrupted, tmp_path).trains


def test_table2_paper_plan_says_which_cells_have_no_figure(capsys, tmp_path):
    plan = plan_table2("paper", tmp_path)
    assert plan["trainings"] == 12
    rows = {row["group"]: row for row in plan["groups"]}
    figure = BENCH_FIGURES["mmgan-paper"]
    assert rows["mmgan case A"]["hours_per_training"] == [
        round(figure.seconds * 100_000 / HOURS, 4)
    ]
    for case in "BC":  # the bench measured case A's shape only
        assert rows[f"mmgan case {case}"]["cpu_hours"] is None
        assert rows[f"mmgan case {case}"]["without_figure"] == 4
    assert plan["total"]["groups_without_figure"] == ["mmgan case B", "mmgan case C"]
    assert not plan["total"]["cpu_hours_complete"]
    text = format_plan(plan)
    assert "84.1 + unknown" in text and "no figure for 4" in text


def test_the_plan_requests_no_gpu_with_device_cpu_and_prints_a_table(capsys, tmp_path):
    argv = ["reproduce", "table1", "--preset", "smoke", "--out", str(tmp_path), "--plan",
            "--device", "cpu"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "30 cells, 0 finished, 30 pending (18 trainings)" in text
    assert "GPU" not in text.split("Basis")[0].split("Ray task")[1]  # only "1 CPU" requests
    plan = plan_table1("quick", tmp_path, device="cpu")
    assert all(row["ray_task"]["gpus"] == 0 for row in plan["groups"])
    assert plan["total"]["gpu_hours"] == 0.0
    # the quick preset's RBMs and MisGAN were not benched: said, not guessed
    rows = {row["group"]: row for row in plan["groups"]}
    assert rows["rbm"]["cpu_hours"] is None and "no bench figure" in rows["rbm"]["basis"][0]


def test_ray_is_imported_only_by_the_ray_executor(tmp_path):
    """A plan and a local study never import Ray (it is an optional extra)."""
    code = (
        "import sys\n"
        "from mixmiss.cli import main\n"
        "from mixmiss.experiments import Cell, run_cells\n"
        f"assert main(['reproduce', 'table1', '--preset', 'paper', '--out', {str(tmp_path)!r}, "
        "'--plan']) == 0\n"
        f"run_cells([Cell('a', {{}})], dict, {str(tmp_path)!r}, progress=False)\n"
        "assert 'ray' not in sys.modules, 'ray was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
