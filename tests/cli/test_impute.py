"""`mixmiss impute train|eval` for every method, with the same options and JSON keys."""

from __future__ import annotations

import json

import pytest
import torch

from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.errors import InputError
from mixmiss.evaluators import train_evaluator
from mixmiss.experiments.imputation import masked_split, train_imputer
from mixmiss.metrics import rmse_missing

QUIET = Context(progress=False)
KEYS = {"rmse", "rmse_all", "fid", "accuracy", "accuracy_hidden"}


@pytest.fixture
def digits_evaluator():
    """A tiny digits evaluator in the test's private cache (eval needs one for FID)."""
    return train_evaluator("digits", epochs=3, progress=False)


@pytest.mark.parametrize("method", ["mean", "inpaint"])
def test_train_then_eval_on_digits(capsys, tmp_path, digits_evaluator, method, run):
    out_dir = tmp_path / method
    code, out, err = run(
        "impute", "train", "--dataset", "digits", "--method", method,
        "--mechanism", "im", "--rate", 0.5, "--preset", "smoke", "--seed", 3,
        "--out", out_dir, "--max-train", 400, "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    saved = json.loads((out_dir / "run.json").read_text())
    assert saved["status"] == "trained" and saved["seed"] == 3 and saved["n_train"] == 400
    assert saved["config"]["random_state"] == 3 and "impute train" in saved["provenance"]["command"]

    code, out, err = run("impute", "eval", out_dir, "--json", "--max-test", 120, "--no-progress")
    assert code == 0, err
    report = json.loads(out)
    assert KEYS <= set(report)
    assert 0 < report["rmse"] < 0.6 and 0 < report["rmse_all"] < report["rmse"]
    assert report["fid"] >= 0 and 0.3 < report["accuracy"] <= 1.0
    assert report["accuracy_hidden"] is None
    assert report["n_test"] == 120 and report["n_train"] == 400
    assert json.loads((out_dir / "eval-seed0.json").read_text()) == report


def test_eval_rmse_matches_a_direct_computation(tmp_path, digits_evaluator, capsys, run):
    imputer = train_imputer(
        tmp_path, "digits", "mean", "so", 0.5, preset="smoke", seed=1, max_train=300,
        context=QUIET, command=["test"],
    )  # fmt: skip
    code, out, _ = run("impute", "eval", tmp_path, "--json", "--seed", 4, "--no-progress")
    test = masked_split("digits", "test", "so", 0.5, 4, 10_000)
    expected = rmse_missing(imputer.impute(test.images, test.mask), test.images, test.mask)
    assert code == 0 and json.loads(out)["rmse"] == pytest.approx(expected)


def test_train_and_test_masks_are_independent_streams():
    train = masked_split("digits", "train", "im", 0.5, 0, 100)
    test = masked_split("digits", "test", "im", 0.5, 0, 100)
    again = masked_split("digits", "train", "im", 0.5, 0, 100)
    assert torch.equal(train.mask, again.mask)
    assert not torch.equal(train.mask, test.mask)


def test_misgan_refuses_digits_with_a_one_line_error(capsys, tmp_path, run):
    code, _, err = run(
        "impute", "train", "--dataset", "digits", "--method", "misgan",
        "--mechanism", "im", "--rate", 0.5, "--preset", "smoke", "--out", tmp_path,
        "--no-progress",
    )  # fmt: skip
    assert code == 2
    assert err.startswith("mixmiss: error:") and "28x28" in err and len(err.splitlines()) == 1


def test_bad_arguments_are_clear_errors(capsys, tmp_path, run):
    code, _, err = run("impute", "eval", tmp_path, "--json")
    assert code == 2 and "run.json is missing" in err
    code, _, err = run(
        "impute", "train", "--dataset", "digits", "--method", "mean",
        "--mechanism", "im", "--rate", 1.5, "--out", tmp_path,
    )  # fmt: skip
    assert code == 2 and "rate" in err
    with pytest.raises(SystemExit):
        main(["impute", "train", "--dataset", "digits", "--method", "gain", "--mechanism",
              "im", "--rate", "0.5", "--out", str(tmp_path)])  # fmt: skip
    with pytest.raises(SystemExit):
        main(["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism",
              "im", "--rate", "0.5", "--out", str(tmp_path), "--set", "novalue"])  # fmt: skip
    with pytest.raises(InputError, match="unknown imputation method"):
        train_imputer(tmp_path, "digits", "gain", "im", 0.5, context=QUIET)


def test_resume_into_a_directory_of_another_run_is_refused(tmp_path):
    train_imputer(tmp_path, "digits", "mean", "im", 0.5, preset="smoke", max_train=50,
                  context=QUIET)  # fmt: skip
    with pytest.raises(InputError, match="different run"):
        train_imputer(tmp_path, "digits", "mean", "im", 0.7, preset="smoke", max_train=50,
                      resume=True, context=QUIET)  # fmt: skip


@pytest.mark.real_data
def test_misgan_smoke_train_and_eval_on_an_mnist_subset(
    capsys, tmp_path, mnist_dir, small_mnist_evaluator, run
):
    code, _, err = run(
        "impute", "train", "--dataset", "mnist", "--data-dir", mnist_dir,
        "--method", "misgan", "--mechanism", "im", "--rate", 0.6, "--preset", "smoke",
        "--max-train", 64, "--set", "epochs=2", "--device", "cpu", "--out", tmp_path,
        "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads((tmp_path / "run.json").read_text())["config"]["epochs"] == 2
    assert (tmp_path / "checkpoints" / "misgan.pt").is_file()
    code, out, err = run(
        "impute", "eval", tmp_path, "--data-dir", mnist_dir, "--json",
        "--max-test", 200, "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert KEYS <= set(report) and report["method"] == "misgan"
    assert 0 < report["rmse"] < 1 and report["accuracy_hidden"] is None
    # the paper's FID (reference LeNet) on MNIST, of the training and the test completions
    assert report["fid_lenet"] > 0 and report["fid_lenet_test"] > 0
    assert report["lenet_checksum"] and report["lenet_checksum"] != report["evaluator_checksum"]
