"""What one Table 1 cell needs: the resources of its Ray task, and its projected training cost.

:data:`RESOURCES` gives, per method and method preset, what a cell's Ray
task requests (:class:`~mixmiss.experiments.executors.Resources`). A cell
trains one model and evaluates it on every test set (FID features on the
evaluator CNN, logistic regressions on CPU). The RBMs' paper step is five or
six 128 x 784 x 4096 GEMMs, a sliver of a GPU, so four share one; MisGAN's
three convolutional critics fill more of it, so two share one. The
untrained baselines need a CPU only, and ``smoke`` cells are too small to
be worth a GPU.

:func:`cell_cost` projects a cell's training from the committed bench
figures (:data:`mixmiss.experiments.plan.BENCH_FIGURES`), only where the
figure measured the cell's configuration.
"""

from __future__ import annotations

import os

from ...presets import Presets
from ..cells import Cell
from ..executors import Resources
from ..imputation import PAPER_TRAIN
from ..plan import CellCost, figure_cost
from .grid import is_trained

_CPU = {"cpus": 1}
_RBM = Presets("the RBM cells' Ray tasks", smoke=_CPU, quick={"cpus": 2, "gpus": 0.25},
               paper={"cpus": 2, "gpus": 0.25})  # fmt: skip

#: Method -> preset -> the keyword arguments of its cells' :class:`Resources`.
RESOURCES: dict[str, Presets] = {
    "mean": Presets("the mean imputer's Ray tasks", smoke=_CPU, quick=_CPU, paper=_CPU),
    "inpaint": Presets("the inpainting cells' Ray tasks", smoke=_CPU, quick=_CPU, paper=_CPU),
    "rbm": _RBM,
    "lm-rbm": _RBM,
    "misgan": Presets(
        "the MisGAN cells' Ray tasks",
        smoke=_CPU,
        quick={"cpus": 2, "gpus": 0.5},
        paper={"cpus": 2, "gpus": 0.5},
    ),
}


def cell_resources(cell: Cell) -> Resources:
    """What ``cell``'s Ray task requests (one CPU for a method not in :data:`RESOURCES`)."""
    table = RESOURCES.get(cell.params["method"])
    return Resources(**table[cell.params["preset"]]) if table else Resources()


def cell_group(cell: Cell) -> str:
    """The plan's row of ``cell``: its method."""
    return cell.params["method"]


#: The settings each bench figure measured, per method (any other value: no figure).
_MEASURED = {
    "rbm": ("rbm-paper", {"n_hidden": 4096, "batch_size": 128, "low_rank": True, "rank": None}),
    "lm-rbm": (
        "lm-rbm-paper",
        {"n_hidden": 4096, "batch_size": 128, "low_rank": True, "rank": None},
    ),
    "misgan": (
        "misgan-paper",
        {"batch_size": 64, "n_critic": 5, "width": 64, "imputer_hidden": [784, 784, 784]},
    ),
}


def cell_cost(cell: Cell, out: str | os.PathLike | None = None) -> CellCost:
    """The projected training of ``cell``: its epochs at the bench figure of its method.

    The mask (mechanism, rate) does not change the cost of a step, so the
    figures (measured at I.M. 0.6) hold for every cell of the same
    configuration. Mean imputation and inpainting train nothing, and neither
    does a cell whose model finished training in the study directory ``out``
    (a cell scoring another read-out of a trained model).
    """
    method, config = cell.params["method"], cell.params["config"]
    if method in ("mean", "inpaint"):
        return CellCost(0.0, "nothing to train", trains=False)
    if out is not None and is_trained(cell.params, out):
        return CellCost(0.0, f"{method}: trained already, evaluation only", trains=False)
    if method not in _MEASURED:
        return CellCost(None, f"{method}: no bench figure")
    name, measured = _MEASURED[method]
    differ = sorted(k for k, v in measured.items() if config.get(k) != v)
    if cell.params["max_train"] != PAPER_TRAIN:
        differ.append("max_train")
    if differ:
        return CellCost(
            None,
            f"{method} at preset {cell.params['preset']}: no bench figure "
            f"(the bench measured other {', '.join(differ)})",
        )
    return figure_cost(name, config["epochs"])
