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

from ..benchmarking import _sync
from ..data import load_dataset, make_mask
from ..device import resolve_device
from ..rng import make_generator
from .imputer import MisGANImputer
from .training import MisGANTrainer

WARMUP_STEPS = 10
TIMED_STEPS = 200  # a multiple of n_critic = 5, so generator steps are counted fairly
N_TRAIN = 50_000


def run_bench(args: argparse.Namespace) -> dict:
    """Measure one configuration; returns the JSON report (see the module docstring)."""
    device = resolve_device(getattr(args, "device", "cpu"))
    train = load_dataset("mnist", "train", getattr(args, "data_dir", None), limit=N_TRAIN)
    mask = make_mask("im", len(train), train.image_shape, 0.6, make_generator(0))
    x, m = (train.images * mask).to(device), mask.to(device)

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

    trainer = MisGANTrainer(nets, model.hyperparameters(), make_generator(1, device), section)
    order = torch.randperm(len(train), generator=make_generator(2)).to(device)
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
    total = time.perf_counter() - start

    steps_per_epoch = len(train) // batch
    seconds_per_step = total / TIMED_STEPS
    parts = {name.replace(" ", "_"): value for name, value in seconds.items()}
    parts["other"] = max(total - sum(seconds.values()), 0.0)
    return {
        "seconds_per_epoch": seconds_per_step * steps_per_epoch,
        "seconds_per_step": seconds_per_step,
        "steps_per_epoch": steps_per_epoch,
        "timed_steps": TIMED_STEPS,
        "share": {name: value / total for name, value in sorted(parts.items())},
        "paper_500_epochs_hours": 500 * seconds_per_step * steps_per_epoch / 3600.0,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "torch_version": torch.__version__,
        "config": "paper (batch 64, n_critic 5, width 64, imputer 784-784-784), MNIST I.M. 0.6",
    }
