"""Running the Table 2 study: every unfinished cell of the grid, then the report."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from ... import paths
from ...context import DEFAULT_CONTEXT, Context
from ...evaluators import get_evaluator
from ..cells import CellsFailed, run_cells
from ..executors import Executor, LocalExecutor
from ..mmgan_runs import cell_cost, cell_resources, valid_metrics
from ..plan import make_plan
from .grid import get_preset, run_table2_cell, table2_cells
from .render import write_table2_report


def reproduce_table2(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
    executor: Executor | None = None,
) -> dict[str, Path | list[Path]]:
    """Reproduce the MMGAN paper's Table 2 and Figs. 2-4 into ``out``.

    Runs every unfinished cell of :func:`table2_cells` (finished ones are
    read from ``out/cells``; interrupted runs continue), then writes the
    report with :func:`write_table2_report`.

    Parameters
    ----------
    preset : {"smoke", "quick", "paper"}
        See :data:`PRESETS`.
    out : path
        Output directory (layout in the package docstring). On a cluster, a
        directory every node shares.
    workers : int
        Cells run in parallel processes of the default executor; each then
        gets cpu_count / workers torch threads unless the preset sets
        ``num_threads``.
    context : Context
        Data directory, cache directory (the evaluators are taken from or
        trained into it), device, progress bars (training bars only with
        ``workers == 1``).
    command : list of str, optional
        The CLI's argv, recorded with each cell and its training (None: a Python call).
    executor : Executor, optional
        Where cells are computed (default: ``LocalExecutor(workers)``;
        :class:`~mixmiss.experiments.executors.RayExecutor` for a cluster,
        each cell's task requesting :func:`.resources.cell_resources`). With
        a parallel executor the datasets' evaluators are trained (when not
        cached) before the cells start, so that two cells never train the
        same one.

    Returns
    -------
    dict
        ``csv``, ``markdown``, ``summary`` and ``figures`` (a list): the paths written.

    Raises
    ------
    CellsFailed
        When some cells raised; the others are cached and the report is
        written from them first.
    """
    study = get_preset(preset)
    executor = executor if executor is not None else LocalExecutor(workers)
    out = paths.ensure_writable_dir(out, "output directory", "--out")
    out, cell_context = executor.prepare(out, context)
    threads = study.num_threads
    if executor.parallel:
        threads = threads or executor.threads
        for dataset in study.datasets:  # train a missing evaluator here, not in two cells
            get_evaluator(
                dataset,
                context.data_dir,
                context.cache_dir,
                device=context.device,
                progress=context.progress,
            )
    cell_context = replace(cell_context, progress=context.progress and not executor.parallel)
    fn = partial(
        run_table2_cell, out_dir=str(out), context=cell_context, threads=threads, command=command
    )
    try:
        run_cells(
            table2_cells(preset),
            fn,
            out,
            progress=context.progress,
            command=command,
            check=valid_metrics,
            executor=executor,
            resources=cell_resources,
        )
    except CellsFailed:
        write_table2_report(preset, out)
        raise
    return write_table2_report(preset, out)


def plan_table2(preset: str, out: str | os.PathLike, device: str = "auto") -> dict:
    """The study's compute plan (:func:`mixmiss.experiments.plan.make_plan`); computes nothing."""
    return make_plan(
        "table2",
        preset,
        table2_cells(preset),
        out,
        group=lambda cell: f"mmgan case {cell.params['case']}",  # the cases differ in cost
        resources=cell_resources,
        cost=cell_cost,
        device=device,
    )
