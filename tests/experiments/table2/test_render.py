"""Rendering Table 2: the tables beside the paper's, the claims section, partial studies."""

import csv
import re
import shutil

from mixmiss.experiments.table2 import PAPER_TABLE2, REGIONS, write_table2_report

from .conftest import SMOKE_IDS, read_cell


def _row(text, prefix):
    (line,) = [x for x in text.splitlines() if x.startswith(prefix)]
    return [c.strip() for c in line.strip("|").split("|")]


def test_markdown_holds_the_paper_numbers_and_ours(smoke_study):
    out, written = smoke_study
    text = written["markdown"].read_text()
    table, learned_table = text.split("## Learned")
    for case in "ABC":
        metrics = read_cell(out, f"smoke-digits-{case}-fixed-seed0")["metrics"]
        ours = _row(table, f"| digits 8x8 | {case} | ours (6 it.)")
        expected = [f"{metrics['accuracy'][r]:.2f}" if r in metrics["accuracy"] else "n/a"
                    for r in REGIONS]  # fmt: skip
        assert ours[3:10] == expected and ours[10] == f"{metrics['avg']:.2f}"
        paper = _row(table, f"| digits 8x8 | {case} | paper (MNIST)")
        accuracy, avg, _ = PAPER_TABLE2["mnist", case]
        assert paper[3:11] == [f"{a:.2f}" if a else "n/a" for a in accuracy] + [f"{avg:.2f}"]
    assert _row(table, "| digits 8x8 | C | paper (MNIST)")[3:10] == [
        "99.12", "n/a", "n/a", "n/a", "n/a", "93.08", "93.64",
    ]  # fmt: skip
    learned = read_cell(out, "smoke-digits-B-learned-seed0")["metrics"]
    (b_row,) = [x for x in learned_table.splitlines() if x.startswith("| digits 8x8 | B |")]
    assert b_row.split(" | ")[6] == f"{learned['weight_recovery_error']:.3f}"
    assert text.rstrip().endswith("## Pending cells\n\nnone")


def test_markdown_checks_the_claims_between_the_learned_weights_and_the_runs(smoke_study):
    _, written = smoke_study
    text = written["markdown"].read_text()
    claims = text.split("## The paper's claims, on our numbers\n")[1].split("## Runs")[0]
    assert text.index("## Learned") < text.index("## The paper's claims") < text.index("## Runs")
    lines = [line for line in claims.splitlines() if line.startswith("- ")]
    assert len(lines) == 5
    verdict = r": \*\*(holds|does not hold)\*\* \([0-3]/3 cells"
    assert re.search("the average accuracy is above the random baseline" + verdict, lines[0])
    assert re.search("learned weights recover the true priors .*" + verdict, lines[4])
    # the smoke study trains digits only: no Fashion-MNIST to compare with
    assert lines[3].endswith("not checkable (the study does not train both datasets)")
    assert "claims" not in written["summary"].read_text()  # the README's summary is unchanged


def test_a_partial_study_reports_pending_cells(smoke_study, tmp_path):
    out, _ = smoke_study
    done = "smoke-digits-A-learned-seed0"
    (tmp_path / "cells").mkdir()
    shutil.copy(out / "cells" / f"{done}.json", tmp_path / "cells")
    (tmp_path / "figures").mkdir()
    shutil.copy(out / "figures" / f"{done}.png", tmp_path / "figures")
    written = write_table2_report("smoke", tmp_path)
    assert [p.name for p in written["figures"]] == ["fig2-A.png"]
    assert not (tmp_path / "fig3-B.png").exists()
    text = written["markdown"].read_text()
    pending = text.split("## Pending cells")[1]
    assert sorted(pending.split("`")[1::2]) == sorted(set(SMOKE_IDS) - {done})
    assert text.count("| ours: pending |") == 5 and "| paper (MNIST) |" in text
    assert re.search(r"- learned weights recover the true priors .*\*\* \([01]/1 cells", text)
    status = [r["status"] for r in csv.DictReader(written["csv"].open())]
    assert status == ["pending"] * 3 + ["done"] + ["pending"] * 2


def test_an_empty_study_reports_every_cell_pending(tmp_path):
    written = write_table2_report("smoke", tmp_path)
    text = written["markdown"].read_text()
    assert written["figures"] == [] and "none yet" in text
    assert text.count("**not yet checkable** (0/0 cells)") == 4
