"""Running the split study: every unfinished cell, then the report; and its compute plan."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from ... import paths
from ...context import DEFAULT_CONTEXT, Context
from ...evaluators import get_evaluator
from ..cells import Cell, CellsFailed, run_cells
from ..executors import Executor, LocalExecutor
from ..mmgan_runs import cell_cost as mmgan_cell_cost
from ..mmgan_runs import cell_resources
from ..plan import CellCost, make_plan
from .grid import get_preset, run_splits_cell, splits_cells, valid_metrics
from .render import write_splits_report


def reproduce_splits(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
    executor: Executor | None = None,
    seed: int = 0,
    remedy: Sequence[str] | Mapping | None = None,
    only: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Run the split study into ``out`` (cached per cell, resumable), then write its report.

    Parameters
    ----------
    preset : {"smoke", "quick", "paper"}
        See :data:`.grid.PRESETS`.
    out : path
        Study directory: ``cells/``, ``runs/<cell id>/`` (with ``snapshots/``),
        ``splits.md``, ``splits.json``, ``splits.png``.
    workers, context, command, executor
        As for :func:`mixmiss.experiments.table2.reproduce_table2`.
    seed : int
        Draws the splits and seeds every training.
    remedy : list of "KNOB=VALUE", optional
        The paper's knobs to change (:data:`.grid.REMEDY_KNOBS`); off by default.
    only : list of str, optional
        Compute only these ``<dataset>-split<j>`` cells.

    Raises
    ------
    CellsFailed
        When some cells raised; the report is written from the others first.
    """
    study = get_preset(preset)
    cells = splits_cells(preset, seed, remedy, only)
    executor = executor if executor is not None else LocalExecutor(workers)
    out = paths.ensure_writable_dir(out, "output directory", "--out")
    out, cell_context = executor.prepare(out, context)
    threads = study.num_threads
    if executor.parallel:
        threads = threads or executor.threads
        for dataset in study.datasets:  # train a missing evaluator here, not in two cells
            get_evaluator(dataset, context.data_dir, context.cache_dir, device=context.device,
                          progress=context.progress)  # fmt: skip
    cell_context = replace(cell_context, progress=context.progress and not executor.parallel)
    fn = partial(
        run_splits_cell, out_dir=str(out), context=cell_context, threads=threads, command=command
    )
    report = partial(write_splits_report, preset, out, seed, remedy, only, command)
    try:
        run_cells(cells, fn, out, progress=context.progress, command=command,
                  check=valid_metrics, executor=executor, resources=cell_resources)  # fmt: skip
    except CellsFailed:
        report()
        raise
    return report()


def cell_cost(cell: Cell) -> CellCost:
    """A cell's projected training: a two-distribution split with fixed priors has case A's
    shape (n = 2, K = 3), which the bench measured; three distributions (K = 7) have no figure."""
    config = cell.params["config"]
    if len(cell.params["sets"].split(";")) == 2:
        shape_a = Cell(cell.id, {**cell.params, "case": "A", "config": {**config, "sets": "A"}})
        return mmgan_cell_cost(shape_a)
    return CellCost(None, f"{cell.params['sets']}: three distributions (K = 7), no bench figure")


def plan_splits(
    preset: str,
    out: str | os.PathLike,
    device: str = "auto",
    seed: int = 0,
    remedy: Sequence[str] | Mapping | None = None,
    only: Sequence[str] | None = None,
) -> dict:
    """The study's compute plan (:func:`mixmiss.experiments.plan.make_plan`); computes nothing."""
    return make_plan(
        "splits",
        preset,
        splits_cells(preset, seed, remedy, only),
        out,
        group=lambda cell: f"mmgan n={len(cell.params['sets'].split(';'))}",
        resources=cell_resources,
        cost=cell_cost,
        device=device,
    )
