"""Cached experiment cells: compute each once, keep it, continue later.

A study (a paper table) is a list of cells: one (configuration, repeat)
each. A cell's result is a JSON file under ``<out>/cells/<cell id>.json``
holding its parameters, its metrics, its wall time and the provenance of the
run; it is written atomically when the cell finishes, so an interrupted study
loses at most the cells in flight, and a rerun skips every finished cell.
Cells may run in parallel worker processes.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from ..atomic import atomic_write_json
from ..errors import InputError
from ..provenance import provenance

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


def worker_threads(workers: int) -> int | None:
    """torch CPU threads for each of ``workers`` cell processes: the cores shared out
    (None with one worker: leave torch's default)."""
    return max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None


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


def _compute(fn: CellFn, cell: Cell, out_dir: Path, command: list[str]) -> dict:
    start = time.perf_counter()
    metrics = fn(dict(cell.params))
    record = {
        "id": cell.id,
        "params": cell.params,
        "metrics": metrics,
        "wall_seconds": round(time.perf_counter() - start, 2),
        "provenance": provenance(command),
    }
    atomic_write_json(cell_path(out_dir, cell), record)
    return record


def run_cells(
    cells: Sequence[Cell],
    fn: CellFn,
    out_dir: str | os.PathLike,
    workers: int = 1,
    progress: bool = True,
    command: list[str] | None = None,
    check: MetricsCheck | None = None,
) -> list[dict]:
    """Compute the unfinished ``cells`` with ``fn`` and return every cell's record, in order.

    ``fn`` must be a module-level function (it is sent to worker processes
    when ``workers > 1``) taking the cell's params and returning a JSON-able
    dict of metrics. ``command`` is the command line recorded with each cell
    (None: a Python call), also for cells computed in workers. ``check``
    refuses stored metrics of the wrong shape (see :func:`load_cell`).
    """
    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}.")
    ids = [cell.id for cell in cells]
    if len(set(ids)) != len(ids):
        raise InputError("cell ids must be unique within a study.")
    out_dir = Path(out_dir)
    records = finished_cells(cells, out_dir, check)
    todo = [cell for cell in cells if cell.id not in records]
    bar = tqdm(total=len(cells), initial=len(records), desc="cells", disable=not progress)
    if workers == 1 or len(todo) <= 1:
        for cell in todo:
            bar.set_postfix_str(cell.id)
            records[cell.id] = _compute(fn, cell, out_dir, command)
            bar.update()
    else:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = {pool.submit(_compute, fn, cell, out_dir, command): cell for cell in todo}
            for future in concurrent.futures.as_completed(futures):
                records[futures[future].id] = future.result()
                bar.update()
    bar.close()
    return [records[cell.id] for cell in cells]
