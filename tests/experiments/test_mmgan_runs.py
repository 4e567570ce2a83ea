"""MMGAN study cells: training, continuing or refusing a run; what a cell requests and costs."""

import pytest

from mixmiss.atomic import load_checkpoint
from mixmiss.errors import InputError
from mixmiss.experiments.cells import Cell
from mixmiss.experiments.mmgan_runs import cell_cost, cell_resources, ensure_trained, valid_metrics
from mixmiss.experiments.plan import BENCH_FIGURES
from mixmiss.mmgan import make_config, train


def test_a_run_killed_before_its_first_checkpoint_starts_again(tmp_path):
    config = make_config("smoke", dataset="digits", sets="A")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "log.jsonl").write_text('{"step": 2, "seconds": 9.0}\n')
    assert ensure_trained(config, tmp_path, progress=False) == 0
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 6


def test_a_run_of_another_config_is_refused(tmp_path):
    train(make_config("smoke", dataset="digits", sets="A", seed=1), tmp_path, progress=False)
    with pytest.raises(InputError, match="seed"):
        ensure_trained(make_config("smoke", dataset="digits", sets="A"), tmp_path)
    with pytest.raises(InputError, match="more than"):
        ensure_trained(make_config("smoke", dataset="digits", sets="A", seed=1, iters=4), tmp_path)


def test_costs_and_requests_follow_the_benched_shape():
    quick_a = make_config("quick", dataset="mnist", sets="A").to_dict()
    cell = Cell("a", {"preset": "quick", "dataset": "mnist", "case": "A", "config": quick_a})
    assert cell_cost(cell).seconds == pytest.approx(BENCH_FIGURES["mmgan-quick"].seconds * 8000)
    assert cell_resources(cell).gpus == 0.25
    case_b = Cell("b", {**cell.params, "case": "B", "config": {**quick_a, "sets": "B"}})
    assert cell_cost(case_b).seconds is None and "no bench figure" in cell_cost(case_b).basis


def test_a_stored_report_missing_its_keys_is_not_valid():
    good = {"step": 6, "avg": 90.0, "random": 33.3, "accuracy": {"r1": 90.0, "r2": None},
            "alpha": [[0.5, 0.5]], "fid": [1.0, 2.0], "weight_recovery_error": None,
            "train_seconds": 3.0}  # fmt: skip
    assert valid_metrics(good)
    assert not valid_metrics({**good, "fid": "high"})
    assert not valid_metrics({k: v for k, v in good.items() if k != "step"})
