"""Timing helpers: call counts, the mean over repeats, GEMM throughput arithmetic."""

from __future__ import annotations

import math

import pytest
import torch

from mixmiss import benchmarking, precision


class FakeClock:
    """A perf_counter whose time moves only when the timed function moves it."""

    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_time_per_call_runs_warmup_then_repeats_and_returns_the_mean(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(benchmarking.time, "perf_counter", clock)
    calls = []

    def fn():
        calls.append(clock.now)
        clock.now += 0.5 if len(calls) <= 3 else 2.0  # warm-up calls are slow and not counted

    seconds = benchmarking.time_per_call(fn, repeats=4, warmup=3)
    assert len(calls) == 7
    assert seconds == pytest.approx(2.0, rel=0, abs=1e-12)


def test_time_per_call_without_warmup(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(benchmarking.time, "perf_counter", clock)
    durations = iter([1.0, 2.0, 6.0])

    def fn():
        clock.now += next(durations)

    assert benchmarking.time_per_call(fn, repeats=3, warmup=0) == pytest.approx(3.0)


def test_time_per_call_measures_real_time():
    seconds = benchmarking.time_per_call(lambda: sum(range(1000)), repeats=3, warmup=1)
    assert 0 < seconds < 1


def test_cpu_timing_never_synchronises_cuda(monkeypatch):
    def fail(*args):
        raise AssertionError("cuda.synchronize called for a CPU timing")

    monkeypatch.setattr(benchmarking.torch.cuda, "synchronize", fail)
    benchmarking.time_per_call(lambda: None, repeats=1, warmup=1, device="cpu")


def test_gemm_gflops_is_two_n_cubed_over_the_time(monkeypatch):
    seen = {}

    def fake_time(fn, repeats, warmup, device):
        fn()  # the timed call is a real (size x size) GEMM
        seen.update(repeats=repeats, warmup=warmup)
        return 0.001

    monkeypatch.setattr(benchmarking, "time_per_call", fake_time)
    gflops = benchmarking.gemm_peak_gflops(size=64, repeats=5)
    assert gflops == pytest.approx(2 * 64**3 / 0.001 / 1e9)
    assert seen == {"repeats": 5, "warmup": 2}


def test_gemm_gflops_on_a_small_matrix_is_positive_and_finite():
    gflops = benchmarking.gemm_peak_gflops(size=32, repeats=2)
    assert gflops > 0 and math.isfinite(gflops)


def test_count_flops_counts_products_and_backward_passes_through_autograd_grad():
    a = torch.rand(4, 5, requires_grad=True)
    b = torch.rand(5, 3)
    assert benchmarking.count_flops(lambda: a @ b) == 2 * 4 * 5 * 3

    def penalty():  # a gradient penalty: FlopCounterMode's module tracking refuses this
        (grad,) = torch.autograd.grad((a @ b).pow(2).sum(), a, create_graph=True)
        grad.norm().backward()

    assert benchmarking.count_flops(penalty) > 2 * 4 * 5 * 3


def test_bf16_is_timed_where_native_or_asked_for(monkeypatch):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx2\n")
    timed, why = benchmarking.timed_precisions("cpu", "auto")
    assert timed == ("fp32",) and "no native bf16" in why and "--precision bf16" in why
    assert benchmarking.timed_precisions("cpu", "bf16") == (("fp32", "bf16"), "")
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu amx_bf16\n")
    assert benchmarking.timed_precisions("cpu", "auto") == (("fp32", "bf16"), "")
    assert benchmarking.timed_precisions("cpu", "fp32") == (("fp32", "bf16"), "")


def test_precision_peaks_time_both_dtypes(monkeypatch):
    assert benchmarking.gemm_peak_gflops(size=16, repeats=1, dtype=torch.bfloat16) > 0
    seen = []

    def fake_peak(size, repeats, device, dtype, warmup=2):
        seen.append((size, dtype, repeats, warmup))
        return 100.0 if dtype == torch.float32 else 40.0

    monkeypatch.setattr(benchmarking, "gemm_peak_gflops", fake_peak)
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx2\n")
    assert benchmarking.precision_peaks("cpu") == {"fp32": 100.0, "bf16": 40.0}
    # emulated bf16: one warm-up and one timed call of the 1024 GEMM
    assert seen == [(1024, torch.float32, 5, 2), (1024, torch.bfloat16, 1, 1)]


def test_precision_section_reports_both_precisions_side_by_side(monkeypatch):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu amx_bf16\n")
    section = benchmarking.precision_section(
        "cpu",
        "auto",
        {"fp32": {"a": 2.0, "b": 4.0}, "bf16": {"a": 1.0, "b": 2.5}},
        {"fp32": 100.0, "bf16": 200.0},
        gflop={"a": 100.0},
    )
    assert section["setting"] == "auto" and section["resolved"] == "bf16"
    assert section["native_bf16"] is True and section["cpu_bf16_flags"] == ["amx_bf16"]
    assert section["seconds_per_epoch"]["bf16"] == {"a": 1.0, "b": 2.5}
    assert section["peak_fraction"] == {"fp32": {"a": 0.5}, "bf16": {"a": 0.5}}
    assert section["bf16_speedup"] == {"a": 2.0, "b": 1.6}
    assert "bf16_skipped" not in section
    skipped = benchmarking.precision_section(
        "cpu", "fp32", {"fp32": {"a": 2.0}, "bf16": None}, {"fp32": 1.0, "bf16": 1.0},
        gflop={"a": 1.0}, skipped="why", unit="ms_per_iter", unit_seconds=1e-3,
    )  # fmt: skip
    assert skipped["ms_per_iter"]["bf16"] is None and skipped["bf16_skipped"] == "why"
    assert skipped["peak_fraction"] == {"fp32": {"a": 500.0}, "bf16": None}
    assert "bf16_speedup" not in skipped
