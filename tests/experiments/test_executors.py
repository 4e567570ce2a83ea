"""The executors: a real Ray started in this process (loopback only), and the errors of each.

The Ray tests share one session (module fixture, ~10 s to start) and run in
one pytest-xdist group. Ray binds its servers to the node's IP address; with
``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` it takes the loopback address, so
nothing listens beyond this machine.
"""

from __future__ import annotations

import _socket
import functools
import json
import os
import signal
import socket
import sys
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.errors import CacheError, ExecutorError, InputError
from mixmiss.experiments import executors
from mixmiss.experiments.cells import Cell, CellsFailed, run_cells
from mixmiss.experiments.executors import (
    LocalExecutor,
    RayExecutor,
    Resources,
    make_executor,
    node_can_write,
)
from mixmiss.training import TrainingInterrupted

try:
    import ray
except ImportError:  # the tests of the errors still run
    ray = None


def needs_ray(test):
    """Mark a test as needing Ray (skipped without it) and keep it in the Ray xdist group."""
    test = pytest.mark.ray(test)
    test = pytest.mark.xdist_group("ray")(test)
    reason = "ray is not installed: pip install 'mixmiss[ray]' (make test does)"
    return pytest.mark.skipif(ray is None, reason=reason)(test)


@pytest.fixture(scope="module")
def ray_session():
    """One Ray session for the module: 2 CPUs, no dashboard, bound to 127.0.0.1."""
    with pytest.MonkeyPatch.context() as patch:
        # Ray's processes read it at start; the driver read it when ray was imported
        patch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        patch.setattr(ray._private.ray_constants, "ENABLE_RAY_CLUSTER", False)
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        # the test functions are sent to the workers by value, not as an import of this file
        ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
        try:
            yield ray
        finally:
            ray.cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            ray.shutdown()


def square(params: dict, device: str | None = None) -> dict:
    if params["x"] == 3:
        raise ValueError(f"cannot square {params['x']}\nsecond line of the message")
    return {"value": params["x"] ** 2, "device": device}


def _cells(n: int = 5) -> list[Cell]:
    return [Cell(f"x={x}", {"x": x}) for x in range(n)]


# -- Ray ---------------------------------------------------------------------------------


def check_a_failing_cell_is_reported_and_the_others_finish(executor, tmp_path):
    with pytest.raises(CellsFailed) as info:
        run_cells(_cells(), square, tmp_path, progress=False, executor=executor)
    message = str(info.value)
    assert "1 of 5 cells failed: x=3 (ValueError: cannot square 3)" in message
    assert "\n" not in message
    assert [f.cell_id for f in info.value.failures] == ["x=3"]
    assert "second line" in (tmp_path / "failed" / "x=3.txt").read_text()  # the traceback
    assert sorted(p.name for p in (tmp_path / "cells").iterdir()) == [
        "x=0.json", "x=1.json", "x=2.json", "x=4.json"
    ]  # fmt: skip
    records = {r["id"]: r for r in info.value.records.values()}
    assert records["x=4"]["metrics"]["value"] == 16
    # on Ray the device comes from the task's resources; locally the cell function decides
    expected = "cpu" if isinstance(executor, RayExecutor) else None
    assert records["x=4"]["metrics"]["device"] == expected

    # fixed: a rerun computes only the failed cell
    calls = []

    def fixed(params, device=None):
        calls.append(params["x"])
        return {"value": params["x"] ** 2}

    records = run_cells(_cells(), fixed, tmp_path, progress=False, executor=LocalExecutor())
    assert calls == [3] and records[3]["metrics"]["value"] == 9
    assert not (tmp_path / "failed" / "x=3.txt").exists()


@needs_ray
def test_a_failing_cell_on_ray_is_reported_and_the_others_finish(ray_session, tmp_path):
    check_a_failing_cell_is_reported_and_the_others_finish(RayExecutor(), tmp_path)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_local_cell_is_reported_and_the_others_finish(workers, tmp_path):
    check_a_failing_cell_is_reported_and_the_others_finish(LocalExecutor(workers), tmp_path)


def interrupted(params: dict) -> dict:
    raise TrainingInterrupted("SIGINT", "step 1", None)


def test_an_interrupted_training_stops_a_local_study(tmp_path):
    """Ctrl-C is not a failure of the cell: the study stops at once (and says how to resume)."""
    with pytest.raises(TrainingInterrupted):
        run_cells(_cells(2), interrupted, tmp_path, progress=False)
    assert not (tmp_path / "failed").exists()


def _fail_case_b(params: dict, **kwargs) -> dict:
    from mixmiss.experiments.table2 import run_table2_cell

    if params["case"] == "B":
        raise RuntimeError(f"case B broke on {params['dataset']}")
    return run_table2_cell(params, **kwargs)


def test_a_study_with_failed_cells_exits_2_naming_them(tmp_path, digits_cache, monkeypatch, capsys):
    """The CLI: the other cells finish and are reported; one line names every failed cell."""
    from mixmiss.experiments.table2 import study as table2_study

    monkeypatch.setattr(table2_study, "run_table2_cell", _fail_case_b)
    argv = ["reproduce", "table2", "--preset", "smoke", "--out", str(tmp_path), "--device",
            "cpu", "--cache-dir", str(digits_cache), "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mixmiss: error: 2 of 6 cells failed: smoke-digits-B-fixed-seed0 ")
    assert "smoke-digits-B-learned-seed0 (RuntimeError: case B broke on digits)" in err[-1]
    assert len(list((tmp_path / "cells").iterdir())) == 4
    report = (tmp_path / "table2.md").read_text()  # written from the finished cells
    assert "## Pending cells" in report and "smoke-digits-B-fixed-seed0" in report


@needs_ray
def test_ray_binds_to_loopback_only(ray_session):
    assert ray_session.get_runtime_context().gcs_address.startswith("127.0.0.1:")
    assert [node["NodeManagerAddress"] for node in ray_session.nodes()] == ["127.0.0.1"]


def _die_once_after_first_checkpoint(params: dict, marker: str, **kwargs) -> dict:
    """``run_table2_cell``, except that the worker of one cell is killed (SIGKILL) right
    after its training writes its first checkpoint, once (``marker`` records it)."""
    from mixmiss.experiments.table2 import run_table2_cell
    from mixmiss.training.checkpoint import Checkpoint

    if (params["case"], params["mode"]) == ("A", "fixed") and not os.path.exists(marker):
        real_save = Checkpoint.save

        def save_then_die(self, *args, **kw):
            real_save(self, *args, **kw)
            Path(marker).write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)

        Checkpoint.save = save_then_die  # in this worker process, which dies with it
    return run_table2_cell(params, **kwargs)


@pytest.fixture(scope="module")
def digits_cache(tmp_path_factory):
    """A cache holding a tiny digits evaluator (3 epochs)."""
    from mixmiss.evaluators import train_evaluator

    cache = tmp_path_factory.mktemp("evaluators")
    train_evaluator("digits", cache_dir=cache, epochs=3, progress=False)
    return cache


_TIMINGS = ("train_seconds", "eval_seconds", "started_at_step")


@needs_ray
def test_a_killed_worker_is_retried_and_resumes_from_its_checkpoint(
    ray_session, tmp_path, digits_cache, monkeypatch
):
    """Table 2's smoke study (digits, 6 cells of 6 iterations) on Ray, the worker of one
    cell SIGKILLed after its checkpoint at step 3: Ray retries the cell, which resumes at
    step 3 and ends at step 6 with the same metrics as the uninterrupted local study."""
    from threadpoolctl import threadpool_limits

    from mixmiss.experiments.table2 import reproduce_table2
    from mixmiss.experiments.table2 import study as table2_study

    context = Context(cache_dir=digits_cache, device="cpu", progress=False)
    local = tmp_path / "local"
    with threadpool_limits(1):  # as in the Ray workers
        reproduce_table2("smoke", local, context=context)

    marker = tmp_path / "killed.pid"
    dying = functools.partial(_die_once_after_first_checkpoint, marker=str(marker))
    monkeypatch.setattr(table2_study, "run_table2_cell", dying)
    on_ray = tmp_path / "ray"
    paths = reproduce_table2("smoke", on_ray, context=context, executor=RayExecutor())
    assert marker.is_file() and int(marker.read_text()) != os.getpid()  # a worker was killed
    assert paths["markdown"].is_file()

    killed = json.loads((on_ray / "cells" / "smoke-digits-A-fixed-seed0.json").read_text())
    assert killed["metrics"]["started_at_step"] == 3  # resumed from the checkpoint
    assert killed["metrics"]["step"] == 6  # and finished its 6 iterations
    for path in sorted((local / "cells").iterdir()):
        ours = json.loads((on_ray / "cells" / path.name).read_text())["metrics"]
        theirs = json.loads(path.read_text())["metrics"]
        for key in _TIMINGS:
            ours.pop(key), theirs.pop(key)
        assert ours == theirs, path.name


@pytest.mark.real_data
@needs_ray
def test_table1_cells_on_ray_equal_the_local_ones(
    ray_session, tmp_path, mnist_dir, small_mnist_evaluator, monkeypatch
):
    """A subset of Table 1's smoke study (I.M. at rate 0.3: one cell per method, all five
    methods) through Ray and through the local executor: the same metrics."""
    from threadpoolctl import threadpool_limits

    from mixmiss.experiments.table1 import reproduce_table1
    from mixmiss.experiments.table1 import study as table1_study

    real_get_preset = table1_study.get_preset
    monkeypatch.setattr(
        table1_study,
        "get_preset",
        lambda *args, **kwargs: replace(
            real_get_preset(*args, **kwargs), mechanisms=("im",), rates=(0.3,)
        ),
    )
    context = Context(data_dir=mnist_dir, device="cpu", progress=False)
    local = tmp_path / "local"
    previous = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the Ray tasks, which hold one CPU each
    try:
        with threadpool_limits(1):
            reproduce_table1("smoke", local, context=context)
    finally:
        torch.set_num_threads(previous)
    on_ray = tmp_path / "ray"
    reproduce_table1("smoke", on_ray, context=context, executor=RayExecutor())

    names = sorted(p.name for p in (local / "cells").iterdir())
    assert len(names) == 5 and names == sorted(p.name for p in (on_ray / "cells").iterdir())
    for name in names:
        ours = json.loads((on_ray / "cells" / name).read_text())
        theirs = json.loads((local / "cells" / name).read_text())
        assert ours["params"] == theirs["params"]
        for metrics in (ours["metrics"], theirs["metrics"]):
            metrics.pop("train_seconds")
            for evaluation in metrics["evals"]:
                evaluation.pop("eval_seconds")
        assert ours["metrics"] == theirs["metrics"], name


@needs_ray
def test_every_node_checks_it_can_write_out(ray_session, tmp_path, monkeypatch):
    executor = RayExecutor()
    out, context = executor.prepare(tmp_path / "study", Context(cache_dir=tmp_path / "c"))
    assert out.is_absolute() and out.is_dir() and not list(out.iterdir())  # probes removed
    assert Path(context.cache_dir).is_absolute() and Path(context.data_dir).is_absolute()

    # a worker that does not see the driver's probe file (another filesystem)
    lost = ray_session.get(ray_session.remote(node_can_write).remote(str(tmp_path), "absent"))
    assert "does not hold the driver's files" in lost

    def cannot_write(out, probe):
        return "on node-7 it is not writable (Permission denied)"

    monkeypatch.setattr(executors.ray_cluster, "node_can_write", cannot_write)
    with pytest.raises(CacheError, match="Permission denied") as info:
        executor.prepare(tmp_path / "study", Context())
    assert "\n" not in str(info.value) and "every node mounts" in str(info.value)


@needs_ray
def test_resources_follow_the_device_and_the_cluster(ray_session, tmp_path):
    executor = RayExecutor()
    executor.prepare(tmp_path, Context(device="auto"))  # this cluster has 2 CPUs, no GPU
    assert executor.request(Resources(4, 0.25)) == Resources(2, 0)
    with pytest.raises(ExecutorError, match="no GPUs"):
        executor.prepare(tmp_path, Context(device="cuda"))


# -- errors, with or without Ray --------------------------------------------------------


def test_a_missing_ray_extra_is_one_line_saying_what_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    argv = ["reproduce", "table2", "--preset", "smoke", "--out", str(tmp_path), "--executor",
            "ray"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("mixmiss: error: --executor ray needs Ray")
    assert "pip install 'mixmiss[ray]'" in err and "\n" not in err
    assert not (tmp_path / "cells").exists()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_ray_address_fails_fast_in_one_line(tmp_path, monkeypatch, capsys):
    real_connect = _socket.socket.connect  # under the suite's guard, which refuses them all

    def loopback_only(sock, address):
        assert address[0] == "127.0.0.1", address
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", loopback_only)
    if ray is None:
        pytest.skip("ray is not installed")
    address = f"127.0.0.1:{_closed_port()}"
    argv = ["reproduce", "table2", "--preset", "smoke", "--out", str(tmp_path), "--executor",
            "ray", "--ray-address", address]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"mixmiss: error: cannot reach the Ray cluster at {address}")
    assert "ray start --head" in err and "\n" not in err


def test_no_cluster_for_auto_is_one_line(monkeypatch):
    if ray is None:
        pytest.skip("ray is not installed")
    executor = RayExecutor("auto")

    def no_cluster(**kwargs):
        raise ConnectionError("Could not find any running Ray instance.")

    monkeypatch.setattr(
        executor, "ray", SimpleNamespace(is_initialized=lambda: False, init=no_cluster)
    )
    with pytest.raises(
        ExecutorError, match="cannot connect to a Ray cluster at --ray-address auto"
    ):
        executor.connect()


def test_a_malformed_ray_address_is_refused():
    with pytest.raises(ExecutorError, match="must be 'auto' or HOST:PORT"):
        executors.check_reachable("head-node")


def test_an_out_the_driver_cannot_write_is_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    if ray is None:
        pytest.skip("ray is not installed")
    executor = RayExecutor()
    with pytest.raises(CacheError, match="not writable") as info:
        executors.check_nodes_can_write(executor.ray, blocker / "study")
    assert "--out" in str(info.value) and "\n" not in str(info.value)


def test_node_can_write_names_what_is_wrong(tmp_path):
    assert "does not hold the driver's files" in node_can_write(str(tmp_path), "probe")
    (tmp_path / "probe").write_text("")
    assert node_can_write(str(tmp_path), "probe") is None
    assert not [p for p in tmp_path.iterdir() if p.name != "probe"]  # its own file removed


def test_executor_options_that_do_not_belong_are_refused():
    with pytest.raises(InputError, match="--ray-address needs --executor ray"):
        make_executor("local", address="auto")
    with pytest.raises(InputError, match="--workers is for --executor local"):
        make_executor("ray", workers=4)
    with pytest.raises(InputError, match="workers"):
        make_executor("local", workers=0)
    with pytest.raises(InputError, match="unknown executor"):
        make_executor("slurm")
    assert isinstance(make_executor("local", workers=2), LocalExecutor)


def test_resources():
    assert Resources(2, 0.25).describe() == "2 CPU + 0.25 GPU"
    assert Resources(2, 0.25).device == "cuda" and Resources(1).device == "cpu"
    assert Resources(2, 0.5).without_gpus() == Resources(2, 0)
    with pytest.raises(InputError):
        Resources(-1)
    with pytest.raises(InputError, match="fraction"):
        Resources(1, 1.5)
