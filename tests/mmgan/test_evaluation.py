import json

import numpy as np
import pytest
import torch

from mixmiss.mmgan import evaluate_run, train
from mixmiss.mmgan.coverage import coverage_from_report
from mixmiss.mmgan.evaluation import (
    component_region_counts,
    match_components,
    weight_recovery_error,
)
from mixmiss.mmgan.recovery import region_recovery_from_report

from .conftest import smoke_config


def test_counts_per_component_and_region():
    predicted = torch.tensor([0, 1, 9, 3, 3, 7])
    components = torch.tensor([0, 0, 0, 1, 1, 1])
    table = torch.tensor([0, 0, 0, 2, 2, 2, 2, 1, 1, -1])  # label 9 in no region
    counts = component_region_counts(predicted, components, table, (2, 3))
    assert counts.tolist() == [[2, 0, 0], [0, 1, 2]]


def test_learned_mode_matches_components_by_maximum_weight():
    counts = np.array([[5, 90, 5], [80, 10, 10], [10, 0, 90], [50, 50, 50]])
    assert match_components(counts, "learned").tolist() == [1, 0, 2]
    assert match_components(counts[:3], "fixed").tolist() == [0, 1, 2]


def test_weight_recovery_error_uses_the_matched_region_and_zero_elsewhere():
    priors = np.array([[0.6, 0.0, 0.4], [0.0, 0.6, 0.4]])
    alpha = np.array([[0.0, 0.55, 0.4, 0.05], [0.6, 0.0, 0.4, 0.0]])
    # region r1 -> component 1, r2 -> component 0, r3 -> component 2; component 3 unmatched
    assert weight_recovery_error(alpha, priors, np.array([1, 0, 2])) == pytest.approx(0.05)


def test_eval_report_on_a_learned_run(digits_run, digits_evaluator):
    report = evaluate_run(digits_run, digits_evaluator, n_per_component=200, n_fid=100)
    for key in (
        "dataset",
        "case",
        "regions",
        "accuracy",
        "avg",
        "random",
        "alpha",
        "true_priors",
        "fid",
        "weight_recovery_error",
    ):
        assert key in report
    assert report["mode"] == "learned" and report["random"] == 0.5
    assert set(report["accuracy"]) == {"r1", "r2", "r3"}
    assert all(0 <= a <= 100 for a in report["accuracy"].values())
    assert report["avg"] == pytest.approx(np.mean(list(report["accuracy"].values())), abs=0.01)
    assert len(report["fid"]) == 2 and all(f >= 0 for f in report["fid"])
    assert len(report["fid_full_train"]) == 2
    assert np.array(report["label_histogram"]).sum(axis=1).tolist() == [200] * 3
    assert json.loads((digits_run / "eval.json").read_text()) == report
    cover = report["coverage"]
    assert set(cover["regions"]) == {"r1", "r2", "r3"} and cover["expected_from"] == "class counts"
    assert sum(report["class_counts"]) > 0 and 0 <= cover["min_coverage"] <= 1
    assert cover == coverage_from_report(report, None, np.array(report["class_counts"]))
    # the region-level recovery in the report is the one the stored report gives back
    # (up to the rounding of the stored alpha to 5 decimals)
    recovery = region_recovery_from_report(report)
    assert report["region_of_component"] == recovery["region_of_component"]
    np.testing.assert_allclose(report["region_weights"], recovery["region_weights"], atol=1e-4)
    assert report["region_weight_error"] == pytest.approx(recovery["region_weight_error"], abs=1e-4)
    assert 0 <= report["region_weight_error"] <= 1
    assert [c["role"] for c in report["components"]] == ["shared"] * 3  # 6 steps: still uniform


def test_eval_fixed_and_naive(tmp_path, digits_evaluator):
    fixed = train(smoke_config(fixed_priors=True, iters=2), tmp_path / "f", progress=False)
    report = evaluate_run(
        fixed, digits_evaluator, n_per_component=50, n_fid=50, full_train_fid=False, write=False
    )
    assert report["mode"] == "fixed" and report["assignment"] == {"r1": 0, "r2": 1, "r3": 2}
    assert "weight_recovery_error" not in report and "region_weight_error" not in report
    hist = np.array(report["label_histogram"])
    expected = [
        100 * hist[0, [0, 1, 2]].sum() / 50,
        100 * hist[1, [7, 8, 9]].sum() / 50,
        100 * hist[2, [3, 4, 5, 6]].sum() / 50,
    ]
    assert list(report["accuracy"].values()) == pytest.approx(expected, abs=0.01)
    naive = train(smoke_config(naive=True, iters=2), tmp_path / "n", progress=False)
    report = evaluate_run(
        naive, digits_evaluator, n_per_component=50, n_fid=50, full_train_fid=False, write=False
    )
    assert report["mode"] == "naive" and set(report["accuracy"]) == {"S1", "S2"}


def test_eval_bad_sample_count(digits_run, digits_evaluator):
    from mixmiss.errors import InputError

    with pytest.raises(InputError, match="n_per_component"):
        evaluate_run(digits_run, digits_evaluator, n_per_component=0)
