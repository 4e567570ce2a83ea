"""The P.M. design search as a figure: each design's Mean column against the paper's targets.

One panel per rate: RMSE (x) against the paper's FID (y, log axis), one
point per design (marker: placement; colour: how sides are drawn; size: the
number of rectangles), the targets' box shaded. The designs whose accuracy
was measured are labelled with their number of rectangles and accuracy.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from ...plotting import plt, save_figure
from .mean_fid import FACTOR
from .paper import paper_value
from .pm_search import ACCURACY_TOLERANCE, RATES, RMSE_TOLERANCE

_MARKERS = {"centre": "o", "inside": "s", "overhang": "^", "corner": "D"}
_COLOURS = {"fixed": "tab:blue", "uniform": "tab:orange"}


def plot_search(rows: list[dict], path: str | os.PathLike) -> Path:
    """Write the search's figure to ``path`` (see the module docstring)."""
    fig, axes = plt.subplots(1, len(RATES), figsize=(5 * len(RATES), 4.2))
    for ax, rate in zip(axes, RATES, strict=True):
        rmse = paper_value("pm", rate, "rmse", "mean")[0]
        fid = paper_value("pm", rate, "fid", "mean")[0]
        accuracy = paper_value("pm", rate, "accuracy", "mean")[0]
        ax.axvspan(rmse - RMSE_TOLERANCE, rmse + RMSE_TOLERANCE, color="0.9", zorder=0)
        ax.axhspan(fid / FACTOR, fid * FACTOR, color="0.9", zorder=0)
        ax.plot([rmse], [fid], marker="*", color="k", markersize=12, linestyle="none")
        for row in (r for r in rows if r["rate"] == rate and not r.get("unreachable")):
            ax.plot(
                row["rmse"],
                row["fid_lenet"],
                marker=_MARKERS[row["placement"]],
                color=_COLOURS[row["sides"]],
                markersize=3 + math.log2(row["count"]),  # larger: more rectangles
                linestyle="none",
                alpha=0.7,
            )
            if row.get("accuracy") is not None:  # the finalists: their count and accuracy
                gap = row["accuracy"] - accuracy
                mark = "" if abs(gap) <= ACCURACY_TOLERANCE else "!"
                ax.annotate(f"{row['count']}: {row['accuracy']:.1f}%{mark}",
                            (row["rmse"], row["fid_lenet"]), fontsize=7, xytext=(4, -3),
                            textcoords="offset points")  # fmt: skip
        ax.set_yscale("log")
        ax.set_xlabel("RMSE of the Mean column (missing test pixels)")
        ax.set_title(f"P.M. {rate:g}: paper ★ RMSE {rmse:g}, FID {fid:g},\naccuracy {accuracy:g} %",
                     fontsize=9)  # fmt: skip
    axes[0].set_ylabel("FID (paper's LeNet, completed training images)")
    handles = [
        plt.Line2D(
            [], [], marker=_MARKERS[p], color=_COLOURS[s], linestyle="none", label=f"{s} sides, {p}"
        )  # fmt: skip
        for s in _COLOURS
        for p in _MARKERS
    ]
    axes[-1].legend(handles=handles, fontsize=7, loc="best")
    fig.suptitle(
        "P.M. designs (marker size: rectangles per image, 1-128; labels: rectangles and Mean "
        "accuracy where measured, ! beyond 2 points; shaded: the paper's tolerance)",
        fontsize=9,
        y=1.03,
    )
    return save_figure(fig, path)
