"""The failures of the hostile sweep (issue #21), each a regression test.

Every case is either a one-line ``mixmiss: error: ...`` (exit status 2) or a
correct result; never a traceback, never a silent wrong result. The state
cases (overwrite, a failed resume, a run killed before its first checkpoint,
orphan temporaries, training time) are in tests/experiments/test_imputation.py
and tests/mmgan/test_trainer.py.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from mixmiss.atomic import atomic_torch_save, load_checkpoint
from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.data import load_dataset, make_mask, venn_split
from mixmiss.errors import CacheError, InputError, MixmissError
from mixmiss.evaluators import reference, train_evaluator
from mixmiss.experiments.imputation import train_imputer
from mixmiss.misgan import MisGANImputer

QUIET = Context(progress=False)
SMOKE_MMGAN = ["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
               "--no-progress"]  # fmt: skip


def one_line_error(run, *argv, contains=""):
    code, _, err = run(*argv)
    assert code == 2, err
    assert err.startswith("mixmiss: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and contains in err, err
    return err


# -- silently wrong before -------------------------------------------------------------


def test_eval_refuses_a_run_whose_saved_imputer_is_another_method(tmp_path, run):
    for method in ("mean", "inpaint"):
        train_imputer(tmp_path / method, "digits", method, "im", 0.5, preset="smoke",
                      max_train=40, context=QUIET)  # fmt: skip
    for name in ("imputer.json", "state.pt"):  # the inpaint model inside the mean run
        (tmp_path / "mean" / name).write_bytes((tmp_path / "inpaint" / name).read_bytes())
    one_line_error(run, "impute", "eval", tmp_path / "mean", "--max-test", "20", "--no-progress",
                   contains="the saved imputer is 'inpaint'")  # fmt: skip


@pytest.mark.parametrize(("shape", "rate"), [((8, 8), 0.1), ((8, 8), 0.01), ((1, 1), 0.5)])
def test_an_so_mask_without_a_missing_pixel_is_an_error(shape, rate):
    with pytest.raises(InputError, match="no pixel would be missing"):
        make_mask("so", 3, shape, rate, torch.Generator())


def test_train_refuses_so_masks_that_hide_nothing(tmp_path, run):
    one_line_error(run, "impute", "train", "--dataset", "digits", "--method", "mean",
                   "--mechanism", "so", "--rate", "0.05", "--out", tmp_path / "r",
                   contains="no pixel would be missing")  # fmt: skip
    assert not (tmp_path / "r").exists()


def test_resume_with_fewer_iterations_than_done_is_an_error(tmp_path, run):
    out = tmp_path / "run"
    assert run(*SMOKE_MMGAN, "--out", out)[0] == 0
    before = (out / "config.json").read_bytes()
    one_line_error(run, "mmgan", "train", "--out", out, "--resume", "--iters", "3",
                   contains="is at step 6")  # fmt: skip
    assert (out / "config.json").read_bytes() == before


def test_resume_with_options_of_another_run_is_an_error(tmp_path, run):
    out = tmp_path / "run"
    assert run(*SMOKE_MMGAN, "--out", out)[0] == 0
    err = one_line_error(run, "mmgan", "train", "--out", out, "--resume", "--dataset", "mnist",
                         "--case", "B", contains="--dataset mnist (the run has digits)")  # fmt: skip
    assert "--case/--sets B (the run has A)" in err


def test_resume_that_extends_a_run_says_so(tmp_path, run):
    out = tmp_path / "run"
    assert run(*SMOKE_MMGAN, "--out", out)[0] == 0
    code, stdout, err = run("mmgan", "train", "--out", out, "--resume", "--iters", "8")
    assert code == 0, err
    assert "extending the run" in stdout and "from 6 to 8 iterations" in stdout
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 8


def test_a_device_this_machine_lacks_is_an_error_even_for_mean(tmp_path, run):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    one_line_error(run, "impute", "train", "--dataset", "digits", "--method", "mean",
                   "--mechanism", "im", "--rate", "0.5", "--device", "cuda",
                   "--out", tmp_path / "r", contains="no CUDA GPU")  # fmt: skip
    assert not (tmp_path / "r").exists()


# -- tracebacks before ------------------------------------------------------------------


def test_demo_out_under_a_regular_file(tmp_path, run):
    (tmp_path / "file").write_text("x")
    one_line_error(run, "demo", "--out", tmp_path / "file" / "sub", "--no-progress",
                   contains="choose another --out")  # fmt: skip


def test_mmgan_sample_into_an_existing_directory(tmp_path, run):
    out = tmp_path / "run"
    assert run(*SMOKE_MMGAN, "--out", out)[0] == 0
    one_line_error(run, "mmgan", "sample", out, "--distribution", "1", "--out", tmp_path,
                   contains="is a directory")  # fmt: skip


@pytest.mark.parametrize(
    "argv",
    [
        ["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism", "im",
         "--rate", "0.5", "--out", "x", "--seed", "-1"],
        ["impute", "eval", "x", "--seed", "-1"],
        ["mmgan", "train", "--dataset", "digits", "--case", "A", "--out", "x", "--seed", "-1"],
        ["mmgan", "train", "--dataset", "digits", "--case", "A", "--out", "x", "--seed", "2**70"],
    ],
)  # fmt: skip
def test_a_negative_or_huge_seed_is_refused_by_the_parser(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "argument --seed" in capsys.readouterr().err


def test_a_torn_last_log_line_does_not_stop_a_resume(tmp_path, run):
    out = tmp_path / "run"
    assert run(*SMOKE_MMGAN, "--iters", "4", "--out", out)[0] == 0
    with (out / "log.jsonl").open("a") as log:
        log.write('{"step": 5, "loss_d": 0.')
    code, _, err = run("mmgan", "train", "--out", out, "--resume", "--iters", "6", "--no-progress")
    assert code == 0, err
    steps = [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert steps == sorted(steps) and steps[-1] == 6


@pytest.mark.parametrize(
    "damage", ["[1, 2]", '{"params": 1}', "missing evals", "string rmse"]
)  # fmt: skip
def test_a_damaged_cell_is_pending_and_computed_again(damage, tmp_path):
    from mixmiss.experiments.cells import Cell, run_cells
    from mixmiss.experiments.table1.grid import valid_metrics

    cell = Cell("c", {"a": 1})
    good = {"evals": [{"rmse": 0.1, "fid": 1.0, "accuracy": 0.9, "accuracy_hidden": None}],
            "train_seconds": 1.0}  # fmt: skip
    run_cells([cell], lambda params: good, tmp_path, progress=False, check=valid_metrics)
    path = tmp_path / "cells" / "c.json"
    record = json.loads(path.read_text())
    if damage == "missing evals":
        record["metrics"].pop("evals")
        text = json.dumps(record)
    elif damage == "string rmse":
        record["metrics"]["evals"][0]["rmse"] = "0.1"
        text = json.dumps(record)
    else:
        text = damage
    path.write_text(text)
    calls = []
    run_cells([cell], lambda params: calls.append(1) or good, tmp_path, progress=False,
              check=valid_metrics)  # fmt: skip
    assert calls == [1] and json.loads(path.read_text())["metrics"] == good


def test_report_only_over_a_damaged_cell_lists_it_as_pending(tmp_path, run):
    source = "results/table2/quick"
    import shutil

    shutil.copytree(source, tmp_path / "t2")
    cell = tmp_path / "t2" / "cells" / "quick-mnist-A-fixed-seed0.json"
    record = json.loads(cell.read_text())
    record["metrics"]["avg"] = "high"
    cell.write_text(json.dumps(record))
    code, _, err = run("reproduce", "table2", "--preset", "quick", "--out", tmp_path / "t2",
                       "--report-only")  # fmt: skip
    assert code == 0, err
    assert "- `quick-mnist-A-fixed-seed0`" in (tmp_path / "t2" / "table2.md").read_text()


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 torn", b"not an npz"])
def test_a_damaged_fid_statistics_cache_is_recomputed(damage, tmp_path):
    evaluator = train_evaluator("digits", epochs=1, progress=False)
    mu, sigma = reference.reference_statistics(evaluator, cache_dir=tmp_path)
    (path,) = (tmp_path / "fid").iterdir()
    path.write_bytes(damage)
    again_mu, again_sigma = reference.reference_statistics(evaluator, cache_dir=tmp_path)
    np.testing.assert_allclose(again_mu, mu)
    np.testing.assert_allclose(again_sigma, sigma)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: make_mask("im", 4, 8, 0.5, g), "pass \\(8, 8\\)"),
        (lambda g: make_mask("im", 4, (8, 8), 0.5, 42), "must be a torch.Generator"),
        (lambda g: make_mask("im", 4, (8, 8), 0.5, np.random.default_rng(0)), "torch.Generator"),
        (lambda g: venn_split(load_dataset("digits"), None), "label sets must be"),
        (lambda g: venn_split(load_dataset("digits"), 5), "label sets must be"),
        (lambda g: venn_split(load_dataset("digits").images, "A", g), "takes an ImageDataset"),
    ],
)
def test_python_api_bad_arguments_are_input_errors(call, message):
    with pytest.raises(InputError, match=message):
        call(torch.Generator().manual_seed(0))


def test_a_checkpoint_error_is_one_line_and_never_advises_unpickling(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "c.pt"
    torch.save({"x": Evil()}, path)
    with pytest.raises(CacheError) as info:
        load_checkpoint(path)
    text = str(info.value)
    assert "\n" not in text and "weights_only=False" not in text
    assert "never unpickles" in text
    path.write_bytes(b"garbage")
    with pytest.raises(CacheError) as info:
        load_checkpoint(path)
    assert "\n" not in str(info.value)


def test_misgan_weights_of_another_method_are_refused_in_one_line(tmp_path):
    atomic_torch_save(tmp_path / "state.pt", {"b": torch.zeros(3), "c": torch.zeros(2)})
    imputer = MisGANImputer(width=4, imputer_hidden=[8, 8, 8], device="cpu")
    with pytest.raises(CacheError) as info:
        imputer.load_state_dict(load_checkpoint(tmp_path / "state.pt"))
    text = str(info.value)
    assert "\n" not in text and "unexpected" in text and len(text) < 300


def test_a_failed_mmgan_train_leaves_no_empty_out(tmp_path, run):
    out = tmp_path / "new"
    one_line_error(run, "mmgan", "train", "--dataset", "digits", "--sets", "0-6;0-6",
                   "--preset", "smoke", "--out", out, contains="identical")  # fmt: skip
    assert not out.exists()


def test_a_missing_data_dir_is_not_created_by_a_failed_download(tmp_path, run, monkeypatch):
    from mixmiss.data import download

    def offline(*args, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(download, "fetch_url", offline)
    missing = tmp_path / "no" / "such" / "dir"
    with pytest.raises(MixmissError, match="download failed"):
        load_dataset("mnist", "train", missing)
    assert not (tmp_path / "no").exists()


def test_label_sets_that_start_with_a_dash_get_our_error(tmp_path, run):
    one_line_error(run, "mmgan", "train", "--dataset", "digits", "--sets", "-1-3;3-9",
                   "--preset", "smoke", "--out", tmp_path / "r", contains="-1-3")  # fmt: skip


def test_a_study_whose_method_cannot_take_the_dataset_fails_before_any_cell(tmp_path, run):
    one_line_error(run, "reproduce", "table1", "--preset", "smoke", "--dataset", "digits",
                   "--out", tmp_path / "s", contains="misgan takes 28x28 images")  # fmt: skip
    assert not (tmp_path / "s").exists()
