"""Figs. 2-4 are stacked from the panels stored with the cells, never from a checkpoint."""

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from mixmiss.experiments.table2 import figure_path, panel_path, write_figures, write_table2_report
from mixmiss.experiments.table2.render import table2_groups

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "results" / "table2" / "quick"


def _panel(path, width, height, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGBA", (width, height), (value, value, value, 255)).save(path)


def test_figures_stack_the_stored_panels_centred_on_white(smoke_study, tmp_path):
    out, _ = smoke_study
    shutil.copytree(out / "cells", tmp_path / "cells")
    _panel(panel_path(tmp_path, "smoke-digits-B-learned-seed0"), 40, 10, 0)
    figures, missing = write_figures(tmp_path, table2_groups("smoke", tmp_path))
    assert figures == [figure_path(tmp_path, "B")] == [tmp_path / "fig3-B.png"]
    assert missing == ["smoke-digits-A-learned-seed0", "smoke-digits-C-learned-seed0"]
    with Image.open(figures[0]) as figure:
        assert figure.size == (40, 10) and figure.mode == "RGB"

    _panel(panel_path(tmp_path, "smoke-digits-A-learned-seed0"), 20, 6, 100)
    figures, missing = write_figures(tmp_path, table2_groups("smoke", tmp_path))
    assert [p.name for p in figures] == ["fig2-A.png", "fig3-B.png"]
    stacked = np.asarray(Image.open(tmp_path / "fig2-A.png"))
    assert stacked.shape == (6, 20, 3) and (stacked == 100).all()


def test_the_report_needs_no_run_directory(smoke_study, tmp_path):
    out, _ = smoke_study
    for name in ("cells", "figures"):
        shutil.copytree(out / name, tmp_path / name)  # no runs/: no checkpoint to load
    written = write_table2_report("smoke", tmp_path)
    assert [p.name for p in written["figures"]] == ["fig2-A.png", "fig3-B.png", "fig4-C.png"]
    assert "Figure panels missing" not in written["markdown"].read_text()
    for figure in written["figures"]:
        assert figure.read_bytes() == (out / figure.name).read_bytes()


def test_a_finished_cell_without_its_panel_is_listed_as_missing(smoke_study, tmp_path):
    out, _ = smoke_study
    shutil.copytree(out / "cells", tmp_path / "cells")
    written = write_table2_report("smoke", tmp_path)
    assert written["figures"] == []
    text = written["markdown"].read_text()
    assert "Figure panels missing: `smoke-digits-A-learned-seed0`" in text
    assert "## Pending cells\n\nnone" in text


def test_the_committed_quick_figures_are_rebuilt_from_their_panels(tmp_path):
    study = tmp_path / "quick"
    shutil.copytree(COMMITTED, study)
    written = write_table2_report("quick", study)
    assert [p.name for p in written["figures"]] == ["fig2-A.png", "fig3-B.png", "fig4-C.png"]
    for figure in written["figures"]:
        assert figure.read_bytes() == (COMMITTED / figure.name).read_bytes()
