"""Cached experiment cells: compute each once, keep it, continue later.

A study (a paper table) is a list of cells: one (configuration, repeat)
each. A cell's result is a JSON file under ``<out>/cells/<cell id>.json``
holding its parameters, its metrics, its wall time and the provenance of the
run; the driver (the process that called :func:`run_cells`) writes it
atomically when the cell finishes, so an interrupted study loses at most the
cells in flight, and a rerun skips every finished cell, whichever executor
computed it. Cells are computed by an executor (:mod:`.executors`): in this
process, in local worker processes, or as Ray tasks on a cluster. A cell
that raises does not stop the others: the study ends with
:class:`CellsFailed` naming the failed cells (their tracebacks in
``<out>/failed/``), and a rerun computes only those.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..atomic import atomic_write_json, atomic_write_text
from ..errors import InputError, MixmissError
from ..provenance import provenance
from ..training import TrainingInterrupted
from .executors import Executor, LocalExecutor, ResourcesFn
from .executors import worker_threads as worker_threads  # re-exported: studies import it here

CellFn = Callable[[dict], dict]


@dataclass(frozen=True)
class Cell:
    """One unit of a study: ``params`` are passed to the cell function."""

    id: str
    params: dict = field(hash=False)

    def __post_init__(self):
        if not re.fullmatch(r"[A-Za-z0-9._=-]+", self.id):
            raise InputError(
                f"cell id {self.id!r} must use letters, digits, '.', '_', '=', '-' only."
            )


def cell_path(out_dir: Path, cell: Cell) -> Path:
    return out_dir / "cells" / f"{cell.id}.json"


#: ``check(metrics) -> bool``: whether a stored cell's metrics have the study's shape.
MetricsCheck = Callable[[dict], bool]


def is_number(value) -> bool:
    """A real number that JSON stores (not a bool, not a string)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def load_cell(out_dir: Path, cell: Cell, check: MetricsCheck | None = None) -> dict | None:
    """The stored result of ``cell``, or None when it has not finished, its params changed,
    or the file is damaged (not a cell record, or metrics that ``check`` refuses): such a
    cell counts as pending and is computed again."""
    path = cell_path(out_dir, cell)
    if not path.is_file():
        return None
    try:
        stored = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    whole = (
        isinstance(stored, dict)
        and stored.get("params") == cell.params
        and isinstance(stored.get("metrics"), dict)
        and is_number(stored.get("wall_seconds"))
        and isinstance(stored.get("provenance"), dict)
        and {"git_revision", "machine"} <= set(stored["provenance"])
    )
    if not whole or (check is not None and not check(stored["metrics"])):
        return None
    return stored


def finished_cells(
    cells: Sequence[Cell], out_dir: str | os.PathLike, check: MetricsCheck | None = None
) -> dict[str, dict]:
    """The stored records of the finished ``cells``, by cell id (to report a partial study)."""
    records = {}
    for cell in cells:
        stored = load_cell(Path(out_dir), cell, check)
        if stored is not None:
            records[cell.id] = stored
    return records


@dataclass(frozen=True)
class CellFailure:
    """A cell whose function raised (or whose task never came back).

    Attributes
    ----------
    cell_id : str
    error : str
        One line: the exception's type and first line.
    details : str
        The traceback, written to ``<out>/failed/<cell id>.txt``.
    """

    cell_id: str
    error: str
    details: str = ""


class CellsFailed(MixmissError, RuntimeError):
    """Some cells raised; the others finished and are cached.

    Attributes
    ----------
    failures : list of CellFailure
    records : dict
        The finished cells' records, by cell id.
    """

    def __init__(self, failures: Sequence[CellFailure], records: dict, total: int, out_dir: Path):
        self.failures = list(failures)
        self.records = records
        listed = "; ".join(f"{f.cell_id} ({f.error})" for f in self.failures)
        super().__init__(
            f"{len(self.failures)} of {total} cells failed: {listed}. The other cells are "
            f"cached; tracebacks are in {out_dir / 'failed'}/. Fix the cause and run the same "
            "command again to compute only the failed cells."
        )


def failure_path(out_dir: Path, cell_id: str) -> Path:
    return out_dir / "failed" / f"{cell_id}.txt"


def attempt_cell(
    fn: CellFn, cell: Cell, command: list[str] | None = None, device: str | None = None
) -> dict | CellFailure:
    """Compute one cell where the executor runs it: its record, or a :class:`CellFailure`.

    ``device`` (given by the Ray executor, which decides it from the task's
    resources) is passed on as ``fn(params, device=device)``. A training
    stopped by a signal (:class:`~mixmiss.training.TrainingInterrupted`) is
    not a failure of the cell: it propagates, so that the study stops (or Ray
    retries the task, which resumes from the checkpoint).
    """
    start = time.perf_counter()
    try:
        params = dict(cell.params)
        metrics = fn(params) if device is None else fn(params, device=device)
    except TrainingInterrupted:
        raise
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0]
        return CellFailure(cell.id, f"{type(exc).__name__}: {first}", traceback.format_exc())
    return {
        "id": cell.id,
        "params": cell.params,
        "metrics": metrics,
        "wall_seconds": round(time.perf_counter() - start, 2),
        "provenance": provenance(command),
    }


def run_cells(
    cells: Sequence[Cell],
    fn: CellFn,
    out_dir: str | os.PathLike,
    workers: int = 1,
    progress: bool = True,
    command: list[str] | None = None,
    check: MetricsCheck | None = None,
    executor: Executor | None = None,
    resources: ResourcesFn | None = None,
) -> list[dict]:
    """Compute the unfinished ``cells`` with ``fn`` and return every cell's record, in order.

    Parameters
    ----------
    cells : sequence of Cell
    fn : callable
        ``fn(params) -> metrics``: takes a cell's params and returns a
        JSON-able dict. It must pickle (a module-level function or a
        ``functools.partial`` of one) when cells run in other processes, and
        accept a ``device`` keyword with the Ray executor.
    out_dir : path
        The study directory: records go to ``cells/``, failures to ``failed/``.
    workers : int
        Processes of the default executor, ``LocalExecutor(workers)``.
    progress : bool
        A progress bar over the cells.
    command : list of str, optional
        The command line recorded with each cell (None: a Python call).
    check : callable, optional
        Refuses stored metrics of the wrong shape (see :func:`load_cell`): such
        a cell is computed again.
    executor : Executor, optional
        Where cells are computed (default: :class:`~.executors.LocalExecutor`).
    resources : callable, optional
        ``resources(cell) -> Resources``: what each cell's Ray task requests.

    Raises
    ------
    CellsFailed
        After every cell was attempted, when some raised.
    """
    ids = [cell.id for cell in cells]
    if len(set(ids)) != len(ids):
        raise InputError("cell ids must be unique within a study.")
    executor = executor if executor is not None else LocalExecutor(workers)
    out_dir = Path(out_dir)
    records = finished_cells(cells, out_dir, check)
    todo = [cell for cell in cells if cell.id not in records]
    failures: list[CellFailure] = []
    bar = tqdm(total=len(cells), initial=len(records), desc="cells", disable=not progress)
    task = functools.partial(attempt_cell, fn, command=command)
    try:
        for cell, outcome in executor.run(task, todo, resources):
            if isinstance(outcome, CellFailure):
                failures.append(outcome)
                atomic_write_text(failure_path(out_dir, cell.id), outcome.details)
                bar.write(f"cell {cell.id} failed: {outcome.error}", file=sys.stderr)
                bar.set_postfix_str(f"{len(failures)} failed")
            else:
                atomic_write_json(cell_path(out_dir, cell), outcome)
                failure_path(out_dir, cell.id).unlink(missing_ok=True)
                records[cell.id] = outcome
            bar.update()
    finally:
        bar.close()
    if failures:
        raise CellsFailed(failures, records, len(cells), out_dir)
    return [records[cell.id] for cell in cells]
