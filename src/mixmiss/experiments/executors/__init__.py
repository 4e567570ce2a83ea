"""Where a study's cells are computed: this machine's processes, or a Ray cluster.

:func:`~mixmiss.experiments.cells.run_cells` hands the pending cells to an
:class:`Executor` and writes each record it gets back into the cell cache;
the executor decides only where and how many at a time:

- :class:`LocalExecutor` (the default): the cells one after another in this
  process, or in ``workers`` processes of a local pool;
- :class:`RayExecutor` (``pip install 'mixmiss[ray]'``): each cell one Ray
  task requesting the :class:`Resources` its study's table gives it (CPUs,
  and a fraction of a GPU where a cell is small). A task whose worker dies
  (node lost, pre-empted, killed) is retried up to ``max_retries`` times, as
  is one whose training was stopped by SIGTERM/SIGUSR1 after writing its
  checkpoint; the retry resumes the training from the checkpoint in the
  study directory, which must therefore be on a filesystem every node
  shares (:meth:`RayExecutor.prepare` checks it from every node).

Ray is imported only by :class:`RayExecutor`, so the local executor works
without it.
"""

from __future__ import annotations

from ...errors import InputError
from .base import (
    CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    EXECUTOR_NAMES,
    CellTask,
    Executor,
    LocalExecutor,
    Resources,
    ResourcesFn,
    worker_threads,
)
from .ray_cluster import RayExecutor, check_nodes_can_write, check_reachable, node_can_write

__all__ = [
    "CONNECT_TIMEOUT",
    "DEFAULT_MAX_RETRIES",
    "EXECUTOR_NAMES",
    "CellTask",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "Resources",
    "ResourcesFn",
    "check_nodes_can_write",
    "check_reachable",
    "make_executor",
    "node_can_write",
    "worker_threads",
]


def make_executor(
    name: str = "local",
    workers: int = 1,
    address: str | None = None,
    max_retries: int = DEFAULT_MAX_RETRIES,
) -> Executor:
    """The executor the CLI's ``--executor``, ``--workers``, ``--ray-address`` and
    ``--max-retries`` ask for, refusing options that do not belong to it."""
    if name == "local":
        if address is not None:
            raise InputError("--ray-address needs --executor ray.")
        return LocalExecutor(workers)
    if name == "ray":
        if workers != 1:
            raise InputError(
                "--workers is for --executor local; with --executor ray every cell is a task "
                "and the cluster's resources decide how many run at once."
            )
        return RayExecutor(address, max_retries)
    raise InputError(f"unknown executor {name!r}; choose one of {', '.join(EXECUTOR_NAMES)}.")
