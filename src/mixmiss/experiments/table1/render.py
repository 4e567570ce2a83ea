"""Table 1 rendered from the stored cells: CSV, markdown (ours, the paper's, the claims,
the differences), the README summary and the figures. Rendering reads cell records only:
it never trains or evaluates."""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import asdict
from pathlib import Path

from ...atomic import atomic_write_text
from ..cells import finished_cells
from ..formatting import format_with_error, markdown_table, mean_and_standard_error
from .claims import check_claims, differences
from .figures import fig1, perception_distortion_figure
from .grid import (
    HIDDEN_METHODS,
    METRICS,
    Table1Preset,
    cell_id,
    get_preset,
    rows_by_cell,
    table1_cells,
    valid_metrics,
)
from .paper import MECHANISM_NAMES, PAPER_NAMES, paper_value


def summarise(preset: Table1Preset, records: dict[str, dict]) -> list[dict]:
    """One row per (mechanism, rate, method): mean and standard error over its finished pairs.

    Accuracies are turned into percent, as the paper prints them.
    """
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
                for metric in METRICS:
                    scale = 100.0 if metric.startswith("accuracy") else 1.0
                    values = [scale * e[metric] for e in evals if e.get(metric) is not None]
                    mean, error = mean_and_standard_error(values)
                    row[metric], row[f"{metric}_se"] = mean, error
                train = [r["metrics"]["train_seconds"] or 0.0 for r in done]
                row["train_seconds"] = sum(train) / len(train) if train else math.nan
                row["wall_seconds"] = sum(r["wall_seconds"] for r in done)
                rows.append(row)
    return rows


_DECIMALS = {"rmse": 3, "fid": 1, "accuracy": 1, "accuracy_hidden": 1}
_GROUPS = (("rmse", "RMSE"), ("fid", "FID"), ("accuracy", "Acc"))


def _header(methods) -> list[str]:
    header = ["mech", "rate"]
    for _, label in _GROUPS:
        header += [f"{label} {PAPER_NAMES.get(m, m)}" for m in methods]
    return header + [f"hid {PAPER_NAMES[m]}" for m in HIDDEN_METHODS if m in methods]


def _cells_of_row(methods, value) -> list[str]:
    cells = [value(metric, method) for metric, _ in _GROUPS for method in methods]
    return cells + [value("accuracy_hidden", m) for m in HIDDEN_METHODS if m in methods]


def table_markdown(preset: Table1Preset, rows: list[dict]) -> str:
    """Our Table 1 in the paper's layout: value(standard error); '…' for a pending cell."""
    table = rows_by_cell(rows)

    def ours(mechanism, rate):
        def value(metric, method):
            row = table[(mechanism, rate, method)]
            if row["pairs"] == 0:
                return "…"
            return format_with_error(row[metric], row[f"{metric}_se"], _DECIMALS[metric])

        return value

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *_cells_of_row(preset.methods, ours(m, r))]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    return markdown_table(_header(preset.methods), body)


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
    preset: Table1Preset, rows: list[dict], metric: str, with_paper: bool = True
) -> str:
    """One metric per method, ``ours (paper)`` where the paper has the cell; ``…`` if pending."""
    table = rows_by_cell(rows)

    def cell(mechanism, rate, method):
        row = table[(mechanism, rate, method)]
        ours = "…" if row["pairs"] == 0 else f"{row[metric]:.{_DECIMALS[metric]}f}"
        paper = paper_value(mechanism, rate, metric, method) if with_paper else None
        return ours if paper is None else f"{ours} ({paper[0]:g})"

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *(cell(m, r, method) for method in preset.methods)]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    header = ["mech", "rate", *(PAPER_NAMES.get(m, m) for m in preset.methods)]
    return markdown_table(header, body)


def summary_markdown(preset: Table1Preset, rows: list[dict], pending: list[str]) -> str:
    """``summary.md``: RMSE and accuracy beside the paper's, our FID, the claims checked.

    The README's Results section embeds it verbatim (``tools/sync_readme.py``).
    """
    finished = sum(row["train_sets"] for row in rows)
    with_paper = preset.dataset == "mnist"
    ours = ", ours (paper)" if with_paper else ""
    return "\n".join(
        [
            f"Cells finished: {finished} of {finished + len(pending)}.\n",
            f"RMSE{ours}:\n",
            beside_paper_markdown(preset, rows, "rmse", with_paper),
            f"Accuracy (%) of logistic regression on the reconstructions{ours}:\n",
            beside_paper_markdown(preset, rows, "accuracy", with_paper),
            "FID, ours only (our evaluator's features, not the paper's network):\n",
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
    preset: str | Table1Preset, out: str | os.PathLike, dataset: str | None = None
) -> dict[str, Path]:
    """Write table1.csv, table1.md, summary.md and the figures from the finished cells."""
    preset = get_preset(preset, dataset) if isinstance(preset, str) else preset
    out = Path(out)
    cells = table1_cells(preset)
    records = finished_cells(cells, out, valid_metrics)
    rows = summarise(preset, records)
    pending = [cell.id for cell in cells if cell.id not in records]
    paths = {
        "csv": atomic_write_text(out / "table1.csv", rows_csv(rows)),
        "markdown": atomic_write_text(out / "table1.md", _report(preset, rows, records, pending)),
        "summary": atomic_write_text(out / "summary.md", summary_markdown(preset, rows, pending)),
        "figure": fig1(rows, preset, out / "fig1.png"),
        "scatter": perception_distortion_figure(
            rows, preset, out / "fig1-perception-distortion.png"
        ),
    }
    return paths


def _report(preset: Table1Preset, rows, records, pending) -> str:
    walls = [r["wall_seconds"] for r in records.values()]
    revisions = sorted({r["provenance"]["git_revision"] or "unknown" for r in records.values()})
    machines = sorted({r["provenance"]["machine"] for r in records.values()})
    parts = [
        f"# Table 1 of the LM-RBM paper ({preset.dataset})\n",
        "Mean over (training set, test set) pairs with its standard error in the last digit, "
        "as in the paper. Accuracies in percent; FID with mixmiss's evaluator features "
        "(not the paper's network: compare orderings only).\n",
        "Study settings: " + ", ".join(f"{k} = {v}" for k, v in asdict(preset).items()) + ".\n",
        f"Cells finished: {len(records)} of {len(records) + len(pending)}, "
        f"{sum(walls) / 3600:.2f} h of cell wall time; git revisions {', '.join(revisions)}; "
        f"machines: {'; '.join(machines) or 'none yet'}. Each cell's command, revision and "
        "wall time are in `cells/<cell id>.json`.\n",
        "## Ours\n",
        table_markdown(preset, rows),
    ]
    paper = paper_markdown(preset)
    if paper and preset.dataset == "mnist":
        parts += ["\n## The paper (MNIST, 30 pairs)\n", paper]
    parts += ["\n## The paper's claims, on our numbers\n", "\n".join(check_claims(preset, rows))]
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
