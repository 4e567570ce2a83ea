"""A study's compute plan: its pending cells, what they will cost, what each Ray task requests.

Nothing is computed and no cluster is contacted. Costs are projected from
the bench figures committed under ``results/bench/`` (:data:`BENCH_FIGURES`,
copied here so that an installed package has them; a test checks they
match the files), which were measured on the project's 2-core CPU: a
figure times the epochs or iterations of a cell's training, times the cores
the bench used, gives the cell's CPU core-hours. Where no figure measured a
cell's configuration (another preset, another shape, any GPU) the plan says
so instead of guessing. Only training is projected: the evaluation of a
cell (test sets, FID, classifiers) has no bench figure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .cells import Cell, finished_cells
from .executors import Resources

#: Where every committed bench figure was measured.
BENCH_MACHINE = (
    "the project's 2-core x86_64 CPU (2 torch threads, torch 2.13.0+cpu, no GPU), "
    "shared with other engineers' jobs"
)


@dataclass(frozen=True)
class BenchFigure:
    """One committed measurement: wall seconds per epoch or iteration of a training.

    Attributes
    ----------
    seconds : float
        Wall seconds per ``unit`` on :data:`BENCH_MACHINE`.
    unit : {"epoch", "iteration"}
    source, key : str
        The JSON file under ``results/bench/`` and the (dotted) key holding the value.
    scale : float
        ``seconds = value at key * scale`` (1e-3 for a figure stored in ms).
    setting : str
        What was measured.
    cores : int
        CPU cores the bench ran on (torch threads).
    """

    seconds: float
    unit: str
    source: str
    key: str
    setting: str
    scale: float = 1.0
    cores: int = 2

    def describe(self) -> str:
        return f"{self.seconds:.4g} s/{self.unit} ({self.source}: {self.key})"


#: The committed CPU bench figures by name (``results/bench/*.json``). No GPU figure is committed.
BENCH_FIGURES = {
    "rbm-paper": BenchFigure(
        9.95839404568022, "epoch", "results/bench/rbm.quiet.json",
        "seconds_per_epoch.zeroed_lowrank",
        "zeroed RBM, 4096 hidden units, rank 314, batch 128, 391 batches of 50,000 MNIST images",
    ),
    "lm-rbm-paper": BenchFigure(
        13.123751757499344, "epoch", "results/bench/rbm.quiet.json",
        "seconds_per_epoch.lm_lowrank",
        "LM-RBM, 4096 hidden units, rank 314, batch 128, 391 batches of 50,000 MNIST images",
    ),
    "misgan-paper": BenchFigure(
        1086.733582608301, "epoch", "results/bench/misgan.json", "seconds_per_epoch",
        "MisGAN, batch 64, 5 critic steps, width 64, imputer 784-784-784, 781 steps of "
        "50,000 MNIST images",
    ),
    "mmgan-paper": BenchFigure(
        0.3786, "iteration", "results/bench/mmgan.json", "ms_per_iter.paper",
        "MMGAN case A shape (n=2 distributions, K=3 components), width 64, batch 32, 28x28",
        scale=1e-3,
    ),
    "mmgan-quick": BenchFigure(
        0.14995, "iteration", "results/bench/mmgan.json", "ms_per_iter.quick",
        "MMGAN case A shape (n=2 distributions, K=3 components), width 32, batch 32, 28x28",
        scale=1e-3,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class CellCost:
    """A cell's projected training cost.

    Attributes
    ----------
    seconds : float or None
        Wall seconds of its training on :data:`BENCH_MACHINE` (0: nothing
        to train; None: no figure measured this configuration).
    basis : str
        Where the number comes from, or why there is none.
    figure : str or None
        The :data:`BENCH_FIGURES` name used.
    trains : bool
        Whether the cell trains a model (False: its training is already
        finished, or the method trains nothing; the cell only evaluates).
    """

    seconds: float | None
    basis: str
    figure: str | None = None
    trains: bool = True

    @property
    def cpu_hours(self) -> float | None:
        """CPU core-hours: the bench's wall hours times the cores it ran on."""
        if self.seconds is None:
            return None
        cores = BENCH_FIGURES[self.figure].cores if self.figure else 1
        return self.seconds * cores / 3600


def figure_cost(name: str, units: int) -> CellCost:
    """The cost of ``units`` epochs or iterations at the bench figure ``name``."""
    figure = BENCH_FIGURES[name]
    return CellCost(
        figure.seconds * units,
        f"{figure.describe()} x {units:,} {figure.unit}s",
        name,
    )


def make_plan(
    study: str,
    preset: str,
    cells: Sequence[Cell],
    out: str | os.PathLike,
    group: Callable[[Cell], str],
    resources: Callable[[Cell], Resources],
    cost: Callable[[Cell], CellCost],
    device: str = "auto",
) -> dict:
    """The plan of ``cells`` as a JSON-able dict (:func:`format_plan` prints it).

    Parameters
    ----------
    study, preset : str
        Named in the plan.
    cells : sequence of Cell
        The study's cells; those finished in ``out/cells`` are left out.
    out : path
        The study directory (read only; it need not exist).
    group : callable
        ``group(cell)``: the row a cell is counted in (the method).
    resources : callable
        ``resources(cell)``: what the cell's Ray task requests with GPUs.
    cost : callable
        ``cost(cell)``: its projected training (:class:`CellCost`).
    device : {"auto", "cpu", "cuda"}
        ``cpu`` requests no GPUs; ``auto`` requests them only on a cluster that has some.
    """
    finished = finished_cells(cells, out) if Path(out).is_dir() else {}
    pending = [cell for cell in cells if cell.id not in finished]
    trainings = 0
    groups: dict[str, dict] = {}
    for cell in cells:
        name = group(cell)
        request = resources(cell)
        if device == "cpu":
            request = request.without_gpus()
        row = groups.setdefault(
            name,
            {"group": name, "cells": 0, "pending": 0, "ray_task": request.to_dict(),
             "ray_task_text": request.describe(), "hours_per_training": [], "cpu_hours": 0.0,
             "gpu_hours": None, "without_figure": 0, "basis": []},
        )  # fmt: skip
        row["cells"] += 1
        if cell.id in finished:
            continue
        row["pending"] += 1
        projected = cost(cell)
        trainings += projected.trains
        if projected.basis not in row["basis"]:
            row["basis"].append(projected.basis)
        if projected.seconds is None:
            row["without_figure"] += 1
            continue
        hours = round(projected.seconds / 3600, 4)
        if hours not in row["hours_per_training"]:
            row["hours_per_training"].append(hours)
        row["cpu_hours"] += projected.cpu_hours
    rows = list(groups.values())
    for row in rows:
        row["cpu_hours"] = round(row["cpu_hours"], 2)
        if row["pending"] and row["without_figure"] == row["pending"]:
            row["cpu_hours"] = None  # not one figure: unknown, not zero
        if not row["ray_task"]["gpus"]:
            row["gpu_hours"] = 0.0  # its tasks hold no GPU
    missing = [row["group"] for row in rows if row["without_figure"]]
    return {
        "study": study,
        "preset": preset,
        "out": str(out),
        "device": device,
        "cells": len(cells),
        "finished": len(finished),
        "pending": len(pending),
        "trainings": trainings,
        "groups": rows,
        "total": {
            "pending": len(pending),
            "cpu_hours": round(sum(row["cpu_hours"] or 0.0 for row in rows), 2),
            "cpu_hours_complete": not missing,
            "groups_without_figure": missing,
            # no GPU figure: known (zero) only when no task holds a GPU
            "gpu_hours": 0.0 if all(row["gpu_hours"] == 0 for row in rows) else None,
        },
        "bench_machine": BENCH_MACHINE,
        "notes": [
            "hours_per_training: wall hours of one training on the bench machine; cpu_hours: "
            "those hours times the bench's 2 cores, summed over the pending cells.",
            "GPU-hours: no GPU bench figure is committed (results/bench/ holds CPU timings "
            "only), so none is projected for the groups whose tasks hold a GPU.",
            "Training only: evaluating a cell (test sets, FID, classifiers) has no bench figure.",
            "A pending cell with a checkpoint resumes it, and takes less than projected; one "
            "whose training finished (e.g. a new read-out) only evaluates.",
            "ray_task: what each cell's Ray task requests; with --device cpu, or auto on a "
            "cluster without GPUs, no GPU.",
        ],
        "pending_cells": [cell.id for cell in pending],
    }


def format_plan(plan: dict) -> str:
    """The plan as text: a header, one row per group, the total, the notes."""
    lines = [
        f"{plan['study']} --preset {plan['preset']} (out: {plan['out']}): {plan['cells']} "
        f"cells, {plan['finished']} finished, {plan['pending']} pending "
        f"({plan['trainings']} trainings)",
        f"Projected from the committed bench figures, measured on {plan['bench_machine']}.",
        "",
    ]
    header = ("group", "cells", "pending", "h/training", "CPU core-h", "GPU-h", "Ray task")
    table = [header]
    for row in plan["groups"]:
        hours = ", ".join(f"{h:.3g}" for h in row["hours_per_training"])
        if row["without_figure"]:
            hours = f"{hours}; " if hours else ""
            hours += f"no figure for {row['without_figure']}"
        cpu = "no figure" if row["cpu_hours"] is None else f"{row['cpu_hours']:,.1f}"
        if row["cpu_hours"] is not None and row["without_figure"]:
            cpu += " + unknown"
        gpu = "no figure" if row["gpu_hours"] is None else f"{row['gpu_hours']:,.1f}"
        table.append((row["group"], str(row["cells"]), str(row["pending"]), hours or "-", cpu,
                      gpu, row["ray_task_text"]))  # fmt: skip
    total = plan["total"]
    cpu = f"{total['cpu_hours']:,.1f}" + ("" if total["cpu_hours_complete"] else " + unknown")
    gpu = "no figure" if total["gpu_hours"] is None else f"{total['gpu_hours']:,.1f}"
    table.append(("total", str(plan["cells"]), str(plan["pending"]), "", cpu, gpu, ""))
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for r in table:
        lines.append("  ".join(c.ljust(w) if i in (0, 6) else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())  # fmt: skip
    lines.append("")
    lines.append("Basis of each group's figure:")
    for row in plan["groups"]:
        for basis in row["basis"] or ["(all cells finished)"]:
            lines.append(f"- {row['group']}: {basis}")
    lines.append("")
    lines.extend(f"Note: {note}" for note in plan["notes"])
    return "\n".join(lines)
