"""The step loop every trainer runs: progress, periodic checkpoints, interrupts, resume.

:class:`TrainingLoop` calls the model's step function once per step and
around it does only what every trainer needs: a tqdm bar, a checkpoint every
``every_steps`` steps, every ``every_seconds`` seconds and at the end, a
checkpoint followed by :class:`~.interrupt.TrainingInterrupted` when a stop
signal arrives, and the training time summed over every stretch of a
resumed run. What a step does and what a checkpoint holds (weights,
optimisers, RNG states, position inside an epoch) belong to the trainer:
``step_fn(step)`` performs step ``step`` (0-based) and may return a dict for
the progress bar, ``save_state()`` returns the trainer's part of a
checkpoint. The loop adds ``step`` and ``train_seconds``.

A trainer whose steps come in epochs derives the epoch and the position in
it from the global step (``divmod(step, steps_per_epoch)``), so one counter
is all the loop and its checkpoints need.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
from tqdm.auto import tqdm

from .checkpoint import Checkpoint
from .interrupt import TrainingInterrupted, stop_requests

StepFn = Callable[[int], "dict[str, Any] | None"]


def in_epochs(steps_per_epoch: int, unit: str = "step") -> Callable[[int], str]:
    """A ``describe`` for trainers with epochs: steps done -> ``"epoch 2, batch 1/4"``
    (1-based: the first batch of the second epoch is done)."""

    def describe(done: int) -> str:
        epoch, position = divmod(done - 1, steps_per_epoch)
        return f"epoch {epoch + 1}, {unit} {position + 1}/{steps_per_epoch}"

    return describe


class TrainingLoop:
    """Run ``total`` steps of a trainer (see the module docstring).

    Parameters
    ----------
    total : int
        Steps of the whole run (a resumed run continues towards it).
    save_state : callable
        Returns the trainer's part of a checkpoint (a ``weights_only``-loadable dict).
    checkpoint : Checkpoint or None
        Where checkpoints go; None trains without (an interrupt then cannot be resumed).
    every_steps, every_seconds : int, float, optional
        Checkpoint after every this many steps / wall-clock seconds of training.
    describe : callable, optional
        ``describe(step)`` names a position for messages (default ``"step s/total"``).
    desc, unit : str
        The progress bar's label and unit.
    progress : bool
        Show the progress bar.

    Attributes
    ----------
    step : int
        Steps done (restored by :meth:`resume`).
    seconds : float
        Training seconds over every stretch of the run, this one included.
    """

    def __init__(
        self,
        total: int,
        save_state: Callable[[], dict[str, Any]],
        checkpoint: Checkpoint | None = None,
        *,
        every_steps: int | None = None,
        every_seconds: float | None = None,
        describe: Callable[[int], str] | None = None,
        desc: str = "train",
        unit: str = "step",
        progress: bool = True,
    ):
        self.total = int(total)
        self.save_state = save_state
        self.checkpoint = checkpoint
        self.every_steps = every_steps
        self.every_seconds = every_seconds
        self.describe = describe or (lambda step: f"step {step}/{self.total}")
        self.desc, self.unit, self.progress = desc, unit, progress
        self.step = 0
        self.seconds = 0.0
        self._stretch_start: float | None = None

    def resume(self, map_location: str | torch.device = "cpu") -> dict[str, Any] | None:
        """The stored state when there is a checkpoint to continue (position restored), else None."""
        if self.checkpoint is None or not self.checkpoint.exists():
            return None
        state = self.checkpoint.load(map_location)
        self.step = int(state["step"])
        self.seconds = float(state.get("train_seconds", 0.0))
        return state

    @property
    def stretch_seconds(self) -> float:
        """Seconds since this stretch of training started (0 before :meth:`run`)."""
        return 0.0 if self._stretch_start is None else time.perf_counter() - self._stretch_start

    def save(self) -> None:
        """Write a checkpoint of the current position (nothing without a checkpoint)."""
        if self.checkpoint is not None:
            self.checkpoint.save(
                {**self.save_state(), "step": self.step, "train_seconds": self.seconds}
            )

    def run(self, step_fn: StepFn) -> None:
        """Run the remaining steps; raise :class:`TrainingInterrupted` on a stop signal."""
        base = self.seconds
        self._stretch_start = time.perf_counter()
        saved_at = time.monotonic()
        bar = tqdm(
            total=self.total,
            initial=self.step,
            desc=self.desc,
            unit=self.unit,
            disable=not self.progress,
        )
        with stop_requests() as stop, bar:
            while self.step < self.total:
                postfix = step_fn(self.step)
                self.step += 1
                self.seconds = base + self.stretch_seconds
                bar.update()
                if postfix:
                    bar.set_postfix(postfix)
                if stop.requested:
                    self.save()
                    path = None if self.checkpoint is None else self.checkpoint.path
                    raise TrainingInterrupted(stop.signal_name, self.describe(self.step), path)
                due = self.step == self.total
                due |= bool(self.every_steps) and self.step % self.every_steps == 0
                due |= self.every_seconds is not None and (
                    time.monotonic() - saved_at >= self.every_seconds
                )
                if due:
                    self.save()
                    saved_at = time.monotonic()
