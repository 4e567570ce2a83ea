"""Table 1 rendered from the stored cells: CSV, markdown (ours, the paper's, the claims,
the differences), the README summary and the figures. Rendering reads cell records only:
it never trains or evaluates.

FID: when the cells have the paper's FID (``fid_lenet``: MisGAN's code's FID,
with the reference LeNet, of the completed training images), it is the FID
shown in the paper's layout and beside the paper's values, and our evaluator
CNN's FID (``fid``) moves to a table of its own. Cells computed before the
protocol had it render as before (our FID only, orderings compared)."""

from __future__ import annotations

import csv
import io
import math
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from ...atomic import atomic_write_text
from ..cells import finished_cells
from ..formatting import format_with_error, markdown_table, mean_and_standard_error
from .boundary import boundary_markdown
from .claims import check_claims, differences
from .figures import fid_metric, fig1, perception_distortion_figure
from .grid import (
    HIDDEN_METHODS,
    METRICS,
    PAPER_FID_METRICS,
    READOUT_METRICS,
    SCORER_KEYS,
    Table1Preset,
    cell_id,
    get_preset,
    readout_keys,
    rows_by_cell,
    table1_cells,
    valid_metrics,
)
from .paper import MECHANISM_NAMES, PAPER_NAMES, paper_value
from .selection import GAP_TARGET, selection_markdown, stored_selections


def summarise(preset: Table1Preset, records: dict[str, dict]) -> list[dict]:
    """One row per (mechanism, rate, method): mean and standard error over its finished pairs.

    Accuracies are turned into percent, as the paper prints them. The
    paper's FID (:data:`~.grid.PAPER_FID_METRICS`) is summarised only when some
    cell has it, so that older cells give the same rows as before.
    """
    evals = [e for record in records.values() for e in record["metrics"]["evals"]]
    with_paper_fid = any(e.get("fid_lenet") is not None for e in evals)
    metrics = (*METRICS, *PAPER_FID_METRICS, *READOUT_METRICS) if with_paper_fid else METRICS
    others = {k: None for e in evals for k in readout_keys(e)}  # every read-out scored, in order
    metrics = (*metrics, *(k for k in others if k not in metrics)) if with_paper_fid else metrics
    rows = []
    for mechanism in preset.mechanisms:
        for rate in preset.rates:
            for method in preset.methods:
                ids = [cell_id(mechanism, rate, method, s) for s in preset.train_seeds]
                done = [records[i] for i in ids if i in records]
                evals = [e for record in done for e in record["metrics"]["evals"]]
                row = {
                    "mechanism": mechanism,
                    "rate": rate,
                    "method": method,
                    "train_sets": len(done),
                    "pairs": len(evals),
                    "pending_cells": len(ids) - len(done),
                }
                for metric in metrics:
                    scale = 100.0 if metric.startswith("accuracy") else 1.0
                    values = [scale * e[metric] for e in evals if e.get(metric) is not None]
                    mean, error = mean_and_standard_error(values)
                    row[metric], row[f"{metric}_se"] = mean, error
                train = [r["metrics"]["train_seconds"] or 0.0 for r in done]
                row["train_seconds"] = sum(train) / len(train) if train else math.nan
                row["wall_seconds"] = sum(r["wall_seconds"] for r in done)
                rows.append(row)
    return rows


_DECIMALS = {"rmse": 3, "fid": 1, "fid_lenet": 1, "fid_lenet_test": 1, "accuracy": 1,
             "accuracy_hidden": 1}  # fmt: skip
_GROUPS = (("rmse", "RMSE"), ("fid", "FID"), ("accuracy", "Acc"))
#: The paper's layout with the paper's FID in the FID columns.
_PAPER_FID_GROUPS = (("rmse", "RMSE"), ("fid_lenet", "FID"), ("accuracy", "Acc"))


def has_paper_fid(rows: list[dict]) -> bool:
    """Whether any row has the paper's FID (``fid_lenet``)."""
    return any(not math.isnan(row.get("fid_lenet", math.nan)) for row in rows)


def _header(methods, groups=_GROUPS) -> list[str]:
    header = ["mech", "rate"]
    for _, label in groups:
        header += [f"{label} {PAPER_NAMES.get(m, m)}" for m in methods]
    return header + [f"hid {PAPER_NAMES[m]}" for m in HIDDEN_METHODS if m in methods]


def _cells_of_row(methods, value, groups=_GROUPS) -> list[str]:
    cells = [value(metric, method) for metric, _ in groups for method in methods]
    return cells + [value("accuracy_hidden", m) for m in HIDDEN_METHODS if m in methods]


def table_markdown(preset: Table1Preset, rows: list[dict]) -> str:
    """Our Table 1 in the paper's layout: value(standard error); '…' for a pending cell.

    The FID columns hold the paper's FID (``fid_lenet``) when any row has it
    ('n/a' for a finished cell without), else our evaluator's.
    """
    groups = _PAPER_FID_GROUPS if has_paper_fid(rows) else _GROUPS
    return _layout_markdown(preset, rows, groups)


def metric_markdown(preset: Table1Preset, rows: list[dict], metric: str) -> str:
    """One metric in the paper's layout (one column per method), value(standard error)."""
    table = rows_by_cell(rows)

    def value(mechanism, rate, method):
        row = table[(mechanism, rate, method)]
        if row["pairs"] == 0:
            return "…"
        return format_with_error(row[metric], row[f"{metric}_se"], _DECIMALS[metric])

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *(value(m, r, method) for method in preset.methods)]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    header = ["mech", "rate", *(PAPER_NAMES.get(m, m) for m in preset.methods)]
    return markdown_table(header, body)


def _layout_markdown(preset: Table1Preset, rows: list[dict], groups) -> str:
    table = rows_by_cell(rows)

    def ours(mechanism, rate):
        def value(metric, method):
            row = table[(mechanism, rate, method)]
            if row["pairs"] == 0:
                return "…"
            return format_with_error(row[metric], row[f"{metric}_se"], _DECIMALS[metric])

        return value

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *_cells_of_row(preset.methods, ours(m, r), groups)]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    return markdown_table(_header(preset.methods, groups), body)


def paper_markdown(preset: Table1Preset) -> str:
    """The paper's Table 1 rows for the mechanisms and rates of ``preset`` (where it has them)."""

    def printed(mechanism, rate):
        def value(metric, method):
            found = paper_value(mechanism, rate, metric, method)
            return "" if found is None else f"{found[0]:g}"

        return value

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *_cells_of_row(preset.methods, printed(m, r))]
        for m in preset.mechanisms
        for r in preset.rates
        if paper_value(m, r, "rmse", "mean") is not None
    ]
    return markdown_table(_header(preset.methods), body) if body else ""


def beside_paper_markdown(
    preset: Table1Preset,
    rows: list[dict],
    metric: str,
    with_paper: bool = True,
    paper_metric: str | None = None,
) -> str:
    """One metric per method, ``ours (paper)`` where the paper has the cell; ``…`` if pending,
    ``n/a`` for a finished cell without the metric.

    ``paper_metric`` names the paper's column compared with ``metric``
    (default: the same; ``"fid"`` for our ``fid_lenet``).
    """
    table = rows_by_cell(rows)

    def cell(mechanism, rate, method):
        row = table[(mechanism, rate, method)]
        ours = "…" if row["pairs"] == 0 else f"{row[metric]:.{_DECIMALS[metric]}f}"
        if row["pairs"] and math.isnan(row[metric]):
            ours = "n/a"
        paper = paper_value(mechanism, rate, paper_metric or metric, method) if with_paper else None
        return ours if paper is None else f"{ours} ({paper[0]:g})"

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *(cell(m, r, method) for method in preset.methods)]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    header = ["mech", "rate", *(PAPER_NAMES.get(m, m) for m in preset.methods)]
    return markdown_table(header, body)


def summary_markdown(preset: Table1Preset, rows: list[dict], pending: list[str]) -> str:
    """``summary.md``: RMSE, accuracy and (when the cells have it) the paper's FID beside
    the paper's values, our FID, the claims checked.

    The README's Results section embeds it verbatim (``tools/sync_readme.py``).
    """
    finished = sum(row["train_sets"] for row in rows)
    with_paper = preset.dataset == "mnist"
    ours = ", ours (paper)" if with_paper else ""
    fid = []
    if has_paper_fid(rows):
        fid = [
            "FID as the paper computes it (MisGAN's code: the reference LeNet's features) "
            f"of the completed training images{ours}:\n",
            beside_paper_markdown(preset, rows, "fid_lenet", with_paper, paper_metric="fid"),
            "FID of our evaluator CNN on the completed test images (not the paper's network):\n",
        ]
    else:
        fid = ["FID, ours only (our evaluator's features, not the paper's network):\n"]
    return "\n".join(
        [
            f"Cells finished: {finished} of {finished + len(pending)}.\n",
            f"RMSE{ours}:\n",
            beside_paper_markdown(preset, rows, "rmse", with_paper),
            f"Accuracy (%) of logistic regression on the reconstructions{ours}:\n",
            beside_paper_markdown(preset, rows, "accuracy", with_paper),
            *fid,
            beside_paper_markdown(preset, rows, "fid", with_paper=False),
            "The paper's claims, checked on our finished cells:\n",
            "\n".join(check_claims(preset, rows)) + "\n",
        ]
    )


def rows_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_table1_report(
    preset: str | Table1Preset,
    out: str | os.PathLike,
    dataset: str | None = None,
    readouts: str = "default",
    mechanisms: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write table1.csv, table1.md, summary.md and the figures from the finished cells."""
    if isinstance(preset, str):
        preset = get_preset(preset, dataset, readouts, mechanisms)
    out = Path(out)
    cells = table1_cells(preset)
    records = finished_cells(cells, out, valid_metrics)
    rows = summarise(preset, records)
    pending = [cell.id for cell in cells if cell.id not in records]
    paths = {
        "csv": atomic_write_text(out / "table1.csv", rows_csv(rows)),
        "markdown": atomic_write_text(
            out / "table1.md",
            _report(preset, rows, records, pending, stored_selections(preset, out, records)),
        ),
        "summary": atomic_write_text(out / "summary.md", summary_markdown(preset, rows, pending)),
        "figure": fig1(rows, preset, out / "fig1.png"),
        "scatter": perception_distortion_figure(
            rows, preset, out / "fig1-perception-distortion.png"
        ),
    }
    return paths


def scorer_markdown(records: dict[str, dict]) -> str:
    """Which scoring networks (:data:`~.grid.SCORER_KEYS`, by SHA-256 prefix) scored how
    many cells, so that a table mixing networks trained on two machines says so."""
    lines = []
    for key, name in zip(SCORER_KEYS, ("evaluator CNN", "reference LeNet"), strict=True):
        counts = Counter(
            str(e.get(key) or "not recorded")[:12]
            for r in records.values()
            for e in r["metrics"]["evals"][:1]
        )
        listed = ", ".join(
            f"`{checksum}` {n} cell{'s' * (n != 1)}" for checksum, n in sorted(counts.items())
        )
        warning = " (**not one network: compare its FIDs across these groups with care**)"
        warning = warning if len(counts) > 1 else ""
        lines.append(f"- {name} (SHA-256 prefix): {listed}{warning}")
    return "Scoring networks, per cell:\n\n" + "\n".join(lines) + "\n"


def _report(preset: Table1Preset, rows, records, pending, selections=None) -> str:
    walls = [r["wall_seconds"] for r in records.values()]
    revisions = sorted({r["provenance"]["git_revision"] or "unknown" for r in records.values()})
    machines = sorted({r["provenance"]["machine"] for r in records.values()})
    scorers = scorer_markdown(records)
    paper_fid = has_paper_fid(rows)
    if paper_fid:
        fid_text = (
            "FID as the paper computes it: MisGAN's code's FID, with the reference LeNet's "
            "features (`mixmiss.evaluators.lenet`), of the completed training images "
            "('n/a': a cell computed before the protocol had it); our evaluator CNN's FID "
            "of the completed test images is in its own table below."
        )
    else:
        fid_text = (
            "FID with mixmiss's evaluator features (not the paper's network: compare "
            "orderings only)."
        )
    parts = [
        f"# Table 1 of the LM-RBM paper ({preset.dataset})\n",
        "Mean over (training set, test set) pairs with its standard error in the last digit, "
        f"as in the paper. Accuracies in percent; {fid_text}\n",
        "Study settings: " + ", ".join(f"{k} = {v}" for k, v in asdict(preset).items()) + ".\n",
        f"Cells finished: {len(records)} of {len(records) + len(pending)}, "
        f"{sum(walls) / 3600:.2f} h of cell wall time; git revisions {', '.join(revisions)}; "
        f"machines: {'; '.join(machines) or 'none yet'}. Each cell's command, revision and "
        "wall time are in `cells/<cell id>.json`.\n",
        scorers,
        "## Ours\n",
        table_markdown(preset, rows),
    ]
    if paper_fid:
        parts += [
            "\n### FID of the completed test images: the paper's network (LeNet)\n",
            metric_markdown(preset, rows, "fid_lenet_test"),
            "\n### FID of the completed test images: our evaluator CNN\n",
            metric_markdown(preset, rows, "fid"),
        ]
    paper = paper_markdown(preset)
    if paper and preset.dataset == "mnist":
        parts += ["\n## The paper (MNIST, 30 pairs)\n", paper]
    parts += ["\n## The paper's claims, on our numbers\n", "\n".join(check_claims(preset, rows))]
    if paper_fid:
        parts += [
            "\n\n## The perception-distortion boundary (`fig1-perception-distortion.png`)\n",
            "Per cell, the methods whose read-outs make the lower-left envelope of all points "
            "(RMSE against the paper's FID), from the lowest RMSE to the lowest FID, and how "
            "each RBM's curve of read-outs stands to MisGAN's: they *cross* (in RMSE x log "
            "FID), one *dominates* (matches or beats every point of the other on both axes), or "
            "they form a *trade-off* (`boundary.py`).\n",
            boundary_markdown(preset, rows, fid_metric(rows)[0]),
        ]
    if selections:
        parts += [
            "\n\n## The read-out chosen without ground truth (`--select`)\n",
            "Each stochastic cell's model, on its first masked test set (the study's test "
            "images): 10 % of every image's *observed* pixels held out, every read-out scored "
            "on them, the least held-out RMSE chosen (`selection.py`); then, knowing the "
            "missing pixels, the choice's true RMSE against the best read-out's (the target: "
            f"a gap of at most {GAP_TARGET}).\n",
            selection_markdown(selections),
        ]
    if preset.dataset == "mnist":
        diffs = differences(preset, rows)
        parts.append("\n\n## Where we differ from the paper by more than its standard error\n")
        parts.append(
            markdown_table(
                ["mech", "rate", "method", "metric", "ours", "paper", "ours - paper"],
                [_difference_row(d) for d in diffs],
            )
            if diffs
            else "None.\n"
        )
    if pending:
        parts.append(f"\n## Pending cells ({len(pending)})\n\n" + ", ".join(pending) + "\n")
    return "\n".join(parts)


def _difference_row(d: dict) -> list[str]:
    decimals = _DECIMALS[d["metric"]] + 1
    return [
        MECHANISM_NAMES[d["mechanism"]],
        f"{d['rate']:g}",
        PAPER_NAMES[d["method"]],
        d["metric"],
        f"{d['ours']:.{decimals}f}",
        f"{d['paper']:g}",
        f"{d['difference']:+.{decimals}f}",
    ]
