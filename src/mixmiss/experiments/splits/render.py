"""Rendering the split study: ``splits.md``, ``splits.json`` and ``splits.png``.

Rendering only: the numbers come from the finished cells' records in
``<out>/cells/`` (every stored record of this study, the remedy cells
included, whatever command computed them); the pending cells are those of
the grid asked for that have not finished. Nothing here loads a checkpoint.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ...atomic import atomic_write_json, atomic_write_text
from ...mmgan import make_config
from ...mmgan.coverage import DRAWN
from ...mmgan.trace import dropped_since
from ...provenance import provenance
from ..cells import Cell, load_cell
from ..formatting import markdown_table
from .draw import MAX_CLASSES, MIN_CLASSES
from .figures import write_figure
from .grid import get_preset, parse_remedy, splits_cells, study_splits, valid_metrics


def stored_records(out: str | os.PathLike) -> list[dict]:
    """Every finished cell record of a split study in ``out/cells``, by cell id."""
    records = []
    for path in sorted(Path(out).glob("cells/*.json")):
        try:
            stored = json.loads(path.read_text())
            cell = Cell(stored["id"], stored["params"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if cell.id == path.stem and isinstance(cell.params.get("sets"), str):
            record = load_cell(Path(out), cell, valid_metrics)
            if record is not None:
                records.append(record)
    return records


#: Every component drops classes at the first snapshots, before it draws anything
#: recognisable; the summary counts separately the phases that outlast the first
#: 1/SETTLING_FRACTION of training.
SETTLING_FRACTION = 8


def _remedy_text(remedy: Mapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in remedy.items()) or "none"


def splits_table(splits: Sequence[Sequence[Sequence[int]]]) -> str:
    """One row per split: its distributions' label sets."""
    rows = []
    for j, sets in enumerate(splits, start=1):
        labels = [" ".join(map(str, s)) for s in sets]
        rows.append([f"split{j}", str(len(sets)), *labels, *[""] * (3 - len(sets))])
    return markdown_table(["split", "n", "S1", "S2", "S3"], rows)


def regions_dropping(record: dict) -> dict[str, dict]:
    """The regions of a cell that drop a class at its final evaluation or at some snapshot,
    each with :func:`mixmiss.mmgan.trace.dropped_since` and its final ``dropped`` classes."""
    metrics = record["metrics"]
    found = {}
    for region, final in metrics["coverage"]["regions"].items():
        history = dropped_since(metrics["trace"], region, final["dropped"])
        if final["dropped"] or history["recovered"]:
            found[region] = {**history, "dropped": final["dropped"]}
    return found


def _settled(record: dict) -> float:
    """The step that ends the first 1/:data:`SETTLING_FRACTION` of a cell's training."""
    return record["params"]["config"]["iters"] / SETTLING_FRACTION


def _late(history: dict, settled: float) -> bool:
    """Whether a region that drew its classes again was still missing one after ``settled``."""
    return bool(history["recovered"]) and max(history["recovered"].values()) > settled


def regions_to_follow(record: dict) -> dict[str, dict]:
    """The regions of :func:`regions_dropping` worth following over training: those that
    drop a class at the end, or were still missing one after the first
    1/:data:`SETTLING_FRACTION` of training (not those that lost one only at the
    first snapshots, before their component drew anything recognisable)."""
    settled = _settled(record)
    return {
        region: history
        for region, history in regions_dropping(record).items()
        if history["dropped"] or _late(history, settled)
    }


def _verdict(history: dict, iters: int) -> str:
    """``collapsed`` / ``late`` for a finally dropped class, ``phase`` for one that came back."""
    parts = []
    for c, since in history["since"].items():
        if since is None:
            parts.append(f"{c}: dropped after the last snapshot")
        else:
            kind = "collapse" if since <= iters // 2 else "late drop"
            parts.append(f"{c}: {kind}, dropped since step {since:,}")
    for c, last in history["recovered"].items():
        parts.append(f"{c}: phase, dropped until step {last:,}, drawn at the end")
    return "; ".join(parts)


def coverage_table(records: list[dict]) -> str:
    """One row per finished cell: coverage per region, dropped and misplaced classes, FID."""
    rows = []
    for record in records:
        p, m = record["params"], record["metrics"]
        regions = m["coverage"]["regions"]
        cover = " ".join(f"{r} {100 * c['coverage']:.0f}" for r, c in regions.items())
        dropped = [f"{r} (G{c['component'] + 1}) {c['dropped']}"
                   for r, c in regions.items() if c["dropped"]]  # fmt: skip
        moved = [f"{x['class']} in G{x['component'] + 1} ({100 * x['share']:.0f} %)"
                 for c in regions.values() for x in c["misplaced"]]  # fmt: skip
        rows.append([
            p["dataset"], f"split{p['split']}", _remedy_text(p["remedy"]), f"{m['step']:,}",
            cover, "; ".join(dropped) or "none", ", ".join(moved) or "none",
            f"{m['coverage']['max_divergence']:.2f}", f"{m['avg']:.1f}",
            " / ".join(f"{f:.1f}" for f in m["fid"]),
        ])  # fmt: skip
    header = ["dataset", "split", "remedy", "step", "coverage % per region", "dropped",
              "misplaced", "max TV", "avg acc. %", "FID per distribution"]  # fmt: skip
    return markdown_table(header, rows)


def trace_table(records: list[dict]) -> str:
    """One row per region that dropped a class: what happened, coverage at every snapshot."""
    rows = []
    for record in records:
        p, m = record["params"], record["metrics"]
        for region, history in regions_dropping(record).items():
            by_step = {t["step"]: t["regions"][region]["coverage"] for t in m["trace"]}
            curve = " ".join(f"{100 * c:.0f}" for c in by_step.values()) or "no snapshots"
            labels = m["coverage"]["regions"][region]["observed"]
            rows.append([
                f"{p['dataset']} split{p['split']}", _remedy_text(p["remedy"]),
                f"{region} {{{','.join(labels)}}}", _verdict(history, p["config"]["iters"]),
                curve,
            ])  # fmt: skip
    if not rows:
        return "No region dropped a class, at the end or at any snapshot.\n"
    header = ["cell", "remedy", "region {classes}", "what happened", "coverage % at each snapshot"]
    return markdown_table(header, rows)


def summarize(records: list[dict]) -> dict:
    """Counts for the closing note: regions and cells that dropped a class, per remedy."""
    summary: dict[str, dict] = {}
    for record in records:
        remedy = _remedy_text(record["params"]["remedy"])
        row = summary.setdefault(remedy, {"cells": 0, "regions": 0, "cells_dropping": 0,
                                          "regions_dropping": 0, "regions_recovering": 0,
                                          "regions_recovering_late": 0})  # fmt: skip
        regions = record["metrics"]["coverage"]["regions"]
        dropping = regions_dropping(record)
        final = [r for r in regions if regions[r]["dropped"]]
        recovering = [dropping[r] for r in dropping if r not in final]
        row["cells"] += 1
        row["regions"] += len(regions)
        row["cells_dropping"] += bool(final)
        row["regions_dropping"] += len(final)
        row["regions_recovering"] += len(recovering)
        settled = _settled(record)
        row["regions_recovering_late"] += sum(_late(h, settled) for h in recovering)
    return summary


def _summary_lines(summary: dict) -> str:
    lines = [
        f"- remedy {remedy}: {s['regions_dropping']} of {s['regions']} regions drop a class at "
        f"the end, in {s['cells_dropping']} of {s['cells']} cells; {s['regions_recovering']} "
        "more regions dropped one for a while and drew it again by the end "
        f"({s['regions_recovering_late']} of them still after the first "
        f"1/{SETTLING_FRACTION} of training)."
        for remedy, s in summary.items()
    ]
    return "\n".join(lines) or "No cell has finished."


def write_splits_report(
    preset: str,
    out: str | os.PathLike,
    seed: int = 0,
    remedy: Sequence[str] | Mapping | None = None,
    only: Sequence[str] | None = None,
    command: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Write ``splits.md``, ``splits.json`` and ``splits.png`` from the finished cells.

    ``seed``, ``remedy`` and ``only`` name the grid whose unfinished cells are
    listed as pending; every finished cell of the study in ``out`` is reported.
    """
    study = get_preset(preset)
    out = Path(out)
    splits = study_splits(preset, seed)
    wanted = splits_cells(preset, seed, remedy, only)
    records = [r for r in stored_records(out) if r["params"]["preset"] == preset]
    done = {r["id"] for r in records}
    pending = [c.id for c in wanted if c.id not in done]
    config = make_config(study.mmgan_preset)
    summary = summarize(records)
    early = sum(s["regions_recovering"] - s["regions_recovering_late"] for s in summary.values())
    figure = write_figure(out / "splits.png", records, regions_to_follow, early)
    runs = [[r["id"], f"{r['metrics'].get('train_seconds') or 0:,.0f}",
             f"{r['wall_seconds']:,.0f}", str(r["provenance"].get("git_revision"))]
            for r in records]  # fmt: skip
    text = [
        f"# MMGAN on random label splits: does a component drop a class? (preset `{preset}`)\n",
        f"Splits drawn from seed {seed} (`mixmiss.experiments.splits.draw`): every class falls "
        "into one Venn region or none, uniformly; a draw is kept when every region holds a "
        f"class, every distribution {MIN_CLASSES}-{MAX_CLASSES} classes, and it is none of the "
        f"paper's cases. Training: mmgan preset `{study.mmgan_preset}` ({config.iters:,} "
        f"iterations, base width {config.base_width}, EMA decay {config.ema_decay}, lambda "
        f"{config.lam}, batch {config.batch_size} per component), mixture weights fixed to "
        f"the true priors (component k <-> region r_k), training seed {seed}; remedies change "
        f"one of the paper's knobs. Coverage: {study.n_per_component:,} EMA samples per "
        f"component; a class is drawn when it reaches {DRAWN:.0%} of its expected share "
        "(`mixmiss.mmgan.coverage`). FID per distribution: "
        f"{study.n_fid:,} samples against that distribution's training images.\n",
        "## The splits\n",
        splits_table(splits),
        "## Summary\n",
        _summary_lines(summary) + "\n",
        "## Coverage per cell\n",
        "`coverage % per region`: the share of each region's classes that its component draws; "
        "`dropped`: the classes it does not; `misplaced`: a region's class held mostly by "
        "components not entitled to it; `max TV`: the largest class-balance divergence.\n",
        coverage_table(records),
        "## Coverage over training\n",
        f"Snapshots of the EMA generator every {study.snapshot_every:,} steps, "
        f"{study.trace_n_per_component:,} samples per component each "
        "(`mixmiss.mmgan.trace`). A class dropped at the end is a *collapse* when every "
        "snapshot from the first half of training on drops it, a *late drop* when it went "
        "missing in the second half; a *phase* was dropped for a while and is drawn at the end.\n",
        trace_table(records),
        "## Figure\n",
        f"`{figure.name}`: left, the final coverage of every region; right, coverage over "
        "training of the regions that drop a class at the end or were still missing one "
        f"after the first 1/{SETTLING_FRACTION} of training ({early} regions that lost one only "
        "at the first snapshots are counted, not drawn).\n",
        "## Runs\n",
        markdown_table(["cell", "train s", "cell wall s", "git revision"], runs),
        "## Pending cells\n",
        "\n".join(f"- `{c}`" for c in pending) or "none",
        "",
    ]
    report = {
        "preset": preset,
        "seed": seed,
        "remedy": parse_remedy(remedy),
        "splits": [[list(s) for s in sets] for sets in splits],
        "summary": summary,
        "cells": {r["id"]: {"params": {k: r["params"][k] for k in ("dataset", "split", "sets",
                                                                   "remedy")},
                            "coverage": r["metrics"]["coverage"], "fid": r["metrics"]["fid"],
                            "avg": r["metrics"]["avg"], "dropping": regions_dropping(r)}
                  for r in records},
        "pending": pending,
        "provenance": provenance(command),
    }  # fmt: skip
    return {
        "markdown": atomic_write_text(out / "splits.md", "\n".join(text)),
        "json": atomic_write_json(out / "splits.json", report),
        "figure": figure,
    }
