"""The Table 2 study on the smoke preset (8x8 digits, 6 iterations): outputs, cache, resume."""

import csv
import json
import os
import shutil
import signal

import numpy as np
import pytest
from PIL import Image

from mixmiss.atomic import load_checkpoint
from mixmiss.errors import InputError
from mixmiss.evaluators import train_evaluator
from mixmiss.experiments import table2
from mixmiss.experiments.table2 import (
    ensure_trained,
    reproduce_table2,
    run_table2_cell,
    table2_cells,
    training_seconds,
    write_table2_report,
)
from mixmiss.experiments.table2_report import PAPER_TABLE2
from mixmiss.mmgan import MMGANConfig, TrainingInterrupted, make_config, train

SMOKE_IDS = [f"smoke-digits-{case}-{mode}-seed0" for mode in ("fixed", "learned") for case in "ABC"]


@pytest.fixture(scope="module")
def evaluator_cache(tmp_path_factory):
    """A cache holding a tiny digits evaluator (3 epochs), so no test trains the default one."""
    cache = tmp_path_factory.mktemp("evaluators")
    train_evaluator("digits", cache_dir=cache, epochs=3, progress=False)
    return cache


@pytest.fixture(scope="module")
def smoke_study(tmp_path_factory, evaluator_cache):
    """The whole smoke study, run once for the module: (out dir, paths written)."""
    out = tmp_path_factory.mktemp("table2")
    return out, reproduce_table2("smoke", out, cache_dir=evaluator_cache, progress=False)


def _cell(out, cell_id):
    return json.loads((out / "cells" / f"{cell_id}.json").read_text())


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
        metrics = _cell(out, cell_id)["metrics"]
        assert metrics["step"] == 6 and metrics["started_at_step"] == 0
        assert metrics["train_seconds"] > 0 and len(metrics["evaluator"]["checksum"]) == 64
        assert ("weight_recovery_error" in metrics) == cell_id.endswith("learned-seed0")
    rows = list(csv.DictReader(written["csv"].open()))
    assert [(r["case"], r["mode"], r["status"]) for r in rows] == [
        (i.split("-")[2], i.split("-")[3], "done") for i in SMOKE_IDS
    ]
    case_c = rows[2]
    assert case_c["r2"] == "" and float(case_c["avg"]) == _cell(out, SMOKE_IDS[2])["metrics"]["avg"]
    assert case_c["fid_S3"] != "" and float(case_c["random"]) == pytest.approx(0.6111)


def test_markdown_holds_the_paper_numbers_and_ours(smoke_study):
    out, written = smoke_study
    text = written["markdown"].read_text()
    table, learned_table = text.split("## Learned")

    def row(prefix):
        (line,) = [x for x in table.splitlines() if x.startswith(prefix)]
        return [c.strip() for c in line.strip("|").split("|")]

    for case in "ABC":
        metrics = _cell(out, f"smoke-digits-{case}-fixed-seed0")["metrics"]
        ours = row(f"| digits 8x8 | {case} | ours (6 it.)")
        regions = [f"r{j}" for j in range(1, 8)]
        expected = [f"{metrics['accuracy'][r]:.2f}" if r in metrics["accuracy"] else "n/a"
                    for r in regions]  # fmt: skip
        assert ours[3:10] == expected and ours[10] == f"{metrics['avg']:.2f}"
        paper = row(f"| digits 8x8 | {case} | paper (MNIST)")
        accuracy, avg, _ = PAPER_TABLE2["mnist", case]
        assert paper[3:11] == [f"{a:.2f}" if a else "n/a" for a in accuracy] + [f"{avg:.2f}"]
    assert row("| digits 8x8 | C | paper (MNIST)")[3:10] == [
        "99.12", "n/a", "n/a", "n/a", "n/a", "93.08", "93.64",
    ]  # fmt: skip
    learned = _cell(out, "smoke-digits-B-learned-seed0")["metrics"]
    (b_row,) = [x for x in learned_table.splitlines() if x.startswith("| digits 8x8 | B |")]
    assert b_row.split(" | ")[6] == f"{learned['weight_recovery_error']:.3f}"
    assert text.rstrip().endswith("## Pending cells\n\nnone")


def test_rerun_computes_nothing(smoke_study, evaluator_cache, monkeypatch):
    out, _ = smoke_study
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/*") if p.suffix == ".json"}
    stamps |= {p: p.stat().st_mtime_ns for p in out.glob("runs/*/checkpoint.pt")}
    assert len(stamps) == 12
    for name in ("train", "resume_training", "evaluate_run"):
        monkeypatch.setattr(table2, name, _fail)
    written = reproduce_table2("smoke", out, cache_dir=evaluator_cache, progress=False)
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps
    assert len(written["figures"]) == 3


def test_a_partial_study_reports_pending_cells(smoke_study, tmp_path):
    out, _ = smoke_study
    done = "smoke-digits-A-learned-seed0"
    shutil.copytree(out / "runs" / done, tmp_path / "runs" / done)
    (tmp_path / "cells").mkdir()
    shutil.copy(out / "cells" / f"{done}.json", tmp_path / "cells")
    written = write_table2_report("smoke", tmp_path)
    assert [p.name for p in written["figures"]] == ["fig2-A.png"]
    assert not (tmp_path / "fig3-B.png").exists()
    text = written["markdown"].read_text()
    pending = text.split("## Pending cells")[1]
    assert sorted(pending.split("`")[1::2]) == sorted(set(SMOKE_IDS) - {done})
    assert text.count("| ours: pending |") == 5 and "| paper (MNIST) |" in text
    status = [r["status"] for r in csv.DictReader(written["csv"].open())]
    assert status == ["pending"] * 3 + ["done"] + ["pending"] * 2


def test_an_empty_study_reports_every_cell_pending(tmp_path):
    written = write_table2_report("smoke", tmp_path)
    assert written["figures"] == [] and "none yet" in written["markdown"].read_text()


def test_an_interrupted_run_is_resumed_then_only_evaluated(tmp_path, evaluator_cache, monkeypatch):
    cell = table2_cells("smoke")[0]
    config = MMGANConfig.from_dict(cell.params["config"])
    run_dir = tmp_path / "runs" / cell.id

    def interrupt(step):
        if step == 3:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(TrainingInterrupted):
        train(config, run_dir, progress=False, on_step=interrupt)
    assert load_checkpoint(run_dir / "checkpoint.pt")["step"] == 3

    metrics = run_table2_cell(cell.params, tmp_path, cache_dir=evaluator_cache, threads=1)
    assert metrics["started_at_step"] == 3 and metrics["step"] == 6
    resumes = json.loads((run_dir / "config.json").read_text())["resumes"]
    assert [r["step"] for r in resumes] == [3]  # continued, not started again

    for name in ("train", "resume_training"):
        monkeypatch.setattr(table2, name, _fail)
    again = run_table2_cell(cell.params, tmp_path, cache_dir=evaluator_cache, threads=1)
    assert again["started_at_step"] == 6 and again["accuracy"] == metrics["accuracy"]
    assert again["train_seconds"] == metrics["train_seconds"] > 0


def test_a_run_killed_before_its_first_checkpoint_starts_again(tmp_path):
    config = make_config("smoke", dataset="digits", sets="A")
    (tmp_path / "config.json").write_text("{}")
    (tmp_path / "log.jsonl").write_text('{"step": 2, "seconds": 9.0}\n')
    assert ensure_trained(config, tmp_path, progress=False) == 0
    assert load_checkpoint(tmp_path / "checkpoint.pt")["step"] == 6


def test_a_run_of_another_config_is_refused(tmp_path):
    train(make_config("smoke", dataset="digits", sets="A", seed=1), tmp_path, progress=False)
    with pytest.raises(InputError, match="seed"):
        ensure_trained(make_config("smoke", dataset="digits", sets="A"), tmp_path)
    with pytest.raises(InputError, match="more than"):
        ensure_trained(make_config("smoke", dataset="digits", sets="A", seed=1, iters=4), tmp_path)


def test_training_seconds_adds_up_the_sessions(tmp_path):
    assert training_seconds(tmp_path) is None
    (tmp_path / "config.json").write_text(json.dumps({"resumes": [{"step": 4}, {"step": 8}]}))
    seconds = {2: 1.0, 4: 2.0, 6: 3.0, 8: 4.5, 10: 0.5}  # sessions (0, 4], (4, 8], (8, 10]
    lines = [json.dumps({"step": s, "seconds": t}) for s, t in seconds.items()]
    (tmp_path / "log.jsonl").write_text("\n".join(lines) + "\n")
    assert training_seconds(tmp_path) == pytest.approx(2.0 + 4.5 + 0.5)


def test_cells_run_table2_first_and_match_runs_trained_by_the_cli():
    cells = table2_cells("quick")
    assert [c.id for c in cells[:3]] == [
        "quick-mnist-A-fixed-seed0",
        "quick-fashion-mnist-A-fixed-seed0",
        "quick-mnist-B-fixed-seed0",
    ]
    assert [c.params["mode"] for c in cells] == ["fixed"] * 6 + ["learned"] * 6
    # `mixmiss mmgan train --preset quick --dataset mnist --case A --fixed-priors --seed 0`
    cli = make_config("quick", dataset="mnist", sets="A", fixed_priors=True, seed=0)
    assert MMGANConfig.from_dict(cells[0].params["config"]) == cli
    # params are the cache key: they must compare equal after a JSON round trip
    assert all(json.loads(json.dumps(c.params)) == c.params for c in cells)
    assert cells[0].params["eval"]["n_per_component"] == 10_000


def test_paper_table_rows_average_to_their_avg_column():
    for (dataset, case), (accuracy, avg, _) in PAPER_TABLE2.items():
        present = [a for a in accuracy if a is not None]
        assert np.mean(present) == pytest.approx(avg, abs=0.006), (dataset, case)
        assert len(present) == {"A": 3, "B": 7, "C": 3}[case]


def test_unknown_preset(tmp_path):
    with pytest.raises(InputError, match="smoke, quick, paper"):
        reproduce_table2("huge", tmp_path, progress=False)
    with pytest.raises(InputError, match="unknown table2 preset"):
        write_table2_report("huge", tmp_path)
    assert not any(tmp_path.iterdir())
