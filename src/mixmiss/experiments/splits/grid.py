"""The split study's cells: presets, remedies, the grid of (dataset, split), computing a cell.

A cell trains MMGAN with fixed priors on one drawn split into
``<out>/runs/<cell id>`` the way a Table 2 cell does
(:func:`mixmiss.experiments.mmgan_runs.ensure_trained`: train, continue, or
only evaluate), keeping a snapshot of the EMA generator every
``snapshot_every`` steps; then it evaluates the final model
(:func:`mixmiss.mmgan.evaluate_run`: accuracy, coverage, per-distribution
FID) and the coverage of every snapshot (:func:`mixmiss.mmgan.coverage_trace`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...data import DATASETS
from ...device import torch_threads
from ...errors import InputError
from ...evaluators import evaluator_info, get_evaluator
from ...mmgan import MMGANConfig, coverage_trace, evaluate_run, make_config
from ...mmgan.run import checkpoint_step, has_checkpoint, training_seconds
from ...presets import Presets
from ..cells import Cell, is_number
from ..mmgan_runs import REPORT_KEYS, ensure_trained, run_path
from ..mmgan_runs import valid_metrics as valid_run_metrics
from .draw import draw_splits, sets_text


@dataclass(frozen=True)
class SplitsPreset:
    """The settings of one split study.

    Attributes
    ----------
    mmgan_preset : str
        The MMGAN training preset (:data:`mixmiss.mmgan.PRESETS`).
    datasets : tuple of str
        Every split is trained on each of them.
    sizes : tuple of int
        Distributions of each drawn split (2 or 3), :func:`.draw.draw_splits`.
    n_per_component, n_fid : int
        EMA samples per component (coverage, accuracy) and per distribution (FID).
    snapshot_every : int
        Steps between snapshots of the EMA generator.
    trace_n_per_component : int
        EMA samples per component at each snapshot.
    eval_seed : int
        Seeds the evaluation noise.
    num_threads : int or None
        torch CPU threads of a cell.
    """

    mmgan_preset: str
    datasets: tuple[str, ...]
    sizes: tuple[int, ...]
    n_per_component: int = 10_000
    n_fid: int = 10_000
    snapshot_every: int = 500
    trace_n_per_component: int = 1_000
    eval_seed: int = 0
    num_threads: int | None = None


PRESETS = Presets(
    "the split study",
    # Seconds, for the tests: two splits of the 8x8 digits, 6 iterations of tiny networks.
    smoke={"mmgan_preset": "smoke", "datasets": ("digits",), "sizes": (2, 3),
           "n_per_component": 200, "n_fid": 200, "snapshot_every": 2,
           "trace_n_per_component": 50, "num_threads": 1},
    # Six splits (three of 2, three of 3 distributions) on both datasets: 12 quick runs,
    # a snapshot every 500 of their 8,000 steps (16 per run).
    quick={"mmgan_preset": "quick", "datasets": ("mnist", "fashion-mnist"),
           "sizes": (2, 2, 2, 3, 3, 3)},
    paper={"mmgan_preset": "paper", "datasets": ("mnist", "fashion-mnist"),
           "sizes": (2, 2, 2, 3, 3, 3), "snapshot_every": 5000},
)  # fmt: skip


def get_preset(preset: str) -> SplitsPreset:
    """The settings of the preset named ``preset``; a clear error for an unknown name."""
    return SplitsPreset(**PRESETS[preset])


#: The paper's knobs a remedy may change (Section 4: iterations, generator EMA,
#: lambda of Eq. 11, batch per component), with their types.
REMEDY_KNOBS = {"iters": int, "ema_decay": float, "lam": float, "batch_size": int}


def parse_remedy(remedy: Sequence[str] | Mapping[str, object] | None) -> dict[str, object]:
    """``["lam=1.0", "iters=16000"]`` (or a mapping) as ``{"iters": 16000, "lam": 1.0}``.

    Only the knobs of :data:`REMEDY_KNOBS`; their values are checked by
    :class:`~mixmiss.mmgan.MMGANConfig` when the cells are built.
    """
    if not remedy:
        return {}
    if isinstance(remedy, Mapping):
        items = list(remedy.items())
    else:
        items = []
        for text in remedy:
            knob, sep, value = str(text).partition("=")
            if not sep:
                raise InputError(f"--remedy {text!r}: write KNOB=VALUE, e.g. lam=1.0.")
            items.append((knob.strip(), value.strip()))
    parsed = {}
    for knob, value in items:
        if knob not in REMEDY_KNOBS:
            raise InputError(
                f"--remedy {knob!r} is not one of the paper's knobs; choose among "
                f"{', '.join(REMEDY_KNOBS)}."
            )
        try:
            parsed[knob] = REMEDY_KNOBS[knob](value)
        except (TypeError, ValueError):
            kind = REMEDY_KNOBS[knob].__name__
            raise InputError(f"--remedy {knob}={value!r}: expected a number ({kind}).") from None
    return dict(sorted(parsed.items()))


def base_id(dataset: str, split: int) -> str:
    """``<dataset>-split<j>``: a (dataset, split) pair, as ``--only`` names it."""
    return f"{dataset}-split{split}"


def cell_id(preset: str, dataset: str, seed: int, split: int, remedy: Mapping) -> str:
    """``<preset>-<dataset>-seed<seed>-split<j>[-<knob>=<value>...]``."""
    suffix = "".join(f"-{k}={v}" for k, v in sorted(remedy.items()))
    return f"{preset}-{dataset}-seed{seed}-split{split}{suffix}"


def study_splits(preset: str, seed: int = 0) -> list[tuple[tuple[int, ...], ...]]:
    """The label splits of the study (split j is ``[j - 1]``)."""
    study = get_preset(preset)
    classes = {DATASETS[d].num_classes for d in study.datasets}
    if len(classes) != 1:
        raise InputError(f"the datasets of preset {preset!r} differ in their number of classes.")
    return draw_splits(seed, study.sizes, classes.pop())


def splits_cells(
    preset: str,
    seed: int = 0,
    remedy: Sequence[str] | Mapping | None = None,
    only: Sequence[str] | None = None,
) -> list[Cell]:
    """The study's cells: every drawn split on every dataset (``only``: those named).

    Parameters
    ----------
    preset : str
    seed : int
        Draws the splits and seeds every training.
    remedy : list of "KNOB=VALUE" or mapping, optional
        Changes to the paper's knobs (:data:`REMEDY_KNOBS`) for every cell;
        the cells then have their own ids and run directories.
    only : list of str, optional
        ``<dataset>-split<j>`` names (:func:`base_id`) of the cells to keep.
    """
    study = get_preset(preset)
    remedy = parse_remedy(remedy)
    cells = []
    for dataset in study.datasets:
        for j, sets in enumerate(study_splits(preset, seed), start=1):
            config = make_config(
                study.mmgan_preset,
                dataset=dataset,
                sets=sets_text(sets),
                fixed_priors=True,
                seed=seed,
                **remedy,
            )
            params = {
                "preset": preset,
                "dataset": dataset,
                "seed": seed,
                "split": j,
                "sets": sets_text(sets),
                "remedy": remedy,
                # through JSON, so that params compare equal to the stored ones
                "config": json.loads(json.dumps(config.to_dict())),
                "eval": {"n_per_component": study.n_per_component, "n_fid": study.n_fid,
                         "seed": study.eval_seed},
                "trace": {"snapshot_every": study.snapshot_every,
                          "n_per_component": study.trace_n_per_component},
            }  # fmt: skip
            cells.append(Cell(cell_id(preset, dataset, seed, j, remedy), params))
    if only:
        known = {base_id(c.params["dataset"], c.params["split"]) for c in cells}
        unknown = sorted(set(only) - known)
        if unknown:
            raise InputError(f"--only {unknown}: no such cells; choose among {sorted(known)}.")
        cells = [c for c in cells if base_id(c.params["dataset"], c.params["split"]) in only]
    return cells


def valid_metrics(metrics: dict) -> bool:
    """Whether a stored cell's metrics have the shape :func:`run_splits_cell` writes."""
    coverage, trace = metrics.get("coverage"), metrics.get("trace")
    return (
        valid_run_metrics(metrics)
        and isinstance(coverage, dict)
        and isinstance(coverage.get("regions"), dict)
        and is_number(coverage.get("min_coverage"))
        and isinstance(trace, list)
        and all(isinstance(t, dict) and isinstance(t.get("step"), int) for t in trace)
    )


def _id_of(params: dict) -> str:
    keys = ("preset", "dataset", "seed", "split", "remedy")
    return cell_id(*(params[k] for k in keys))


def _start_from_shorter_run(params: dict, out_dir: Path, run_dir: Path) -> None:
    """A remedy with more iterations continues the same cell without them: copy its run.

    The shorter cell is the baseline for ``iters`` alone and, e.g., the
    ``lam=1.0`` cell for ``lam=1.0, iters=16000``: the same settings but the
    iterations. The copy resumes where that run ended (a resumed run equals an
    uninterrupted one), so its snapshots and log run from step 0.
    """
    if "iters" not in params["remedy"] or has_checkpoint(run_dir):
        return
    shorter = {knob: value for knob, value in params["remedy"].items() if knob != "iters"}
    source = run_path(out_dir, _id_of({**params, "remedy": shorter}))
    if not has_checkpoint(source) or checkpoint_step(source) > params["remedy"]["iters"]:
        return
    partial = run_dir.with_name(run_dir.name + ".copying")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(source, partial, ignore=shutil.ignore_patterns("eval.json", ".*.tmp"))
    partial.rename(run_dir)


#: Keys of the eval report kept in a cell's metrics, besides Table 2's.
COVERAGE_KEYS = ("coverage", "class_counts", "label_histogram")


def run_splits_cell(
    params: dict,
    out_dir: str | os.PathLike,
    context: Context = DEFAULT_CONTEXT,
    threads: int | None = None,
    command: Sequence[str] | None = None,
    device: str | None = None,
) -> dict:
    """Train (or continue) and evaluate one cell's run; return its metrics.

    The metrics are the Table 2 keys (:data:`~mixmiss.experiments.mmgan_runs.REPORT_KEYS`)
    and :data:`COVERAGE_KEYS` of :func:`mixmiss.mmgan.evaluate_run`'s report,
    ``trace`` (:func:`mixmiss.mmgan.coverage_trace`), ``train_seconds``,
    ``started_at_step``, ``eval_seconds`` and the ``evaluator`` used. The
    keyword arguments say where and how to compute (as for a Table 2 cell).
    """
    if device is not None:
        context = replace(context, device=device)
    with torch_threads(threads):
        return _run_cell(params, Path(out_dir), context, command)


def _run_cell(params: dict, out_dir: Path, context: Context, command) -> dict:
    config = MMGANConfig.from_dict(params["config"])
    run_dir = run_path(out_dir, _id_of(params))
    data_dir, cache_dir, device = context.data_dir, context.cache_dir, context.device
    _start_from_shorter_run(params, out_dir, run_dir)
    started_at = ensure_trained(
        config,
        run_dir,
        data_dir,
        device,
        context.progress,
        command=command,
        snapshot_every=params["trace"]["snapshot_every"],
    )
    evaluation = params["eval"]
    start = time.perf_counter()
    evaluator = get_evaluator(
        config.dataset, data_dir, cache_dir, device=device, progress=context.progress
    )
    report = evaluate_run(
        run_dir,
        evaluator,
        n_per_component=evaluation["n_per_component"],
        n_fid=evaluation["n_fid"],
        seed=evaluation["seed"],
        data_dir=data_dir,
        device=device,
        full_train_fid=False,
    )
    metrics = {key: report[key] for key in (*REPORT_KEYS, *COVERAGE_KEYS) if key in report}
    metrics["trace"] = coverage_trace(
        run_dir,
        evaluator,
        report["class_counts"],
        n_per_component=params["trace"]["n_per_component"],
        seed=evaluation["seed"],
        device=device,
    )
    info = evaluator_info(config.dataset, cache_dir)
    metrics.update(
        train_seconds=training_seconds(run_dir),
        started_at_step=started_at,
        eval_seconds=round(time.perf_counter() - start, 2),
        evaluator={k: info.get(k) for k in ("checksum", "test_accuracy")},
    )
    return metrics
