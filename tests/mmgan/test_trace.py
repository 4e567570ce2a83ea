"""Coverage over training: a trace over a run's snapshots, and reading one."""

import numpy as np
import pytest

from mixmiss.errors import InputError
from mixmiss.mmgan import coverage_trace, train
from mixmiss.mmgan.trace import dropped_since, region_counts

from .conftest import smoke_config


def test_a_trace_has_one_entry_per_snapshot(tmp_path, digits_evaluator):
    out = tmp_path / "run"
    train(smoke_config(fixed_priors=True), out, progress=False, snapshot_every=3)
    trace = coverage_trace(out, digits_evaluator, n_per_component=20, device="cpu")
    assert [t["step"] for t in trace] == [3, 6]
    for entry in trace:
        assert entry["assignment"] == {"r1": 0, "r2": 1, "r3": 2}  # fixed priors: r_k <-> k
        assert np.asarray(entry["label_histogram"]).shape == (3, 10)
        assert np.asarray(entry["label_histogram"]).sum(axis=1).tolist() == [20, 20, 20]
        r1 = entry["regions"]["r1"]
        assert set(r1["observed"]) == {"0", "1", "2"}  # case A: r1 = S1 \ S2 = {0, 1, 2}
        assert 0 <= r1["coverage"] <= 1
        assert set(r1["dropped"]) <= {0, 1, 2}
    again = coverage_trace(out, digits_evaluator, n_per_component=20, device="cpu")
    assert again == trace  # the same noise at every call


def test_a_run_without_snapshots_has_an_empty_trace(digits_run, digits_evaluator):
    assert coverage_trace(digits_run, digits_evaluator, n_per_component=5, device="cpu") == []


def test_the_naive_baseline_has_no_trace(tmp_path, digits_evaluator):
    out = tmp_path / "naive"
    train(smoke_config(naive=True, iters=2), out, progress=False)
    with pytest.raises(InputError, match="naive baseline"):
        coverage_trace(out, digits_evaluator)


def test_region_counts_sum_each_regions_labels():
    histogram = np.array([[5, 1, 0, 4], [0, 2, 7, 1]])
    counts = region_counts(histogram, {"r1": [0, 3], "r2": [1], "r3": [2]})
    assert counts.tolist() == [[9, 1, 0], [1, 2, 7]]


def _trace(dropped_by_step):
    return [{"step": s, "regions": {"r1": {"dropped": d}}} for s, d in dropped_by_step]


def test_dropped_since_tells_a_collapse_from_a_phase():
    trace = _trace([(500, []), (1000, [3, 4]), (1500, [3]), (2000, [3, 4]), (2500, [3, 4])])
    history = dropped_since(trace, "r1", final_dropped=[3, 4])
    assert history["since"] == {"3": 1000, "4": 2000}
    assert history["recovered"] == {}
    phase = dropped_since(_trace([(500, [4]), (1000, [4]), (1500, [])]), "r1", [])
    assert phase == {"since": {}, "recovered": {"4": 1000}, "steps": [500, 1000, 1500]}
    # dropped by the final evaluation only, after the last snapshot
    assert dropped_since(_trace([(500, [])]), "r1", [4])["since"] == {"4": None}
