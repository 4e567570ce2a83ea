"""``mixmiss bench imputers``: the masks, the scores and a --quick run on small tables."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from mixmiss.cli import main
from mixmiss.errors import InputError
from mixmiss.rbm import imputer_bench


def test_mcar_masks_have_the_rate_and_are_seeded():
    X = np.random.default_rng(0).random((400, 50))
    for mechanism, rate in (("mcar-20", 0.2), ("mcar-50", 0.5), ("mcar-80", 0.8)):
        missing = imputer_bench.make_missing(X, mechanism, seed=3)
        assert missing.mean() == pytest.approx(rate, abs=0.01)
        np.testing.assert_array_equal(missing, imputer_bench.make_missing(X, mechanism, seed=3))


def test_mnar_masks_large_values_more_often():
    X = np.random.default_rng(0).normal(size=(2000, 5))
    missing = imputer_bench.make_missing(X, "mnar", seed=0)
    high = X > np.quantile(X, 0.7, axis=0)
    assert missing[high].mean() == pytest.approx(0.8, abs=0.03)
    assert missing[~high].mean() == pytest.approx(0.2, abs=0.03)
    assert missing.mean() == pytest.approx(0.38, abs=0.02)


def test_no_column_is_left_entirely_missing():
    X = np.random.default_rng(0).random((3, 40))
    missing = imputer_bench.make_missing(X, "mcar-80", seed=0)
    assert not missing.all(axis=0).any()


def test_score_is_rmse_of_the_missing_entries_on_the_scaled_features():
    complete = np.array([[0.0, 10.0], [1.0, 30.0]])
    filled = np.array([[0.5, 10.0], [1.0, 20.0]])
    missing = np.array([[True, False], [False, True]])
    # errors 0.5 / 1 and 10 / 20 -> sqrt((0.25 + 0.25) / 2)
    assert imputer_bench.score(filled, complete, missing, np.array([1.0, 20.0])) == 0.5


def test_unknown_names_are_clear_errors():
    with pytest.raises(InputError, match="unknown dataset"):
        imputer_bench._selected("wine,iris", imputer_bench.DATASETS, "dataset")
    with pytest.raises(InputError, match="unknown missingness mechanism"):
        imputer_bench.make_missing(np.zeros((2, 2)), "mar", 0)


def test_quick_run_reports_every_cell_and_the_targets(tmp_path):
    args = argparse.Namespace(
        quick=True, datasets="wine,diabetes", data_dir=None, markdown=str(tmp_path / "b.md")
    )
    report = imputer_bench.run_bench(args)
    cells = report["cells"]
    assert len(cells) == 2 * len(imputer_bench.MECHANISMS) * 5
    assert {c["imputer"] for c in cells} == {"rbm-lm", "rbm-zeroed", "mean", "knn", "iterative"}
    assert all(np.isfinite(c["rmse"]) and c["seconds"] > 0 for c in cells)
    assert report["config"]["datasets"] == {"wine": [120, 13], "diabetes": [120, 10]}
    assert set(report["targets"]["vs_mean"]) == {
        f"{d}/{m}" for d in ("wine", "diabetes") for m in imputer_bench.MECHANISMS
    }
    assert report["targets"]["fashion_mnist"] == {}
    assert report["provenance"]["command"]
    text = (tmp_path / "b.md").read_text()
    assert "## wine (120 x 13)" in text and "| mcar-50 (" in text and "## Targets" in text


def test_cli_runs_the_quick_bench(tmp_path, capsys):
    out = tmp_path / "imputers.json"
    argv = ["bench", "imputers", "--quick", "--datasets", "wine", "--json", "--out", str(out)]
    assert main(argv) == 0
    report = json.loads(out.read_text())
    assert report["provenance"]["command"] == "mixmiss " + " ".join(argv[:-1]) + f" {out}"
    assert json.loads(capsys.readouterr().out)["config"]["quick"] is True
