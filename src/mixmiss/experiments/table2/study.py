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
from ..cells import run_cells, worker_threads
from .grid import get_preset, run_table2_cell, table2_cells, valid_metrics
from .render import write_table2_report


def reproduce_table2(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
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
        Output directory (layout in the package docstring).
    workers : int
        Cells run in parallel processes; each then gets cpu_count / workers
        torch threads unless the preset sets ``num_threads``, and the
        datasets' evaluators are trained (when not cached) before the cells
        start, so that two workers never train the same one.
    context : Context
        Data directory, cache directory (the evaluators are taken from or
        trained into it), device, progress bars (training bars only with
        ``workers == 1``).
    command : list of str, optional
        The CLI's argv, recorded with each cell and its training (None: a Python call).

    Returns
    -------
    dict
        ``csv``, ``markdown``, ``summary`` and ``figures`` (a list): the paths written.
    """
    study = get_preset(preset)
    out = paths.ensure_writable_dir(out, "output directory", "--out")
    threads = study.num_threads
    if workers > 1:
        threads = threads or worker_threads(workers)
        for dataset in study.datasets:  # train a missing evaluator here, not in two workers
            get_evaluator(
                dataset,
                context.data_dir,
                context.cache_dir,
                device=context.device,
                progress=context.progress,
            )
    cell_context = replace(context, progress=context.progress and workers == 1)
    fn = partial(
        run_table2_cell, out_dir=str(out), context=cell_context, threads=threads, command=command
    )
    run_cells(
        table2_cells(preset),
        fn,
        out,
        workers=workers,
        progress=context.progress,
        command=command,
        check=valid_metrics,
    )
    return write_table2_report(preset, out)
