"""Fig. 1 of the LM-RBM paper and the perception-distortion scatter, from Table 1 rows.

``fig1``: RMSE, FID and accuracy against the missing rate, one panel row per
mechanism, one line per method, error bars = standard errors (the paper's
Fig. 1). ``perception_distortion_figure``: RMSE (distortion) against FID
(perception), one panel per (mechanism, rate) cell. Each method is a curve
through the read-outs its cell scored (:data:`~mixmiss.impute.Imputer.READOUTS`,
perception end first, the distortion end marked with a square; with
``--readouts all`` the whole family, else the RBMs' sampled h beside their
mean-field default), a method with one read-out a point; the lower-left
envelope of all the cell's points (its Pareto front) is drawn dotted as the
empirical perception-distortion boundary. FID is drawn on a log axis (its
values span decades). The FID drawn is the paper's (``fid_lenet``, the
reference LeNet on the completed training images) when every finished row
has it, else our evaluator's (default read-outs only).
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from ...plotting import plt, save_figure
from .boundary import method_curve, pareto_front
from .paper import DISPLAY_NAMES, MECHANISM_NAMES

_PANELS = (("rmse", "RMSE (missing pixels)"), ("fid", "FID"), ("accuracy", "accuracy (%)"))


def fid_metric(rows: list[dict]) -> tuple[str, str]:
    """The FID to draw and its label: the paper's when every finished row has it."""
    finished = [r for r in rows if r.get("pairs", 1) > 0]
    if finished and all(not math.isnan(r.get("fid_lenet", math.nan)) for r in finished):
        return "fid_lenet", "FID (paper's LeNet, training images)"
    return "fid", "FID"


def _colour(preset, method) -> str:
    """The method's colour, fixed by its place in the preset (a pending method keeps its own)."""
    return f"C{preset.methods.index(method)}"


def _series(rows, mechanism, method, metric):
    points = [
        (r["rate"], r[metric], r[f"{metric}_se"])
        for r in rows
        if r["mechanism"] == mechanism
        and r["method"] == method
        and not math.isnan(r.get(metric, math.nan))
    ]
    return sorted(points)


def _save_with_legend(fig, path, top: float) -> Path:
    """One legend for the whole figure, from every panel's lines, above the panels."""
    legend = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    labels, handles = list(legend), list(legend.values())
    if handles:
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top))
    return save_figure(fig, path)


def fig1(rows: list[dict], preset, path: str | os.PathLike) -> Path:
    """The paper's Fig. 1 (see the module docstring); pending cells are simply absent."""
    return _save_with_legend(draw_fig1(rows, preset), path, top=0.96)


def draw_fig1(rows: list[dict], preset):
    """The figure of :func:`fig1`, not yet saved."""
    mechanisms = preset.mechanisms
    fid, fid_label = fid_metric(rows)
    panels = [(fid, fid_label) if metric == "fid" else (metric, label) for metric, label in _PANELS]
    fig, axes = plt.subplots(
        len(mechanisms), len(panels), figsize=(12, 3.2 * len(mechanisms)), squeeze=False
    )
    for i, mechanism in enumerate(mechanisms):
        for j, (metric, label) in enumerate(panels):
            ax = axes[i, j]
            for method in preset.methods:
                points = _series(rows, mechanism, method, metric)
                if points:
                    x, y, err = zip(*points, strict=True)
                    ax.errorbar(x, y, yerr=err, marker="o", ms=3, capsize=2,
                                color=_colour(preset, method), label=DISPLAY_NAMES[method])  # fmt: skip
            if metric == fid:
                ax.set_yscale("log")
            ax.set_title(f"{MECHANISM_NAMES[mechanism]}: {label}", fontsize=10)
            ax.set_xlabel("missing rate")
            ax.grid(alpha=0.3)
    return fig


def perception_distortion_figure(rows: list[dict], preset, path: str | os.PathLike) -> Path:
    """RMSE against FID, one panel per (mechanism, rate) cell (see the module docstring)."""
    fid_name, fid_label = fid_metric(rows)
    by_cell = {(r["mechanism"], r["rate"], r["method"]): r for r in rows}
    n_rows, n_cols = len(preset.mechanisms), len(preset.rates)
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(4 * n_cols, 3.6 * n_rows), squeeze=False)
    for i, mechanism in enumerate(preset.mechanisms):
        for j, rate in enumerate(preset.rates):
            ax, everything = axes[i, j], []
            for method in preset.methods:
                row = by_cell.get((mechanism, rate, method))
                points = [] if row is None else method_curve(row, method, fid_name)
                if not points:
                    continue
                x, y, _ = zip(*points, strict=True)
                ax.plot(x, y, marker="o", ms=3, color=_colour(preset, method),
                        label=DISPLAY_NAMES[method])  # fmt: skip
                ax.plot(x[-1], y[-1], marker="s", ms=5, color=_colour(preset, method))
                everything += [(p[0], p[1]) for p in points]
            if everything:
                front = pareto_front(everything)
                ax.plot(*zip(*front, strict=True), color="black", linestyle=":", linewidth=1.2,
                        drawstyle="steps-post", label="boundary (Pareto front)")  # fmt: skip
            ax.set_yscale("log")
            ax.set_xlabel("RMSE (distortion)")
            ax.set_ylabel(f"{fid_label}")
            ax.set_title(f"{MECHANISM_NAMES[mechanism]} {rate:g}", fontsize=10)
            ax.grid(alpha=0.3)
    return _save_with_legend(fig, path, top=1 - 0.35 / n_rows)
