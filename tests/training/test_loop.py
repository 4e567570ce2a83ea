"""The shared step loop: periodic checkpoints, interrupts, resume, training time."""

from __future__ import annotations

import os
import signal

import pytest

from mixmiss.training import Checkpoint, TrainingInterrupted, TrainingLoop, in_epochs


class Counter:
    """A trainer whose state is the list of steps it ran."""

    def __init__(self):
        self.done: list[int] = []

    def step(self, index):
        self.done.append(index)
        return {"last": index}

    def state(self):
        return {"done": list(self.done)}


def _loop(trainer, path, total=10, **kwargs):
    checkpoint = None if path is None else Checkpoint(path, {"total": "any"})
    return TrainingLoop(total, trainer.state, checkpoint, progress=False, **kwargs)


def test_checkpoints_every_n_steps_and_at_the_end(tmp_path, monkeypatch):
    trainer, saves = Counter(), []
    loop = _loop(trainer, tmp_path / "c.pt", total=7, every_steps=3)
    real_save = loop.save
    monkeypatch.setattr(loop, "save", lambda: (saves.append(loop.step), real_save()))
    loop.run(trainer.step)
    assert trainer.done == list(range(7)) and saves == [3, 6, 7]
    state = loop.checkpoint.load()
    assert state["step"] == 7 and state["done"] == list(range(7))
    assert state["train_seconds"] == loop.seconds > 0


def test_an_interrupt_checkpoints_the_position_and_resume_continues(tmp_path):
    trainer = Counter()
    loop = _loop(trainer, tmp_path / "c.pt")

    def step(index):
        trainer.step(index)
        if index == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(TrainingInterrupted, match="SIGTERM at step 4/10"):
        loop.run(step)
    first_stretch = loop.seconds

    again = Counter()
    resumed = _loop(again, tmp_path / "c.pt")
    state = resumed.resume()
    assert resumed.step == 4 and state["done"] == [0, 1, 2, 3]
    assert resumed.seconds == first_stretch
    resumed.run(again.step)
    assert again.done == [4, 5, 6, 7, 8, 9]
    assert resumed.seconds > first_stretch  # the stretches add up


def test_resume_without_a_checkpoint_starts_at_zero(tmp_path):
    assert _loop(Counter(), tmp_path / "none.pt").resume() is None
    assert _loop(Counter(), None).resume() is None


def test_without_a_checkpoint_an_interrupt_says_it_cannot_resume():
    loop = _loop(Counter(), None, total=3)

    def step(index):
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted, match="cannot be resumed"):
        loop.run(step)


def test_a_timer_checkpoints_inside_long_stretches(tmp_path, monkeypatch):
    trainer, saves = Counter(), []
    loop = _loop(trainer, tmp_path / "c.pt", total=4, every_seconds=0.0)
    monkeypatch.setattr(loop, "save", lambda: saves.append(loop.step))
    loop.run(trainer.step)
    assert saves == [1, 2, 3, 4]


def test_in_epochs_names_the_position_one_based():
    describe = in_epochs(4, "batch")
    assert describe(1) == "epoch 1, batch 1/4"
    assert describe(4) == "epoch 1, batch 4/4"
    assert describe(5) == "epoch 2, batch 1/4"
