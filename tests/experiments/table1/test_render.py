"""Table 1 rendered from stored cells: pooling, markdown, the study's output files."""

import math

import pytest

from mixmiss.experiments.table1 import summarise, summary_markdown, table_markdown
from mixmiss.experiments.table1.render import scorer_markdown

from .records import SMALL, evaluation, one_cell, record


def test_summary_pools_every_training_and_test_pair():
    records = {
        "im-0.3-rbm-train0": record(
            [evaluation(0.1, 5.0, 0.90, 0.95), evaluation(0.2, 7.0, 0.80, 0.85)]
        ),
        "im-0.3-rbm-train1": record([evaluation(0.3, 9.0, 0.70, 0.75)]),
    }
    rows = {(r["mechanism"], r["rate"], r["method"]): r for r in summarise(SMALL, records)}
    row = rows[("im", 0.3, "rbm")]
    assert row["pairs"] == 3 and row["train_sets"] == 2 and row["pending_cells"] == 0
    assert row["rmse"] == pytest.approx(0.2)
    assert row["rmse_se"] == pytest.approx(0.1 / math.sqrt(3))
    assert row["accuracy"] == pytest.approx(80.0)  # percent, as the paper prints
    assert row["accuracy_hidden"] == pytest.approx(85.0)
    assert row["wall_seconds"] == 2.0
    pending = rows[("so", 0.9, "misgan")]
    assert pending["pairs"] == 0 and pending["pending_cells"] == 2 and math.isnan(pending["rmse"])
    assert "…" in table_markdown(SMALL, list(rows.values()))


def test_summary_markdown_puts_the_papers_value_beside_ours():
    preset = one_cell()
    records = {"im-0.6-rbm-train0": record([evaluation(0.1801, 123.45, 0.904, 0.70)])}
    text = summary_markdown(preset, summarise(preset, records), pending=["im-0.6-mean-train0"])
    assert text.startswith("Cells finished: 1 of 2.")
    assert "| I.M. | 0.6 | … (0.257) | 0.180 (0.156) |" in text  # RMSE, pending Mean
    assert "| I.M. | 0.6 | … (87.4) | 90.4 (90.4) |" in text  # accuracy in percent
    assert "| I.M. | 0.6 | … | 123.5 |" in text  # FID: ours only
    assert "the one with the lowest FID: **not yet checkable**" in text  # claims, Mean pending


def test_the_papers_fid_is_compared_with_the_paper_when_the_cells_have_it():
    preset = one_cell()
    records = {
        "im-0.6-mean-train0": record([evaluation(0.257, 3109.0, 0.87, fid_lenet=61.25)]),
        "im-0.6-rbm-train0": record([evaluation(0.156, 535.0, 0.904, 0.945)]),  # an older cell
    }
    rows = summarise(preset, records)
    text = summary_markdown(preset, rows, pending=[])
    assert "FID as the paper computes it" in text
    assert "| I.M. | 0.6 | 61.2 (72) | n/a (5.8) |" in text  # ours (paper); older cell: n/a
    assert "| I.M. | 0.6 | 3109.0 | 535.0 |" in text  # our evaluator's FID still shown
    table = table_markdown(preset, rows)
    assert "| FID Mean | FID RBM |" in table and "61.2(0) | n/a |" in table
    assert "3109" not in table  # our FID has its own table in the report


def test_cells_without_the_papers_fid_render_as_before():
    preset = one_cell()
    records = {"im-0.6-mean-train0": record([evaluation(0.257, 3109.0, 0.87)])}
    rows = summarise(preset, records)
    assert "fid_lenet" not in rows[0]  # same rows, same CSV columns as before
    text = summary_markdown(preset, rows, pending=["im-0.6-rbm-train0"])
    assert "FID, ours only" in text and "paper computes" not in text
    assert "3109.0(0)" in table_markdown(preset, rows)


def test_the_report_lists_the_scoring_networks_and_flags_a_mix():
    scored = {"evaluator_checksum": "e" * 64, "lenet_checksum": "1" * 64}
    one = {f"c{i}": record([{**evaluation(0.2, 9.0, 0.9), **scored}]) for i in range(3)}
    text = scorer_markdown(one)
    assert f"`{'1' * 12}` 3 cells" in text and "with care" not in text
    old = {"c9": record([evaluation(0.2, 9.0, 0.9)])}  # computed before cells kept them
    retrained = {"c8": record([{**evaluation(0.2, 9.0, 0.9), "lenet_checksum": "2" * 64}])}
    text = scorer_markdown({**one, **old, **retrained})
    assert "`not recorded` 2 cells" in text  # the CNN of both
    assert f"`{'2' * 12}` 1 cell, `not recorded` 1 cell (" in text  # the LeNets
    assert text.count("with care") == 2  # the CNN: recorded and not; the LeNet: two networks
