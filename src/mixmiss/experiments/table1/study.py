"""Reproducing Table 1: compute every unfinished cell, then render the report; or plan it."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...evaluators import get_evaluator, get_lenet, reference_statistics
from ..cells import CellsFailed, run_cells
from ..executors import Executor, LocalExecutor
from ..imputation import PAPER_FID_DATASETS
from ..plan import make_plan
from .grid import compute_cell, get_preset, table1_cells, valid_metrics
from .render import write_table1_report
from .resources import cell_cost, cell_group, cell_resources
from .selection import select_table1


def reproduce_table1(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    context: Context = DEFAULT_CONTEXT,
    dataset: str | None = None,
    command: Sequence[str] | None = None,
    executor: Executor | None = None,
    readouts: str = "default",
    mechanisms: Sequence[str] | None = None,
    select: bool = False,
) -> dict[str, Path]:
    """Compute every unfinished cell of the study, then write its outputs into ``out``.

    Parameters
    ----------
    preset : {"smoke", "quick", "paper", "standard"}
        :data:`.grid.PRESETS`; ``standard`` trains the paper's models for
        :data:`.grid.STANDARD_SETTINGS` (epochs, and a dense W for the RBMs).
    out : path
        Study directory: ``cells/`` (the cache), ``runs/`` (trained models)
        and the outputs. On a cluster, a directory every node shares.
    workers : int
        Cells computed in parallel processes (each gets cores / workers
        threads) by the default executor.
    context : Context
        Data and cache directories, device, the progress bar over cells.
    dataset : str, optional
        Run the study on another registered dataset.
    command : list of str, optional
        The command line recorded with each cell.
    executor : Executor, optional
        Where cells are computed (default: ``LocalExecutor(workers)``;
        :class:`~mixmiss.experiments.executors.RayExecutor` for a cluster,
        each cell's task requesting :func:`.resources.cell_resources`).
    readouts : {"default", "all"}
        ``"all"``: the stochastic methods' cells score their whole read-out family
        (:class:`.grid.Table1Preset`), for the perception-distortion figure.
    mechanisms : list of str, optional
        Compute and report only these rows (e.g. ``["im"]``); default: the preset's.
    select : bool
        Then choose each finished stochastic cell's read-out on held-out observed pixels
        (:mod:`.selection`; cached in ``out/selection/``, computed in this process).

    Raises
    ------
    CellsFailed
        When some cells raised; the others are cached and the report is
        written from them first.
    """
    study = get_preset(preset, dataset, readouts, mechanisms)
    executor = executor if executor is not None else LocalExecutor(workers)
    out, cell_context = executor.prepare(Path(out), context)
    fn = functools.partial(
        compute_cell, out=str(out), context=cell_context, threads=executor.threads
    )
    # the evaluators are trained (once) before the cells, outside their wall times
    loaders = [get_evaluator]
    if study.dataset in PAPER_FID_DATASETS:  # the paper's FID network (reference LeNet)
        loaders.append(get_lenet)
    networks = [
        load(study.dataset, context.data_dir, context.cache_dir, device=context.device,
             progress=context.progress)
        for load in loaders
    ]  # fmt: skip
    if executor.parallel:  # else every cell running at once would compute the FID statistics
        for network in networks:
            reference_statistics(network, cell_context.data_dir, cell_context.cache_dir)
    try:
        run_cells(
            table1_cells(study),
            fn,
            out,
            progress=context.progress,
            command=command,
            check=valid_metrics,
            executor=executor,
            resources=cell_resources,
        )
    except CellsFailed:
        write_table1_report(study, out)
        raise
    if select:
        select_table1(study, out, context=context, command=command)
    return write_table1_report(study, out)


def plan_table1(
    preset: str,
    out: str | os.PathLike,
    dataset: str | None = None,
    device: str = "auto",
    readouts: str = "default",
    mechanisms: Sequence[str] | None = None,
) -> dict:
    """The study's compute plan (:func:`mixmiss.experiments.plan.make_plan`); computes nothing."""
    study = get_preset(preset, dataset, readouts, mechanisms)
    return make_plan(
        "table1",
        preset,
        table1_cells(study),
        out,
        group=cell_group,
        resources=cell_resources,
        cost=lambda cell: cell_cost(cell, out),
        device=device,
    )
