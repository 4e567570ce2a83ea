"""Rendering the MMGAN Table 2 study: ``table2.csv``, ``table2.md`` and Figs. 2-4.

Rendering only: the numbers come from the finished cells of
:mod:`mixmiss.experiments.table2` (their JSON records), grouped by
(dataset, case, mode). A group without finished cells is printed as
pending, so a study cut short still gets a report.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from ..atomic import atomic_write_bytes, atomic_write_text
from ..mmgan import component_figure, load_model
from ..mmgan.run import CHECKPOINT_FILE
from .cells import Cell
from .formatting import format_with_error, markdown_table, mean_and_standard_error

REGIONS = tuple(f"r{j}" for j in range(1, 8))
FIGURE_OF_CASE = {"A": 2, "B": 3, "C": 4}
DATASET_NAMES = {"mnist": "MNIST", "fashion-mnist": "F-MNIST", "digits": "digits 8x8"}
#: The paper row a dataset is compared with: digits (smoke preset only) with MNIST.
PAPER_DATASET = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "digits": "mnist"}

#: The paper's Table 2, transcribed from ../shared/reference/paper-tables.md:
#: (dataset, case) -> (accuracy in % of r1..r7, None for an empty region;
#: avg; random baseline, a fraction). Mixture weights fixed to the true priors.
PAPER_TABLE2: dict[tuple[str, str], tuple[tuple[float | None, ...], float, float]] = {
    ("mnist", "A"): ((99.69, 98.86, 83.40, None, None, None, None), 93.98, 0.5),
    ("fashion-mnist", "A"): ((90.15, 86.48, 80.92, None, None, None, None), 85.85, 0.5),
    ("mnist", "B"): ((99.32, 100.0, 96.05, 98.75, 98.14, 99.56, 99.36), 98.74, 0.25),
    ("fashion-mnist", "B"): ((71.86, 98.07, 68.45, 71.04, 93.17, 91.54, 18.02), 73.16, 0.25),
    ("mnist", "C"): ((99.12, None, None, None, None, 93.08, 93.64), 95.28, 0.61),
    ("fashion-mnist", "C"): ((94.41, None, None, None, None, 83.17, 67.5), 81.69, 0.61),
}

CSV_COLUMNS = (
    "preset",
    "dataset",
    "case",
    "mode",
    "seed",
    "status",
    "step",
    *REGIONS,
    "avg",
    "random",
    "weight_recovery_error",
    "alpha",
    "fid_S1",
    "fid_S2",
    "fid_S3",
    "fid_full_train_S1",
    "fid_full_train_S2",
    "fid_full_train_S3",
    "train_seconds",
    "eval_seconds",
    "wall_seconds",
)


@dataclass
class Group:
    """The cells of one (dataset, case, mode), one per seed, and the finished records."""

    dataset: str
    case: str
    mode: str
    cells: list[Cell] = field(default_factory=list)
    records: list[dict] = field(default_factory=list)

    @property
    def name(self) -> str:
        return DATASET_NAMES.get(self.dataset, self.dataset)

    @property
    def pending(self) -> list[str]:
        done = {r["id"] for r in self.records}
        return [c.id for c in self.cells if c.id not in done]


def _summary(values: list[float], decimals: int = 2) -> str:
    """One value as is; several (seeds) as mean(standard error)."""
    if not values:
        return "n/a"
    if len(values) == 1:
        return f"{values[0]:.{decimals}f}"
    return format_with_error(*mean_and_standard_error(values), max_decimals=decimals)


def _metric(records: list[dict], *keys: str) -> list[float]:
    """``record["metrics"][keys[0]][keys[1]]...`` of each record that has it."""
    values = []
    for record in records:
        value = record["metrics"]
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            values.append(float(value))
    return values


def _source(group: Group) -> str:
    if not group.records:
        return "ours: pending"
    steps = ", ".join(f"{s:,}" for s in sorted({r["metrics"]["step"] for r in group.records}))
    seeds = f", {len(group.records)}/{len(group.cells)} seeds" if len(group.cells) > 1 else ""
    return f"ours ({steps} it.{seeds})"


def accuracy_table(groups: list[Group]) -> str:
    """The paper's Table 2 layout for the fixed-priors groups, the paper's row under ours."""
    rows = []
    for group in groups:
        if group.mode != "fixed":
            continue
        ours = [""] * (len(REGIONS) + 2)
        if group.records:
            present = group.records[0]["metrics"]["accuracy"]
            ours = [
                _summary(_metric(group.records, "accuracy", r)) if r in present else "n/a"
                for r in REGIONS
            ]
            ours += [_summary(_metric(group.records, k)) for k in ("avg", "random")]
        rows.append([group.name, group.case, _source(group), *ours])
        paper_dataset = PAPER_DATASET.get(group.dataset)
        if (paper_dataset, group.case) in PAPER_TABLE2:
            accuracy, avg, random = PAPER_TABLE2[paper_dataset, group.case]
            label = "paper" if paper_dataset == group.dataset else "paper (MNIST)"
            values = ["n/a" if a is None else f"{a:.2f}" for a in accuracy]
            rows.append([group.name, group.case, label, *values, f"{avg:.2f}", f"{random:.2f}"])
    header = ["dataset", "case", "source", *REGIONS, "avg", "random"]
    return markdown_table(header, rows)


def _weights(rows: list[list[float]]) -> str:
    """alpha (n, K) as ``d1: 0.61 0.00 0.39; d2: ...`` (the paper's d_i)."""
    return "; ".join(
        f"d{i}: " + " ".join(f"{a:.2f}" for a in row) for i, row in enumerate(rows, start=1)
    )


def learned_table(groups: list[Group]) -> str:
    """Learned weights (first seed, as in the figure), weight recovery error, matched accuracy."""
    rows = []
    for group in groups:
        if group.mode != "learned":
            continue
        row = [group.name, group.case, _source(group)]
        if group.records:
            first = group.records[0]["metrics"]
            row += [
                str(len(first["alpha"][0])),
                _weights(first["alpha"]),
                f"({' '.join(first['regions'])}) " + _weights(first["true_priors"]),
                _summary(_metric(group.records, "weight_recovery_error"), 3),
                _summary(_metric(group.records, "avg")),
            ]
        rows.append(row + [""] * (8 - len(row)))
    header = ["dataset", "case", "source", "K", "learned alpha", "true priors (regions)"]
    return markdown_table(header + ["weight recovery error", "avg accuracy (matched)"], rows)


def runs_table(groups: list[Group]) -> str:
    """One row per finished cell: step, FID per distribution, times, code revision."""
    rows = []
    for record in (r for g in groups for r in g.records):
        m = record["metrics"]
        train_s = m.get("train_seconds")
        rows.append(
            [
                record["id"],
                f"{m['step']:,}",
                " / ".join(f"{f:.1f}" for f in m["fid"]),
                "n/a" if train_s is None else f"{train_s:,.0f}",
                f"{record['wall_seconds']:,.0f}",
                str(record["provenance"].get("git_revision")),
            ]
        )
    header = ["cell", "step", "FID per distribution", "train s", "cell wall s", "git revision"]
    return markdown_table(header, rows)


def _csv_row(cell: Cell, record: dict | None) -> dict:
    row = {k: cell.params[k] for k in ("preset", "dataset", "case", "mode", "seed")}
    row["status"] = "pending" if record is None else "done"
    if record is None:
        return row
    m = record["metrics"]
    row.update({k: m.get(k) for k in ("step", "avg", "random", "weight_recovery_error")})
    row.update(m["accuracy"])
    row["alpha"] = json.dumps(m["alpha"])
    for name in ("fid", "fid_full_train"):
        for i, value in enumerate(m.get(name, []), start=1):
            row[f"{name}_S{i}"] = value
    row.update(train_seconds=m.get("train_seconds"), eval_seconds=m.get("eval_seconds"))
    row["wall_seconds"] = record["wall_seconds"]
    return row


def write_csv(path: Path, groups: list[Group]) -> Path:
    """One row per cell (pending ones with their keys only), written atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for group in groups:
        records = {r["id"]: r for r in group.records}
        for cell in group.cells:
            writer.writerow(_csv_row(cell, records.get(cell.id)))
    return atomic_write_text(path, buffer.getvalue())


def _stack_vertically(images: list[Path], path: Path) -> Path:
    """One PNG of ``images`` stacked top to bottom on white, written atomically."""
    opened = [Image.open(p).convert("RGB") for p in images]
    width = max(im.width for im in opened)
    canvas = Image.new("RGB", (width, sum(im.height for im in opened)), "white")
    top = 0
    for im in opened:
        canvas.paste(im, ((width - im.width) // 2, top))
        top += im.height
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return atomic_write_bytes(path, buffer.getvalue())


def write_figures(out: Path, groups: list[Group]) -> tuple[list[Path], list[str]]:
    """Figs. 2-4: per case, the component grids of each dataset's learned-weights run.

    Each run's grid (:func:`mixmiss.mmgan.component_figure`, 8 x 8 samples
    per component titled with d_i = alpha_k^(i); first seed) goes to
    ``out/figures/<cell id>.png``; the datasets' grids are stacked into
    ``out/fig<N>-<case>.png``. Returns the figures written and the cell ids
    whose panels are still missing.
    """
    panels: dict[str, list[Path]] = {}
    missing = []
    for group in groups:
        if group.mode != "learned":
            continue
        cell = group.cells[0]
        run_dir = out / "runs" / cell.id
        if cell.id in group.pending or not (run_dir / CHECKPOINT_FILE).is_file():
            missing.append(cell.id)
            continue
        model, _, step = load_model(run_dir, "cpu")
        title = f"{group.name}, case {group.case}, learned weights, step {step:,}"
        panel = component_figure(model, out / "figures" / f"{cell.id}.png", title=title)
        panels.setdefault(group.case, []).append(panel)
    figures = [
        _stack_vertically(images, out / f"fig{FIGURE_OF_CASE.get(case, 0)}-{case}.png")
        for case, images in panels.items()
    ]
    return figures, missing


def summary_markdown(groups: list[Group]) -> str:
    """``summary.md``: Table 2 beside the paper's and the learned weights, for the README.

    The README's Results section embeds it verbatim (``tools/sync_readme.py``).
    """
    finished = sum(len(group.records) for group in groups)
    total = sum(len(group.cells) for group in groups)
    text = [
        f"Cells finished: {finished} of {total}.\n",
        "Per-component accuracy (%), mixture weights fixed to the true priors:\n",
        accuracy_table(groups),
        "Learned mixture weights and their recovery error:\n",
        learned_table(groups),
    ]
    return "\n".join(text)


def write_markdown(
    path: Path, intro: str, groups: list[Group], figures: list[Path], missing: list[str]
) -> Path:
    """``table2.md``: Table 2 beside the paper's, learned weights, runs, figures, pending cells."""
    pending = [cell_id for group in groups for cell_id in group.pending]
    text = [
        intro,
        "## Table 2: per-component accuracy (%), mixture weights fixed to the true priors\n",
        "`n/a`: the region is empty in that case. `random`: the paper's random baseline "
        "(a fraction).\n",
        accuracy_table(groups),
        "## Learned mixture weights (the runs of Figs. 2-4)\n",
        "Components are matched to regions by a maximum-weight assignment on their samples' "
        "labels; weight recovery error = max over i, k of |alpha_k^(i) - target|, the target "
        "being the matched region's true prior (0 for an unmatched component). Components "
        "in the model's order.\n",
        learned_table(groups),
        "## Runs\n",
        runs_table(groups),
        "## Figures\n",
        "\n".join(f"- `{p.name}`" for p in figures) or "none yet",
        "",
    ]
    if missing:
        text += [f"Figure panels pending: {', '.join(f'`{c}`' for c in missing)}.", ""]
    text += ["## Pending cells\n", "\n".join(f"- `{c}`" for c in pending) or "none", ""]
    return atomic_write_text(path, "\n".join(text))
