"""Table 2's cells: the presets, the grid of (dataset, case, mode, seed), and computing a cell.

A cell trains MMGAN into its run directory ``<out>/runs/<cell id>`` (or
continues it: :func:`..mmgan_runs.ensure_trained`), evaluates it
(:func:`mixmiss.mmgan.evaluate_run`) and, for a learned-weights run, draws
its component panel into ``<out>/figures/<cell id>.png`` while the
checkpoint is at hand (:mod:`.figures`). The run directory is read through
:mod:`mixmiss.mmgan.run` only.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...device import torch_threads
from ...evaluators import evaluator_info
from ...mmgan import (
    MMGANConfig,
    component_figure,
    evaluate_run,
    load_model,
    make_config,
)
from ...mmgan.run import training_seconds
from ...presets import Presets
from ..cells import Cell
from ..mmgan_runs import REPORT_KEYS, ensure_trained, run_path
from .figures import panel_path, panel_title
from .paper import CASES

#: Each (dataset, case) is trained twice: mixture weights fixed to the true
#: priors (Table 2), and learned (Figs. 2-4).
MODES = ("fixed", "learned")


@dataclass(frozen=True)
class Table2Preset:
    """The settings of one Table 2 study.

    Attributes
    ----------
    mmgan_preset : str
        The MMGAN training preset (:data:`mixmiss.mmgan.PRESETS`).
    datasets : tuple of str
    seeds : tuple of int
        Training seeds; one cell per seed.
    n_per_component : int
        EMA samples per component for accuracy (paper: 10,000).
    n_fid : int
        Samples per distribution for FID.
    full_train_fid : bool
        Also FID against the whole training set (see :func:`evaluate_run`).
    eval_seed : int
        Seeds the evaluation noise.
    num_threads : int or None
        torch CPU threads of a cell (None: torch's default, or cpu_count /
        workers with several workers).
    """

    mmgan_preset: str
    datasets: tuple[str, ...]
    seeds: tuple[int, ...] = (0,)
    n_per_component: int = 10_000
    n_fid: int = 10_000
    full_train_fid: bool = True
    eval_seed: int = 0
    num_threads: int | None = None


PRESETS = Presets(
    "the Table 2 study",
    # Seconds, for the tests: 6 iterations of tiny networks on the 8x8 digits.
    # Tiny networks run fastest on one thread.
    smoke={"mmgan_preset": "smoke", "datasets": ("digits",), "n_per_component": 200,
           "n_fid": 200, "full_train_fid": False, "num_threads": 1},
    # 12 runs of 20-25 min on 2 CPU cores (mixmiss.mmgan.config), plus ~2 min of evaluation each.
    quick={"mmgan_preset": "quick", "datasets": ("mnist", "fashion-mnist")},
    paper={"mmgan_preset": "paper", "datasets": ("mnist", "fashion-mnist")},
)  # fmt: skip


def get_preset(preset: str) -> Table2Preset:
    """The settings of the preset named ``preset``; a clear error for an unknown name."""
    return Table2Preset(**PRESETS[preset])


def cell_id(preset: str, dataset: str, case: str, mode: str, seed: int) -> str:
    """``<preset>-<dataset>-<case>-<mode>-seed<seed>``: the cell and its run directory."""
    return f"{preset}-{dataset}-{case}-{mode}-seed{seed}"


def table2_cells(preset: str) -> list[Cell]:
    """The study's cells: fixed priors first (MNIST A, F-MNIST A, MNIST B, ...), then learned.

    A cell's params (its cache key) hold the whole resolved MMGAN config and
    the evaluation settings. So after a preset changes, its cells are
    computed again: new evaluation settings re-evaluate the stored runs,
    more ``iters`` extend them, and other training settings meet a clear
    error from :func:`..mmgan_runs.ensure_trained` (the stored run is another one).
    """
    study = get_preset(preset)
    cells = []
    for mode in MODES:
        for case in CASES:
            for dataset in study.datasets:
                for seed in study.seeds:
                    config = make_config(
                        study.mmgan_preset,
                        dataset=dataset,
                        sets=case,
                        fixed_priors=mode == "fixed",
                        seed=seed,
                    )
                    params = {
                        "preset": preset,
                        "dataset": dataset,
                        "case": case,
                        "mode": mode,
                        "seed": seed,
                        # through JSON, so that params compare equal to the stored ones
                        "config": json.loads(json.dumps(config.to_dict())),
                        "eval": {
                            "n_per_component": study.n_per_component,
                            "n_fid": study.n_fid,
                            "full_train_fid": study.full_train_fid,
                            "seed": study.eval_seed,
                        },
                    }
                    cells.append(Cell(cell_id(preset, dataset, case, mode, seed), params))
    return cells


def _id_of(params: dict) -> str:
    return cell_id(*(params[k] for k in ("preset", "dataset", "case", "mode", "seed")))


def run_table2_cell(
    params: dict,
    out_dir: str | os.PathLike,
    context: Context = DEFAULT_CONTEXT,
    threads: int | None = None,
    command: Sequence[str] | None = None,
    device: str | None = None,
) -> dict:
    """Train (or continue) and evaluate one cell's run in :func:`run_path`.

    Returns the metrics stored in the cell: the keys :data:`REPORT_KEYS` of
    :func:`mixmiss.mmgan.evaluate_run`'s report, plus ``train_seconds``
    (:func:`mixmiss.mmgan.run.training_seconds`: from the run's log, so also
    right for a run trained before this cell), ``started_at_step`` (0:
    trained here from scratch; ``step``: trained earlier, only evaluated),
    ``eval_seconds`` and the ``evaluator`` used (checksum and test accuracy).
    A learned-weights cell also draws its component panel
    (:func:`.figures.panel_path`), the only picture of the run that
    outlives its checkpoint.

    The keyword arguments are not part of the cell's params (its cache
    key): they say where and how to compute, not what. ``threads`` sets
    torch's CPU threads while the cell runs; ``command`` (the study's) is
    recorded with the run's training; ``device`` (the executor's choice for
    this cell, e.g. a Ray task's) overrides the context's.
    """
    if device is not None:
        context = replace(context, device=device)
    with torch_threads(threads):
        return _run_cell(params, Path(out_dir), context, command)


def _run_cell(params: dict, out_dir: Path, context: Context, command) -> dict:
    config = MMGANConfig.from_dict(params["config"])
    run_dir = run_path(out_dir, _id_of(params))
    data_dir, cache_dir, device = context.data_dir, context.cache_dir, context.device
    started_at = ensure_trained(
        config, run_dir, data_dir, device, context.progress, command=command
    )
    evaluation = params["eval"]
    start = time.perf_counter()
    report = evaluate_run(
        run_dir,
        n_per_component=evaluation["n_per_component"],
        n_fid=evaluation["n_fid"],
        seed=evaluation["seed"],
        data_dir=data_dir,
        cache_dir=cache_dir,
        device=device,
        full_train_fid=evaluation["full_train_fid"],
    )
    metrics = {key: report[key] for key in REPORT_KEYS if key in report}
    evaluator = evaluator_info(config.dataset, cache_dir)
    metrics.update(
        train_seconds=training_seconds(run_dir),
        started_at_step=started_at,
        eval_seconds=round(time.perf_counter() - start, 2),
        evaluator={k: evaluator.get(k) for k in ("checksum", "test_accuracy")},
    )
    if params["mode"] == "learned":
        model, _, step = load_model(run_dir, "cpu")
        title = panel_title(params["dataset"], params["case"], step)
        component_figure(model, panel_path(out_dir, _id_of(params)), title=title)
    return metrics
