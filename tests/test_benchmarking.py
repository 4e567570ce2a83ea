"""Timing helpers: call counts, the mean over repeats, GEMM throughput arithmetic."""

from __future__ import annotations

import math

import pytest

from mixmiss import benchmarking


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
