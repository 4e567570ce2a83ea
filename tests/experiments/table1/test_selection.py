"""Table 1's stochastic cells choose their read-out on held-out observed pixels (#17)."""

import json

import pytest

from mixmiss.cli import main
from mixmiss.experiments.table1 import selection, study
from mixmiss.experiments.table1.selection import GAP_TARGET, selection_markdown
from mixmiss.registry import imputer_class

from .records import one_cell


def selected(method, chosen, best, gap):
    scores = {best: {"heldout_rmse": 0.21, "true_rmse": 0.15},
              chosen: {"heldout_rmse": 0.2, "true_rmse": 0.15 + gap}}  # fmt: skip
    return {
        "params": {"cell": {"mechanism": "im", "rate": 0.6, "method": method}},
        "metrics": {"chosen": chosen, "best_true": best, "gap": gap, "scores": scores},
    }


def test_the_table_gives_the_choice_the_best_read_out_and_counts_the_cells_on_target():
    records = {"a": selected("lm-rbm", "mean_field", "mean_field", 0.0),
               "b": selected("misgan", "k64", "k32", 0.0051)}  # fmt: skip
    text = selection_markdown(records)
    assert "| LM-RBM | mean_field (0.2000) | 0.1500 | mean_field (0.1500) | 0.0000 |" in text
    # the best read-out is named with its true RMSE, not its held-out one
    assert "| MisGAN | k64 (0.2000) | 0.1551 | k32 (0.1500) | 0.0051 |" in text
    assert f"Chosen within {GAP_TARGET} of the best read-out's true RMSE: 1 of 2 cells" in text
    assert "largest gap 0.0051" in text


@pytest.mark.real_data
def test_select_chooses_for_every_stochastic_cell_once_and_the_report_shows_it(
    tmp_path, mnist_dir, small_mnist_evaluator, monkeypatch
):
    # the smoke study cut to I.M. 0.6 and two methods: Mean (one read-out) and RBM [5]
    monkeypatch.setattr(study, "get_preset", lambda *args, **kwargs: one_cell(("mean", "rbm")))
    argv = ["reproduce", "table1", "--preset", "smoke", "--out", str(tmp_path), "--device",
            "cpu", "--data-dir", str(mnist_dir), "--no-progress", "--select"]  # fmt: skip
    assert main(argv) == 0
    stored = sorted((tmp_path / "selection" / "cells").iterdir())
    assert [p.name for p in stored] == ["im-0.6-rbm-train0.json"]  # Mean has nothing to choose
    record = json.loads(stored[0].read_text())
    metrics = record["metrics"]
    assert set(metrics["scores"]) == set(imputer_class("rbm").READOUTS)
    true = {n: s["true_rmse"] for n, s in metrics["scores"].items()}
    assert metrics["best_true"] == min(true, key=true.get)
    assert metrics["chosen"] == min(metrics["scores"],
                                    key=lambda n: metrics["scores"][n]["heldout_rmse"])  # fmt: skip
    assert metrics["gap"] == pytest.approx(true[metrics["chosen"]] - min(true.values()))
    assert metrics["n_test"] == 10
    assert record["provenance"]["command"].startswith("mixmiss reproduce table1")
    report = (tmp_path / "table1.md").read_text()
    assert "## The read-out chosen without ground truth" in report
    assert f"| I.M. | 0.6 | RBM [5] | {metrics['chosen']} (" in report
    assert "## The perception-distortion boundary" in report

    def no_select(*args, **kwargs):
        pytest.fail("a rerun must select nothing again")

    monkeypatch.setattr(selection, "select_on_run", no_select)
    assert main(argv) == 0
