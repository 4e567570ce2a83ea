"""``mixmiss bench mmgan``: the speed of one MMGAN training step on this machine.

Times the vectorised step (:meth:`MixedMembershipGAN.train_step`) for the
quick and paper configurations on 28x28 images, case A shape (n = 2, K = 3,
32 images per component), beside the same model's step written the
straightforward way -- a Python loop over components (one generator forward
each) and over discriminators and components (one trunk forward per pair) --
measured in the same run (alternating rounds, fastest round kept). FLOPs of one step are counted with
``torch.utils.flop_counter`` and turned into achieved GFLOP/s against the
measured float32 GEMM peak. Random tensors stand in for the data: speed does
not depend on the pixel values.

Note: the straightforward version normalises each component's batch
separately in BatchNorm (it cannot do otherwise with separate forwards), so
it is the same model and cost, not bit-for-bit the same numbers.

``--precision`` (default ``auto``) is the precision of the main keys (the
straightforward step runs under the same autocast); the ``"precision"``
section times the vectorised step of both presets in fp32 and in bf16 in the
same run, beside each precision's GEMM peak
(:func:`~mixmiss.benchmarking.precision_section`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import torch
from torch.nn import functional as F
from torch.utils.flop_counter import FlopCounterMode

from ..benchmarking import (
    gemm_peak_gflops,
    precision_peaks,
    precision_section,
    time_per_call,
    timed_precisions,
)
from ..device import resolve_device
from ..precision import autocast, check_precision, resolve_precision
from ..rng import isolated_seed
from .config import make_config
from .model import MixedMembershipGAN

N_DISTRIBUTIONS, N_COMPONENTS, IMAGE_SIZE = 2, 3, 28


def straightforward_step(model: MixedMembershipGAN, real: torch.Tensor, z: torch.Tensor) -> None:
    """The step of :meth:`MixedMembershipGAN.train_step`, looping in Python.

    One generator forward per component, one trunk forward per
    (discriminator, batch) pair and per component for the classifier.
    """
    n, k_count, lam = real.shape[0], model.num_components, model.config.lam
    labels = [torch.full((z.shape[0],), k, dtype=torch.long) for k in range(k_count)]
    fakes = [model.generator(z, labels[k]) for k in range(k_count)]
    alpha = model.alpha

    loss_d = 0.0
    for i in range(n):
        loss_d = loss_d + F.softplus(-model.critic(real[i], False)[0][:, i]).mean() / n
        for k in range(k_count):
            d = model.critic(fakes[k].detach(), False)[0][:, i]
            loss_d = loss_d + alpha[i, k].detach() * F.softplus(d).mean() / n
    loss_c = sum(
        F.cross_entropy(model.critic(fakes[k].detach())[1], labels[k]) for k in range(k_count)
    )
    model.opt_d.zero_grad(set_to_none=True)
    (loss_d + lam * loss_c / k_count).backward()
    model.opt_d.step()

    model.critic.requires_grad_(False)
    loss_g, loss_w = 0.0, 0.0
    for i in range(n):
        for k in range(k_count):
            d = model.critic(fakes[k], False)[0][:, i]
            loss_g = loss_g + alpha[i, k].detach() * F.softplus(-d).mean() / n
            loss_w = loss_w - alpha[i, k] * F.softplus(d.detach()).mean() / n
    loss_gc = sum(F.cross_entropy(model.critic(fakes[k])[1], labels[k]) for k in range(k_count))
    model.critic.requires_grad_(True)
    model.opt_g.zero_grad(set_to_none=True)
    model.opt_omega.zero_grad(set_to_none=True)
    (loss_g + lam * loss_gc / k_count + loss_w).backward()
    model.opt_g.step()
    model.opt_omega.step()
    model.update_ema()


def _model_and_batch(preset: str, device: torch.device, precision: str = "fp32"):
    config = dataclasses.replace(make_config(preset), precision=precision)
    generator = torch.Generator().manual_seed(0)
    with isolated_seed(0):
        model = MixedMembershipGAN(
            config,
            IMAGE_SIZE,
            N_DISTRIBUTIONS,
            N_COMPONENTS,
            torch.zeros(N_DISTRIBUTIONS, N_COMPONENTS),
            learn_omega=True,
        ).to(device)
    b = config.batch_size
    real = torch.rand(N_DISTRIBUTIONS, b, 1, IMAGE_SIZE, IMAGE_SIZE, generator=generator) * 2 - 1
    z = torch.randn(b, config.z_dim, generator=generator)
    return model, real.to(device), z.to(device), config


def step_flops(preset: str, device: torch.device) -> int:
    """FLOPs of one vectorised training step (forward + backward, all networks)."""
    model, real, z, _ = _model_and_batch(preset, device)
    counter = FlopCounterMode(display=False)
    with counter:
        model.train_step(real, z)
    return int(counter.get_total_flops())


def _time_preset(preset: str, repeats: int, device: torch.device, precision: str, rounds: int = 3):
    """Seconds per vectorised and per straightforward step, and the config.

    The two variants are timed in alternating rounds and the fastest round of
    each is kept: on a shared machine other jobs only ever add time.
    """
    fast_model, real, z, config = _model_and_batch(preset, device, precision)
    slow_model = _model_and_batch(preset, device, precision)[0]

    def looped_step():
        with autocast(device, precision):
            straightforward_step(slow_model, real, z)

    vectorised, looped = [], []
    for _ in range(rounds):
        vectorised.append(time_per_call(lambda: fast_model.train_step(real, z), repeats, 1, device))
        looped.append(time_per_call(looped_step, repeats, 1, device))
    return min(vectorised), min(looped), config


def _time_vectorised(preset: str, repeats: int, device: torch.device, precision: str) -> float:
    """Seconds per vectorised step at ``precision`` (fastest of three rounds)."""
    model, real, z, _ = _model_and_batch(preset, device, precision)
    return min(
        time_per_call(lambda: model.train_step(real, z), repeats, 1, device) for _ in range(3)
    )


def run_bench(args: argparse.Namespace) -> dict:
    """Measure ms/iteration (vectorised and straightforward), GFLOP/s and the GEMM peak."""
    device = resolve_device(getattr(args, "device", "cpu"))
    precision = check_precision(getattr(args, "precision", None) or "auto")
    resolved = resolve_precision(precision, device)
    repeats = {"quick": 5, "paper": 3}
    report: dict = {"ms_per_iter": {}, "images_per_s": {}, "gflops": {}, "flops_per_iter": {}}
    start = time.perf_counter()
    timed, skipped = timed_precisions(device, precision)
    by_precision: dict[str, dict[str, float]] = {name: {} for name in timed}
    for preset, count in repeats.items():
        vectorised, looped, config = _time_preset(preset, count, device, resolved)
        by_precision.setdefault(resolved, {})[preset] = round(1e3 * vectorised, 2)
        for other in timed:
            if other != resolved:
                seconds = _time_vectorised(preset, count, device, other)
                by_precision[other][preset] = round(1e3 * seconds, 2)
        flops = step_flops(preset, device)
        fakes = N_COMPONENTS * config.batch_size
        report["ms_per_iter"][preset] = round(1e3 * vectorised, 2)
        report["ms_per_iter"][f"straightforward_{preset}"] = round(1e3 * looped, 2)
        report["images_per_s"][preset] = round(fakes / vectorised, 1)
        report["images_per_s"][f"straightforward_{preset}"] = round(fakes / looped, 1)
        report["flops_per_iter"][preset] = flops
        report["gflops"][preset] = round(flops / vectorised / 1e9, 2)
        report["gflops"][f"straightforward_{preset}"] = round(flops / looped / 1e9, 2)
        report.setdefault("speedup", {})[preset] = round(looped / vectorised, 2)
        report.setdefault("base_width", {})[preset] = config.base_width
    report["gemm_peak_gflops"] = round(gemm_peak_gflops(device=device), 1)
    report["precision"] = precision_section(
        device,
        precision,
        {name: by_precision.get(name) for name in ("fp32", "bf16")},
        precision_peaks(device),
        gflop={preset: flops / 1e9 for preset, flops in report["flops_per_iter"].items()},
        skipped=skipped,
        unit="ms_per_iter",
        unit_seconds=1e-3,
    )
    report["setting"] = (
        f"28x28, n={N_DISTRIBUTIONS} distributions, K={N_COMPONENTS} components, "
        "32 images per component and per distribution; one D/C step + one G/omega step + EMA"
    )
    report["device"] = str(device)
    report["threads"] = torch.get_num_threads()
    report["cpus"] = os.cpu_count()
    report["torch"] = torch.__version__
    report["wall_seconds"] = round(time.perf_counter() - start, 1)
    return report
