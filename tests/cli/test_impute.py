"""`mixmiss impute train|eval` for every method, with the same options and JSON keys, and
`mixmiss impute fit|complete` on a user's own masked images."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.data.masked_images import COMPLETED_ARRAY
from mixmiss.errors import InputError
from mixmiss.evaluators import train_evaluator
from mixmiss.experiments.imputation import masked_split, train_imputer
from mixmiss.metrics import rmse_missing
from tests.masked_pngs import read_png, write_masked_pngs

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


def test_precision_option_reaches_the_imputer_and_is_refused_where_nothing_trains(tmp_path, run):
    common = ("impute", "train", "--dataset", "digits", "--mechanism", "im", "--rate", 0.5,
              "--preset", "smoke", "--max-train", 200, "--no-progress")  # fmt: skip
    code, _, err = run(*common, "--method", "rbm", "--precision", "fp32", "--out", tmp_path / "r")
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "run.json").read_text())["config"]["precision"] == "fp32"
    code, _, err = run(*common, "--method", "mean", "--precision", "bf16", "--out", tmp_path / "m")
    assert code == 2 and "trains no network" in err and not (tmp_path / "m").exists()
    code, _, err = run(*common, "--method", "rbm", "--precision", "fp32",
                       "--set", 'precision="bf16"', "--out", tmp_path / "t")  # fmt: skip
    assert code == 2 and "given twice" in err


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


@pytest.mark.parametrize(
    "method, channels", [("mean", 3), ("rbm", 3), ("lm-rbm", 1), ("inpaint", 3)]
)
def test_fit_then_complete_a_folder_of_pngs_with_alpha_masks(tmp_path, run, method, channels):
    pixels, observed = write_masked_pngs(tmp_path / "x", n=6, size=(7, 9), channels=channels)
    code, out, err = run(
        "impute", "fit", "--method", method, "--images", tmp_path / "x", "--preset", "smoke",
        "--out", tmp_path / "fit", "--no-progress",
    )  # fmt: skip
    assert code == 0, err
    assert (
        "impute fit" in json.loads((tmp_path / "fit/fit.json").read_text())["provenance"]["command"]
    )
    code, out, err = run(
        "impute", "complete", tmp_path / "fit", "--images", tmp_path / "x", "--out",
        tmp_path / "done",
    )  # fmt: skip
    assert code == 0, err
    array = np.load(tmp_path / "done" / COMPLETED_ARRAY)
    seen = np.broadcast_to(observed[:, None], pixels.shape)
    # observed pixels bit-identical: v / 255 in float32 as read, the input's bytes in the PNGs
    assert array[seen].tobytes() == (pixels[seen].astype(np.float32) / np.float32(255)).tobytes()
    # missing ones filled: in [0, 1] and not the 0 the files hold under alpha 0
    assert ((array[~seen] > 0) & (array[~seen] <= 1)).all()
    for i in range(6):
        png = read_png(tmp_path / "done" / f"img{i:02d}.png")
        assert png.shape == (channels, 7, 9)
        np.testing.assert_array_equal(png[seen[i]], pixels[i][seen[i]])
        filled = array[i][~seen[i]].astype(np.float64)
        np.testing.assert_array_equal(png[~seen[i]], np.rint(filled * 255))


def test_complete_an_array_with_nan_and_a_mask_folder(tmp_path, run):
    rng = np.random.default_rng(1)
    x = rng.random((5, 6, 6))
    x[rng.random(x.shape) < 0.4] = np.nan
    np.save(tmp_path / "x.npy", x)
    code, _, err = run("impute", "fit", "--method", "mean", "--images", tmp_path / "x.npy",
                       "--out", tmp_path / "fit")  # fmt: skip
    assert code == 0, err
    code, _, err = run("impute", "complete", tmp_path / "fit", "--images", tmp_path / "x.npy",
                       "--out", tmp_path / "done")  # fmt: skip
    assert code == 0, err
    array = np.load(tmp_path / "done" / COMPLETED_ARRAY)
    seen = ~np.isnan(x)
    assert array.shape == x.shape and array.dtype == x.dtype
    assert array[seen].tobytes() == x[seen].tobytes()
    assert np.isfinite(array).all() and ((array >= 0) & (array <= 1)).all()
    assert (tmp_path / "done" / "00004.png").is_file()

    # the same images as PNGs (fully opaque), their gaps given by a mask folder instead
    pixels, observed = write_masked_pngs(tmp_path / "p", n=2, size=(6, 6), channels=1, missing=0)
    (tmp_path / "m").mkdir()
    for i, name in enumerate(("img00.png", "img01.png")):
        Image.fromarray(np.where(seen[i], 255, 0).astype(np.uint8)).save(tmp_path / "m" / name)
    code, _, err = run("impute", "complete", tmp_path / "fit", "--images", tmp_path / "p",
                       "--masks", tmp_path / "m", "--out", tmp_path / "done2")  # fmt: skip
    assert code == 0, err
    completed = np.load(tmp_path / "done2" / COMPLETED_ARRAY)[:, 0]
    np.testing.assert_array_equal(completed[~seen[:2]], array[:2][~seen[:2]].astype(np.float32))


def _write_mixed_sizes(tmp_path):
    write_masked_pngs(tmp_path / "x", n=2, size=(4, 4))
    write_masked_pngs(tmp_path / "x2", n=1, size=(5, 4))
    (tmp_path / "x2" / "img00.png").rename(tmp_path / "x" / "odd.png")
    return ["--images", tmp_path / "x"], "odd.png"


def _write_mismatched_masks(tmp_path):
    write_masked_pngs(tmp_path / "x", n=1, size=(4, 4))
    write_masked_pngs(tmp_path / "m", n=1, size=(3, 4), channels=1, missing=0)
    return ["--images", tmp_path / "x", "--masks", tmp_path / "m"], "m/img00.png"


def _write_nothing_observed(tmp_path):
    write_masked_pngs(tmp_path / "x", n=2, size=(4, 4), missing=1.0)
    return ["--images", tmp_path / "x"], "no observed pixel"


def _write_unreadable(tmp_path):
    write_masked_pngs(tmp_path / "x", n=2, size=(4, 4))
    (tmp_path / "x" / "img01.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    return ["--images", tmp_path / "x"], "img01.png"


@pytest.mark.parametrize(
    "write", [_write_mixed_sizes, _write_mismatched_masks, _write_nothing_observed,
              _write_unreadable],
)  # fmt: skip
def test_bad_images_are_one_line_and_leave_nothing_in_out(tmp_path, run, write):
    images, name = write(tmp_path)
    code, _, err = run("impute", "fit", "--method", "mean", *images, "--out", tmp_path / "fit")
    assert code == 2 and err.startswith("mixmiss: error:") and len(err.splitlines()) == 1
    assert name in err and not (tmp_path / "fit").exists()
    write_masked_pngs(tmp_path / "good", n=2, size=(4, 4))
    code, _, err = run("impute", "fit", "--method", "mean", "--images", tmp_path / "good",
                       "--out", tmp_path / "fit")  # fmt: skip
    assert code == 0, err
    code, _, err = run("impute", "complete", tmp_path / "fit", *images, "--out", tmp_path / "z")
    assert code == 2 and len(err.splitlines()) == 1 and name in err
    assert not (tmp_path / "z").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporaries


def test_misgan_on_other_sizes_is_a_one_line_error(tmp_path, run):
    write_masked_pngs(tmp_path / "x", n=2, size=(8, 8), channels=1)
    code, _, err = run("impute", "fit", "--method", "misgan", "--images", tmp_path / "x",
                       "--preset", "smoke", "--out", tmp_path / "fit")  # fmt: skip
    assert code == 2 and "28x28" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "fit").exists()
