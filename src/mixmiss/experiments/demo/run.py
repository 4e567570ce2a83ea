"""``run_demo``: the four stages in order, the record in ``demo.json`` and the report."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import torch
from threadpoolctl import threadpool_limits

from ...atomic import atomic_write_json, atomic_write_text
from ...context import DEFAULT_CONTEXT, Context
from ...data.venn import CASES
from ...device import torch_threads
from ...errors import InputError
from ...provenance import provenance
from .report import imputation_figure, range_text, render_report
from .settings import DEMO_SETTINGS, DemoSettings
from .stages import (
    CASE,
    IMPUTATION_FIGURE,
    METHODS,
    MMGAN_FIGURE,
    RATE,
    REPORT_FILE,
    RESULTS_FILE,
    _prepare_output,
    _stage,
    run_evaluator,
    run_imputation,
    run_mmgan,
)


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
