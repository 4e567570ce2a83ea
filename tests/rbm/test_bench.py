"""``mixmiss bench rbm`` reports the keys the issue asks for (tiny sizes here)."""

from __future__ import annotations

import argparse

import pytest

from mixmiss.rbm import bench


@pytest.mark.real_data
def test_bench_report_has_the_required_keys(mnist_dir, monkeypatch):
    monkeypatch.setattr(bench, "N_IMAGES", 1000)
    monkeypatch.setattr(bench, "N_HIDDEN", 16)
    monkeypatch.setattr(bench, "TIMED_BATCHES", 2)
    monkeypatch.setattr(bench, "WARMUP_BATCHES", 1)
    monkeypatch.setattr(bench, "SKLEARN_BATCHES", 1)
    args = argparse.Namespace(device="cpu", data_dir=str(mnist_dir), json=True, out=None)
    report = bench.run_bench(args)
    assert set(report["seconds_per_epoch"]) == {
        "zeroed",
        "lm",
        "zeroed_lowrank",
        "lm_lowrank",
        "sklearn_bernoulli",
    }
    assert all(s > 0 for s in report["seconds_per_epoch"].values())
    assert report["gemm_peak_gflops"] > 0
    assert set(report["peak_fraction"]) == {"zeroed", "lm"}
    assert report["config"]["batches_per_epoch"] == 8  # ceil(1000 / 128)
    assert report["config"]["lowrank_rank"] == pytest.approx(0.4 * 784, abs=3)
