"""The whole Table 2 study on the smoke preset: every output, the cache, unknown presets."""

import csv

import pytest
from PIL import Image

from mixmiss.atomic import load_checkpoint
from mixmiss.context import Context
from mixmiss.errors import InputError
from mixmiss.experiments import mmgan_runs
from mixmiss.experiments.table2 import grid, reproduce_table2, write_table2_report

from .conftest import SMOKE_IDS, read_cell


def _fail(*args, **kwargs):
    raise AssertionError("this must not be computed again")


def test_smoke_study_writes_every_output(smoke_study):
    out, written = smoke_study
    assert written["csv"] == out / "table2.csv" and written["markdown"] == out / "table2.md"
    summary = written["summary"].read_text()
    assert summary.startswith(f"Cells finished: {len(SMOKE_IDS)} of {len(SMOKE_IDS)}.")
    assert "| digits 8x8 | B | paper (MNIST) |" in summary and "recovery error" in summary
    assert [p.name for p in written["figures"]] == ["fig2-A.png", "fig3-B.png", "fig4-C.png"]
    for figure in written["figures"]:
        with Image.open(figure) as image:
            assert image.format == "PNG" and image.height > 100
    assert sorted(p.stem for p in (out / "cells").glob("*.json")) == sorted(SMOKE_IDS)
    for cell_id in SMOKE_IDS:
        assert load_checkpoint(out / "runs" / cell_id / "checkpoint.pt")["step"] == 6
        metrics = read_cell(out, cell_id)["metrics"]
        assert metrics["step"] == 6 and metrics["started_at_step"] == 0
        assert metrics["train_seconds"] > 0 and len(metrics["evaluator"]["checksum"]) == 64
        assert ("weight_recovery_error" in metrics) == cell_id.endswith("learned-seed0")
    rows = list(csv.DictReader(written["csv"].open()))
    assert [(r["case"], r["mode"], r["status"]) for r in rows] == [
        (i.split("-")[2], i.split("-")[3], "done") for i in SMOKE_IDS
    ]
    case_c, metrics = rows[2], read_cell(out, SMOKE_IDS[2])["metrics"]
    assert case_c["r2"] == "" and float(case_c["avg"]) == metrics["avg"]
    assert case_c["fid_S3"] != "" and float(case_c["random"]) == pytest.approx(0.6111)


def test_rerun_computes_nothing(smoke_study, evaluator_cache, monkeypatch):
    out, _ = smoke_study
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/*") if p.suffix == ".json"}
    stamps |= {p: p.stat().st_mtime_ns for p in out.glob("runs/*/checkpoint.pt")}
    stamps |= {p: p.stat().st_mtime_ns for p in out.glob("figures/*.png")}
    assert len(stamps) == 15
    for name in ("train", "resume_training"):
        monkeypatch.setattr(mmgan_runs, name, _fail)
    for name in ("evaluate_run", "component_figure"):
        monkeypatch.setattr(grid, name, _fail)
    written = reproduce_table2(
        "smoke", out, context=Context(cache_dir=evaluator_cache, progress=False)
    )
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert len(written["figures"]) == 3


def test_unknown_preset(tmp_path):
    with pytest.raises(InputError, match="smoke, quick, paper"):
        reproduce_table2("huge", tmp_path, context=Context(progress=False))
    with pytest.raises(InputError, match="unknown preset .huge. for the Table 2 study"):
        write_table2_report("huge", tmp_path)
    assert not any(tmp_path.iterdir())
