"""Rendering the Table 2 study: ``table2.csv``, ``table2.md``, ``summary.md`` and Figs. 2-4.

Rendering only: the numbers come from the finished cells (their JSON
records, :mod:`.grid`), grouped by (dataset, case, mode); the figures stack
the panels stored with the cells (:mod:`.figures`). A group without
finished cells is printed as pending, so a study cut short still gets a
report. Nothing here loads a checkpoint or computes a metric.
"""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ...atomic import atomic_write_text
from ...mmgan import make_config
from ..cells import Cell, load_cell
from ..formatting import format_with_error, markdown_table, mean_and_standard_error
from ..mmgan_runs import valid_metrics
from .claims import check_claims
from .coverage import INTRO as COVERAGE_INTRO
from .coverage import coverage_table
from .figures import write_figures
from .grid import get_preset, table2_cells
from .paper import REGIONS, dataset_name, paper_row
from .recovery import INTRO as RECOVERY_INTRO
from .recovery import region_recovery_table

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
        return dataset_name(self.dataset)

    @property
    def pending(self) -> list[str]:
        done = {r["id"] for r in self.records}
        return [c.id for c in self.cells if c.id not in done]


def table2_groups(preset: str, out: str | os.PathLike) -> list[Group]:
    """The study's cells grouped by (dataset, case, mode), with the finished records in ``out``."""
    groups: dict[tuple[str, str, str], Group] = {}
    for cell in table2_cells(preset):
        key = (cell.params["dataset"], cell.params["case"], cell.params["mode"])
        group = groups.setdefault(key, Group(*key))
        group.cells.append(cell)
        record = load_cell(Path(out), cell, valid_metrics)
        if record is not None:
            group.records.append(record)
    return list(groups.values())


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
        paper = paper_row(group.dataset, group.case)
        if paper is not None:
            label, (accuracy, avg, random) = paper
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


def claims_markdown(groups: list[Group]) -> str:
    """The paper's claims checked on the finished cells (:func:`.claims.check_claims`)."""
    results = {(g.dataset, g.case, g.mode): [r["metrics"] for r in g.records] for g in groups}
    return "\n".join(check_claims(results)) + "\n"


def write_markdown(
    path: Path, intro: str, groups: list[Group], figures: list[Path], missing: list[str]
) -> Path:
    """``table2.md``: Table 2 beside the paper's, learned weights, claims, runs, figures, pending."""
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
        "## The paper's claims, on our numbers\n",
        "How each claim is read, and the threshold of the last: "
        "`mixmiss.experiments.table2.claims`.\n",
        claims_markdown(groups),
        "## Coverage: does each component draw all its region's classes?\n",
        COVERAGE_INTRO,
        coverage_table(path.parent, [r["id"] for g in groups for r in g.records]),
        "## Region-level weight recovery (learned weights)\n",
        RECOVERY_INTRO,
        region_recovery_table(
            path.parent, [r["id"] for g in groups if g.mode == "learned" for r in g.records]
        ),
        "## Runs\n",
        runs_table(groups),
        "## Figures\n",
        "\n".join(f"- `{p.name}`" for p in figures) or "none yet",
        "",
    ]
    if missing:
        text += [f"Figure panels missing: {', '.join(f'`{c}`' for c in missing)}.", ""]
    text += ["## Pending cells\n", "\n".join(f"- `{c}`" for c in pending) or "none", ""]
    return atomic_write_text(path, "\n".join(text))


def write_table2_report(preset: str, out: str | os.PathLike) -> dict[str, Path | list[Path]]:
    """Write ``table2.csv``, ``table2.md``, ``summary.md`` and Figs. 2-4 from the finished cells.

    Works on a partial study (nothing is computed here): unfinished cells
    are marked pending in both tables and listed at the end of the
    markdown; a figure holds the stored panels of its finished runs and is
    not written while it has none (:func:`.figures.write_figures`).

    Returns
    -------
    dict
        ``csv``, ``markdown``, ``summary`` and ``figures`` (a list): the paths written.
    """
    study = get_preset(preset)
    out = Path(out)
    ordered = table2_groups(preset, out)
    config = make_config(study.mmgan_preset)
    intro = (
        f"# MMGAN: Table 2 and Figs. 2-4 (preset `{preset}`)\n\n"
        f"Training: mmgan preset `{study.mmgan_preset}` ({config.iters:,} iterations, base "
        f"width {config.base_width}, EMA decay {config.ema_decay}); the paper trains 100k "
        f"iterations. Seeds: {', '.join(map(str, study.seeds))}. Accuracy (%): "
        f"{study.n_per_component:,} EMA samples per component classified by the dataset's "
        f"evaluator; FID per distribution from {study.n_fid:,} samples against that "
        "distribution's training images. Cell records in `cells/`, runs in `runs/`.\n"
    )
    figures, missing = write_figures(out, ordered)
    return {
        "csv": write_csv(out / "table2.csv", ordered),
        "markdown": write_markdown(out / "table2.md", intro, ordered, figures, missing),
        "summary": atomic_write_text(out / "summary.md", summary_markdown(ordered)),
        "figures": figures,
    }
