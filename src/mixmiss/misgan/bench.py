"""``mixmiss bench misgan``: seconds per MisGAN training epoch on MNIST, and where they go.

Times :data:`TIMED_STEPS` training steps (critic steps, with a generator step
every 5th) of the paper configuration on 50,000 MNIST training images with
I.M. 0.6 masks, after :data:`WARMUP_STEPS` untimed ones, and extrapolates to
an epoch of 50,000 // 64 = 781 steps. The share of each part of the step
(sampling the critics' inputs, the three critics, the generator step) comes
from timers around each part in the same run; on CUDA each timer
synchronises the device, which the training loop itself never does.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections import defaultdict

import torch

from ..benchmarking import (
    _sync,
    count_flops,
    precision_peaks,
    precision_section,
    timed_precisions,
)
from ..data import load_dataset, make_mask
from ..device import resolve_device
from ..precision import check_precision, resolve_precision
from ..rng import make_generator
from .imputer import MisGANImputer
from .training import MisGANTrainer

WARMUP_STEPS = 10
TIMED_STEPS = 200  # a multiple of n_critic = 5, so generator steps are counted fairly
N_TRAIN = 50_000


def _time_steps(x, m, device, precision) -> tuple[float, dict[str, float]]:
    """Seconds of :data:`TIMED_STEPS` steps at ``precision`` and of each part of them."""
    model = MisGANImputer(random_state=0, device=str(device))
    nets = model.build_networks(0, device)
    seconds: dict[str, float] = defaultdict(float)
    timing = {"on": False}

    @contextlib.contextmanager
    def section(name: str):
        if not timing["on"]:
            yield
            return
        _sync(device)
        start = time.perf_counter()
        yield
        _sync(device)
        seconds[name] += time.perf_counter() - start

    hp = model.hyperparameters()
    trainer = MisGANTrainer(nets, hp, make_generator(1, device), section, precision)
    order = torch.randperm(x.shape[0], generator=make_generator(2)).to(device)
    batch = model.batch_size

    def step(i: int) -> None:
        idx = order[i * batch : (i + 1) * batch]
        trainer.train_step(x[idx], m[idx])

    for i in range(WARMUP_STEPS):
        step(i)
    trainer.critic_steps = 0
    timing["on"] = True
    _sync(device)
    start = time.perf_counter()
    for i in range(WARMUP_STEPS, WARMUP_STEPS + TIMED_STEPS):
        step(i)
    _sync(device)
    return time.perf_counter() - start, dict(seconds)


def flops_per_step(x, m, device) -> float:
    """FLOPs of a training step, averaged over one cycle of ``n_critic`` steps (critics
    every step, generators once), counted with ``torch.utils.flop_counter``."""
    model = MisGANImputer(random_state=0, device=str(device))
    hp = model.hyperparameters()
    trainer = MisGANTrainer(model.build_networks(0, device), hp, make_generator(1, device))

    def cycle():
        for _ in range(hp.n_critic):
            trainer.train_step(x[: hp.batch_size], m[: hp.batch_size])

    return count_flops(cycle) / hp.n_critic


def run_bench(args: argparse.Namespace) -> dict:
    """Measure one configuration; returns the JSON report (see the module docstring)."""
    device = resolve_device(getattr(args, "device", "cpu"))
    precision = check_precision(getattr(args, "precision", None) or "auto")
    resolved = resolve_precision(precision, device)
    start_run = time.perf_counter()
    train = load_dataset("mnist", "train", getattr(args, "data_dir", None), limit=N_TRAIN)
    mask = make_mask("im", len(train), train.image_shape, 0.6, make_generator(0))
    x, m = (train.images * mask).to(device), mask.to(device)

    peaks = precision_peaks(device)
    timed, skipped = timed_precisions(device, precision)
    runs = {resolved: _time_steps(x, m, device, resolved)}
    for other in timed:
        if other not in runs:
            runs[other] = _time_steps(x, m, device, other)
    total, seconds = runs[resolved]

    steps_per_epoch = len(train) // MisGANImputer().batch_size
    seconds_per_step = total / TIMED_STEPS
    parts = {name.replace(" ", "_"): value for name, value in seconds.items()}
    parts["other"] = max(total - sum(seconds.values()), 0.0)
    per_epoch = {
        name: None if name not in runs else {"paper": runs[name][0] / TIMED_STEPS * steps_per_epoch}
        for name in ("fp32", "bf16")
    }
    gflop_per_epoch = flops_per_step(x, m, device) * steps_per_epoch / 1e9
    section = precision_section(
        device, precision, per_epoch, peaks, gflop={"paper": gflop_per_epoch}, skipped=skipped
    )
    return {
        "seconds_per_epoch": seconds_per_step * steps_per_epoch,
        "seconds_per_step": seconds_per_step,
        "steps_per_epoch": steps_per_epoch,
        "timed_steps": TIMED_STEPS,
        "share": {name: value / total for name, value in sorted(parts.items())},
        "paper_500_epochs_hours": 500 * seconds_per_step * steps_per_epoch / 3600.0,
        "precision": section,
        "gflop_per_epoch": gflop_per_epoch,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "config": "paper (batch 64, n_critic 5, width 64, imputer 784-784-784), MNIST I.M. 0.6",
        "wall_seconds": time.perf_counter() - start_run,
    }
