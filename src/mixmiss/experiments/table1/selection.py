"""Table 1's stochastic cells choose their read-out without ground truth (#17, item 4).

The LM-RBM paper proposes, for real data where no missing pixel's true value
is known, holding out some *observed* pixels and picking the operating point
on them. :func:`mixmiss.experiments.operating_point.select_on_run` does that
for one trained run; here it runs on every finished cell of a stochastic
method (one with :data:`~mixmiss.impute.Imputer.READOUTS`), on the cell's
trained model and its first test set (the preset's ``max_test`` images), as
cached cells of their own (``<out>/selection/cells/<cell id>.json``): a
selection is recomputed only when its training cell or its settings change.

Each record keeps the choice, every read-out's held-out and true RMSE, and
the chosen read-out's *gap*: its true RMSE minus the best read-out's. The
issue's target is a gap of at most 0.003.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...registry import imputer_class
from ..cells import Cell, finished_cells, run_cells
from ..formatting import markdown_table
from ..operating_point import HOLDOUT_FRACTION, select_on_run
from .grid import Table1Preset, is_trained, run_directory, table1_cells, valid_metrics
from .paper import DISPLAY_NAMES, MECHANISM_NAMES

#: Where the selection cells live inside a study directory.
SELECTION_DIR = "selection"
#: The target of #17: the chosen read-out's true RMSE within this of the best one's.
GAP_TARGET = 0.003


def selection_cells(
    preset: Table1Preset,
    out: str | os.PathLike,
    finished: Collection[str],
    seed: int = 0,
    fraction: float = HOLDOUT_FRACTION,
) -> list[Cell]:
    """One selection cell per cell of a stochastic method that is ``finished`` (its id is
    there) and whose model is trained in ``out``."""
    cells = [c for c in table1_cells(preset) if imputer_class(c.params["method"]).READOUTS]
    return [
        Cell(
            c.id,
            {"cell": c.params, "seed": seed, "fraction": fraction, "max_test": preset.max_test},
        )  # fmt: skip
        for c in cells
        if c.id in finished and is_trained(c.params, out)
    ]


def compute_selection(params: dict, out: str, context: Context = DEFAULT_CONTEXT) -> dict:
    """Select the read-out of the trained cell ``params["cell"]`` (one selection cell)."""
    choice = select_on_run(
        run_directory(params["cell"], out),
        seed=params["seed"],
        max_test=params["max_test"],
        fraction=params["fraction"],
        context=replace(context, progress=False),
    )
    return {k: choice[k] for k in ("chosen", "best_true", "gap", "scores", "n_test")}


def select_table1(
    preset: Table1Preset,
    out: str | os.PathLike,
    context: Context = DEFAULT_CONTEXT,
    command: list[str] | None = None,
    seed: int = 0,
    fraction: float = HOLDOUT_FRACTION,
) -> dict[str, dict]:
    """Compute the selection of every finished stochastic cell not selected yet (in this
    process: a selection takes minutes); returns the records by cell id."""
    finished = finished_cells(table1_cells(preset), out, valid_metrics)
    cells = selection_cells(preset, out, finished, seed, fraction)
    fn = functools.partial(compute_selection, out=str(out), context=context)
    records = run_cells(cells, fn, Path(out) / SELECTION_DIR, progress=context.progress,
                        command=command)  # fmt: skip
    return {c.id: r for c, r in zip(cells, records, strict=True)}


def stored_selections(
    preset: Table1Preset, out: str | os.PathLike, finished: Collection[str]
) -> dict[str, dict]:
    """The selections already computed for the study's ``finished`` cells (for the report)."""
    return finished_cells(selection_cells(preset, out, finished), Path(out) / SELECTION_DIR)


def selection_markdown(records: dict[str, dict]) -> str:
    """One row per selected cell: the read-out chosen on held-out pixels, its true RMSE,
    the best read-out by true RMSE and the gap; then how many cells meet the target."""
    header = ["mech", "rate", "method", "chosen (held-out RMSE)", "its true RMSE",
              "best read-out (true RMSE)", "gap"]  # fmt: skip
    body, gaps = [], []
    for record in records.values():
        cell, metrics = record["params"]["cell"], record["metrics"]
        scores, chosen, best = metrics["scores"], metrics["chosen"], metrics["best_true"]
        gaps.append(metrics["gap"])
        body.append([
            MECHANISM_NAMES[cell["mechanism"]], f"{cell['rate']:g}",
            DISPLAY_NAMES.get(cell["method"], cell["method"]),
            f"{chosen} ({scores[chosen]['heldout_rmse']:.4f})",
            f"{scores[chosen]['true_rmse']:.4f}",
            f"{best} ({scores[best]['true_rmse']:.4f})",
            f"{metrics['gap']:.4f}",
        ])  # fmt: skip
    if not body:
        return "No selection computed yet (`reproduce table1 --select`).\n"
    met = sum(g <= GAP_TARGET for g in gaps)
    return (
        markdown_table(header, body)
        + f"\nChosen within {GAP_TARGET} of the best read-out's true RMSE: {met} of {len(gaps)} "
        f"cells (largest gap {max(gaps):.4f}).\n"
    )
