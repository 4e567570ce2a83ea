"""The Table 1 grid, its presets and the computation of one cell."""

import json

import pytest

from mixmiss.errors import InputError
from mixmiss.experiments.table1 import compute_cell, get_preset, grid, table1_cells

from .records import SMALL

RUN = {"method": "rbm", "dataset": "mnist"}


def test_cells_cover_the_grid_cheapest_method_first():
    cells = table1_cells(SMALL)
    assert len(cells) == 2 * 2 * 3 * 2
    methods = [c.params["method"] for c in cells]
    assert methods.index("misgan") > max(i for i, m in enumerate(methods) if m == "lm-rbm")
    assert cells[0].id == "im-0.3-rbm-train0"
    assert cells[0].params["test_seeds"] == [0, 1]


def test_paper_preset_is_the_papers_design():
    paper = get_preset("paper")
    assert paper.rates == pytest.approx([0.1 * i for i in range(1, 10)])
    assert len(paper.train_seeds) * len(paper.test_seeds) == 30
    assert (paper.max_train, paper.max_test, paper.method_preset) == (50_000, 10_000, "paper")


def test_unknown_preset_or_dataset_is_a_clear_error():
    with pytest.raises(InputError, match="unknown preset 'full' for the Table 1 study"):
        get_preset("full")
    with pytest.raises(InputError, match="unknown dataset 'svhn'"):
        get_preset("quick", dataset="svhn")


def test_an_interrupted_training_is_resumed_and_a_finished_one_reused(tmp_path, monkeypatch):
    calls = []

    def fake_train(run_dir, *args, resume, **kwargs):
        calls.append(resume)
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / "run.json").write_text(
            json.dumps({**RUN, "config": params["config"], "status": "trained", "train_seconds": 3})
        )

    def fake_eval(run_dir, seeds, **kwargs):
        keys = ("rmse", "rmse_all", "fid", "accuracy", "accuracy_hidden", "eval_seconds")
        scorers = {"evaluator_checksum": "ab" * 32, "lenet_checksum": "cd" * 32}
        return [{**dict.fromkeys(keys, 0.5), **scorers, "eval_seed": s} for s in seeds]

    monkeypatch.setattr(grid, "train_imputer", fake_train)
    monkeypatch.setattr(grid, "evaluate_imputer_seeds", fake_eval)
    params = table1_cells(SMALL)[0].params
    run_dir = tmp_path / "runs" / "im-0.3-rbm-train0"

    metrics = compute_cell(params, str(tmp_path))
    assert calls == [False] and metrics["train_seconds"] == 3
    assert [e["eval_seed"] for e in metrics["evals"]] == [0, 1]
    assert {e["lenet_checksum"] for e in metrics["evals"]} == {"cd" * 32}  # what scored it

    compute_cell(params, str(tmp_path))  # finished: not retrained
    assert calls == [False]

    (run_dir / "run.json").write_text(
        json.dumps({**RUN, "config": params["config"], "status": "training"})
    )
    compute_cell(params, str(tmp_path))  # interrupted: resumed from its checkpoints
    assert calls == [False, True]


def test_readouts_all_is_a_parameter_of_the_stochastic_methods_cells_only():
    from mixmiss.experiments.table1.grid import get_preset, readout_keys, table1_cells

    default = {c.id: c.params for c in table1_cells(get_preset("smoke"))}
    every = {c.id: c.params for c in table1_cells(get_preset("smoke", readouts="all"))}
    assert not any("readouts" in p for p in default.values())  # cached cells stay valid
    for cell, params in every.items():
        stochastic = params["method"] in ("rbm", "lm-rbm", "misgan")
        assert params.get("readouts") == ("all" if stochastic else None), cell
        assert stochastic or params == default[cell]
    report = {"rmse": 1, "rmse_all": 1, "fid_lenet_test": 1, "rmse_k2": 1, "fid_lenet_k2": 1}
    assert readout_keys(report) == ["rmse_k2", "fid_lenet_k2"]
    with pytest.raises(InputError, match="readouts must be one of"):
        get_preset("smoke", readouts="some")


def test_standard_trains_the_papers_models_for_the_epochs_the_curves_chose(monkeypatch, tmp_path):
    standard, quick = get_preset("standard"), get_preset("quick")
    assert (standard.rates, standard.test_seeds, standard.method_preset) == (
        quick.rates, quick.test_seeds, "paper")  # fmt: skip
    cells = {c.id: c.params for c in table1_cells(standard)}
    for method, epochs in grid.STANDARD_EPOCHS.items():
        params = cells[f"im-0.6-{method}-train0"]
        dense = {"low_rank": False} if method in ("rbm", "lm-rbm") else {}
        assert params["overrides"] == {"epochs": epochs, **dense}
        paper = grid.method_config(method, "paper")
        assert {**paper, "epochs": epochs, **dense} == params["config"]  # else the paper's
    assert "overrides" not in cells["im-0.6-mean-train0"]
    assert not any("overrides" in c.params for c in table1_cells(quick))  # quick cells stay valid

    seen = {}

    def fake_train(run_dir, *args, overrides, command, **kwargs):
        seen.update(overrides=overrides, command=command)
        raise RuntimeError("stop here")

    monkeypatch.setattr(grid, "train_imputer", fake_train)
    with pytest.raises(RuntimeError, match="stop here"):
        compute_cell(cells["im-0.6-lm-rbm-train0"], str(tmp_path))
    epochs = grid.STANDARD_EPOCHS["lm-rbm"]
    assert seen["overrides"] == {"epochs": epochs, "low_rank": False}
    settings = ["--set", f"epochs={epochs}", "--set", "low_rank=false"]
    assert ["--preset", "paper", *settings] == seen["command"][-12:-6]


def test_mechanisms_restrict_the_rows():
    rows = get_preset("standard", mechanisms=["im"])
    assert rows.mechanisms == ("im",)
    assert {c.params["mechanism"] for c in table1_cells(rows)} == {"im"}
    with pytest.raises(InputError, match="mechanisms must be some of im, so, pm .* got mar"):
        get_preset("quick", mechanisms=["mar"])


def test_a_run_trained_with_other_settings_is_refused_not_scored(tmp_path, monkeypatch):
    params = {c.id: c.params for c in table1_cells(get_preset("standard"))}["im-0.3-rbm-train0"]
    run_dir = tmp_path / "runs" / "im-0.3-rbm-train0"
    run_dir.mkdir(parents=True)
    low_rank = {**params["config"], "low_rank": True, "snapshot_every": 20, "random_state": 0}
    (run_dir / "run.json").write_text(json.dumps({**RUN, "status": "trained", "config": low_rank}))
    monkeypatch.setattr(grid, "evaluate_imputer_seeds", lambda *a, **k: pytest.fail("scored"))
    with pytest.raises(InputError, match="other settings than this cell's: low_rank True "
                       r"\(the cell: False\)\. Move that directory away"):  # fmt: skip
        compute_cell(params, str(tmp_path))
    # the settings that do not shape the model may differ (a curve's snapshots, the seed's slot)
    (run_dir / "run.json").write_text(json.dumps(
        {**RUN, "status": "trained", "config": {**low_rank, "low_rank": False}}))  # fmt: skip
    with pytest.raises(pytest.fail.Exception, match="scored"):
        compute_cell(params, str(tmp_path))
