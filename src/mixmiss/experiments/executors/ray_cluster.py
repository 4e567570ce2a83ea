"""The Ray executor: each cell one task on a cluster (see the package docstring)."""

from __future__ import annotations

import math
import os
import socket
import uuid
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ... import paths
from ...context import Context
from ...device import torch_threads
from ...errors import CacheError, ExecutorError, InputError
from .base import (
    CONNECT_TIMEOUT,
    DEFAULT_MAX_RETRIES,
    CellTask,
    Executor,
    Resources,
)

if TYPE_CHECKING:
    from ..cells import Cell


def import_ray():
    """The ``ray`` module, or an :class:`ExecutorError` saying how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ExecutorError(
            f"--executor ray needs Ray, which is not installed ({exc}); install the extra "
            "with `pip install 'mixmiss[ray]'` or use --executor local."
        ) from None
    return ray


class RayExecutor(Executor):
    """Each cell one Ray task, retried when its worker dies, resumed from its checkpoint.

    Parameters
    ----------
    address : str or None
        The cluster: ``"auto"`` (one started with ``ray start`` on this node),
        ``HOST:PORT`` (its head node's GCS address), or None: Ray's default
        (``$RAY_ADDRESS``, else a cluster running on this node, else a new
        local one). An already initialised Ray session is used as it is.
    max_retries : int
        Retries of a task whose worker died or whose training was stopped by
        a signal (each resumes from the checkpoint).

    Notes
    -----
    Which device a task computes on follows its resources: ``cuda`` when it
    holds GPUs, else ``cpu`` (Ray leaves every GPU visible to a task that
    requested none, so ``auto`` would not do). GPUs are requested where the
    study's table gives them, unless the context's device is ``cpu`` or
    (``auto``) the cluster has none. A task holding GPUs runs in a fresh
    worker process (``max_calls=1``): CUDA binds a process to the devices
    visible when it starts.
    """

    name = "ray"

    def __init__(self, address: str | None = None, max_retries: int = DEFAULT_MAX_RETRIES):
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise InputError(f"max_retries must be an integer >= 0, got {max_retries!r}.")
        self.ray = import_ray()
        self.address = address
        self.max_retries = max_retries
        self.use_gpus = False
        self._largest: Resources | None = None  # the largest node's, once prepared

    @property
    def parallel(self) -> bool:
        return True

    def connect(self) -> None:
        """Join the cluster (or start a local one), with a clear error when it cannot be reached."""
        ray = self.ray
        if self.address not in (None, "auto"):
            check_reachable(self.address)
        if ray.is_initialized():
            return
        try:
            ray.init(address=self.address, include_dashboard=False, log_to_driver=True)
        except ConnectionError as exc:
            raise ExecutorError(
                f"cannot connect to a Ray cluster at --ray-address {self.address} ({exc}); "
                "start one with `ray start --head` on this node, or give its HOST:PORT."
            ) from None

    def prepare(self, out: Path, context: Context) -> tuple[Path, Context]:
        """Connect, check every node can write ``out``, and pin the directories cells use.

        Workers may run elsewhere with another working directory and
        environment: ``out`` becomes absolute, and the data and cache
        directories the driver would use are passed to them explicitly (they
        must be at the same paths on every node, like ``out``).
        """
        self.connect()
        out = Path(out).resolve()
        check_nodes_can_write(self.ray, out)
        cluster = self.ray.cluster_resources()
        has_gpus = cluster.get("GPU", 0) > 0
        if context.device == "cuda" and not has_gpus:
            raise ExecutorError(
                "--device cuda was asked for but the Ray cluster has no GPUs "
                f"(resources: {_describe(cluster)}); use --device cpu or auto."
            )
        self.use_gpus = context.device != "cpu" and has_gpus
        nodes = [n.get("Resources", {}) for n in self.ray.nodes() if n.get("Alive")]
        self._largest = Resources(
            cpus=max((n.get("CPU", 0) for n in nodes), default=1) or 1,
            gpus=max((n.get("GPU", 0) for n in nodes), default=0),
        )
        context = replace(
            context,
            data_dir=str(paths.data_dir(context.data_dir).resolve()),
            cache_dir=str(paths.cache_dir(context.cache_dir).resolve()),
        )
        return out, context

    def request(self, resources: Resources) -> Resources:
        """What a task with the study's ``resources`` asks of this cluster: no GPUs when
        they are not used, and no more than the largest node has (else it could never run)."""
        if not self.use_gpus:
            resources = resources.without_gpus()
        if self._largest is None:
            return resources
        return Resources(
            cpus=min(resources.cpus, self._largest.cpus),
            gpus=min(resources.gpus, self._largest.gpus),
        )

    def run(self, task, cells, resources=None):
        ray = self.ray
        self.connect()
        from ...training import TrainingInterrupted

        remote = ray.remote(_ray_cell)
        shared = ray.put(task)  # stored once, not pickled into each of hundreds of tasks
        refs = {}
        for cell in cells:
            request = self.request(resources(cell) if resources is not None else Resources())
            options = {
                "num_cpus": request.cpus,
                "num_gpus": request.gpus,
                "max_retries": self.max_retries,
                # a training stopped by SIGTERM/SIGUSR1 checkpointed: run it again
                "retry_exceptions": [TrainingInterrupted],
                "name": f"mixmiss:{cell.id}",
            }
            if request.gpus:
                options["max_calls"] = 1
            threads = max(1, math.floor(request.cpus))
            ref = remote.options(**options).remote(shared, cell, threads, request.device)
            refs[ref] = cell
        pending = list(refs)
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    yield refs[ref], _outcome(ray, ref, refs[ref])
        finally:
            for ref in pending:  # the driver stopped (Ctrl-C, an error): stop the rest
                ray.cancel(ref, force=True)


def _ray_cell(task: CellTask, cell: Cell, threads: int, device: str):
    """A Ray task: one cell on ``threads`` torch threads and ``device``."""
    with torch_threads(threads):
        return task(cell, device=device)


def _outcome(ray, ref, cell: Cell):
    """The record a finished task returned, or a failure when it did not come back."""
    from ..cells import CellFailure

    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:  # raised even after the retries
        cause = exc.cause if isinstance(exc.cause, BaseException) else exc
        return CellFailure(cell.id, f"{type(cause).__name__}: {_first_line(cause)}", str(exc))
    except ray.exceptions.RayError as exc:  # the worker or its node died on every try
        return CellFailure(cell.id, f"{type(exc).__name__}: {_first_line(exc)}", str(exc))


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def _describe(resources: dict) -> str:
    keys = ("CPU", "GPU")
    return ", ".join(f"{resources.get(k, 0):g} {k}" for k in keys)


def check_reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Fail clearly, within ``timeout`` seconds, when nothing listens at ``HOST:PORT``.

    ``ray.init`` itself retries an unreachable address for minutes.
    """
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit():
        raise ExecutorError(
            f"--ray-address {address!r} must be 'auto' or HOST:PORT, the address that "
            "`ray start --head` printed on the head node."
        )
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ExecutorError(
            f"cannot reach the Ray cluster at {address} ({reason}); start it with "
            f"`ray start --head --port={port}` on {host} or fix --ray-address."
        ) from None


def check_nodes_can_write(ray, out: Path, timeout: float = 300.0) -> None:
    """Check that ``out`` is writable here and, from every node, is the same directory.

    The driver writes a probe file into ``out``; a task pinned to each alive
    node must find it and write its own file there. So a node that mounts
    another (or no) filesystem at that path is found before any training.
    """
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    from ...atomic import atomic_write_text

    out = paths.ensure_writable_dir(out, "output directory", "--out")
    probe = out / f".mixmiss-probe-{uuid.uuid4().hex}"
    atomic_write_text(probe, "written by the driver\n")
    try:
        check = ray.remote(node_can_write)
        refs = [
            check.options(
                num_cpus=0,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(str(out), probe.name)
            for node in ray.nodes()
            if node.get("Alive")
        ]
        try:
            problems = [p for p in ray.get(refs, timeout=timeout) if p]
        except ray.exceptions.GetTimeoutError:
            raise CacheError(
                f"the Ray nodes did not answer within {timeout:g} s whether they can write "
                f"--out {out}; check the cluster with `ray status`."
            ) from None
    finally:
        probe.unlink(missing_ok=True)
    if problems:
        raise CacheError(
            f"the Ray workers cannot use --out {out}: {'; '.join(problems)}. Put --out on a "
            "filesystem that every node mounts at the same path and can write (NFS, Lustre, ...)."
        )


def node_can_write(out: str, probe: str) -> str | None:
    """Run on one node: None when ``out`` holds the driver's ``probe`` file and is
    writable there, else what is wrong (with the node's host name)."""
    host = socket.gethostname()
    directory = Path(out)
    if not (directory / probe).is_file():
        return f"on {host} it does not hold the driver's files (not a shared filesystem?)"
    try:
        (directory / f"{probe}.{host}.{os.getpid()}").write_text("")
        (directory / f"{probe}.{host}.{os.getpid()}").unlink()
    except OSError as exc:
        return f"on {host} it is not writable ({exc.strerror or exc})"
    return None
