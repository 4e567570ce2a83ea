"""What one Table 2 cell needs: the resources of its Ray task, and its projected training cost.

A cell trains one MMGAN run (a generator of K components, one
discriminator/classifier per distribution, batches of 32 images per
component) and evaluates it. The paper's networks are small next to a
GPU (41 GFLOP a step), so two runs share one; ``quick`` runs, a quarter of
that, four; ``smoke`` runs stay on one CPU.

:func:`cell_cost` projects a cell's training from the committed bench
figures (:data:`mixmiss.experiments.plan.BENCH_FIGURES`). The bench
measured case A's shape (n = 2 distributions, K = 3 components); cases B
and C (three distributions, up to seven components) have no figure.
"""

from __future__ import annotations

from ...presets import Presets
from ..cells import Cell
from ..executors import Resources
from ..plan import CellCost, figure_cost

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


def cell_group(cell: Cell) -> str:
    """The plan's row of ``cell``: MMGAN on its case (the cases differ in cost)."""
    return f"mmgan case {cell.params['case']}"


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
