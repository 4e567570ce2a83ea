"""The executor interface, what a task requests, and the local executor (see the package)."""

from __future__ import annotations

import abc
import concurrent.futures
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...context import Context
from ...errors import InputError

if TYPE_CHECKING:
    from ..cells import Cell

#: The executors by their CLI name (``--executor``).
EXECUTOR_NAMES = ("local", "ray")

#: Retries of a Ray task whose worker died or whose training was stopped by a signal.
DEFAULT_MAX_RETRIES = 3

#: Seconds to wait for a TCP connection to ``--ray-address`` before giving up.
CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Resources:
    """What one cell's Ray task requests from the cluster.

    Attributes
    ----------
    cpus : float
        CPU cores; the cell runs with this many torch threads (at least one).
    gpus : float
        GPUs, a fraction (0 < gpus < 1) where several cells share one GPU.
        0 runs the cell on CPU.
    """

    cpus: float = 1.0
    gpus: float = 0.0

    def __post_init__(self):
        if self.cpus < 0 or self.gpus < 0:
            raise InputError(f"resources must be >= 0, got {self.cpus} CPUs, {self.gpus} GPUs.")
        if self.gpus > 1 and self.gpus != int(self.gpus):
            raise InputError(f"a task takes a fraction of one GPU or whole GPUs, not {self.gpus}.")

    @property
    def device(self) -> str:
        """The torch device a task with these resources computes on."""
        return "cuda" if self.gpus > 0 else "cpu"

    def without_gpus(self) -> Resources:
        return replace(self, gpus=0.0)

    def describe(self) -> str:
        """``"2 CPU + 0.25 GPU"``."""
        text = f"{self.cpus:g} CPU"
        return text + (f" + {self.gpus:g} GPU" if self.gpus else "")

    def to_dict(self) -> dict[str, float]:
        return {"cpus": self.cpus, "gpus": self.gpus}


#: A cell's computation as an executor runs it: ``task(cell)`` or, on Ray,
#: ``task(cell, device=...)``; returns the cell's record or a failure
#: (:func:`mixmiss.experiments.cells.attempt_cell`), never raises for a
#: failing cell.
CellTask = Callable[..., Any]

#: Resources of each cell (``None``: one CPU each).
ResourcesFn = Callable[["Cell"], Resources]


class Executor(abc.ABC):
    """Computes a study's pending cells; :func:`run_cells` stores what comes back.

    A study calls :meth:`prepare` once (before building its cell function:
    it may change the output directory and context the cells see), then
    :func:`~mixmiss.experiments.cells.run_cells` calls :meth:`run`.
    """

    #: The CLI name.
    name: str = ""

    @property
    @abc.abstractmethod
    def parallel(self) -> bool:
        """Whether cells may run at the same time (the study fills shared caches first)."""

    @property
    def threads(self) -> int | None:
        """torch CPU threads each cell function should set (None: leave them)."""
        return None

    def prepare(self, out: Path, context: Context) -> tuple[Path, Context]:
        """Check this executor can run a study in ``out``; the ``out`` and context cells get."""
        return out, context

    @abc.abstractmethod
    def run(
        self, task: CellTask, cells: Sequence[Cell], resources: ResourcesFn | None = None
    ) -> Iterator[tuple[Cell, Any]]:
        """Compute ``task`` for every cell, yielding ``(cell, outcome)`` as each finishes."""


class LocalExecutor(Executor):
    """The cells in this process (``workers=1``) or in a local pool of ``workers`` processes.

    Each pool process gets cores / workers torch threads. Resources are
    ignored: ``workers`` says how many cells run at once.
    """

    name = "local"

    def __init__(self, workers: int = 1):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise InputError(f"workers must be an integer >= 1, got {workers!r}.")
        self.workers = workers

    @property
    def parallel(self) -> bool:
        return self.workers > 1

    @property
    def threads(self) -> int | None:
        return worker_threads(self.workers)

    def run(self, task, cells, resources=None):
        if self.workers == 1 or len(cells) <= 1:
            for cell in cells:
                yield cell, task(cell)
            return
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            futures = {pool.submit(task, cell): cell for cell in cells}
            for future in concurrent.futures.as_completed(futures):
                yield futures[future], future.result()


def worker_threads(workers: int) -> int | None:
    """torch CPU threads for each of ``workers`` cell processes: the cores shared out
    (None with one worker: leave torch's default)."""
    return max(1, (os.cpu_count() or 1) // workers) if workers > 1 else None
