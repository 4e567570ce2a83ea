"""Render a learning curve (:mod:`.learning_curve`): curve.json, curve.md, curve.png.

Each snapshot's measures are averaged over its test sets. The values of the
other Table 1 methods at the same (mechanism, rate) are read from a Table 1
study's cells (the report names the files, and which measures they lack:
cells computed before the paper's FID was measured have no ``fid_lenet``)
and drawn as horizontal lines. From the curve:

- (all but LM-RBM's own curve) the first snapshot epoch whose ``fid_lenet``
  is below LM-RBM's; else, with at least three snapshots, a power law
  ``FID = a e^b`` fitted (least squares in log-log) to the last five and
  solved for LM-RBM's FID -- an EXTRAPOLATION, labelled as such; none when
  the fit does not fall;
- the epochs that pay: per measure, the first snapshot within
  :data:`PAY_TOLERANCE` of the curve's best (RMSE within 0.001, FID within
  5 %): training past it buys less than that, as far as the curve goes;
- the cost of the paper's 500 epochs at the measured training seconds per epoch.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np

from ..atomic import atomic_write_json, atomic_write_text
from ..plotting import plt, save_figure
from .formatting import mean_and_standard_error

MEASURES = (("rmse", "RMSE (missing pixels)"), ("fid_lenet", "FID (paper's LeNet, training)"),
            ("fid_lenet_test", "FID (paper's LeNet, test)"), ("accuracy", "accuracy"))  # fmt: skip
#: Table 1's methods and their names, in the order the reference lines are drawn.
METHOD_NAMES = {"misgan": "MisGAN", "lm-rbm": "LM-RBM", "rbm": "RBM [5]", "inpaint": "Inpaint",
                "mean": "Mean"}  # fmt: skip
PAPER_EPOCHS = 500
#: How close to the curve's best a snapshot must be to count as paid (absolute for RMSE,
#: relative for the FIDs).
PAY_TOLERANCE = {"rmse": ("absolute", 0.001), "fid_lenet": ("relative", 0.05)}


def curve_points(points: list[dict]) -> list[dict]:
    """One row per snapshot: its epoch and each measure's mean over its test sets."""
    rows = []
    for point in points:
        row = {"epoch": point["epoch"]}
        for metric, _ in MEASURES:
            values = [r[metric] for r in point["reports"] if r.get(metric) is not None]
            row[metric] = mean_and_standard_error(values)[0] if values else None
        row["eval_seconds"] = max(r["eval_seconds"] for r in point["reports"])
        rows.append(row)
    return rows


def reference_methods(method: str) -> list[str]:
    """The Table 1 methods drawn as lines beside ``method``'s curve: all the others."""
    return [m for m in METHOD_NAMES if m != method]


def reference_values(
    cells: str | os.PathLike | None, mechanism: str, rate: float, method: str = "misgan"
) -> dict:
    """``{other method: {"source", measure: mean or None}}`` from a Table 1 study's cells."""
    found = {}
    if cells is None:
        return found
    for other in reference_methods(method):
        path = Path(cells) / f"{mechanism}-{rate:g}-{other}-train0.json"
        if not path.is_file():
            continue
        evals = json.loads(path.read_text())["metrics"]["evals"]
        entry = {"source": str(path)}
        for metric, _ in MEASURES:
            values = [e[metric] for e in evals if e.get(metric) is not None]
            entry[metric] = mean_and_standard_error(values)[0] if values else None
        found[other] = entry
    return found


def fid_crossing(rows: list[dict], target: float | None) -> dict:
    """When ``fid_lenet`` falls below ``target`` (see the module docstring)."""
    if target is None:
        return {"kind": "unknown", "note": "LM-RBM's fid_lenet is not available"}
    curve = [(r["epoch"], r["fid_lenet"]) for r in rows if r.get("fid_lenet") is not None]
    for epoch, fid in curve:
        if fid < target:
            return {"kind": "measured", "epoch": epoch, "note": f"measured at epoch {epoch}"}
    if len(curve) < 3:
        return {"kind": "none", "note": f"not reached in {len(curve)} snapshots (too few to fit)"}
    last = curve[-5:]
    e, f = np.log([p[0] for p in last]), np.log([p[1] for p in last])
    slope, intercept = np.polyfit(e, f, 1)
    if slope >= 0:
        return {"kind": "none", "note": "not reached; FID is not falling over the last snapshots"}
    epoch = float(math.exp((math.log(target) - intercept) / slope))
    return {"kind": "extrapolated", "epoch": epoch, "fit_epochs": [last[0][0], last[-1][0]],
            "slope": float(slope), "note": f"EXTRAPOLATED: about epoch {epoch:.0f} (power law "
            f"fitted to epochs {last[0][0]}-{last[-1][0]}, exponent {slope:.2f})"}  # fmt: skip


def epochs_that_pay(rows: list[dict]) -> dict:
    """Per measure of :data:`PAY_TOLERANCE`: the first snapshot epoch within tolerance of
    the curve's best (``{"epoch", "best", "best_epoch"}``), None without values."""
    found = {}
    for metric, (kind, tolerance) in PAY_TOLERANCE.items():
        curve = [(r["epoch"], r[metric]) for r in rows if r.get(metric) is not None]
        if not curve:
            found[metric] = None
            continue
        best_epoch, best = min(curve, key=lambda point: point[1])
        bound = best + tolerance if kind == "absolute" else best * (1 + tolerance)
        epoch = next(e for e, value in curve if value <= bound)
        found[metric] = {"epoch": epoch, "best": best, "best_epoch": best_epoch}
    return found


def write_curve_report(out, points, run, method, mechanism, rate, references, target_epochs):
    """Write curve.json, curve.md and curve.png into ``out``; return their paths."""
    out = Path(out)
    rows = curve_points(points)
    refs = reference_values(references, mechanism, rate, method)
    lm_fid = refs.get("lm-rbm", {}).get("fid_lenet")
    seconds = epochs_done = None
    if run is not None and run.get("train_seconds") is not None:
        seconds, epochs_done = float(run["train_seconds"]), int(run["config"]["epochs"])
    per_epoch = None if seconds is None else seconds / epochs_done
    summary = {
        "method": method, "mechanism": mechanism, "rate": rate, "target_epochs": target_epochs,
        "config": None if run is None else run["config"], "points": rows, "references": refs,
        "fid_below_lm_rbm": None if method == "lm-rbm" else fid_crossing(rows, lm_fid),
        "epochs_that_pay": epochs_that_pay(rows), "epochs_trained": epochs_done,
        "train_seconds": seconds, "seconds_per_epoch": per_epoch,
        "paper_500_epochs_hours": None if per_epoch is None else per_epoch * PAPER_EPOCHS / 3600,
        "provenance": None if run is None else run["provenance"],
        "resumes": None if run is None else len(run.get("resumes", [])),
    }  # fmt: skip
    paths = {"curve.json": atomic_write_json(out / "curve.json", summary)}
    paths["curve.md"] = atomic_write_text(out / "curve.md", _markdown(summary))
    paths["curve.png"] = _figure(rows, refs, out / "curve.png", method, mechanism, rate)
    return paths


def _fmt(value, digits=3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _title(method: str, mechanism: str, rate: float) -> str:
    return f"{METHOD_NAMES[method]} learning curve, {mechanism.upper()} {rate:g}"


def _markdown(s: dict) -> str:
    name = METHOD_NAMES[s["method"]]
    lines = [f"# {_title(s['method'], s['mechanism'], s['rate'])}", ""]
    lines += ["| epoch | RMSE | FID train (LeNet) | FID test (LeNet) | accuracy | eval s |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    for r in s["points"]:
        lines.append(f"| {r['epoch']} | {_fmt(r['rmse'], 4)} | {_fmt(r['fid_lenet'], 1)} | "
                     f"{_fmt(r['fid_lenet_test'], 1)} | {_fmt(r['accuracy'], 4)} | "
                     f"{r['eval_seconds']:.0f} |")  # fmt: skip
    lines += ["", "Reference lines (Table 1 cells of the same mechanism and rate):", ""]
    for method in reference_methods(s["method"]):
        ref = s["references"].get(method)
        if ref is None:
            lines.append(f"- {METHOD_NAMES[method]}: no cell found")
            continue
        lacking = [m for m, _ in MEASURES if ref[m] is None]
        values = ", ".join(f"{m} {_fmt(ref[m], 4)}" for m, _ in MEASURES if ref[m] is not None)
        lines.append(f"- {METHOD_NAMES[method]} ({ref['source']}): {values}"
                     + (f"; lacks {', '.join(lacking)}" if lacking else ""))  # fmt: skip
    lines.append("")
    if s["fid_below_lm_rbm"] is not None:
        lines += [f"{name}'s FID below LM-RBM's: {s['fid_below_lm_rbm']['note']}.", ""]
    for metric, paid in s["epochs_that_pay"].items():
        if paid is not None:
            kind, tolerance = PAY_TOLERANCE[metric]
            within = f"{tolerance:g}" if kind == "absolute" else f"{tolerance:.0%}"
            lines.append(f"- {metric}: within {within} of the curve's best "
                         f"({_fmt(paid['best'], 4)} at epoch {paid['best_epoch']}) from epoch "
                         f"{paid['epoch']} on, as far as the curve goes.")  # fmt: skip
    lines.append("")
    if s["seconds_per_epoch"] is not None:
        lines.append(f"Training: {s['epochs_trained']} epochs in {s['train_seconds']:.0f} s, "
                     f"{s['seconds_per_epoch']:.1f} s per epoch; the paper's {PAPER_EPOCHS} "
                     f"epochs would take {s['paper_500_epochs_hours']:.1f} h on this machine.")  # fmt: skip
    if s["provenance"] is not None:
        p = s["provenance"]
        lines += ["", f"Command: `{p['command']}` (git {p['git_revision']}, {p['time']}; "
                  f"resumed {s['resumes']} times: each stretch after the first, and each "
                  f"restart), on {p['machine']}, torch {p['torch']}."]  # fmt: skip
    return "\n".join(lines) + "\n"


def _figure(rows, refs, path, method, mechanism, rate) -> Path:
    fig, axes = plt.subplots(1, len(MEASURES), figsize=(4.2 * len(MEASURES), 3.6))
    others = reference_methods(method)
    colours = {m: f"C{i}" for i, m in enumerate(METHOD_NAMES)}
    for ax, (metric, label) in zip(axes, MEASURES, strict=True):
        curve = [(r["epoch"], r[metric]) for r in rows if r.get(metric) is not None]
        if curve:
            ax.plot(*zip(*curve, strict=True), marker="o", ms=3, color=colours[method],
                    label=METHOD_NAMES[method])  # fmt: skip
        for other in others:
            value = refs.get(other, {}).get(metric)
            if value is not None:
                ax.axhline(value, color=colours[other], linestyle="--", linewidth=1,
                           label=METHOD_NAMES[other])  # fmt: skip
        if metric.startswith("fid"):
            ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(_title(method, mechanism, rate), fontsize=11)
    return save_figure(fig, path)
