"""The demo's stages: the evaluator, MMGAN case A, the imputers; each announced and timed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch

from ...context import Context
from ...data.venn import CASES
from ...errors import CacheError, InputError
from ...evaluators import Evaluator, evaluator_info, get_evaluator
from ...mmgan import component_figure, evaluate_run, load_model, make_config, train
from ...registry import load_imputer
from ..imputation import evaluate_imputer, masked_split, train_imputer
from .settings import DemoSettings

RESULTS_FILE = "demo.json"
REPORT_FILE = "report.md"
MMGAN_FIGURE = "mmgan-components.png"
IMPUTATION_FIGURE = "imputations.png"
MMGAN_DIR = "mmgan"
IMPUTE_DIR = "impute"

CASE = "A"
MECHANISM, RATE = "im", 0.5
METHODS = ("mean", "inpaint", "rbm", "lm-rbm")
STAGES = 4


@contextmanager
def _stage(number: int, text: str, timings: dict[str, float], key: str) -> Iterator[float]:
    """Announce a stage and time it into ``timings[key]`` (unless the stage set it itself).

    Yields the stage's start (``time.perf_counter()``).
    """
    print(f"[{number}/{STAGES}] {text} ...", flush=True)
    start = time.perf_counter()
    yield start
    timings.setdefault(key, round(time.perf_counter() - start, 2))
    print(f"      done in {timings[key]:.1f} s", flush=True)


def _prepare_output(out: Path) -> None:
    """Make ``out`` ready: new, empty, or an earlier demo's (whose runs and report go)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a directory for the demo's output.")
    if out.is_dir() and any(out.iterdir()) and not (out / RESULTS_FILE).is_file():
        raise InputError(
            f"{out} holds files that the demo did not write; choose a new or empty --out."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(
            f"cannot create the demo's --out {out}: {exc.strerror or exc}; choose another --out."
        ) from exc
    for name in (MMGAN_DIR, IMPUTE_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (REPORT_FILE, MMGAN_FIGURE, IMPUTATION_FIGURE):
        (out / name).unlink(missing_ok=True)


def run_evaluator(dataset: str, context: Context, timings: dict[str, float]) -> Evaluator:
    """Stage 1: the dataset's evaluator, trained when the cache holds none."""
    data_dir, cache_dir = context.data_dir, context.cache_dir
    try:
        evaluator_info(dataset, cache_dir)
        action = "loading the cached"
    except CacheError:
        action = "training the"
    with _stage(1, f"{action} {dataset} evaluator", timings, "evaluator"):
        return get_evaluator(
            dataset, data_dir, cache_dir, device=context.device, progress=context.progress
        )


def run_mmgan(
    out: Path,
    dataset: str,
    seed: int,
    settings: DemoSettings,
    evaluator: Evaluator,
    context: Context,
    command: Sequence[str] | None,
) -> dict:
    """Stage 2 (without the announcement): train, evaluate and draw MMGAN case A.

    Returns a JSON-able summary: per component its region, the share of its
    samples in the region's labels (the paper's accuracy) and the share of
    each label; which component is the shared one; FID per distribution.
    """
    run_dir = out / MMGAN_DIR
    config = make_config(
        "quick",
        dataset=dataset,
        sets=CASE,
        fixed_priors=True,
        seed=seed,
        **settings.mmgan_settings(),
    )
    start = time.perf_counter()
    device = context.device
    train(
        config,
        run_dir,
        data_dir=context.data_dir,
        device=device,
        progress=context.progress,
        command=command,
    )
    train_seconds = time.perf_counter() - start
    report = evaluate_run(
        run_dir,
        evaluator,
        n_per_component=settings.n_per_component,
        n_fid=settings.n_fid,
        seed=seed,
        data_dir=context.data_dir,
        cache_dir=context.cache_dir,
        device=device,
        full_train_fid=False,
    )
    model, info, step = load_model(run_dir, device)
    component_figure(
        model, out / MMGAN_FIGURE, seed=seed, title=f"MMGAN on {dataset}, case {CASE}, step {step}"
    )
    histogram = np.asarray(report["label_histogram"], dtype=np.float64)
    shares = histogram / histogram.sum(axis=1, keepdims=True)
    components = []
    for region, operation in info.regions.items():
        k = report["assignment"][region]
        components.append(
            {
                "component": f"G{k + 1}",
                "region": region,
                "operation": operation,
                "labels": info.region_labels[region],
                "shared": "\\" not in operation,  # in every distribution: S1∩S2
                "accuracy": report["accuracy"][region],
                "label_shares": [round(float(s), 4) for s in shares[k]],
            }
        )
    return {
        "case": CASE,
        "sets": [list(s) for s in CASES[CASE]],
        "iterations": step,
        "config": config.to_dict(),
        "components": components,
        "avg": report["avg"],
        "random": report["random"],
        "fid": report["fid"],
        "n_per_component": report["n_per_component"],
        "n_fid": report["n_fid"],
        "train_seconds": round(train_seconds, 2),
    }


def run_imputation(
    out: Path,
    dataset: str,
    seed: int,
    settings: DemoSettings,
    context: Context,
    command: Sequence[str] | None,
) -> tuple[dict, dict[str, torch.Tensor]]:
    """Stage 3 (without the announcement): train and score every method of :data:`METHODS`.

    Returns the JSON-able summary and the example images for the figure
    (``original``, ``mask`` and one completion per method).
    """
    results = {}
    for method in METHODS:
        run_dir = out / IMPUTE_DIR / method
        overrides = dict(settings.rbm) if method in ("rbm", "lm-rbm") else {}
        print(f"      {method}", flush=True)
        start = time.perf_counter()
        train_imputer(
            run_dir,
            dataset,
            method,
            MECHANISM,
            RATE,
            preset="quick",
            seed=seed,
            max_train=settings.max_train,
            overrides=overrides,
            context=context,
            command=command,
        )
        train_seconds = time.perf_counter() - start
        report = evaluate_imputer(
            run_dir,
            seed=seed,
            max_test=settings.max_test,
            context=context,
            paper_fid=False,  # the paper's LeNet takes 100 epochs to train: not in a demo
        )
        keys = ("rmse", "rmse_all", "fid", "accuracy", "accuracy_hidden", "n_train", "n_test")
        results[method] = {key: report[key] for key in keys}
        results[method]["overrides"] = overrides
        results[method]["train_seconds"] = round(train_seconds, 2)
        results[method]["eval_seconds"] = round(report["eval_seconds"], 2)

    test = masked_split(dataset, "test", MECHANISM, RATE, seed, settings.max_test, context.data_dir)
    shown = slice(0, settings.examples)
    examples = {"original": test.images[shown], "mask": test.mask[shown]}
    for method in METHODS:
        imputer = load_imputer(out / IMPUTE_DIR / method)
        examples[method] = imputer.impute(test.images[shown], test.mask[shown])
    summary = {"mechanism": MECHANISM, "rate": RATE, "methods": results}
    return summary, examples
