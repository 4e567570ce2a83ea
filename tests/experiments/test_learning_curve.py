"""Learning curves: stretches of training, cached snapshot scores, the report."""

from __future__ import annotations

import json

import pytest

from mixmiss.context import Context
from mixmiss.errors import InputError
from mixmiss.experiments import learning_curve
from mixmiss.experiments.learning_curve import run_learning_curve
from mixmiss.experiments.learning_curve_report import epochs_that_pay, fid_crossing
from mixmiss.training import snapshot_epochs


def _rows(fids):
    return [{"epoch": 2 * (i + 1), "fid_lenet": f} for i, f in enumerate(fids)]


def test_the_crossing_is_measured_extrapolated_or_absent():
    assert fid_crossing(_rows([50, 30, 9]), 10.0) == {
        "kind": "measured", "epoch": 6, "note": "measured at epoch 6"}  # fmt: skip
    # FID = 100 e^-1 exactly: reaches 10 at epoch 10
    extrapolated = fid_crossing([{"epoch": e, "fid_lenet": 100 / e} for e in (1, 2, 4)], 10.0)
    assert extrapolated["kind"] == "extrapolated" and "EXTRAPOLATED" in extrapolated["note"]
    assert extrapolated["epoch"] == pytest.approx(10.0, rel=1e-9)
    assert fid_crossing(_rows([50, 60, 70]), 10.0)["kind"] == "none"
    assert fid_crossing(_rows([50, 40]), 10.0)["kind"] == "none"  # too few to fit
    assert fid_crossing(_rows([50]), None)["kind"] == "unknown"


def _cells(tmp_path):
    cells = tmp_path / "cells"
    cells.mkdir()
    values = {"lm-rbm": (0.15, 1e9), "mean": (0.25, None)}  # (rmse, fid_lenet)
    for method, (rmse, fid) in values.items():
        evals = [{"rmse": rmse, "fid_lenet": fid, "accuracy": 0.9}]
        (cells / f"im-0.6-{method}-train0.json").write_text(
            json.dumps({"metrics": {"evals": evals}})
        )
    return cells


@pytest.mark.real_data
def test_the_curve_trains_in_stretches_and_scores_each_snapshot_once(
    tmp_path, mnist_dir, small_mnist_evaluator, monkeypatch
):
    out, cells = tmp_path / "curve", _cells(tmp_path)
    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    kwargs = {"preset": "smoke", "snapshot_every": 1, "max_train": 64, "max_test": 48,
              "references": cells, "context": context}  # fmt: skip
    stretches = []
    real_train = learning_curve.train_imputer
    monkeypatch.setattr(learning_curve, "train_imputer",
                        lambda *a, **k: stretches.append(k["overrides"]) or real_train(*a, **k))  # fmt: skip
    paths = run_learning_curve(out, epochs=2, command=["mixmiss", "reproduce", "curve"], **kwargs)
    assert stretches == [{"epochs": 1, "snapshot_every": 1}, {"epochs": 2, "snapshot_every": 1}]
    assert snapshot_epochs(out / "run" / "checkpoints") == [1, 2]
    summary = json.loads(paths["curve.json"].read_text())
    assert [p["epoch"] for p in summary["points"]] == [1, 2]
    assert all(p["rmse"] is not None and p["fid_lenet"] is not None for p in summary["points"])
    assert summary["fid_below_lm_rbm"]["kind"] == "measured"  # LM-RBM's fake FID is 1e9
    assert summary["references"]["mean"]["fid_lenet"] is None
    assert "inpaint" not in summary["references"]
    assert summary["seconds_per_epoch"] > 0 and summary["epochs_trained"] == 2
    md = paths["curve.md"].read_text()
    assert "Inpaint: no cell found" in md and "lacks fid_lenet" in md
    assert summary["provenance"]["command"] == "mixmiss reproduce curve" and summary["resumes"] == 1
    assert "Command: `mixmiss reproduce curve` (git " in md and "resumed 1 times" in md
    assert paths["curve.png"].is_file()

    def no_scoring(*args, **kwargs):
        raise AssertionError("a cached snapshot was scored again")

    monkeypatch.setattr(learning_curve, "score_imputer", no_scoring)
    run_learning_curve(out, epochs=2, evaluate_only=True, **kwargs)
    run_learning_curve(out, epochs=2, **kwargs)  # trained and scored: nothing to do
    assert len(stretches) == 2


def test_the_epochs_that_pay_are_the_first_within_tolerance_of_the_best():
    rows = [{"epoch": e, "rmse": r, "fid_lenet": f}
            for e, r, f in ((10, 0.20, 40.0), (20, 0.1605, 21.0), (30, 0.1598, 20.2),
                            (40, 0.1600, 20.0))]  # fmt: skip
    paid = epochs_that_pay(rows)
    assert paid["rmse"] == {"epoch": 20, "best": 0.1598, "best_epoch": 30}  # 0.1605 <= 0.1608
    assert paid["fid_lenet"] == {"epoch": 20, "best": 20.0, "best_epoch": 40}  # 21 <= 20 * 1.05
    assert epochs_that_pay([{"epoch": 1, "rmse": None, "fid_lenet": None}]) == {
        "rmse": None, "fid_lenet": None}  # fmt: skip


def test_a_curve_needs_a_method_that_keeps_snapshots(tmp_path):
    with pytest.raises(InputError, match="keeps snapshots; choose one of misgan, rbm, lm-rbm"):
        run_learning_curve(tmp_path / "curve", method="mean")


@pytest.mark.real_data
def test_an_lm_rbm_curve_scores_each_epoch_against_the_other_methods(
    tmp_path, mnist_dir, small_mnist_evaluator
):
    out, cells = tmp_path / "curve", _cells(tmp_path)
    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    kwargs = {"preset": "smoke", "snapshot_every": 1, "max_train": 64, "max_test": 48,
              "references": cells, "context": context}  # fmt: skip
    paths = run_learning_curve(out, method="lm-rbm", epochs=2, **kwargs)
    assert snapshot_epochs(out / "run" / "checkpoints") == [1, 2]
    summary = json.loads(paths["curve.json"].read_text())
    assert summary["method"] == "lm-rbm" and summary["fid_below_lm_rbm"] is None
    assert [p["epoch"] for p in summary["points"]] == [1, 2]
    assert all(p["rmse"] is not None and p["fid_lenet"] is not None for p in summary["points"])
    assert set(summary["references"]) == {"mean"}  # its own cell is not a reference line
    assert summary["epochs_that_pay"]["rmse"]["epoch"] in (1, 2)
    scored = json.loads((out / "evals" / "epoch-0000002.json").read_text())["reports"][0]
    assert scored["accuracy"] is not None and scored["accuracy_hidden"] is None  # not drawn
    md = paths["curve.md"].read_text()
    assert md.startswith("# LM-RBM learning curve, IM 0.6") and "MisGAN: no cell found" in md
    # the last snapshot is the trained model: its score is the run's own
    final = learning_curve.read_run(out / "run")
    assert final["status"] == "trained" and final["config"]["epochs"] == 2
    with pytest.raises(InputError, match="holds a run of lm-rbm, not misgan"):
        run_learning_curve(out, method="misgan", epochs=2, **kwargs)
