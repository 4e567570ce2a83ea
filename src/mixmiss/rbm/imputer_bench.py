"""``mixmiss bench imputers``: RBMImputer against scikit-learn's imputers on the same masks.

Every imputer fills the same masked copy of each dataset, with its
``fit_transform`` timed, and is scored by the RMSE of the entries that were
masked. The cells of the report are means over :data:`SEEDS` (the seed draws
the mask and is every imputer's ``random_state``).

Datasets (:data:`DATASETS`), handed to the imputers in their own scale:

- ``digits``: scikit-learn's 1,797 8x8 digits, values 0..16;
- ``fashion-mnist-10k``: the first 10,000 Fashion-MNIST training images,
  784 pixels in [0, 1];
- ``breast-cancer`` (569 x 30), ``wine`` (178 x 13), ``diabetes`` (442 x 10):
  scikit-learn's tables, as loaded.

RMSE is computed on features scaled to [0, 1] — images by their pixel range
(16 for digits, 1 for Fashion-MNIST), tables by each column's minimum and
maximum over the complete data — so that the columns of a table count alike
and the datasets can be compared.

Mechanisms (:data:`MECHANISMS`):

- ``mcar-20``, ``mcar-50``, ``mcar-80``: each entry missing independently
  with probability 0.2 / 0.5 / 0.8;
- ``mnar``: self-masking; an entry is missing with probability 0.8 when its
  value is above its column's 70th percentile (of the complete data) and 0.2
  otherwise (about 38 % of a continuous column; the report gives the realised
  fraction). Large values go missing more often, so every imputer that
  learns from the observed values only is biased low.

A column that the mask left entirely missing gets one random entry back (it
happens only in ``--quick`` runs), so that every imputer returns every column.

Imputers (:func:`imputers`): ``RBMImputer()`` at its defaults (``rbm-lm``) and
with ``method="zeroed"`` (``rbm-zeroed``), ``SimpleImputer()`` (``mean``),
``KNNImputer()`` (``knn``) and ``IterativeImputer(max_iter=3,
n_nearest_features=50)`` (``iterative``: the default ``max_iter=10`` over all
784 pixels takes hours on Fashion-MNIST).
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings
from collections.abc import Callable

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer

from ..errors import InputError
from ..provenance import provenance
from .estimator import RBMImputer

SEEDS = (0, 1, 2)
MECHANISMS = ("mcar-20", "mcar-50", "mcar-80", "mnar")
MNAR_QUANTILE, MNAR_HIGH, MNAR_LOW = 0.70, 0.8, 0.2
FMNIST_ROWS = 10_000
#: ``--quick``: rows per dataset and seeds (a smoke run for tests, seconds).
QUICK_ROWS, QUICK_SEEDS = 120, (0,)
#: Imputer settings of a ``--quick`` run: a tiny RBM, one-pass iterative imputation.
QUICK_RBM = {"n_components": 16, "n_iter": 2}


# -- data ---------------------------------------------------------------------------------
def _digits(data_dir):
    from sklearn.datasets import load_digits

    X = load_digits().data
    return X, np.full(X.shape[1], 16.0)


def _fashion_mnist(data_dir, rows=FMNIST_ROWS):
    from ..data import load_dataset

    images = load_dataset("fashion-mnist", "train", data_dir, download=False, limit=rows).images
    X = images.flatten(1).numpy().astype(np.float64)
    return X, np.ones(X.shape[1])


def _table(loader: str) -> Callable:
    def load(data_dir):
        from sklearn import datasets

        X = getattr(datasets, loader)().data.astype(np.float64)
        span = X.max(axis=0) - X.min(axis=0)
        return X, np.where(span > 0, span, 1.0)

    return load


#: name -> loader(data_dir) returning the complete data and the scale of each column.
DATASETS: dict[str, Callable] = {
    "digits": _digits,
    "fashion-mnist-10k": _fashion_mnist,
    "breast-cancer": _table("load_breast_cancer"),
    "wine": _table("load_wine"),
    "diabetes": _table("load_diabetes"),
}


def make_missing(X: np.ndarray, mechanism: str, seed: int) -> np.ndarray:
    """The boolean mask (True = missing) of ``mechanism`` for complete data ``X``."""
    rng = np.random.default_rng(seed)
    if mechanism.startswith("mcar-"):
        missing = rng.random(X.shape) < int(mechanism[5:]) / 100
    elif mechanism == "mnar":
        high = X > np.quantile(X, MNAR_QUANTILE, axis=0)
        missing = rng.random(X.shape) < np.where(high, MNAR_HIGH, MNAR_LOW)
    else:
        raise InputError(f"unknown missingness mechanism {mechanism!r}; choose from {MECHANISMS}.")
    for column in np.flatnonzero(missing.all(axis=0)):
        missing[rng.integers(X.shape[0]), column] = False
    return missing


# -- imputers -----------------------------------------------------------------------------
def imputers(quick: bool = False) -> dict[str, object]:
    """The imputers compared, unfitted (``random_state`` is set per seed)."""
    rbm = QUICK_RBM if quick else {}
    return {
        "rbm-lm": RBMImputer(**rbm),
        "rbm-zeroed": RBMImputer(method="zeroed", **rbm),
        "mean": SimpleImputer(),
        "knn": KNNImputer(),
        "iterative": IterativeImputer(max_iter=1 if quick else 3, n_nearest_features=50),
    }


def score(filled: np.ndarray, complete: np.ndarray, missing: np.ndarray, scale) -> float:
    """RMSE of the ``missing`` entries, each column divided by its ``scale``."""
    error = (filled - complete) / scale
    return math.sqrt(float((error[missing] ** 2).mean()))


def run_cell(estimator, X: np.ndarray, missing: np.ndarray, scale, seed: int) -> dict:
    """Fit-transform one imputer on one masked dataset; its RMSE and seconds."""
    estimator = clone(estimator)
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # IterativeImputer's max_iter=3 is deliberate (see the module docstring)
        warnings.simplefilter("ignore", ConvergenceWarning)
        filled = estimator.fit_transform(np.where(missing, np.nan, X))
    seconds = time.perf_counter() - start
    return {"rmse": score(filled, X, missing, scale), "seconds": seconds}


# -- the bench ----------------------------------------------------------------------------
def run_bench(args: argparse.Namespace) -> dict:
    """Run every imputer on every dataset and mechanism; returns the JSON report.

    ``args``: ``quick`` (tiny subsets, one seed), ``datasets`` and
    ``mechanisms`` (comma-separated names, default all), ``seeds`` (how many,
    default 3: seeds 0, 1, 2), ``data_dir``, ``markdown`` (also write the
    markdown report there) and ``invocation`` (the command, for the provenance).
    """
    quick = bool(getattr(args, "quick", False))
    names = _selected(getattr(args, "datasets", None), DATASETS, "dataset")
    mechanisms = _selected(getattr(args, "mechanisms", None), MECHANISMS, "mechanism")
    seeds = QUICK_SEEDS if quick else SEEDS
    if getattr(args, "seeds", None):
        seeds = tuple(range(_positive(args.seeds)))
    candidates = imputers(quick)
    data_dir = getattr(args, "data_dir", None) or os.environ.get("MIXMISS_DATA_DIR")
    # recorded before the run: the revision that ran, even if the checkout moves on meanwhile
    record = provenance(getattr(args, "invocation", None))
    started = time.perf_counter()
    cells, shapes = [], {}
    for name in names:
        X, scale = DATASETS[name](data_dir)
        if quick:
            X = X[:QUICK_ROWS]
        shapes[name] = list(X.shape)
        for mechanism in mechanisms:
            runs = {label: [] for label in candidates}
            fractions = []
            for seed in seeds:
                missing = make_missing(X, mechanism, seed)
                fractions.append(float(missing.mean()))
                for label, estimator in candidates.items():
                    runs[label].append(run_cell(estimator, X, missing, scale, seed))
            for label, per_seed in runs.items():
                rmse = [r["rmse"] for r in per_seed]
                seconds = [r["seconds"] for r in per_seed]
                cells.append(
                    {
                        "dataset": name,
                        "mechanism": mechanism,
                        "imputer": label,
                        "rmse": float(np.mean(rmse)),
                        "rmse_std": float(np.std(rmse)),
                        "seconds": float(np.mean(seconds)),
                        "missing_fraction": float(np.mean(fractions)),
                        "per_seed": per_seed,
                    }
                )
    report = {
        "provenance": record,
        "wall_seconds": time.perf_counter() - started,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": {
            "datasets": shapes,
            "mechanisms": mechanisms,
            "seeds": list(seeds),
            "quick": quick,
            "imputers": {label: repr(est) for label, est in candidates.items()},
            "rmse_scale": "features scaled to [0, 1]: images by the pixel range, "
            "tables by each column's min/max over the complete data",
            "mnar": f"missing with p={MNAR_HIGH} above the column's {MNAR_QUANTILE:.0%} "
            f"quantile, p={MNAR_LOW} otherwise",
            "threads": _threads(),
        },
        "cells": cells,
        "targets": targets(cells),
    }
    markdown = getattr(args, "markdown", None)
    if markdown:
        from ..atomic import atomic_write_text

        atomic_write_text(markdown, render_markdown(report))
    return report


def _selected(text: str | None, choices, what: str) -> list[str]:
    """The comma-separated names in ``text`` (all ``choices`` when empty), checked."""
    if not text:
        return list(choices)
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(choices))
    if unknown:
        raise InputError(f"unknown {what}(s) {unknown}; choose from {sorted(choices)}.")
    return names


def _positive(value) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise InputError(f"--seeds must be a positive integer, got {value!r}.")
    return int(value)


def _threads() -> dict:
    import torch
    from threadpoolctl import threadpool_info

    return {
        "torch": torch.get_num_threads(),
        "blas": sorted({info.get("num_threads") for info in threadpool_info()}),
    }


def _cell(cells, dataset, mechanism, imputer) -> dict | None:
    for cell in cells:
        if (cell["dataset"], cell["mechanism"], cell["imputer"]) == (dataset, mechanism, imputer):
            return cell
    return None


def targets(cells: list[dict]) -> dict:
    """The issue's done-when checks, evaluated on the cells that were run.

    - ``beats_knn_on_fashion_mnist``: ``rbm-lm`` RMSE below ``knn``'s on
      Fashion-MNIST at every MCAR rate, and ``speedup_vs_knn`` >= 3 there;
    - ``beats_mean_by_10pct``: ``rbm-lm`` RMSE <= 0.9 x ``mean``'s, per
      dataset and mechanism.
    """
    out: dict = {"fashion_mnist": {}, "vs_mean": {}}
    for mechanism in MECHANISMS:
        rbm = _cell(cells, "fashion-mnist-10k", mechanism, "rbm-lm")
        knn = _cell(cells, "fashion-mnist-10k", mechanism, "knn")
        if mechanism.startswith("mcar") and rbm and knn:
            out["fashion_mnist"][mechanism] = {
                "rbm_rmse": rbm["rmse"],
                "knn_rmse": knn["rmse"],
                "beats_knn": rbm["rmse"] < knn["rmse"],
                "speedup_vs_knn": knn["seconds"] / rbm["seconds"],
            }
    for cell in cells:
        if cell["imputer"] != "rbm-lm":
            continue
        mean = _cell(cells, cell["dataset"], cell["mechanism"], "mean")
        ratio = cell["rmse"] / mean["rmse"]
        out["vs_mean"][f"{cell['dataset']}/{cell['mechanism']}"] = {
            "ratio": ratio,
            "beats_mean_by_10pct": ratio <= 0.9,
        }
    fm = out["fashion_mnist"].values()
    out["all_beat_knn_3x_faster"] = bool(fm) and all(
        c["beats_knn"] and c["speedup_vs_knn"] >= 3 for c in fm
    )
    out["all_beat_mean_by_10pct"] = all(c["beats_mean_by_10pct"] for c in out["vs_mean"].values())
    return out


# -- rendering ----------------------------------------------------------------------------
def render_markdown(report: dict) -> str:
    """The report as markdown: provenance, one RMSE table and one seconds table per dataset."""
    prov, config, cells = report["provenance"], report["config"], report["cells"]
    labels = list(config["imputers"])
    lines = [
        "# `mixmiss bench imputers`",
        "",
        f"Command: `{prov['command']}`",
        "",
        f"- git revision: `{prov['git_revision']}`",
        f"- machine: {prov['machine']}; threads {config['threads']}",
        f"- wall time: {report['wall_seconds']:.0f} s; started {prov['time']}, "
        f"finished {report.get('finished')}",
        f"- seeds: {config['seeds']} (each cell is their mean); RMSE on {config['rmse_scale']}",
        f"- MNAR: {config['mnar']}",
        "- imputers: "
        + "; ".join(f"`{label}` = `{text}`" for label, text in config["imputers"].items()),
        "",
    ]
    for dataset, shape in config["datasets"].items():
        lines += [f"## {dataset} ({shape[0]} x {shape[1]})", ""]
        header = "| mechanism (missing) | " + " | ".join(labels) + " |"
        rule = "|---|" + "---|" * len(labels)
        for title, key, fmt in (("RMSE", "rmse", "{:.4f}"), ("seconds", "seconds", "{:.2f}")):
            lines += [f"{title}:", "", header, rule]
            for mechanism in config["mechanisms"]:
                row = [_cell(cells, dataset, mechanism, label) for label in labels]
                if not any(row):
                    continue
                fraction = next(c for c in row if c)["missing_fraction"]
                values = [fmt.format(c[key]) if c else "" for c in row]
                lines.append(f"| {mechanism} ({fraction:.0%}) | " + " | ".join(values) + " |")
            lines.append("")
    t = report["targets"]
    lines += ["## Targets", ""]
    for mechanism, c in t["fashion_mnist"].items():
        lines.append(
            f"- Fashion-MNIST {mechanism}: rbm-lm {c['rbm_rmse']:.4f} vs knn {c['knn_rmse']:.4f} "
            f"({'beats' if c['beats_knn'] else 'does NOT beat'} KNN), "
            f"{c['speedup_vs_knn']:.1f}x KNN's speed"
        )
    misses = [key for key, c in t["vs_mean"].items() if not c["beats_mean_by_10pct"]]
    lines.append(
        "- rbm-lm RMSE <= 0.9 x mean imputation's: "
        + ("everywhere" if not misses else "NOT met on " + ", ".join(misses))
    )
    lines.append("")
    return "\n".join(lines)
