"""`mixmiss bench misgan` on a few steps of narrow networks."""

from __future__ import annotations

import argparse
import functools

import pytest

from mixmiss import benchmarking, precision
from mixmiss.misgan import MisGANImputer, bench


@pytest.fixture
def narrow_bench(monkeypatch):
    monkeypatch.setattr(bench, "WARMUP_STEPS", 1)
    monkeypatch.setattr(bench, "TIMED_STEPS", 5)
    monkeypatch.setattr(bench, "N_TRAIN", 1_000)
    monkeypatch.setattr(benchmarking, "PRECISION_GEMM_SIZE", 32)
    narrow = functools.partial(MisGANImputer, width=4, imputer_hidden=[16])
    monkeypatch.setattr(bench, "MisGANImputer", narrow)


@pytest.mark.real_data
def test_bench_reports_seconds_per_epoch_and_shares(narrow_bench, monkeypatch, mnist_dir):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx2\n")
    report = bench.run_bench(argparse.Namespace(device="cpu", data_dir=str(mnist_dir)))
    assert report["steps_per_epoch"] == 1_000 // 64
    assert report["seconds_per_epoch"] == pytest.approx(
        report["seconds_per_step"] * report["steps_per_epoch"]
    )
    share = report["share"]
    parts = {"data_critic", "mask_critic", "impute_critic", "generators", "critic_inputs"}
    assert parts <= set(share)
    assert sum(share.values()) == pytest.approx(1.0, abs=1e-6)
    assert all(share[p] > 0 for p in parts)
    section = report["precision"]
    assert section["resolved"] == "fp32" and section["seconds_per_epoch"]["bf16"] is None
    assert section["seconds_per_epoch"]["fp32"]["paper"] == report["seconds_per_epoch"]
    assert report["gflop_per_epoch"] > 0 and 0 < section["peak_fraction"]["fp32"]["paper"]


@pytest.mark.real_data
def test_bench_times_both_precisions_where_bf16_is_native(narrow_bench, monkeypatch, mnist_dir):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx512_bf16\n")
    # bf16 is emulated (slow) on the test machines: small batches
    tiny = functools.partial(MisGANImputer, width=4, imputer_hidden=[16], batch_size=8)
    monkeypatch.setattr(bench, "MisGANImputer", tiny)
    report = bench.run_bench(argparse.Namespace(device="cpu", data_dir=str(mnist_dir)))
    section = report["precision"]
    assert section["setting"] == "auto" and section["resolved"] == "bf16"
    assert section["cpu_bf16_flags"] == ["avx512_bf16"]
    assert set(section["seconds_per_epoch"]) == {"fp32", "bf16"}
    assert section["seconds_per_epoch"]["bf16"]["paper"] == report["seconds_per_epoch"]
    assert section["bf16_speedup"]["paper"] > 0
