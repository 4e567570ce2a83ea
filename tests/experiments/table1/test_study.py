"""Reproducing Table 1 end to end at the smoke preset: every output, then nothing recomputed."""

import csv
import json

import pytest

from mixmiss.cli import main
from mixmiss.experiments.table1 import study


@pytest.mark.real_data
def test_smoke_preset_writes_every_output_and_reruns_nothing(
    tmp_path, mnist_dir, small_mnist_evaluator, monkeypatch
):
    argv = ["reproduce", "table1", "--preset", "smoke", "--out", str(tmp_path), "--device",
            "cpu", "--data-dir", str(mnist_dir), "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    outputs = (
        "table1.csv",
        "table1.md",
        "summary.md",
        "fig1.png",
        "fig1-perception-distortion.png",
    )
    for name in outputs:
        assert (tmp_path / name).stat().st_size > 0, name
    with (tmp_path / "table1.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 * 2 * 5
    assert all(int(row["pairs"]) == 2 for row in rows)
    assert all(0.0 < float(row["rmse"]) < 1.0 for row in rows)
    hidden = [row["accuracy_hidden"] for row in rows if row["method"] in ("rbm", "lm-rbm")]
    assert all(float(value) > 0 for value in hidden)
    assert all(float(row["fid_lenet"]) > 0 for row in rows)  # the paper's FID, every cell
    report = (tmp_path / "table1.md").read_text()
    assert "Cells finished: 30 of 30" in report and "0.152" in report  # ours and the paper's
    assert "FID as the paper computes it" in report and "our evaluator CNN" in report
    record = json.loads((tmp_path / "cells" / "pm-0.6-lm-rbm-train0.json").read_text())
    assert record["provenance"]["command"].startswith("mixmiss reproduce table1")

    stamps = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cells").iterdir()}

    def no_compute(*args, **kwargs):
        pytest.fail("a rerun must compute nothing")

    monkeypatch.setattr(study, "compute_cell", no_compute)
    assert main(argv) == 0
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cells").iterdir()}
    assert main([*argv, "--report-only"]) == 0
