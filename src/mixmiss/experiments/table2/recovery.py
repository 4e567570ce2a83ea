"""Region-level weight recovery of the learned Table 2 runs, from their stored evaluations.

Each finished learned cell keeps ``runs/<cell id>/eval.json`` with its
learned weights, true priors and label histogram;
:func:`mixmiss.mmgan.recovery.region_recovery_from_report` turns them into
the weight each distribution puts on each region (summed over the components
that draw it) and its largest error against the true priors. Nothing is
sampled or retrained.
"""

from __future__ import annotations

import json
from pathlib import Path

from ...errors import InputError
from ...mmgan.recovery import region_recovery_from_report
from ..formatting import markdown_table
from .coverage import EVAL_FILE

INTRO = (
    "Region-level recovery (`mixmiss.mmgan.recovery`): each component is attributed to the "
    "region most of its samples fall in; a distribution's weight on a region is the sum of "
    "its weights on the components attributed to it; the error is the largest difference "
    "from the true priors. Unlike the per-component error above, two components drawing one "
    "region (the paper's Fashion-MNIST case C remark) cost nothing when their weights add up "
    "to the region's prior. Computed from each run's stored `eval.json`.\n"
)


def _weights(rows: list[list[float]]) -> str:
    return "; ".join(f"d{i}: " + " ".join(f"{w:.2f}" for w in row) for i, row in enumerate(rows, 1))


def region_recovery_table(out: Path, cell_ids: list[str]) -> str:
    """One row per learned cell: components per region, region weights, both errors."""
    rows = []
    for cell_id in cell_ids:
        try:
            report = json.loads((out / "runs" / cell_id / EVAL_FILE).read_text())
            recovery = region_recovery_from_report(report)
        except (OSError, ValueError, InputError):
            rows.append([cell_id, "n/a", "no stored evaluation", "n/a", "n/a"])
            continue
        regions = list(report["regions"])
        attributed = recovery["region_of_component"]
        drawn = []
        for i, name in enumerate(regions):
            components = ",".join(f"G{k + 1}" for k, r in enumerate(attributed) if r == i)
            drawn.append(f"{name}: {components or 'none'}")
        rows.append(
            [
                cell_id,
                "; ".join(drawn),
                f"({' '.join(regions)}) {_weights(recovery['region_weights'])}",
                f"{report['weight_recovery_error']:.3f}",
                f"{recovery['region_weight_error']:.3f}",
            ]
        )
    header = ["cell", "components per region", "region weights", "per-component error"]
    return markdown_table(header + ["region-level error"], rows)
