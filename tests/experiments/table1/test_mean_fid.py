"""The Mean column's paper FID: the tolerance, the ranking check, a small real measurement."""

import math

import pytest

from mixmiss.context import Context
from mixmiss.experiments.table1.mean_fid import (
    check_against_paper,
    mean_fid_markdown,
    measure_mean_fid,
    within_tolerance,
)
from mixmiss.provenance import provenance


def test_tolerance_is_a_factor_or_an_absolute_distance_below_one():
    assert within_tolerance(37.4, 25) and within_tolerance(16.7, 25)
    assert not within_tolerance(37.6, 25) and not within_tolerance(16.6, 25)
    assert within_tolerance(0.55, 0.1) and not within_tolerance(0.65, 0.1)


def test_the_ranking_must_be_the_papers():
    rows = [{"fid_lenet": v, "paper": p} for v, p in ((30, 25), (80, 72), (0.2, 0.1))]
    check = check_against_paper(rows)
    assert check["all_within"] and check["same_ranking"] and check["spearman"] == 1.0
    rows[0]["fid_lenet"] = 100.0  # now above I.M. 0.6's: ranked differently, too large
    check = check_against_paper(rows)
    assert check["within"] == [False, True, True] and not check["same_ranking"]


@pytest.mark.real_data
def test_a_small_measurement_renders(mnist_dir, small_mnist_evaluator):
    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    result = measure_mean_fid(("im", "so"), (0.3, 0.9), context, max_train=300, max_test=100)
    assert [(r["mechanism"], r["rate"], r["paper"]) for r in result["rows"]] == [
        ("im", 0.3, 25.0),
        ("im", 0.9, 115.0),
        ("so", 0.3, 0.1),
        ("so", 0.9, 69.0),
    ]
    assert all(math.isfinite(r["fid_lenet"]) and r["fid_lenet"] >= 0 for r in result["rows"])
    assert len(result["check"]["within"]) == 4 and result["lenet"]["epochs"] == 1
    text = mean_fid_markdown(result, provenance(None), wall_seconds=1.0)
    assert "| I.M. | 0.9 |" in text and "Ranked as the paper's" in text
