"""Table 2's cells: their ids and params, computing one, continuing an interrupted run."""

import json
import os
import signal

import pytest
from PIL import Image

from mixmiss.atomic import load_checkpoint
from mixmiss.context import Context
from mixmiss.errors import InputError
from mixmiss.experiments import mmgan_runs
from mixmiss.experiments.mmgan_runs import run_path
from mixmiss.experiments.table2 import get_preset, panel_path, run_table2_cell, table2_cells
from mixmiss.mmgan import MMGANConfig, TrainingInterrupted, make_config, train

from .conftest import read_cell


def _fail(*args, **kwargs):
    raise AssertionError("this must not be computed again")


def test_cells_run_table2_first_and_match_runs_trained_by_the_cli():
    cells = table2_cells("quick")
    assert [c.id for c in cells[:3]] == [
        "quick-mnist-A-fixed-seed0",
        "quick-fashion-mnist-A-fixed-seed0",
        "quick-mnist-B-fixed-seed0",
    ]
    assert [c.params["mode"] for c in cells] == ["fixed"] * 6 + ["learned"] * 6
    # `mixmiss mmgan train --preset quick --dataset mnist --case A --fixed-priors --seed 0`
    cli = make_config("quick", dataset="mnist", sets="A", fixed_priors=True, seed=0)
    assert MMGANConfig.from_dict(cells[0].params["config"]) == cli
    # params are the cache key: they must compare equal after a JSON round trip
    assert all(json.loads(json.dumps(c.params)) == c.params for c in cells)
    assert cells[0].params["eval"]["n_per_component"] == 10_000


def test_unknown_preset_is_a_clear_error():
    with pytest.raises(InputError, match="choose one of smoke, quick, paper"):
        get_preset("huge")


def test_a_learned_cell_stores_its_panel_and_a_fixed_one_none(smoke_study):
    out, _ = smoke_study
    stored = sorted(p.name for p in (out / "figures").iterdir())
    assert stored == [f"smoke-digits-{case}-learned-seed0.png" for case in "ABC"]
    for case, components in (("A", 3), ("B", 7), ("C", 7)):
        cell_id = f"smoke-digits-{case}-learned-seed0"
        assert len(read_cell(out, cell_id)["metrics"]["alpha"][0]) == components
        with Image.open(panel_path(out, cell_id)) as panel:
            assert panel.format == "PNG" and panel.width > panel.height


def test_an_interrupted_run_is_resumed_then_only_evaluated(tmp_path, evaluator_cache, monkeypatch):
    cell = table2_cells("smoke")[0]
    config = MMGANConfig.from_dict(cell.params["config"])
    run_dir = run_path(tmp_path, cell.id)

    def interrupt(step):
        if step == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted):
        train(config, run_dir, progress=False, on_step=interrupt)
    assert load_checkpoint(run_dir / "checkpoint.pt")["step"] == 3

    metrics = run_table2_cell(
        cell.params, tmp_path, Context(cache_dir=evaluator_cache, progress=False), threads=1
    )
    assert metrics["started_at_step"] == 3 and metrics["step"] == 6
    resumes = json.loads((run_dir / "config.json").read_text())["resumes"]
    assert [r["step"] for r in resumes] == [3]  # continued, not started again

    for name in ("train", "resume_training"):
        monkeypatch.setattr(mmgan_runs, name, _fail)
    again = run_table2_cell(
        cell.params, tmp_path, Context(cache_dir=evaluator_cache, progress=False), threads=1
    )
    assert again["started_at_step"] == 6 and again["accuracy"] == metrics["accuracy"]
    assert again["train_seconds"] == metrics["train_seconds"] > 0
    assert not (tmp_path / "figures").exists()  # a fixed-priors cell draws no panel
