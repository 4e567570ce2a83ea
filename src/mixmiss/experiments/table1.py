"""Table 1 and Fig. 1 of the LM-RBM paper: imputation under three missingness mechanisms.

The study (paper, Section 4): for each mechanism (I.M., S.O., P.M.) and
missing rate, each method is trained on independently masked training sets
(the first 50,000 MNIST images) and each trained model is tested on
independently masked test sets (the 10,000 test images). The paper uses
3 training sets x 10 test sets = 30 pairs per (mechanism, rate, method) and
reports the mean over the 30 pairs with its standard error; so do we, with
the standard error of the mean over all pairs (sample std / sqrt(pairs)).

One cached cell (:mod:`mixmiss.experiments.cells`) = one (mechanism, rate,
method, training set): it trains the method into ``<out>/runs/<cell id>/``
(resuming an interrupted training) and scores it on every test set of the
preset (:func:`mixmiss.experiments.imputation.evaluate_imputer_seeds`). Cells run
cheapest method first, so a study cut short still has whole columns.

Outputs, written from whatever cells are finished (pending ones are listed):
``table1.csv`` (one row per mechanism, rate and method), ``table1.md`` (our
table in the paper's layout, the paper's own rows, the claims the paper makes
checked on our numbers, and our differences from the paper beyond its
standard error), ``summary.md`` (RMSE and accuracy beside the paper's, for
the README), ``fig1.png`` (:mod:`.table1_figures`) and
``fig1-perception-distortion.png``.

Interpretations: the paper's nine rates are 0.1, ..., 0.9; its Table 1 prints
0.3, 0.6, 0.9, which is what ``quick`` runs. ``quick`` trains each method once
(one training set) and tests it on three test sets, so its standard errors
cover the test masks only.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ..atomic import atomic_write_text
from ..data import DATASETS
from ..device import torch_threads
from ..errors import InputError
from ..evaluators import get_evaluator
from ..registry import make_imputer
from .cells import Cell, finished_cells, run_cells, worker_threads
from .formatting import format_with_error, markdown_table, mean_and_standard_error
from .imputation import (
    PAPER_TEST,
    PAPER_TRAIN,
    evaluate_imputer_seeds,
    read_run,
    train_imputer,
)
from .paper_table1 import PAPER_METHODS, PAPER_NAMES, paper_value

MECHANISM_NAMES = {"im": "I.M.", "so": "S.O.", "pm": "P.M."}
#: The order cells are computed in: cheapest method first.
COST_ORDER = ("mean", "inpaint", "rbm", "lm-rbm", "misgan")
METRICS = ("rmse", "fid", "accuracy", "accuracy_hidden")
HIDDEN_METHODS = ("rbm", "lm-rbm")


@dataclass(frozen=True)
class Table1Preset:
    """What one preset of the study computes.

    Attributes
    ----------
    dataset : str
        A registered dataset (the paper: MNIST).
    mechanisms, rates, methods : tuples
        The grid; ``methods`` are imputer names (``mixmiss.impute.IMPUTERS``).
    method_preset : {"smoke", "quick", "paper"}
        The preset each method is trained with.
    train_seeds, test_seeds : tuples of int
        One training set per train seed, each model tested on one test set
        per test seed (paper: 3 x 10).
    max_train, max_test : int
        Images used from each split (paper: 50,000 and 10,000).
    """

    dataset: str
    mechanisms: tuple[str, ...]
    rates: tuple[float, ...]
    methods: tuple[str, ...]
    method_preset: str
    train_seeds: tuple[int, ...]
    test_seeds: tuple[int, ...]
    max_train: int
    max_test: int


_ALL = ("im", "so", "pm")
PRESETS: dict[str, Table1Preset] = {
    # seconds (once the MNIST evaluator is cached): exercises every output file
    "smoke": Table1Preset("mnist", _ALL, (0.3, 0.6), PAPER_METHODS, "smoke", (0,), (0, 1), 96, 48),
    # Table 1's rows; each method's quick preset, one training set, three test sets
    "quick": Table1Preset(
        "mnist", _ALL, (0.3, 0.6, 0.9), PAPER_METHODS, "quick", (0,), (0, 1, 2), PAPER_TRAIN,
        PAPER_TEST,
    ),
    # the paper: nine rates, 3 training sets x 10 test sets
    "paper": Table1Preset(
        "mnist", _ALL, tuple(r / 10 for r in range(1, 10)), PAPER_METHODS, "paper", (0, 1, 2),
        tuple(range(10)), PAPER_TRAIN, PAPER_TEST,
    ),
}  # fmt: skip


def get_preset(name: str, dataset: str | None = None) -> Table1Preset:
    """The preset ``name``, optionally on another dataset."""
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    if dataset is not None and dataset not in DATASETS:
        raise InputError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
    return PRESETS[name] if dataset is None else replace(PRESETS[name], dataset=dataset)


def cell_id(mechanism: str, rate: float, method: str, train_seed: int) -> str:
    return f"{mechanism}-{rate:g}-{method}-train{train_seed}"


def method_config(method: str, preset: str) -> dict:
    """The resolved settings of ``method`` at ``preset``, as a cell records them.

    Part of the cell's parameters, so that a change of a method's defaults or
    preset invalidates its cached cells instead of mixing old and new results.
    """
    config = make_imputer(method, preset).get_config()
    config = {k: v for k, v in config.items() if k not in ("random_state", "device")}
    return json.loads(json.dumps(config))  # as stored: tuples become lists


def table1_cells(preset: Table1Preset) -> list[Cell]:
    """The study's cells, cheapest method first (see :data:`COST_ORDER`)."""
    methods = sorted(preset.methods, key=lambda m: COST_ORDER.index(m) if m in COST_ORDER else 99)
    configs = {method: method_config(method, preset.method_preset) for method in methods}
    common = {
        "dataset": preset.dataset,
        "preset": preset.method_preset,
        "test_seeds": list(preset.test_seeds),
        "max_train": preset.max_train,
        "max_test": preset.max_test,
    }
    return [
        Cell(
            cell_id(mechanism, rate, method, seed),
            {
                **common,
                "mechanism": mechanism,
                "rate": rate,
                "method": method,
                "train_seed": seed,
                "config": configs[method],
            },  # fmt: skip
        )
        for method in methods
        for mechanism in preset.mechanisms
        for rate in preset.rates
        for seed in preset.train_seeds
    ]


def compute_cell(
    params: dict,
    out: str,
    data_dir: str | None = None,
    cache_dir: str | None = None,
    device: str = "auto",
    threads: int | None = None,
) -> dict:
    """Train (or finish training) one method on one masked training set and test it.

    A finished training in the cell's run directory is reused; an interrupted
    one is resumed from its checkpoints.
    """
    with torch_threads(threads):  # with several workers: cores / workers each
        return _compute_cell(params, out, data_dir, cache_dir, device)


def _train_command(params: dict, run_dir: Path) -> list[str]:
    """The ``mixmiss impute train`` command that trains the same model as the cell."""
    argv = ["mixmiss", "impute", "train"]
    for option in ("dataset", "method", "mechanism", "rate", "preset"):
        argv += [f"--{option}", str(params[option])]
    return argv + ["--seed", str(params["train_seed"]), "--max-train", str(params["max_train"]),
                   "--out", str(run_dir)]  # fmt: skip


def _compute_cell(params, out, data_dir, cache_dir, device) -> dict:
    name = cell_id(params["mechanism"], params["rate"], params["method"], params["train_seed"])
    run_dir = Path(out) / "runs" / name
    started = (run_dir / "run.json").is_file()
    if not started or read_run(run_dir).get("status") != "trained":
        train_imputer(
            run_dir,
            params["dataset"],
            params["method"],
            params["mechanism"],
            params["rate"],
            preset=params["preset"],
            seed=params["train_seed"],
            device=device,
            resume=started,
            max_train=params["max_train"],
            data_dir=data_dir,
            progress=False,
            command=_train_command(params, run_dir),
        )
    reports = evaluate_imputer_seeds(
        run_dir,
        params["test_seeds"],
        max_test=params["max_test"],
        data_dir=data_dir,
        cache_dir=cache_dir,
        device=device,
        progress=False,
    )
    keys = (*METRICS, "rmse_all", "eval_seed", "eval_seconds")
    return {
        "train_seconds": read_run(run_dir).get("train_seconds"),
        "evals": [{key: report[key] for key in keys} for report in reports],
    }


def summarise(preset: Table1Preset, records: dict[str, dict]) -> list[dict]:
    """One row per (mechanism, rate, method): mean and standard error over its finished pairs.

    Accuracies are turned into percent, as the paper prints them.
    """
    rows = []
    for mechanism in preset.mechanisms:
        for rate in preset.rates:
            for method in preset.methods:
                ids = [cell_id(mechanism, rate, method, s) for s in preset.train_seeds]
                done = [records[i] for i in ids if i in records]
                evals = [e for record in done for e in record["metrics"]["evals"]]
                row = {
                    "mechanism": mechanism,
                    "rate": rate,
                    "method": method,
                    "train_sets": len(done),
                    "pairs": len(evals),
                    "pending_cells": len(ids) - len(done),
                }
                for metric in METRICS:
                    scale = 100.0 if metric.startswith("accuracy") else 1.0
                    values = [scale * e[metric] for e in evals if e.get(metric) is not None]
                    mean, error = mean_and_standard_error(values)
                    row[metric], row[f"{metric}_se"] = mean, error
                train = [r["metrics"]["train_seconds"] or 0.0 for r in done]
                row["train_seconds"] = sum(train) / len(train) if train else math.nan
                row["wall_seconds"] = sum(r["wall_seconds"] for r in done)
                rows.append(row)
    return rows


def _lookup(rows: list[dict]) -> dict[tuple[str, float, str], dict]:
    return {(r["mechanism"], r["rate"], r["method"]): r for r in rows}


_DECIMALS = {"rmse": 3, "fid": 1, "accuracy": 1, "accuracy_hidden": 1}
_GROUPS = (("rmse", "RMSE"), ("fid", "FID"), ("accuracy", "Acc"))


def _header(methods) -> list[str]:
    header = ["mech", "rate"]
    for _, label in _GROUPS:
        header += [f"{label} {PAPER_NAMES.get(m, m)}" for m in methods]
    return header + [f"hid {PAPER_NAMES[m]}" for m in HIDDEN_METHODS if m in methods]


def _cells_of_row(methods, value) -> list[str]:
    cells = [value(metric, method) for metric, _ in _GROUPS for method in methods]
    return cells + [value("accuracy_hidden", m) for m in HIDDEN_METHODS if m in methods]


def table_markdown(preset: Table1Preset, rows: list[dict]) -> str:
    """Our Table 1 in the paper's layout: value(standard error); '…' for a pending cell."""
    table = _lookup(rows)

    def ours(mechanism, rate):
        def value(metric, method):
            row = table[(mechanism, rate, method)]
            if row["pairs"] == 0:
                return "…"
            return format_with_error(row[metric], row[f"{metric}_se"], _DECIMALS[metric])

        return value

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *_cells_of_row(preset.methods, ours(m, r))]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    return markdown_table(_header(preset.methods), body)


def paper_markdown(preset: Table1Preset) -> str:
    """The paper's Table 1 rows for the mechanisms and rates of ``preset`` (where it has them)."""

    def printed(mechanism, rate):
        def value(metric, method):
            found = paper_value(mechanism, rate, metric, method)
            return "" if found is None else f"{found[0]:g}"

        return value

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *_cells_of_row(preset.methods, printed(m, r))]
        for m in preset.mechanisms
        for r in preset.rates
        if paper_value(m, r, "rmse", "mean") is not None
    ]
    return markdown_table(_header(preset.methods), body) if body else ""


def beside_paper_markdown(
    preset: Table1Preset, rows: list[dict], metric: str, with_paper: bool = True
) -> str:
    """One metric per method, ``ours (paper)`` where the paper has the cell; ``…`` if pending."""
    table = _lookup(rows)

    def cell(mechanism, rate, method):
        row = table[(mechanism, rate, method)]
        ours = "…" if row["pairs"] == 0 else f"{row[metric]:.{_DECIMALS[metric]}f}"
        paper = paper_value(mechanism, rate, metric, method) if with_paper else None
        return ours if paper is None else f"{ours} ({paper[0]:g})"

    body = [
        [MECHANISM_NAMES[m], f"{r:g}", *(cell(m, r, method) for method in preset.methods)]
        for m in preset.mechanisms
        for r in preset.rates
    ]
    header = ["mech", "rate", *(PAPER_NAMES.get(m, m) for m in preset.methods)]
    return markdown_table(header, body)


def summary_markdown(preset: Table1Preset, rows: list[dict], pending: list[str]) -> str:
    """``summary.md``: RMSE and accuracy beside the paper's, our FID, the claims checked.

    The README's Results section embeds it verbatim (``tools/sync_readme.py``).
    """
    finished = sum(row["train_sets"] for row in rows)
    with_paper = preset.dataset == "mnist"
    ours = ", ours (paper)" if with_paper else ""
    return "\n".join(
        [
            f"Cells finished: {finished} of {finished + len(pending)}.\n",
            f"RMSE{ours}:\n",
            beside_paper_markdown(preset, rows, "rmse", with_paper),
            f"Accuracy (%) of logistic regression on the reconstructions{ours}:\n",
            beside_paper_markdown(preset, rows, "accuracy", with_paper),
            "FID, ours only (our evaluator's features, not the paper's network):\n",
            beside_paper_markdown(preset, rows, "fid", with_paper=False),
            "The paper's claims, checked on our finished cells:\n",
            "\n".join(check_claims(preset, rows)) + "\n",
        ]
    )


def differences(preset: Table1Preset, rows: list[dict]) -> list[dict]:
    """Our RMSE and accuracies against the paper's, where they differ by more than its
    standard error (one unit of its last printed digit).

    Our own standard error is not added: it would hide gaps that our test masks
    merely blur. FID is left out: our FID network is not the paper's, only
    orderings compare.
    """
    found = []
    for row in rows:
        if row["pairs"] == 0:
            continue
        for metric in ("rmse", "accuracy", "accuracy_hidden"):
            paper = paper_value(row["mechanism"], row["rate"], metric, row["method"])
            if paper is None or math.isnan(row[metric]):
                continue
            gap = row[metric] - paper[0]
            if abs(gap) > paper[1]:
                found.append({**{k: row[k] for k in ("mechanism", "rate", "method")},
                              "metric": metric, "ours": row[metric], "paper": paper[0],
                              "difference": gap})  # fmt: skip
    return found


def _complete(table, mechanism, rate, methods, metric) -> dict[str, float] | None:
    values = {m: table[(mechanism, rate, m)][metric] for m in methods}
    return None if any(math.isnan(v) for v in values.values()) else values


def check_claims(preset: Table1Preset, rows: list[dict]) -> list[str]:
    """The paper's claims, each checked on our finished cells: one line of text per claim."""
    table = _lookup(rows)
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


def rows_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_table1_report(
    preset: str | Table1Preset, out: str | os.PathLike, dataset: str | None = None
) -> dict[str, Path]:
    """Write table1.csv, table1.md, summary.md and the figures from the finished cells."""
    from .table1_figures import fig1, perception_distortion_figure

    preset = get_preset(preset, dataset) if isinstance(preset, str) else preset
    out = Path(out)
    cells = table1_cells(preset)
    records = finished_cells(cells, out)
    rows = summarise(preset, records)
    pending = [cell.id for cell in cells if cell.id not in records]
    paths = {
        "csv": atomic_write_text(out / "table1.csv", rows_csv(rows)),
        "markdown": atomic_write_text(out / "table1.md", _report(preset, rows, records, pending)),
        "summary": atomic_write_text(out / "summary.md", summary_markdown(preset, rows, pending)),
        "figure": fig1(rows, preset, out / "fig1.png"),
        "scatter": perception_distortion_figure(
            rows, preset, out / "fig1-perception-distortion.png"
        ),
    }
    return paths


def _report(preset: Table1Preset, rows, records, pending) -> str:
    walls = [r["wall_seconds"] for r in records.values()]
    revisions = sorted({r["provenance"]["git_revision"] or "unknown" for r in records.values()})
    machines = sorted({r["provenance"]["machine"] for r in records.values()})
    parts = [
        f"# Table 1 of the LM-RBM paper ({preset.dataset})\n",
        "Mean over (training set, test set) pairs with its standard error in the last digit, "
        "as in the paper. Accuracies in percent; FID with mixmiss's evaluator features "
        "(not the paper's network: compare orderings only).\n",
        "Study settings: " + ", ".join(f"{k} = {v}" for k, v in asdict(preset).items()) + ".\n",
        f"Cells finished: {len(records)} of {len(records) + len(pending)}, "
        f"{sum(walls) / 3600:.2f} h of cell wall time; git revisions {', '.join(revisions)}; "
        f"machines: {'; '.join(machines) or 'none yet'}. Each cell's command, revision and "
        "wall time are in `cells/<cell id>.json`.\n",
        "## Ours\n",
        table_markdown(preset, rows),
    ]
    paper = paper_markdown(preset)
    if paper and preset.dataset == "mnist":
        parts += ["\n## The paper (MNIST, 30 pairs)\n", paper]
    parts += ["\n## The paper's claims, on our numbers\n", "\n".join(check_claims(preset, rows))]
    if preset.dataset == "mnist":
        diffs = differences(preset, rows)
        parts.append("\n\n## Where we differ from the paper by more than its standard error\n")
        parts.append(
            markdown_table(
                ["mech", "rate", "method", "metric", "ours", "paper", "ours - paper"],
                [_difference_row(d) for d in diffs],
            )
            if diffs
            else "None.\n"
        )
    if pending:
        parts.append(f"\n## Pending cells ({len(pending)})\n\n" + ", ".join(pending) + "\n")
    return "\n".join(parts)


def _difference_row(d: dict) -> list[str]:
    decimals = _DECIMALS[d["metric"]] + 1
    return [
        MECHANISM_NAMES[d["mechanism"]],
        f"{d['rate']:g}",
        PAPER_NAMES[d["method"]],
        d["metric"],
        f"{d['ours']:.{decimals}f}",
        f"{d['paper']:g}",
        f"{d['difference']:+.{decimals}f}",
    ]


def reproduce_table1(
    preset: str,
    out: str | os.PathLike,
    workers: int = 1,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    progress: bool = True,
    dataset: str | None = None,
    command: list[str] | None = None,
) -> dict[str, Path]:
    """Compute every unfinished cell of the study, then write its outputs into ``out``.

    Parameters
    ----------
    preset : {"smoke", "quick", "paper"}
    out : path
        Study directory: ``cells/`` (the cache), ``runs/`` (trained models)
        and the outputs.
    workers : int
        Cells computed in parallel processes (each gets cores / workers threads).
    dataset : str, optional
        Run the study on another registered dataset.
    command : list of str, optional
        The command line recorded with each cell.
    """
    study = get_preset(preset, dataset)
    out = Path(out)
    threads = worker_threads(workers)
    fn = functools.partial(
        compute_cell,
        out=str(out),
        data_dir=None if data_dir is None else str(data_dir),
        cache_dir=None if cache_dir is None else str(cache_dir),
        device=device,
        threads=threads,
    )
    # the evaluator is trained (once) before the cells, outside their wall times
    get_evaluator(study.dataset, data_dir, cache_dir, device=device, progress=progress)
    run_cells(table1_cells(study), fn, out, workers=workers, progress=progress, command=command)
    return write_table1_report(study, out)
