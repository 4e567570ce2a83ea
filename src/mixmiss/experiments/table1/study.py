"""Reproducing Table 1: compute every unfinished cell, then render the report."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...evaluators import get_evaluator, get_lenet
from ..cells import run_cells, worker_threads
from ..imputation import PAPER_FID_DATASETS
from .grid import compute_cell, get_preset, table1_cells
from .render import write_table1_report


def reproduce_table1(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    context: Context = DEFAULT_CONTEXT,
    dataset: str | None = None,
    command: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Compute every unfinished cell of the study, then write its outputs into ``out``.

    Parameters
    ----------
    preset : {"smoke", "quick", "paper"}
    out : path
        Study directory: ``cells/`` (the cache), ``runs/`` (trained models)
        and the outputs.
    workers : int
        Cells computed in parallel processes (each gets cores / workers threads).
    context : Context
        Data and cache directories, device, the progress bar over cells.
    dataset : str, optional
        Run the study on another registered dataset.
    command : list of str, optional
        The command line recorded with each cell.
    """
    study = get_preset(preset, dataset)
    out = Path(out)
    threads = worker_threads(workers)
    fn = functools.partial(compute_cell, out=str(out), context=context, threads=threads)
    # the evaluators are trained (once) before the cells, outside their wall times
    get_evaluator(
        study.dataset,
        context.data_dir,
        context.cache_dir,
        device=context.device,
        progress=context.progress,
    )
    if study.dataset in PAPER_FID_DATASETS:  # the paper's FID network (reference LeNet)
        get_lenet(
            study.dataset,
            context.data_dir,
            context.cache_dir,
            device=context.device,
            progress=context.progress,
        )
    run_cells(
        table1_cells(study), fn, out, workers=workers, progress=context.progress, command=command
    )
    return write_table1_report(study, out)
