"""MMGAN study cells, shared by Table 2 and the split study: train or continue a run, what is kept.

A cell of either study trains MMGAN into its run directory ``<out>/runs/<cell
id>`` (:func:`run_path`), or continues it (:func:`ensure_trained`), and keeps
the :data:`REPORT_KEYS` of :func:`mixmiss.mmgan.evaluate_run`'s report
(:func:`valid_metrics` checks a stored cell). The run directory is read
through :mod:`mixmiss.mmgan.run` only.

What a cell's Ray task requests (:func:`cell_resources`) and its projected
training (:func:`cell_cost`): a cell trains one MMGAN run (a generator of K
components, one discriminator/classifier per distribution, batches of 32
images per component). The paper's networks are small next to a GPU (41
GFLOP a step), so two runs share one; ``quick`` runs, a quarter of that,
four; ``smoke`` runs stay on one CPU. The projection uses the committed bench
figures (:data:`mixmiss.experiments.plan.BENCH_FIGURES`), which measured
case A's shape (n = 2 distributions, K = 3 components) only.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from ..mmgan import MMGANConfig, read_info, resume_training, train
from ..mmgan.run import checkpoint_step, has_checkpoint
from ..presets import Presets
from .cells import Cell, is_number
from .executors import Resources
from .plan import CellCost, figure_cost

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


def valid_metrics(metrics: dict) -> bool:
    """Whether a stored cell's metrics hold the :data:`REPORT_KEYS` a study cell keeps, well formed."""
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


#: Study preset -> the keyword arguments of its cells' :class:`Resources`.
RESOURCES = Presets(
    "the MMGAN cells' Ray tasks",
    smoke={"cpus": 1},
    quick={"cpus": 2, "gpus": 0.25},
    paper={"cpus": 2, "gpus": 0.5},
)


def cell_resources(cell: Cell) -> Resources:
    """What ``cell``'s Ray task requests."""
    return Resources(**RESOURCES[cell.params["preset"]])


#: Bench figure -> the settings it measured (any other value: no figure).
_MEASURED = {
    "mmgan-paper": {"sets": "A", "base_width": 64, "batch_size": 32, "z_dim": 128},
    "mmgan-quick": {"sets": "A", "base_width": 32, "batch_size": 32, "z_dim": 128},
}

_IMAGES_28 = ("mnist", "fashion-mnist")


def cell_cost(cell: Cell) -> CellCost:
    """The projected training of ``cell``: its iterations at the bench figure of its shape.

    The dataset (MNIST or Fashion-MNIST, both 28 x 28) and the mode (fixed
    or learned weights: K = 3 in case A either way) do not change the cost.
    """
    config = cell.params["config"]
    if config.get("num_components") is None and cell.params["dataset"] in _IMAGES_28:
        for name, measured in _MEASURED.items():
            if all(config.get(k) == v for k, v in measured.items()):
                return figure_cost(name, config["iters"])
    return CellCost(
        None,
        f"case {cell.params['case']} at preset {cell.params['preset']}: no bench figure "
        "(the bench measured case A's shape, n=2, K=3, on 28x28 images, at the quick and "
        "paper widths)",
    )
