"""Snapshots of the EMA generator every N steps: where, what, and across a resume."""

import json
import os
import signal

import pytest
import torch

from mixmiss.atomic import atomic_torch_save, load_checkpoint
from mixmiss.errors import CacheError, InputError
from mixmiss.mmgan import TrainingInterrupted, load_model, resume_training, train
from mixmiss.mmgan.snapshots import (
    load_snapshot,
    snapshot_path,
    snapshot_steps,
)

from .conftest import smoke_config


class Crash(Exception):
    pass


def _crash_at(step):
    def on_step(done):
        if done == step:
            raise Crash

    return on_step


@pytest.fixture(scope="module")
def snapshot_run(tmp_path_factory):
    """A smoke run (6 steps, checkpoint every 3) with a snapshot every 2 steps."""
    out = tmp_path_factory.mktemp("snap") / "run"
    train(smoke_config(), out, progress=False, snapshot_every=2)
    return out


def _ema(run_dir, step):
    return load_checkpoint(snapshot_path(run_dir, step))["generator_ema"]


def test_snapshots_hold_the_ema_generator_every_n_steps(snapshot_run):
    assert snapshot_steps(snapshot_run) == [2, 4, 6]
    assert json.loads((snapshot_run / "config.json").read_text())["snapshot_every"] == 2
    final, _, _ = load_model(snapshot_run)
    last = load_snapshot(snapshot_run, 6)
    for key, value in final.generator_ema.state_dict().items():
        assert torch.equal(last.generator_ema.state_dict()[key], value)
    assert torch.equal(last.omega, final.omega)
    early = _ema(snapshot_run, 2)
    assert any(not torch.equal(early[k], v) for k, v in _ema(snapshot_run, 6).items())


def test_a_run_without_snapshot_every_keeps_none(digits_run):
    assert snapshot_steps(digits_run) == []
    with pytest.raises(CacheError, match="holds no snapshot of step 2"):
        load_snapshot(digits_run, 2)


def test_a_resume_replaces_the_snapshots_after_its_checkpoint(tmp_path, snapshot_run):
    out = tmp_path / "crashed"
    with pytest.raises(Crash):
        train(smoke_config(), out, progress=False, snapshot_every=2, on_step=_crash_at(5))
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3
    assert snapshot_steps(out) == [2, 4]  # step 4's was written after the checkpoint
    stale = load_checkpoint(snapshot_path(out, 4))
    stale["generator_ema"] = {k: v + 1 for k, v in stale["generator_ema"].items()}
    atomic_torch_save(snapshot_path(out, 4), stale)
    (out / "snapshots" / ".step-0000006.pt.x.tmp").write_bytes(b"torn")

    resume_training(out, progress=False, snapshot_every=2)
    assert snapshot_steps(out) == [2, 4, 6]
    assert not list((out / "snapshots").glob(".*.tmp"))
    for step in (2, 4, 6):
        for key, value in _ema(snapshot_run, step).items():
            assert torch.equal(_ema(out, step)[key], value), (step, key)


def test_a_snapshot_of_another_run_is_refused(tmp_path, snapshot_run):
    out = tmp_path / "other"
    train(smoke_config(seed=1, iters=2), out, progress=False)
    (out / "snapshots").mkdir()
    (out / "snapshots" / "step-0000002.pt").write_bytes(snapshot_path(snapshot_run, 2).read_bytes())
    with pytest.raises(CacheError, match="written by another run"):
        load_snapshot(out, 2)


@pytest.mark.parametrize("every", [0, -2, 1.5, True])
def test_a_bad_snapshot_period_is_a_clear_error(tmp_path, every):
    with pytest.raises(InputError, match="snapshot_every must be a positive number of steps"):
        train(smoke_config(), tmp_path / "run", progress=False, snapshot_every=every)
    assert not (tmp_path / "run").exists()


def test_a_resume_keeps_the_runs_snapshot_period_unless_given_another(tmp_path):
    out = tmp_path / "crashed"
    with pytest.raises(Crash):
        train(smoke_config(), out, progress=False, snapshot_every=2, on_step=_crash_at(5))
    resume_training(out, progress=False)  # `mmgan train --resume` without --snapshot-every
    assert snapshot_steps(out) == [2, 4, 6]
    assert json.loads((out / "config.json").read_text())["snapshot_every"] == 2
    resume_training(out, iters=9, progress=False, snapshot_every=3)
    assert snapshot_steps(out) == [2, 4, 6, 9]
    assert json.loads((out / "config.json").read_text())["snapshot_every"] == 3


def test_the_resume_command_of_an_interrupted_run_keeps_its_snapshots(tmp_path):
    def interrupt(done):
        if done == 2:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted, match="--resume --snapshot-every 2`"):
        train(smoke_config(), tmp_path / "run", progress=False, snapshot_every=2,
              on_step=interrupt)  # fmt: skip
