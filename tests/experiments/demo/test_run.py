"""`mixmiss demo`: the report, its figures and its statements, on the smoke settings."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from PIL import Image

from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.errors import InputError
from mixmiss.evaluators import train_evaluator
from mixmiss.experiments import demo
from mixmiss.experiments.demo import METHODS, SMOKE, run_demo
from mixmiss.experiments.demo.report import range_text, render_report, shared_component_line

SHARED_LINE = re.compile(r"G3 \(shared, r3 = S1∩S2\): \d+\.\d % of its samples are 3, 4, 5 or 6")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """One smoke demo on digits: (report path, demo.json record, stdout).

    Module-scoped, so it names its own cache directory: the per-test private
    cache of conftest is not set up yet when a module fixture runs.
    """
    cache = tmp_path_factory.mktemp("cache")
    train_evaluator("digits", cache_dir=cache, epochs=1, progress=False)
    out = tmp_path_factory.mktemp("demo") / "out"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        report = run_demo(out, context=Context(cache_dir=cache, progress=False), settings=SMOKE)
    record = json.loads((out / demo.RESULTS_FILE).read_text())
    return report, record, stdout.getvalue()


def _rmse_rows(text: str) -> list[tuple[str, float]]:
    """(method, RMSE) of the report's RMSE table, in table order."""
    rows = re.findall(r"^\| \d \| ([a-z-]+) \| (\d\.\d{4}) \|", text, flags=re.MULTILINE)
    return [(method, float(rmse)) for method, rmse in rows]


def test_report_shows_the_shared_component_and_the_sorted_rmse_table(demo_run):
    report, record, _ = demo_run
    assert report.name == "report.md" and report.is_absolute()
    text = report.read_text()
    assert SHARED_LINE.search(text), text
    shared = next(c for c in record["mmgan"]["components"] if c["shared"])
    assert f"{shared['accuracy']:.1f} % of its samples" in text
    rows = _rmse_rows(text)
    assert sorted(m for m, _ in rows) == sorted(METHODS)
    assert [r for _, r in rows] == sorted(r for _, r in rows)
    for method, rmse in rows:
        assert rmse == pytest.approx(record["imputation"]["methods"][method]["rmse"], abs=5e-5)
    ordering = " < ".join(f"{m} ({r:.4f})" for m, r in rows)
    assert f"**RMSE ordering: {ordering}.**" in text


def test_every_figure_in_the_report_exists_and_is_a_png(demo_run):
    report, _, _ = demo_run
    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report.read_text())
    assert sorted(figures) == sorted([demo.MMGAN_FIGURE, demo.IMPUTATION_FIGURE])
    for name in figures:
        with Image.open(report.parent / name) as image:
            assert image.format == "PNG" and min(image.size) > 50


def test_results_runs_and_announced_stages(demo_run):
    report, record, stdout = demo_run
    assert record["status"] == "done" and record["dataset"] == "digits"
    assert set(record["timings"]) == {"evaluator", "mmgan", "imputation", "report", "total"}
    assert record["mmgan"]["iterations"] == SMOKE.mmgan["iters"]
    assert record["imputation"]["methods"]["mean"]["n_train"] == SMOKE.max_train
    assert (report.parent / "mmgan" / "checkpoint.pt").is_file()
    for method in METHODS:
        assert (report.parent / "impute" / method / "run.json").is_file()
    announced = re.findall(r"^\[(\d)/4\]", stdout, flags=re.MULTILINE)
    assert announced == ["1", "2", "3", "4"]
    assert "loading the cached digits evaluator" in stdout


def test_report_says_when_lm_rbm_loses(demo_run):
    """The statements follow the numbers, not the paper."""
    _, record, _ = demo_run
    methods = record["imputation"]["methods"]
    for method, rmse in {"lm-rbm": 0.30, "rbm": 0.20, "mean": 0.25, "inpaint": 0.28}.items():
        methods[method]["rmse"] = rmse
    text = render_report(record)
    assert "**RMSE ordering: rbm (0.2000) < mean (0.2500) < inpaint (0.2800) < lm-rbm" in text
    assert "LM-RBM does not beat the RBM of [5]" in text
    assert "lm-rbm did not beat mean imputation" in text
    assert "Inpainting beats both RBMs" not in text
    methods["inpaint"]["rmse"] = 0.1
    assert "Inpainting beats both RBMs" in render_report(record)


def test_shared_component_line_and_ranges():
    mmgan = {
        "components": [
            {"component": "G1", "region": "r1", "operation": "S1\\S2", "labels": [0, 1, 2],
             "shared": False, "accuracy": 99.0},
            {"component": "G3", "region": "r3", "operation": "S1∩S2", "labels": [3, 4, 5, 6],
             "shared": True, "accuracy": 91.23},
        ]
    }  # fmt: skip
    assert shared_component_line(mmgan) == (
        "G3 (shared, r3 = S1∩S2): 91.2 % of its samples are 3, 4, 5 or 6"
    )
    assert range_text((6, 5, 4, 3, 2, 1, 0)) == "0-6"
    assert range_text((0, 3, 5)) == "0, 3, 5"


def test_cli_runs_the_demo_and_reruns_into_the_same_directory(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(demo.DEMO_SETTINGS, "digits", SMOKE)
    train_evaluator("digits", epochs=1, progress=False)  # into the test's private cache
    out = tmp_path / "demo"
    for _ in range(2):
        assert main(["demo", "--out", str(out), "--seed", "3", "--no-progress"]) == 0
        printed = capsys.readouterr().out
        assert f"report written to {(out / 'report.md').resolve()}" in printed
    record = json.loads((out / demo.RESULTS_FILE).read_text())
    assert record["seed"] == 3 and record["status"] == "done"
    assert SHARED_LINE.search((out / "report.md").read_text())


def test_refuses_a_directory_it_did_not_write(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="did not write"):
        run_demo(tmp_path, settings=SMOKE, context=Context(progress=False))
    assert main(["demo", "--out", str(tmp_path)]) == 2
    assert "did not write" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_unknown_dataset(tmp_path, capsys):
    with pytest.raises(InputError, match="digits or mnist"):
        run_demo(tmp_path / "x", dataset="fashion-mnist", settings=SMOKE)
    with pytest.raises(SystemExit):
        main(["demo", "--dataset", "fashion-mnist"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.real_data
def test_demo_on_mnist(tmp_path, mnist_dir, small_mnist_evaluator):
    report = run_demo(
        tmp_path / "demo", "mnist", context=Context(mnist_dir, progress=False), settings=SMOKE
    )
    text = report.read_text()
    assert SHARED_LINE.search(text)
    assert "Scaled to run in minutes" in text
    assert len(_rmse_rows(text)) == len(METHODS)
