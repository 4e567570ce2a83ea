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


#: Line styles that, with the ten default colours, tell up to 40 followed regions apart.
LINE_STYLES = ("-", "--", ":", "-.")


def write_figure(
    path: Path, records: list[dict], regions_to_follow: Callable[[dict], dict], early: int = 0
) -> Path:
    """Left: each cell's regions at their final coverage (a cross: a class dropped).
    Right: coverage over the snapshots of the regions ``regions_to_follow`` picks
    (:func:`.render.regions_to_follow`); ``early`` more regions lost a class only
    at the first snapshots and are counted in the panel, not drawn."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
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
        trace = record["metrics"]["trace"]
        for region in regions_to_follow(record) if trace else ():
            style = {"color": f"C{drawn % 10}", "linestyle": LINE_STYLES[drawn // 10 % 4]}
            right.plot([t["step"] for t in trace],
                       [100 * t["regions"][region]["coverage"] for t in trace],
                       marker=".", label=f"{_label(record)} {region}", **style)  # fmt: skip
            drawn += 1
    if drawn:
        right.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        right.text(0.5, 0.5, "no region dropped a class past the first snapshots",
                   ha="center", transform=right.transAxes)  # fmt: skip
    right.set_ylim(-5, 105)
    not_drawn = f"\nnot drawn: {early} regions that lost a class only early on" if early else ""
    right.set_xlabel(f"training step (snapshot){not_drawn}")
    right.set_ylabel("coverage (%)")
    right.set_title("coverage over training: drops at the end or late")
    return save_figure(fig, path)
