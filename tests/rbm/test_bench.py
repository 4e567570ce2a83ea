"""``mixmiss bench rbm`` reports the keys the issue asks for (tiny sizes here)."""

from __future__ import annotations

import argparse

import pytest

from mixmiss import benchmarking, precision
from mixmiss.rbm import bench
from mixmiss.rbm.products import step_flops

VARIANTS = {"zeroed", "lm", "zeroed_lowrank", "lm_lowrank"}


@pytest.fixture
def tiny_bench(monkeypatch):
    monkeypatch.setattr(bench, "N_IMAGES", 1000)
    monkeypatch.setattr(bench, "N_HIDDEN", 16)
    monkeypatch.setattr(bench, "TIMED_BATCHES", 2)
    monkeypatch.setattr(bench, "WARMUP_BATCHES", 1)
    monkeypatch.setattr(bench, "SKLEARN_BATCHES", 1)
    monkeypatch.setattr(benchmarking, "PRECISION_GEMM_SIZE", 32)
    monkeypatch.setattr(bench, "gemm_peak_gflops", lambda device: 1.0)


@pytest.mark.real_data
def test_bench_report_has_the_required_keys(mnist_dir, tiny_bench, monkeypatch):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx2\n")
    args = argparse.Namespace(device="cpu", data_dir=str(mnist_dir), json=True, out=None)
    report = bench.run_bench(args)
    assert set(report["seconds_per_epoch"]) == VARIANTS | {"sklearn_bernoulli"}
    assert all(s > 0 for s in report["seconds_per_epoch"].values())
    assert report["gemm_peak_gflops"] > 0
    assert set(report["peak_fraction"]) == VARIANTS
    assert set(report["lowrank_speedup"]) == {"zeroed", "lm"}
    assert report["config"]["batches_per_epoch"] == 8  # ceil(1000 / 128)
    assert report["config"]["lowrank_rank"] == pytest.approx(0.4 * 784, abs=3)
    assert report["config"]["precision"] == "fp32"
    # auto on a CPU without bf16: fp32 timed, bf16 left out with the reason, both peaks
    section = report["precision"]
    assert section["setting"] == "auto" and section["resolved"] == "fp32"
    assert section["seconds_per_epoch"]["fp32"] == {
        v: report["seconds_per_epoch"][v] for v in VARIANTS
    }
    assert section["seconds_per_epoch"]["bf16"] is None and "bf16_skipped" in section
    assert set(section["peak_gflops"]) == {"fp32", "bf16"}
    assert all(p > 0 for p in section["peak_gflops"].values())
    assert set(section["peak_fraction"]["fp32"]) == VARIANTS


@pytest.mark.real_data
def test_bench_times_both_precisions_when_bf16_is_asked_for(mnist_dir, tiny_bench):
    args = argparse.Namespace(device="cpu", data_dir=str(mnist_dir), precision="bf16")
    report = bench.run_bench(args)
    section = report["precision"]
    assert section["resolved"] == "bf16" and report["config"]["precision"] == "bf16"
    for name in ("fp32", "bf16"):
        assert set(section["seconds_per_epoch"][name]) == VARIANTS
        assert set(section["peak_fraction"][name]) == VARIANTS
    assert set(section["bf16_speedup"]) == VARIANTS
    assert section["seconds_per_epoch"]["bf16"]["lm"] == report["seconds_per_epoch"]["lm"]


def test_step_flops_count_the_products_of_one_step():
    # dense: five (zeroed) or six (lm) GEMMs of 128 x 784 x 4096
    assert step_flops("zeroed", 784, 4096, 128) == 5 * 2 * 128 * 784 * 4096
    assert step_flops("lm", 784, 4096, 128) == 6 * 2 * 128 * 784 * 4096
    # low rank at the paper's rank: 2.29 against 4.11 GFLOP, 1.8x fewer
    low = step_flops("zeroed", 784, 4096, 128, rank=314)
    assert low / 1e9 == pytest.approx(2.291, abs=1e-3)
    assert step_flops("zeroed", 784, 4096, 128) / low == pytest.approx(1.794, abs=1e-3)
    assert step_flops("lm", 784, 4096, 128) / step_flops("lm", 784, 4096, 128, 314) > 1.98
