"""The LM-RBM protocol's run directory: nothing overwritten, nothing written before a resume works."""

from __future__ import annotations

import pytest

from mixmiss.context import Context
from mixmiss.errors import CacheError, InputError
from mixmiss.experiments.imputation import (
    evaluate_imputer,
    evaluate_imputer_seeds,
    masked_split,
    read_run,
    train_imputer,
)

QUIET = Context(progress=False)
RBM = {"epochs": 3, "n_hidden": 8}


def _train(out, method="rbm", **kwargs):
    options = {"preset": "smoke", "max_train": 64, "context": QUIET, **kwargs}
    if method == "rbm":
        options.setdefault("overrides", RBM)
    return train_imputer(out, "digits", method, "im", 0.5, **options)


def _files(directory):
    return {p.relative_to(directory): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_training_into_an_existing_run_without_resume_is_refused(tmp_path):
    _train(tmp_path)
    before = _files(tmp_path)
    with pytest.raises(InputError, match="already holds a training run.*--resume"):
        _train(tmp_path, method="mean")
    assert _files(tmp_path) == before


def test_a_resume_that_fails_on_a_bad_checkpoint_writes_nothing(tmp_path):
    _train(tmp_path, overrides={**RBM, "epochs": 1})
    (tmp_path / "checkpoints" / "rbm_checkpoint.pt").write_bytes(b"not a checkpoint")
    before = _files(tmp_path)
    with pytest.raises(CacheError, match="cannot load checkpoint"):
        _train(tmp_path, resume=True)
    assert _files(tmp_path) == before
    assert read_run(tmp_path)["status"] == "trained"


def test_resume_into_a_directory_without_an_imputation_run_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")  # e.g. an MMGAN run
    with pytest.raises(InputError, match="no imputation run to resume"):
        _train(tmp_path, resume=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


def test_train_seconds_add_up_over_the_stretches_of_a_resumed_run(tmp_path):
    _train(tmp_path, overrides={**RBM, "epochs": 1}, command=["mixmiss", "first"])
    first = read_run(tmp_path)
    _train(tmp_path, resume=True, command=["mixmiss", "second"])
    run = read_run(tmp_path)
    assert run["status"] == "trained" and run["train_seconds"] > first["train_seconds"]
    assert run["provenance"]["command"] == "mixmiss first"
    assert [r["command"] for r in run["resumes"]] == ["mixmiss second"]


def test_masks_of_train_and_test_are_independent_streams():
    train = masked_split("digits", "train", "im", 0.5, seed=0, limit=50)
    test = masked_split("digits", "test", "im", 0.5, seed=0, limit=50)
    assert not bool((train.mask == test.mask).all())
    again = masked_split("digits", "train", "im", 0.5, seed=0, limit=50)
    assert bool((train.mask == again.mask).all())


def test_the_papers_fid_is_none_off_mnist(tmp_path):
    from mixmiss.evaluators import train_evaluator

    train_evaluator("digits", epochs=1, progress=False)
    _train(tmp_path, method="mean")
    report = evaluate_imputer(tmp_path, max_test=50, context=QUIET)
    assert report["fid_lenet"] is None and report["fid_lenet_test"] is None
    assert report["lenet_checksum"] is None and report["fid"] > 0


@pytest.mark.real_data
def test_the_papers_fid_scores_the_completed_training_images(
    tmp_path, mnist_dir, small_mnist_evaluator
):
    from mixmiss.evaluators import fid_score, load_lenet
    from mixmiss.registry import load_imputer

    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    train_imputer(tmp_path, "mnist", "mean", "pm", 0.6, preset="smoke", max_train=300,
                  context=context)  # fmt: skip
    reports = evaluate_imputer_seeds(tmp_path, [0, 1], max_test=200, context=context)
    train = masked_split("mnist", "train", "pm", 0.6, 0, 300, mnist_dir)
    completed = load_imputer(tmp_path).impute(train.images, train.mask)
    lenet = load_lenet(device="cpu")
    expected = fid_score(completed, lenet, mnist_dir)
    assert reports[0]["fid_lenet"] == pytest.approx(expected) == reports[1]["fid_lenet"]
    test = masked_split("mnist", "test", "pm", 0.6, 1, 200, mnist_dir)
    test_fid = fid_score(load_imputer(tmp_path).impute(test.images, test.mask), lenet, mnist_dir)
    assert reports[1]["fid_lenet_test"] == pytest.approx(test_fid)
    assert reports[1]["fid"] != reports[1]["fid_lenet_test"]  # ours: the evaluator CNN
    assert reports[0]["lenet_checksum"] == lenet.metadata["checksum"]
    skipped = evaluate_imputer(tmp_path, max_test=200, context=context, paper_fid=False)
    assert skipped["fid_lenet"] is None and skipped["fid_lenet_test"] is None


@pytest.mark.real_data
def test_the_rbms_sampled_read_out_is_scored_beside_the_mean_field_one(
    tmp_path, mnist_dir, small_mnist_evaluator
):
    from mixmiss.evaluators import fid_score, load_lenet
    from mixmiss.metrics import rmse_missing
    from mixmiss.registry import load_imputer

    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    train_imputer(tmp_path, "mnist", "lm-rbm", "im", 0.6, preset="smoke", max_train=300,
                  context=context)  # fmt: skip
    report = evaluate_imputer(tmp_path, max_test=200, context=context)
    imputer = load_imputer(tmp_path)
    assert imputer.hidden == "mean"  # the default read-out is mean-field h
    sampled = imputer.with_readout(hidden="sample")
    assert sampled.model is imputer.model and imputer.hidden == "mean"
    test = masked_split("mnist", "test", "im", 0.6, 0, 200, mnist_dir)
    expected = rmse_missing(sampled.impute(test.images, test.mask), test.images, test.mask)
    assert report["rmse_sampled_h"] == pytest.approx(expected)
    assert report["rmse_sampled_h"] != pytest.approx(report["rmse"])
    train = masked_split("mnist", "train", "im", 0.6, 0, 300, mnist_dir)
    lenet = load_lenet(device="cpu")
    fid = fid_score(sampled.impute(train.images, train.mask), lenet, mnist_dir)
    assert report["fid_lenet_sampled_h"] == pytest.approx(fid)
    mean = tmp_path / "mean"
    train_imputer(mean, "mnist", "mean", "im", 0.6, max_train=300, context=context)
    mean_report = evaluate_imputer(mean, max_test=200, context=context)
    assert not any(key.endswith("_sampled_h") for key in mean_report)  # a single read-out


@pytest.mark.real_data
def test_eval_takes_a_read_out_and_k_and_scores_the_whole_family(
    tmp_path, mnist_dir, small_mnist_evaluator
):
    from mixmiss.metrics import rmse_missing
    from mixmiss.registry import load_imputer

    context = Context(data_dir=mnist_dir, progress=False, device="cpu")
    train_imputer(tmp_path, "mnist", "rbm", "im", 0.6, preset="smoke", max_train=200,
                  context=context)  # fmt: skip
    report = evaluate_imputer(tmp_path, max_test=100, context=context, readout="sampled_h", k=4)
    assert report["readout"] == "sampled_h-k4"
    assert (tmp_path / "eval-seed0-sampled_h-k4.json").is_file()
    chosen = load_imputer(tmp_path).readout("sampled_h", 4)
    test = masked_split("mnist", "test", "im", 0.6, 0, 100, mnist_dir)
    expected = rmse_missing(chosen.impute(test.images, test.mask), test.images, test.mask)
    assert report["rmse"] == pytest.approx(expected, abs=1e-12)
    family = evaluate_imputer(tmp_path, max_test=100, context=context, readouts="all")
    assert family["readout"] == "mean_field"
    names = [n for n in load_imputer(tmp_path).READOUTS if n != "mean_field"]
    assert all(f"rmse_{n}" in family and f"fid_lenet_{n}" in family for n in names)
    assert "rmse_mean_field" not in family  # the primary read-out is the plain rmse
    # averaging more sampled reconstructions moves towards the mean-field RMSE (the smoke
    # RBM is barely trained, so the gap is small: tolerance 1e-6)
    towards = abs(family["rmse_sampled_h_k64"] - family["rmse"])
    assert towards <= abs(family["rmse_sampled_h"] - family["rmse"]) + 1e-6
    with pytest.raises(InputError, match="unknown read-out"):
        evaluate_imputer(tmp_path, max_test=100, context=context, readout="nope")
