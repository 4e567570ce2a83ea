"""The whole split study on the smoke preset: outputs, snapshots, the cache, a remedy."""

import json
import shutil

import torch
from PIL import Image

from mixmiss.atomic import load_checkpoint
from mixmiss.context import Context
from mixmiss.experiments.splits import grid, plan_splits, reproduce_splits
from mixmiss.mmgan.snapshots import snapshot_path, snapshot_steps

from .conftest import SMOKE_IDS, read_cell


def _fail(*args, **kwargs):
    raise AssertionError("this must not be computed again")


def test_smoke_study_writes_every_output(smoke_study):
    out, written = smoke_study
    assert sorted(written) == ["figure", "json", "markdown"]
    assert sorted(p.stem for p in (out / "cells").glob("*.json")) == SMOKE_IDS
    for cell_id in SMOKE_IDS:
        record = read_cell(out, cell_id)
        metrics = record["metrics"]
        assert metrics["step"] == 6 and metrics["started_at_step"] == 0
        regions = metrics["coverage"]["regions"]
        n = len(record["params"]["sets"].split(";"))
        assert list(regions) == [f"r{i}" for i in range(1, 2**n)]  # every region non-empty
        assert len(metrics["fid"]) == n and "fid_full_train" not in metrics
        assert [t["step"] for t in metrics["trace"]] == [2, 4, 6]
        assert all(set(t["regions"]) == set(regions) for t in metrics["trace"])
        assert snapshot_steps(out / "runs" / cell_id) == [2, 4, 6]
    text = written["markdown"].read_text()
    assert "| split1 | 2 | 0 3 4 9 | 0 1 2 9 |  |" in text  # the splits are listed
    assert "## Coverage over training" in text and text.rstrip().endswith("none")
    report = json.loads(written["json"].read_text())
    assert report["splits"][0] == [[0, 3, 4, 9], [0, 1, 2, 9]]
    assert sorted(report["cells"]) == SMOKE_IDS and report["pending"] == []
    assert report["summary"]["none"]["cells"] == 2
    with Image.open(written["figure"]) as image:
        assert image.format == "PNG" and image.width > image.height


def test_rerun_computes_nothing(smoke_study, evaluator_cache, monkeypatch):
    out, _ = smoke_study
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("cells/*.json")}
    stamps |= {p: p.stat().st_mtime_ns for p in out.glob("runs/*/checkpoint.pt")}
    for name in ("ensure_trained", "evaluate_run", "coverage_trace"):
        monkeypatch.setattr(grid, name, _fail)
    reproduce_splits("smoke", out, context=Context(cache_dir=evaluator_cache, progress=False))
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps and len(stamps) == 4


def test_a_remedy_of_more_iterations_continues_the_baseline(smoke_study, evaluator_cache, tmp_path):
    out, _ = smoke_study
    shutil.copytree(out / "cells", tmp_path / "cells")
    shutil.copytree(out / "runs", tmp_path / "runs")
    context = Context(cache_dir=evaluator_cache, progress=False)
    written = reproduce_splits("smoke", tmp_path, context=context, remedy=["iters=8"],
                               only=["digits-split1"])  # fmt: skip
    cell_id = "smoke-digits-seed0-split1-iters=8"
    metrics = read_cell(tmp_path, cell_id)["metrics"]
    assert metrics["step"] == 8 and metrics["started_at_step"] == 6
    assert [t["step"] for t in metrics["trace"]] == [2, 4, 6, 8]
    run = tmp_path / "runs" / cell_id
    assert json.loads((run / "config.json").read_text())["resumes"][0]["step"] == 6
    baseline = tmp_path / "runs" / SMOKE_IDS[0]
    assert load_checkpoint(baseline / "checkpoint.pt")["step"] == 6  # the baseline is untouched
    text = written["markdown"].read_text()
    assert "| digits | split1 | iters=8 | 8 |" in text and "remedy iters=8: " in text
    assert "| digits | split1 | none | 6 |" in text  # every finished cell is reported


def test_more_iterations_continue_the_same_remedy(smoke_study, evaluator_cache, tmp_path):
    out, _ = smoke_study
    shutil.copytree(out / "cells", tmp_path / "cells")
    shutil.copytree(out / "runs", tmp_path / "runs")
    context = Context(cache_dir=evaluator_cache, progress=False)
    only = ["digits-split1"]
    reproduce_splits("smoke", tmp_path, context=context, remedy=["lam=1.0"], only=only)
    shorter = tmp_path / "runs" / "smoke-digits-seed0-split1-lam=1.0"
    assert load_checkpoint(shorter / "checkpoint.pt")["step"] == 6
    reproduce_splits("smoke", tmp_path, context=context, remedy=["lam=1.0", "iters=8"], only=only)
    run = tmp_path / "runs" / "smoke-digits-seed0-split1-iters=8-lam=1.0"
    baseline = tmp_path / "runs" / SMOKE_IDS[0]
    config = json.loads((run / "config.json").read_text())
    assert config["resumes"][0]["step"] == 6 and config["run"]["config"]["lam"] == 1.0
    assert load_checkpoint(run / "checkpoint.pt")["step"] == 8
    # the lam=1.0 run, not the baseline, was continued: their first snapshots differ
    first = [
        load_checkpoint(snapshot_path(r, 2))["generator_ema"] for r in (run, shorter, baseline)
    ]
    assert _same(first[0], first[1]) and not _same(first[0], first[2])


def _same(a: dict, b: dict) -> bool:
    return all(torch.equal(a[name], b[name]) for name in a)


def test_the_plan_projects_two_distribution_cells_only():
    plan = plan_splits("quick", "/nonexistent")
    groups = {g["group"]: g for g in plan["groups"]}
    assert groups["mmgan n=2"]["cells"] == 6 and groups["mmgan n=2"]["without_figure"] == 0
    assert groups["mmgan n=2"]["hours_per_training"] == [round(0.14995 * 8000 / 3600, 4)]
    assert groups["mmgan n=3"]["without_figure"] == 6
