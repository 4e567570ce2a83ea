"""Coverage of the Table 2 runs, rendered from their stored evaluations (no sampling).

Each finished cell's run keeps ``runs/<cell id>/eval.json`` with its label
histogram; :func:`mixmiss.mmgan.coverage.coverage_from_report` turns it into
per-region coverage and class-balance divergence. Evaluations written before
coverage existed lack the real class counts: their expected shares are
uniform within a region (MNIST's and Fashion-MNIST's classes are balanced to
within a few percent), which the table says.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ...errors import InputError
from ...mmgan.coverage import DRAWN, MISPLACED, MISPLACED_FLOOR, coverage_from_report
from ..formatting import markdown_table

EVAL_FILE = "eval.json"


def run_coverage(out: Path, cell_id: str) -> dict | None:
    """The coverage of a cell's stored evaluation; None when the run kept none (or it is damaged)."""
    path = out / "runs" / cell_id / EVAL_FILE
    try:
        report = json.loads(path.read_text())
        if "coverage" in report:
            return report["coverage"]
        counts = report.get("class_counts")
        return coverage_from_report(report, None, None if counts is None else np.array(counts))
    except (OSError, ValueError, InputError, AttributeError, TypeError):
        return None


def coverage_table(out: Path, cell_ids: list[str]) -> str:
    """One row per finished cell: its lowest coverage, largest divergence, the regions that
    miss classes and the classes other components draw."""
    rows = []
    for cell_id in cell_ids:
        cover = run_coverage(out, cell_id)
        if cover is None:
            rows.append([cell_id, "n/a", "n/a", "no stored evaluation", ""])
            continue
        short = [
            f"{r} (G{c['component'] + 1}) drops {c['dropped']}"
            for r, c in cover["regions"].items()
            if c["dropped"]
        ]
        moved = [
            f"{m['class']} in G{m['component'] + 1} ({100 * m['share']:.0f} %)"
            for c in cover["regions"].values()
            for m in c["misplaced"]
        ]
        rows.append(
            [
                cell_id,
                f"{100 * cover['min_coverage']:.0f} %",
                f"{cover['max_divergence']:.2f}",
                "; ".join(short) or "none",
                ", ".join(moved) or "none",
            ]
        )
    header = ["cell", "min coverage", "max divergence", "classes dropped", "drawn elsewhere"]
    return markdown_table(header, rows)


INTRO = (
    "Coverage (`mixmiss.mmgan.coverage`): per region, the share of its classes that its "
    f"matched component draws at least {DRAWN:.0%} as often as the region's real images hold "
    "them; "
    "divergence: the total variation between the component's class balance within the region "
    'and the real one; "drawn elsewhere": a region\'s class drawn mostly (over '
    f"{MISPLACED:.0%} of its samples, pooled over the components) by components not entitled "
    "to it, the largest of them named with the class's share of its samples (at least "
    f"{MISPLACED_FLOOR:.0%}). With learned weights and more components than regions, a region's "
    "classes may be shared out among components (merge candidates), so read the learned rows "
    "with the component figures. Runs evaluated before coverage existed use uniform expected "
    "shares within a region.\n"
)
