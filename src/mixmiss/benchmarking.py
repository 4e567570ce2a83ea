"""Timing helpers shared by the ``mixmiss bench`` commands.

Ratios measured within one run are what the benches report: the machines
are noisy and absolute times drift.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_per_call(
    fn: Callable[[], object], repeats: int, warmup: int = 2, device: str | torch.device = "cpu"
) -> float:
    """Mean wall time (seconds) of ``fn()`` over ``repeats`` calls after ``warmup``."""
    device = torch.device(device)
    for _ in range(warmup):
        fn()
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    _sync(device)
    return (time.perf_counter() - start) / repeats


def gemm_peak_gflops(
    size: int = 2048, repeats: int = 10, device: str | torch.device = "cpu"
) -> float:
    """Measured float32 GEMM throughput (GFLOP/s) of a square ``size`` matmul."""
    device = torch.device(device)
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, generator=generator)
    b = torch.randn(size, size, device=device, generator=generator)
    out = torch.empty(size, size, device=device)
    seconds = time_per_call(lambda: torch.mm(a, b, out=out), repeats, warmup=2, device=device)
    return 2.0 * size**3 / seconds / 1e9
