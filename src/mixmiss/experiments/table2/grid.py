"""Table 2's cells: the presets, the grid of (dataset, case, mode, seed), and computing a cell.

A cell trains MMGAN into its run directory ``<out>/runs/<cell id>`` (or
continues it: :func:`ensure_trained`), evaluates it
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
from ...errors import InputError
from ...evaluators import evaluator_info
from ...mmgan import (
    MMGANConfig,
    component_figure,
    evaluate_run,
    load_model,
    make_config,
    read_info,
    resume_training,
    train,
)
from ...mmgan.run import checkpoint_step, has_checkpoint, training_seconds
from ...presets import Presets
from ..cells import Cell, is_number
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
    error from :func:`ensure_trained` (the stored run is another one).
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


def valid_metrics(metrics: dict) -> bool:
    """Whether a stored cell's metrics have the shape :func:`run_table2_cell` writes."""
    accuracy, alpha, fid = metrics.get("accuracy"), metrics.get("alpha"), metrics.get("fid")
    return (
        isinstance(metrics.get("step"), int)
        and all(is_number(metrics.get(k)) for k in ("avg", "random"))
        and isinstance(accuracy, dict)
        and all(v is None or is_number(v) for v in accuracy.values())
        and isinstance(alpha, list)
        and all(isinstance(row, list) and all(map(is_number, row)) for row in alpha)
        and isinstance(fid, list)
        and all(map(is_number, fid))
        and all(
            metrics.get(k) is None or is_number(metrics[k])
            for k in ("weight_recovery_error", "train_seconds")
        )
    )


def _id_of(params: dict) -> str:
    return cell_id(*(params[k] for k in ("preset", "dataset", "case", "mode", "seed")))


def run_path(out: str | os.PathLike, cell_id: str) -> Path:
    """``<out>/runs/<cell id>``: the MMGAN run directory of a cell."""
    return Path(out) / "runs" / cell_id


def ensure_trained(
    config: MMGANConfig,
    run_dir: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
    command: Sequence[str] | None = None,
    snapshot_every: int | None = None,
) -> int:
    """Bring the run in ``run_dir`` to ``config.iters`` iterations; return the step it started at.

    ``snapshot_every`` keeps the EMA generator every this many steps of the
    training done here (:mod:`mixmiss.mmgan.snapshots`).

    - no checkpoint: train from scratch (a ``config.json`` and log left by a
      run killed before its first checkpoint hold nothing to continue and
      are replaced);
    - a checkpoint short of ``config.iters``: resume it;
    - a checkpoint at ``config.iters``: nothing to do.

    Raises
    ------
    InputError
        When the stored run has another config (``iters`` aside) or went
        past ``config.iters``: its numbers would not be this cell's.
    """
    run_dir = Path(run_dir)
    if not has_checkpoint(run_dir):
        train(
            config,
            run_dir,
            data_dir,
            device,
            progress=progress,
            command=command,
            snapshot_every=snapshot_every,
        )
        return 0
    stored = read_info(run_dir).config.to_dict()
    wanted = config.to_dict()
    differ = sorted(k for k in wanted if k != "iters" and stored[k] != wanted[k])
    if differ:
        raise InputError(
            f"{run_dir} holds a run with another config ({', '.join(differ)}: "
            f"{[stored[k] for k in differ]} instead of {[wanted[k] for k in differ]}); "
            "move it away or use another output directory."
        )
    step = checkpoint_step(run_dir)
    if step > config.iters:
        raise InputError(
            f"{run_dir} was trained for {step} iterations, more than this study's "
            f"{config.iters}; move it away or use another output directory."
        )
    if step < config.iters:
        resume_training(
            run_dir,
            iters=config.iters,
            data_dir=data_dir,
            device=device,
            progress=progress,
            command=command,
            snapshot_every=snapshot_every,
        )
    return step


#: Keys of the eval report kept in a cell's metrics.
REPORT_KEYS = (
    "step",
    "regions",
    "accuracy",
    "avg",
    "random",
    "alpha",
    "true_priors",
    "assignment",
    "weight_recovery_error",
    "fid",
    "fid_full_train",
)


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
