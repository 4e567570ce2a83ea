"""MMGAN, Table 2 and Figs. 2-4: per-component accuracy and learned mixture weights.

The study trains MMGAN on the three Venn configurations of Table 1 (cases
A, B, C) of MNIST and Fashion-MNIST, twice each:

- ``fixed``: mixture weights fixed to the true priors (``fixed_priors``),
  component k <-> region r_k; the per-component accuracy of these runs is
  the paper's Table 2 ("As the correspondence between generator components
  and their true labels is not known beforehand, we fix mixture weights with
  true priors", Section 4);
- ``learned``: K = 2^n - 1 components with learned weights alpha^(i) =
  softmax(omega^(i)) (Eq. 9); these runs draw the paper's Figs. 2 (case A),
  3 (B) and 4 (C), one panel per component titled with its weights
  d_i = alpha_k^(i), and we add what the paper only shows in pictures: the
  weight recovery error max_{i,k} |alpha_k^(i) - target_k^(i)| and the
  accuracy after matching components to regions
  (:func:`mixmiss.mmgan.evaluate_run`).

Each (dataset, case, mode, seed) is one cached cell
(:mod:`mixmiss.experiments.cells`) with id
``<preset>-<dataset>-<case>-<mode>-seed<seed>``, e.g.
``quick-mnist-A-fixed-seed0``. Layout of the output directory ``out``::

    cells/<cell id>.json     params, metrics, wall time, provenance (cached)
    runs/<cell id>/          the MMGAN run directory (config.json,
                             checkpoint.pt, log.jsonl, eval.json)
    figures/<cell id>.png    component grid of each learned-weights run
    table2.csv, table2.md    the report
    fig2-A.png, fig3-B.png, fig4-C.png   Figs. 2-4: one row per dataset

A cell trains into its run directory and evaluates it. It continues an
interrupted run: a checkpoint short of ``config.iters`` is resumed
(:func:`mixmiss.mmgan.resume_training`), a finished one is only evaluated,
so a run trained beforehand (e.g. by ``mixmiss mmgan train``) and copied
into ``runs/<cell id>/`` is used as it is, provided its stored config equals
the cell's (``iters`` aside, which may extend it).

Rendering (CSV, markdown, PNG) lives in :mod:`.table2_report`;
:func:`write_table2_report` reports whatever cells have finished, so a
study cut short can be reported and continued later.

Our interpretations of the paper:

- The paper reports one run per setting; we run the seeds of the preset
  (one, seed 0) and print mean(standard error) where there are several.
- Table 2's protocol is 10,000 EMA samples per component scored by a
  pre-trained classifier (:mod:`mixmiss.evaluators`); FID per distribution
  is our addition (the paper reports none).
- The ``smoke`` preset runs on scikit-learn's 8x8 ``digits`` (same label
  sets, no data files) for the tests; its rows are set beside the paper's
  MNIST rows, labelled as such, since only the layout is being checked.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from .. import paths
from ..atomic import atomic_write_text, load_checkpoint
from ..device import torch_threads
from ..errors import InputError
from ..evaluators import evaluator_info, get_evaluator
from ..mmgan import (
    MMGANConfig,
    evaluate_run,
    make_config,
    read_info,
    resume_training,
    train,
)
from ..mmgan.run import CHECKPOINT_FILE, CONFIG_FILE, LOG_FILE
from .cells import Cell, load_cell, run_cells, worker_threads
from .table2_report import Group, summary_markdown, write_csv, write_figures, write_markdown

CASES = ("A", "B", "C")
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


PRESETS: dict[str, Table2Preset] = {
    # Seconds, for the tests: 6 iterations of tiny networks on the 8x8 digits.
    # Tiny networks run fastest on one thread.
    "smoke": Table2Preset(
        "smoke", ("digits",), n_per_component=200, n_fid=200, full_train_fid=False, num_threads=1
    ),
    # 12 runs of 20-25 min on 2 CPU cores (mixmiss.mmgan.config), plus ~2 min of evaluation each.
    "quick": Table2Preset("quick", ("mnist", "fashion-mnist")),
    "paper": Table2Preset("paper", ("mnist", "fashion-mnist")),
}


def get_preset(preset: str) -> Table2Preset:
    """The :class:`Table2Preset` named ``preset``; a clear error for an unknown name."""
    if preset not in PRESETS:
        raise InputError(f"unknown table2 preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    return PRESETS[preset]


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


def _id_of(params: dict) -> str:
    return cell_id(*(params[k] for k in ("preset", "dataset", "case", "mode", "seed")))


# --------------------------------------------------------------------------- computing


def ensure_trained(
    config: MMGANConfig,
    run_dir: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
    command: str | None = None,
) -> int:
    """Bring the run in ``run_dir`` to ``config.iters`` iterations; return the step it started at.

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
    checkpoint = run_dir / CHECKPOINT_FILE
    if not checkpoint.is_file():
        for name in (CONFIG_FILE, LOG_FILE):
            (run_dir / name).unlink(missing_ok=True)
        train(config, run_dir, data_dir, device, progress=progress, command=command)
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
    step = int(load_checkpoint(checkpoint)["step"])
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
        )
    return step


def training_seconds(run_dir: str | os.PathLike) -> float | None:
    """Training wall time of a run, read from its ``log.jsonl``; None without a log.

    Each training session (the first and every resume, whose steps are in
    ``config.json``'s ``resumes``) logs the seconds since it started; the
    total is the sum over sessions of their last logged value. Startup and
    the steps after a session's last log line are not counted, nor steps
    thrown away by a resume from an earlier checkpoint.
    """
    run_dir = Path(run_dir)
    log = run_dir / LOG_FILE
    if not log.is_file():
        return None
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    if not records:
        return 0.0
    resumes = json.loads((run_dir / CONFIG_FILE).read_text()).get("resumes", [])
    starts = np.sort([r["step"] for r in resumes])
    steps = np.array([r["step"] for r in records])
    seconds = np.array([r["seconds"] for r in records], dtype=np.float64)
    session = np.searchsorted(starts, steps, side="left")  # resumes strictly before the step
    last = np.zeros(len(starts) + 1)
    np.maximum.at(last, session, seconds)
    return round(float(last.sum()), 2)


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
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = False,
    threads: int | None = None,
) -> dict:
    """Train (or continue) and evaluate one cell's run in ``out_dir/runs/<cell id>``.

    Returns the metrics stored in the cell: the keys :data:`REPORT_KEYS` of
    :func:`mixmiss.mmgan.evaluate_run`'s report, plus ``train_seconds``
    (:func:`training_seconds`: from the run's log, so also right for a run
    trained before this cell), ``started_at_step`` (0: trained here from
    scratch; ``step``: trained earlier, only evaluated), ``eval_seconds``
    and the ``evaluator`` used (checksum and test accuracy).

    The keyword arguments are not part of the cell's params (its cache
    key): they say where and how to compute, not what. ``threads`` sets
    torch's CPU threads while the cell runs.
    """
    with torch_threads(threads):
        return _run_cell(params, Path(out_dir), data_dir, cache_dir, device, progress)


def _run_cell(params, out_dir, data_dir, cache_dir, device, progress) -> dict:
    config = MMGANConfig.from_dict(params["config"])
    run_dir = out_dir / "runs" / _id_of(params)
    started_at = ensure_trained(
        config,
        run_dir,
        data_dir,
        device,
        progress,
        command=f"mixmiss.experiments.table2 cell {_id_of(params)}",
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
    return metrics


def reproduce_table2(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
    command: list[str] | None = None,
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
        Output directory (layout in the module docstring).
    workers : int
        Cells run in parallel processes; each then gets cpu_count / workers
        torch threads unless the preset sets ``num_threads``, and the
        datasets' evaluators are trained (when not cached) before the cells
        start, so that two workers never train the same one.
    data_dir, cache_dir : path, optional
        See :mod:`mixmiss.paths`; the evaluators are taken from (or trained
        into) ``cache_dir``.
    device : {"auto", "cpu", "cuda"}
    progress : bool
        Progress bars (training bars only with ``workers == 1``).
    command : list of str, optional
        The command line recorded with each cell (default: ``sys.argv``).

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
            get_evaluator(dataset, data_dir, cache_dir, device=device, progress=progress)
    fn = partial(
        run_table2_cell,
        out_dir=str(out),
        data_dir=data_dir,
        cache_dir=cache_dir,
        device=device,
        progress=progress and workers == 1,
        threads=threads,
    )
    run_cells(table2_cells(preset), fn, out, workers=workers, progress=progress, command=command)
    return write_table2_report(preset, out)


# --------------------------------------------------------------------------- reporting


def table2_groups(preset: str, out: str | os.PathLike) -> list[Group]:
    """The study's cells grouped by (dataset, case, mode), with the finished records in ``out``."""
    groups: dict[tuple[str, str, str], Group] = {}
    for cell in table2_cells(preset):
        key = (cell.params["dataset"], cell.params["case"], cell.params["mode"])
        group = groups.setdefault(key, Group(*key))
        group.cells.append(cell)
        record = load_cell(out, cell)
        if record is not None:
            group.records.append(record)
    return list(groups.values())


def write_table2_report(preset: str, out: str | os.PathLike) -> dict[str, Path | list[Path]]:
    """Write ``table2.csv``, ``table2.md``, ``summary.md`` and Figs. 2-4 from the finished cells.

    Works on a partial study (nothing is computed here): unfinished cells
    are marked pending in both tables and listed at the end of the
    markdown; a figure holds the panels whose runs have finished and is
    not written while it has none (:mod:`.table2_report`).

    Returns
    -------
    dict
        ``csv``, ``markdown``, ``summary`` and ``figures`` (a list): the paths written.
    """
    study = get_preset(preset)
    out = Path(out)
    ordered = table2_groups(preset, out)
    config = make_config(study.mmgan_preset)
    intro = (
        f"# MMGAN: Table 2 and Figs. 2-4 (preset `{preset}`)\n\n"
        f"Training: mmgan preset `{study.mmgan_preset}` ({config.iters:,} iterations, base "
        f"width {config.base_width}, EMA decay {config.ema_decay}); the paper trains 100k "
        f"iterations. Seeds: {', '.join(map(str, study.seeds))}. Accuracy (%): "
        f"{study.n_per_component:,} EMA samples per component classified by the dataset's "
        f"evaluator; FID per distribution from {study.n_fid:,} samples against that "
        "distribution's training images. Cell records in `cells/`, runs in `runs/`.\n"
    )
    figures, missing = write_figures(out, ordered)
    return {
        "csv": write_csv(out / "table2.csv", ordered),
        "markdown": write_markdown(out / "table2.md", intro, ordered, figures, missing),
        "summary": atomic_write_text(out / "summary.md", summary_markdown(ordered)),
        "figures": figures,
    }
