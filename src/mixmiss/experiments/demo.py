"""``mixmiss demo``: both papers' main results in a few minutes, on the bundled digits.

Four stages, each announced on stdout, with the trainers' progress bars:

1. the dataset's evaluator (trained once, then cached): it labels MMGAN's
   samples and embeds images for FID;
2. MMGAN on case A (S1 = digits 0-6, S2 = digits 3-9, no image in both) with
   the mixture weights fixed to the true priors, so component k stands for
   Venn region r_k; the evaluator's labels of each component's samples show
   whether the shared component G3 (r3 = S1∩S2) took the shared digits 3-6;
3. the four imputers of the LM-RBM paper that train in minutes -- ``mean``,
   ``inpaint``, ``rbm`` ([5]) and ``lm-rbm`` -- fitted on the training set
   with 50 % independent missingness (I.M. 0.5) and scored on a test set
   masked the same way (RMSE over missing pixels, FID, downstream accuracy);
4. a figure of example imputations and ``report.md``.

The numbers go to ``demo.json``; :mod:`.demo_report` renders the report and
the imputation figure from them. The run directories stay in ``mmgan/`` and
``impute/<method>/``, so every stage can be taken further with ``mixmiss
mmgan ...`` and ``mixmiss impute ...``. :data:`DEMO_SETTINGS` holds what each
stage trains, per dataset, and why.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from ..atomic import atomic_write_json, atomic_write_text
from ..context import DEFAULT_CONTEXT, Context
from ..data.venn import CASES
from ..device import torch_threads
from ..errors import CacheError, InputError
from ..evaluators import Evaluator, evaluator_info, get_evaluator
from ..mmgan import component_figure, evaluate_run, load_model, make_config, train
from ..provenance import provenance
from ..registry import load_imputer
from .demo_report import imputation_figure, range_text, render_report
from .imputation import (
    PAPER_TEST,
    PAPER_TRAIN,
    evaluate_imputer,
    masked_split,
    train_imputer,
)

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


@dataclass(frozen=True)
class DemoSettings:
    """How much each stage of the demo trains and samples.

    Attributes
    ----------
    mmgan : mapping
        MMGAN settings (:class:`~mixmiss.mmgan.MMGANConfig` names) over its ``quick`` preset.
    rbm : mapping
        Settings of the ``rbm`` and ``lm-rbm`` imputers (their ``__init__`` names) over
        their ``quick`` preset.
    n_per_component : int
        EMA samples per component labelled by the evaluator.
    n_fid : int
        Samples per distribution for MMGAN's FID.
    max_train, max_test : int
        Training and test images of the imputation stage (the first ones).
    examples : int
        Test images shown in the imputation figure.
    num_threads : int or None
        CPU threads of torch and of the BLAS/OpenMP pools for the whole demo
        (None: leave the defaults).
    """

    mmgan: Mapping[str, Any]
    rbm: Mapping[str, Any]
    n_per_component: int
    n_fid: int
    max_train: int
    max_test: int
    examples: int = 10
    num_threads: int | None = None

    def mmgan_settings(self) -> dict:
        """:attr:`mmgan` with checkpoints and log lines spaced for the run's length."""
        iters = self.mmgan["iters"]
        return {
            **self.mmgan,
            "checkpoint_every": max(iters // 4, 1),
            "log_every": max(iters // 20, 1),
        }


# Why these settings. Digits: at most 5 minutes in all on a 2-core CPU,
# measured while the cores were shared with other jobs:
#
# - one thread for torch and for numpy's BLAS: on a busy machine a second
#   thread mostly waits for the first. On the shared cores the evaluator trained
#   in 10.6 s with one torch thread and 79 s with two; one logistic regression of
#   the imputation scores took 0.2 s with one BLAS thread and 11.5 s with two;
#   an MNIST MMGAN step (w = 16) took 122 ms with one and 1,330 ms with two. (On
#   two idle cores, two threads would be up to ~1.8x faster for MNIST.)
# - MMGAN: 1,000 iterations of a quarter-width network (w = 16, z of 64) at lr 2e-3
#   (10x the paper's) with EMA 0.99 for the short run; ~40 s. At the paper's lr
#   2e-4 the shared component put 59 % of its samples in 3-6 after 1,000
#   iterations; at 2e-3, 96.0 % and 97.1 % (seeds 0, 1; 92-98 % after 600);
# - RBMs: 512 hidden units, 300 epochs of CD-1, batch 64, eta 1e-2 (dense W, as in
#   the quick preset); ~10-14 s each. Over seeds 0-4 the test RMSE was
#   lm-rbm 0.237-0.246 < rbm 0.247-0.256 < mean 0.267-0.271 on every seed.
#
# MNIST, several minutes (5.5 on the shared cores with the evaluator cached; 5 more
# the first time, when it is trained): the same MMGAN network for 1,500 iterations
# (~3 min; the shared component put 89.8 % of its samples in 3-6, seed 0); the
# imputers on the first 10,000 training and 2,000 test images, the RBMs with 512
# hidden units for 25 epochs at eta 3e-3 (~20 s each; test RMSE rbm 0.168, lm-rbm
# 0.165, where the quick preset's 1,024 units for 10 epochs gave 0.180 and 0.180).
_DIGITS = DemoSettings(
    mmgan={
        "iters": 1000,
        "base_width": 16,
        "z_dim": 64,
        "lr": 2e-3,
        "ema_decay": 0.99,
        "batch_size": 32,
    },
    rbm={"n_hidden": 512, "epochs": 300, "batch_size": 64, "learning_rate": 1e-2},
    n_per_component=1000,
    n_fid=500,
    max_train=PAPER_TRAIN,
    max_test=PAPER_TEST,
    num_threads=1,
)

#: The settings of each dataset (the comment above says why).
DEMO_SETTINGS: dict[str, DemoSettings] = {
    "digits": _DIGITS,
    "mnist": replace(
        _DIGITS,
        mmgan={**_DIGITS.mmgan, "iters": 1500},
        rbm={**_DIGITS.rbm, "epochs": 25, "learning_rate": 3e-3},
        n_per_component=2000,
        n_fid=2000,
        max_train=10_000,
        max_test=2000,
    ),
}

#: Seconds, for the tests: a few iterations and epochs of tiny networks.
SMOKE = replace(
    _DIGITS,
    mmgan={
        **_DIGITS.mmgan,
        "iters": 4,
        "base_width": 8,
        "z_dim": 16,
        "ema_decay": 0.9,
        "batch_size": 8,
    },
    rbm={**_DIGITS.rbm, "n_hidden": 16, "epochs": 2},
    n_per_component=50,
    n_fid=50,
    max_train=300,
    max_test=60,
    examples=4,
)


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
    for name in (MMGAN_DIR, IMPUTE_DIR):
        shutil.rmtree(out / name, ignore_errors=True)
    for name in (REPORT_FILE, MMGAN_FIGURE, IMPUTATION_FIGURE):
        (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


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


def run_demo(
    out: str | os.PathLike = "demo-output",
    dataset: str = "digits",
    seed: int = 0,
    context: Context = DEFAULT_CONTEXT,
    settings: DemoSettings | None = None,
    command: Sequence[str] | None = None,
) -> Path:
    """Run the four stages of the demo (module docstring) and write ``out/report.md``.

    Parameters
    ----------
    out : path
        Output directory: new, empty, or an earlier demo's (its runs are replaced).
    dataset : {"digits", "mnist"}
        ``digits`` needs no files; ``mnist`` reads the IDX files from the data directory.
    seed : int
        Seeds the MMGAN run, the masks and the imputers.
    context : Context
        Data and cache directories, device, the trainers' progress bars.
    settings : DemoSettings, optional
        Default: ``DEMO_SETTINGS[dataset]``; the tests pass :data:`SMOKE`.
    command : list of str, optional
        The CLI's argv, recorded with every result (None: a Python call).

    Returns
    -------
    pathlib.Path
        The report.
    """
    if dataset not in DEMO_SETTINGS:
        raise InputError(
            f"the demo runs on {' or '.join(DEMO_SETTINGS)}, not {dataset!r}; "
            "the other datasets are reached with `mixmiss mmgan` and `mixmiss impute`."
        )
    settings = settings or DEMO_SETTINGS[dataset]
    out = Path(out)
    _prepare_output(out)
    record = {
        "dataset": dataset,
        "seed": seed,
        "out": str(out),
        "settings": asdict(settings),
        "provenance": provenance(command),
        "status": "running",
    }
    atomic_write_json(out / RESULTS_FILE, record)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    with torch_threads(settings.num_threads), threadpool_limits(settings.num_threads):
        record["threads"] = torch.get_num_threads()
        evaluator = run_evaluator(dataset, context, timings)
        record["evaluator_accuracy"] = evaluator.metadata["test_accuracy"]
        sets = "; ".join(f"S{i} = {range_text(s)}" for i, s in enumerate(CASES[CASE], start=1))
        text = f"MMGAN on {dataset} case {CASE} ({sets}), {settings.mmgan['iters']} iterations"
        with _stage(2, text, timings, "mmgan"):
            record["mmgan"] = run_mmgan(out, dataset, seed, settings, evaluator, context, command)
        text = f"imputation at {RATE:.0%} independent missingness: {', '.join(METHODS)}"
        with _stage(3, text, timings, "imputation"):
            record["imputation"], examples = run_imputation(
                out, dataset, seed, settings, context, command
            )
    with _stage(4, "writing the figures and the report", timings, "report") as started:
        imputation_figure(out / IMPUTATION_FIGURE, examples, METHODS)
        # Timed before the report is written, so that the report can list them.
        timings["report"] = round(time.perf_counter() - started, 2)
        timings["total"] = round(time.perf_counter() - start, 2)
        record.update(status="done", timings=timings)
        record["files"] = {"mmgan_figure": MMGAN_FIGURE, "imputation_figure": IMPUTATION_FIGURE}
        atomic_write_json(out / RESULTS_FILE, record)
        report = atomic_write_text(out / REPORT_FILE, render_report(record))
    return report.resolve()
