"""Timing helpers shared by the ``mixmiss bench`` commands.

Ratios measured within one run are what the benches report: the machines
are noisy and absolute times drift.

Every bench times its steps at the precision asked for (``--precision``,
default ``auto``; :mod:`mixmiss.precision`) under today's keys and adds a
``"precision"`` section (:func:`precision_section`) with both precisions
side by side and the GEMM peak of each, measured in the same run. bf16
steps are timed where the device multiplies bf16 natively or where bf16 was
asked for: elsewhere torch emulates it, tens of times slower than fp32 (an
epoch of the RBM bench would take hours), and the section says so instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import flop_registry

from .precision import describe, native_bf16, resolve_precision

#: Side of the square GEMM behind the ``"precision"`` section's peaks: large
#: enough for full throughput on a few cores, small enough (2.1 GFLOP) that an
#: emulated bf16 GEMM still takes seconds, not minutes.
PRECISION_GEMM_SIZE = 1024


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
    size: int = 2048,
    repeats: int = 10,
    device: str | torch.device = "cpu",
    dtype: torch.dtype = torch.float32,
    warmup: int = 2,
) -> float:
    """Measured GEMM throughput (GFLOP/s) of a square ``size`` matmul in ``dtype``."""
    device = torch.device(device)
    generator = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, device=device, generator=generator).to(dtype)
    b = torch.randn(size, size, device=device, generator=generator).to(dtype)
    out = torch.empty(size, size, device=device, dtype=dtype)
    seconds = time_per_call(lambda: torch.mm(a, b, out=out), repeats, warmup, device)
    return 2.0 * size**3 / seconds / 1e9


class _FlopCount(TorchDispatchMode):
    """Sums torch's FLOP formulas over the operators run inside it."""

    def __init__(self):
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        formula = flop_registry.get(func._overloadpacket)
        if formula is not None:
            self.total += formula(*args, **kwargs, out_val=out)
        return out


def count_flops(fn: Callable[[], object]) -> int:
    """FLOPs of the matrix products and convolutions ``fn()`` runs, backward passes included.

    The formulas of ``torch.utils.flop_counter``, without its module tracking
    (which refuses ``torch.autograd.grad``, e.g. a gradient penalty).
    """
    counter = _FlopCount()
    with counter:
        fn()
    return int(counter.total)


def timed_precisions(device: str | torch.device, precision: str) -> tuple[tuple[str, ...], str]:
    """The precisions a bench times on ``device`` when asked for ``precision``, and
    why bf16 is left out ("" when it is not): see the module docstring."""
    if native_bf16(device) or resolve_precision(precision, device) == "bf16":
        return ("fp32", "bf16"), ""
    return ("fp32",), (
        f"{device} has no native bf16 (on CPU: no {' or '.join(('avx512_bf16', 'amx_bf16'))} "
        "in /proc/cpuinfo), where torch emulates it far slower than fp32 (see peak_gflops); "
        "pass --precision bf16 to time it anyway"
    )


def precision_peaks(
    device: str | torch.device, size: int | None = None, repeats: int = 5
) -> dict[str, float]:
    """GEMM throughput (GFLOP/s) of a square ``size`` matmul in fp32 and in bf16."""
    size = size or PRECISION_GEMM_SIZE
    fast = native_bf16(device)
    return {
        "fp32": gemm_peak_gflops(size, repeats, device, torch.float32),
        # emulated bf16 takes seconds a call at this size: one warm-up, one timed call
        "bf16": gemm_peak_gflops(
            size, repeats if fast else 1, device, torch.bfloat16, warmup=2 if fast else 1
        ),
    }


def precision_section(
    device: str | torch.device,
    precision: str,
    timings: dict[str, dict[str, float] | None],
    peaks: dict[str, float],
    gflop: dict[str, float] | None = None,
    skipped: str = "",
    unit: str = "seconds_per_epoch",
    unit_seconds: float = 1.0,
) -> dict:
    """The ``"precision"`` section of a bench report.

    Parameters
    ----------
    device, precision
        Where it ran and the precision asked for (resolved here).
    timings : dict
        ``{"fp32": {variant: t}, "bf16": {variant: t} or None}`` in ``unit``.
    peaks : dict
        :func:`precision_peaks`.
    gflop : dict, optional
        GFLOP per ``unit`` of the variants that have a FLOP count; gives
        ``peak_fraction``, achieved GFLOP/s over the same precision's peak.
    skipped : str
        Why bf16 was not timed ("" when it was).
    unit_seconds : float
        Seconds in one ``unit`` (1e-3 for milliseconds).
    """
    section = {
        "setting": precision,
        "resolved": resolve_precision(precision, device),
        **{k: v for k, v in describe(device).items() if k != "device"},
        unit: timings,
        "peak_gflops": peaks,
        "gemm_size": PRECISION_GEMM_SIZE,
    }
    if gflop:
        section["peak_fraction"] = {
            name: None
            if times is None
            else {
                k: gflop[k] / (t * unit_seconds) / peaks[name]
                for k, t in times.items()
                if k in gflop
            }
            for name, times in timings.items()
        }
    if timings.get("bf16") is not None:
        fp32 = timings["fp32"]
        section["bf16_speedup"] = {k: fp32[k] / t for k, t in timings["bf16"].items()}
    if skipped:
        section["bf16_skipped"] = skipped
    return section
