"""The LM-RBM paper's claims about Table 1, checked on our numbers, and our differences
from its printed values beyond its standard error."""

from __future__ import annotations

import math

from .grid import Table1Preset, rows_by_cell
from .paper import MECHANISM_NAMES, paper_value

#: Our metrics compared with the paper's printed values, and the paper's column of each:
#: our ``fid_lenet`` is the paper's FID (its network, on the completed training images);
#: our ``fid`` (the evaluator CNN) is not compared, only its orderings are.
COMPARED = {"rmse": "rmse", "fid_lenet": "fid", "accuracy": "accuracy",
            "accuracy_hidden": "accuracy_hidden"}  # fmt: skip


def differences(preset: Table1Preset, rows: list[dict]) -> list[dict]:
    """Our RMSE, accuracies and the paper's FID (``fid_lenet``, where the cells have it)
    against the paper's, where they differ by more than its standard error (one unit of
    its last printed digit).

    Our own standard error is not added: it would hide gaps that our test masks
    merely blur. Our evaluator CNN's FID is left out: its network is not the
    paper's, only orderings compare.
    """
    found = []
    for row in rows:
        if row["pairs"] == 0:
            continue
        for metric, paper_metric in COMPARED.items():
            if metric not in row:
                continue
            paper = paper_value(row["mechanism"], row["rate"], paper_metric, row["method"])
            if paper is None or math.isnan(row[metric]):
                continue
            gap = row[metric] - paper[0]
            if abs(gap) > paper[1]:
                found.append({**{k: row[k] for k in ("mechanism", "rate", "method")},
                              "metric": metric, "ours": row[metric], "paper": paper[0],
                              "difference": gap})  # fmt: skip
    return found


def _complete(table, mechanism, rate, methods, metric) -> dict[str, float] | None:
    if metric == "fid":  # the paper's FID where every method's cell has it, else ours
        paper_fid = _complete(table, mechanism, rate, methods, "fid_lenet")
        if paper_fid is not None:
            return paper_fid
    values = {m: table[(mechanism, rate, m)].get(metric, math.nan) for m in methods}
    return None if any(math.isnan(v) for v in values.values()) else values


def check_claims(preset: Table1Preset, rows: list[dict]) -> list[str]:
    """The paper's claims, each checked on our finished cells: one line of text per claim.

    A claim about FID is checked, at each (mechanism, rate), on the paper's FID
    (``fid_lenet``) when every method it compares has it there, else on our
    evaluator's FID (orderings only).
    """
    table = rows_by_cell(rows)
    grid = [(m, r) for m in preset.mechanisms for r in preset.rates]
    lines = []

    def tally(description, holds):
        settled = {k: v for k, v in holds.items() if v is not None}
        failed = [f"{MECHANISM_NAMES[m]} {r:g}" for (m, r), ok in settled.items() if not ok]
        verdict = "holds" if settled and not failed else "does not hold"
        if not settled:
            verdict = "not yet checkable"
        detail = f"{len(settled) - len(failed)}/{len(settled)} cells"
        lines.append(
            f"- {description}: **{verdict}** ({detail}"
            + (f"; fails at {', '.join(failed)}" if failed else "")
            + ")"
        )

    if {"rbm", "lm-rbm"} <= set(preset.methods):
        for metric, label in (("rmse", "RMSE"), ("fid", "FID")):
            holds = {}
            for m, r in grid:
                values = _complete(table, m, r, ("rbm", "lm-rbm"), metric)
                holds[(m, r)] = None if values is None else values["lm-rbm"] < values["rbm"]
            tally(f"LM-RBM has a lower {label} than the RBM of [5]", holds)
    if "misgan" in preset.methods:
        holds = {}
        for m, r in grid:
            values = _complete(table, m, r, preset.methods, "fid")
            holds[(m, r)] = None if values is None else min(values, key=values.get) == "misgan"
        tally("MisGAN has the lowest FID", holds)
        if "lm-rbm" in preset.methods:
            for above in (False, True):
                holds = {}
                for m, r in grid:
                    values = _complete(table, m, r, ("misgan", "lm-rbm"), "rmse")
                    if (r > 0.5) != above or values is None:
                        continue
                    holds[(m, r)] = (values["misgan"] > values["lm-rbm"]) == above
                side = "above" if above else "at or below"
                claim = "worse than" if above else "at least as good as"
                tally(f"MisGAN's RMSE is {claim} LM-RBM's at rates {side} 0.5", holds)
    holds = {}
    for m, r in grid:
        rmse = _complete(table, m, r, preset.methods, "rmse")
        fid = _complete(table, m, r, preset.methods, "fid")
        if rmse is None or fid is None or r <= 0.5:
            continue
        holds[(m, r)] = min(rmse, key=rmse.get) != min(fid, key=fid.get)
    tally(
        "perception-distortion trade-off above a 0.5 rate: the method with the lowest RMSE "
        "is not the one with the lowest FID",
        holds,
    )
    return lines
