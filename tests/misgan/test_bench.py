"""`mixmiss bench misgan` on a few steps of narrow networks."""

from __future__ import annotations

import argparse
import functools

import pytest

from mixmiss.misgan import MisGANImputer, bench


@pytest.mark.real_data
def test_bench_reports_seconds_per_epoch_and_shares(monkeypatch, mnist_dir):
    monkeypatch.setattr(bench, "WARMUP_STEPS", 1)
    monkeypatch.setattr(bench, "TIMED_STEPS", 10)
    monkeypatch.setattr(bench, "N_TRAIN", 1_000)
    narrow = functools.partial(MisGANImputer, width=4, imputer_hidden=[16])
    monkeypatch.setattr(bench, "MisGANImputer", narrow)
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
