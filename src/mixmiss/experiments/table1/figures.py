"""Fig. 1 of the LM-RBM paper and the perception-distortion scatter, from Table 1 rows.

``fig1``: RMSE, FID and accuracy against the missing rate, one panel row per
mechanism, one line per method, error bars = standard errors (the paper's
Fig. 1). ``perception_distortion_figure``: RMSE (distortion) against FID
(perception) per mechanism, one point per (method, rate), a method's points
joined in rate order, so the trade-off the paper discusses can be seen as the
rate rises. FID is drawn on a log axis (its values span decades). The FID
drawn is the paper's (``fid_lenet``, the reference LeNet on the completed
training images) when every finished row has it, else our evaluator's; the
RBMs' sampled-h read-out (the paper's text) is drawn beside their default
mean-field one, hollow and dashed.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from ...plotting import plt, save_figure
from .paper import MECHANISM_NAMES

_PANELS = (("rmse", "RMSE (missing pixels)"), ("fid", "FID"), ("accuracy", "accuracy (%)"))
_NAMES = {
    "mean": "Mean",
    "inpaint": "Inpaint",
    "misgan": "MisGAN",
    "rbm": "RBM [5]",
    "lm-rbm": "LM-RBM",
}


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
                                color=_colour(preset, method), label=_NAMES[method])  # fmt: skip
            if metric == fid:
                ax.set_yscale("log")
            ax.set_title(f"{MECHANISM_NAMES[mechanism]}: {label}", fontsize=10)
            ax.set_xlabel("missing rate")
            ax.grid(alpha=0.3)
    return fig


def _draw_sampled_readout(ax, rows, mechanism, method, fid_name, colour) -> None:
    """The RBMs' sampled-h read-out (hollow markers, dashed) beside the default one."""
    if fid_name != "fid_lenet":
        return
    rmse = {r: v for r, v, _ in _series(rows, mechanism, method, "rmse_sampled_h")}
    fid = {r: v for r, v, _ in _series(rows, mechanism, method, "fid_lenet_sampled_h")}
    rates = sorted(set(rmse) & set(fid))
    if rates:
        ax.plot([rmse[r] for r in rates], [fid[r] for r in rates], marker="o", color=colour,
                markerfacecolor="none", linestyle="--", linewidth=0.8,
                label=f"{_NAMES[method]} (sampled h)")  # fmt: skip


def perception_distortion_figure(rows: list[dict], preset, path: str | os.PathLike) -> Path:
    """RMSE against FID, one panel per mechanism (see the module docstring)."""
    mechanisms = preset.mechanisms
    fid_name, fid_label = fid_metric(rows)
    fig, axes = plt.subplots(1, len(mechanisms), figsize=(4.5 * len(mechanisms), 4), squeeze=False)
    for ax, mechanism in zip(axes[0], mechanisms, strict=True):
        for method in preset.methods:
            rmse = dict((r, v) for r, v, _ in _series(rows, mechanism, method, "rmse"))
            fid = dict((r, v) for r, v, _ in _series(rows, mechanism, method, fid_name))
            rates = sorted(set(rmse) & set(fid))
            if not rates:
                continue
            (line,) = ax.plot(
                [rmse[r] for r in rates],
                [fid[r] for r in rates],
                marker="o",
                color=_colour(preset, method),
                label=_NAMES[method],
            )
            for r in rates:
                ax.annotate(f"{r:g}", (rmse[r], fid[r]), fontsize=7, color=line.get_color(),
                            xytext=(3, 3), textcoords="offset points")  # fmt: skip
            _draw_sampled_readout(ax, rows, mechanism, method, fid_name, line.get_color())
        ax.set_yscale("log")
        ax.set_xlabel("RMSE (distortion)")
        ax.set_ylabel(f"{fid_label} (perception; lower is better)")
        ax.set_title(f"{MECHANISM_NAMES[mechanism]}: labels are missing rates", fontsize=10)
        ax.grid(alpha=0.3)
    return _save_with_legend(fig, path, top=0.92)
