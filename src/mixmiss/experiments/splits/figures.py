"""``splits.png``: final coverage per region, and coverage over training where a class dropped.

Drawn from the cell records alone (their ``coverage`` and ``trace``), never
from a checkpoint, so a study whose runs are gone is still drawn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...plotting import plt, save_figure


def _label(record: dict) -> str:
    p = record["params"]
    remedy = "".join(f" {k}={v}" for k, v in p["remedy"].items())
    return f"{p['dataset']} s{p['split']}{remedy}"


def write_figure(path: Path, records: list[dict], regions_dropping: Callable[[dict], dict]) -> Path:
    """Left: each cell's regions at their final coverage (a cross: a class dropped).
    Right: coverage over the snapshots of every region that dropped a class at some point."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for x, record in enumerate(records):
        regions = record["metrics"]["coverage"]["regions"]
        for region in regions.values():
            dropped = bool(region["dropped"])
            left.scatter(x, 100 * region["coverage"], marker="x" if dropped else "o",
                         color="C3" if dropped else "C0", alpha=0.7)  # fmt: skip
    left.set_xticks(range(len(records)), [_label(r) for r in records], rotation=60, ha="right",
                    fontsize=7)  # fmt: skip
    left.set_ylim(-5, 105)
    left.set_ylabel("coverage of the region's classes (%)")
    left.set_title("final coverage per region (x: drops a class)")
    drawn = 0
    for record in records:
        for region in regions_dropping(record):
            steps = [t["step"] for t in record["metrics"]["trace"]]
            cover = [100 * t["regions"][region]["coverage"] for t in record["metrics"]["trace"]]
            if steps:
                right.plot(steps, cover, marker=".", label=f"{_label(record)} {region}")
                drawn += 1
    if drawn:
        right.legend(fontsize=7, loc="lower right")
    else:
        right.text(0.5, 0.5, "no region dropped a class", ha="center", transform=right.transAxes)
    right.set_ylim(-5, 105)
    right.set_xlabel("training step (snapshot)")
    right.set_ylabel("coverage (%)")
    right.set_title("coverage over training, regions that dropped a class")
    return save_figure(fig, path)
