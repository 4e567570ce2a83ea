"""The Table 1 study's settings, its grid of cells and the computation of one cell.

One cell = one (mechanism, rate, method, training set): it trains the
method into ``<out>/runs/<cell id>/`` (resuming an interrupted training)
and scores it on every test set of the preset
(:func:`mixmiss.experiments.imputation.evaluate_imputer_seeds`). Cells run
cheapest method first, so a study cut short still has whole columns.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...context import DEFAULT_CONTEXT, Context
from ...data import DATASETS
from ...data.masks import mask_design
from ...device import torch_threads
from ...errors import InputError
from ...presets import Presets
from ...registry import imputer_class, make_imputer
from ..cells import Cell, is_number
from ..imputation import (
    PAPER_FID_DATASETS,
    PAPER_TEST,
    PAPER_TRAIN,
    RUN_FILE,
    evaluate_imputer_seeds,
    read_run,
    train_imputer,
)
from .paper import PAPER_METHODS

#: The order cells are computed in: cheapest method first.
COST_ORDER = ("mean", "inpaint", "rbm", "lm-rbm", "misgan")
METRICS = ("rmse", "fid", "accuracy", "accuracy_hidden")
#: The paper's FID (MisGAN's code's, with the reference LeNet): of the completed
#: training images -- the one compared with the paper -- and of the completed test
#: images. Cells computed before the protocol had it lack both.
PAPER_FID_METRICS = ("fid_lenet", "fid_lenet_test")
#: The RBMs' other read-out (one sampled binary h), scored beside the default one.
READOUT_METRICS = ("rmse_sampled_h", "fid_lenet_sampled_h")
READOUT_CHOICES = ("default", "all")
#: The SHA-256 of the networks that scored a cell (the evaluator CNN: ``fid``, ``accuracy``;
#: the reference LeNet: ``fid_lenet*``). Trained from the same seed on CPUs of other
#: instruction sets they come out different, so cells scored on two machines may not share
#: them; the report lists every one. Cells computed before 2026-12-07 lack them.
SCORER_KEYS = ("evaluator_checksum", "lenet_checksum")
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
    method_settings : mapping of method -> settings
        Settings that replace the method preset's for that method (the
        ``standard`` study: the paper's models, fewer epochs, the RBMs dense).
    train_seeds, test_seeds : tuples of int
        One training set per train seed, each model tested on one test set
        per test seed (paper: 3 x 10).
    max_train, max_test : int
        Images used from each split (paper: 50,000 and 10,000).
    readouts : {"default", "all"}
        Which read-outs of the stochastic methods each cell scores beside the
        default one: their ``SCORED_READOUTS`` (the RBMs' sampled h), or their whole
        family for the perception-distortion plane (:mod:`..scoring`; each read-out
        costs an imputation of the 50,000 training images and of every test set).
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
    readouts: str = "default"
    method_settings: Mapping[str, Mapping[str, object]] = field(default_factory=dict)


_ALL = ("im", "so", "pm")
#: The ``standard`` preset's epochs of the paper's models, read off the learning curves
#: at I.M. 0.6 (``mixmiss reproduce curve``: results/misgan/curve-im0.6,
#: results/rbm/curve-im0.6-lm-rbm, results/rbm/curve-im0.6-rbm). MisGAN: 30 epochs at
#: full width, the curve's length (its LeNet FID still falls, 82.5 at epoch 2 to
#: 21.1 at 30; its RMSE has fallen by under 0.01 since epoch 16). The RBMs: 200
#: epochs, where LM-RBM's RMSE stops paying (within 0.001 of its best from epoch
#: 180; 0.1356 at 200, FID 5.5) -- two fifths of the paper's 500. Measured cost
#: per cell: README, "Learning curves and the standard preset".
STANDARD_EPOCHS = {"misgan": 30, "rbm": 200, "lm-rbm": 200}
#: The ``standard`` preset's RBMs have a dense ``W``: with the paper's ``W = A B`` at the
#: paper's step (eta = 1e-4) both RBMs diverged in their first epoch at I.M. 0.3 (W's
#: std 31 for RBM [5], 1e7 for LM-RBM; every completion the mean image), in fp32 as in
#: bf16, while the dense RBM learns there (reconstruction error 0.044 -> 0.033 in two
#: epochs, against the low-rank's 0.066 -> 0.066); at I.M. 0.6 and 0.9 low rank trained.
#: The epochs were read off the low-rank curves at I.M. 0.6.
STANDARD_RBM = {"low_rank": False}
STANDARD_SETTINGS = {
    m: {"epochs": e, **(STANDARD_RBM if m in HIDDEN_METHODS else {})}
    for m, e in STANDARD_EPOCHS.items()
}
PRESETS = Presets(
    "the Table 1 study",
    # seconds (once the MNIST evaluator is cached): exercises every output file
    smoke={"dataset": "mnist", "mechanisms": _ALL, "rates": (0.3, 0.6), "methods": PAPER_METHODS,
           "method_preset": "smoke", "train_seeds": (0,), "test_seeds": (0, 1), "max_train": 96,
           "max_test": 48},
    # Table 1's rows; each method's quick preset, one training set, three test sets
    quick={"dataset": "mnist", "mechanisms": _ALL, "rates": (0.3, 0.6, 0.9),
           "methods": PAPER_METHODS, "method_preset": "quick", "train_seeds": (0,),
           "test_seeds": (0, 1, 2), "max_train": PAPER_TRAIN, "max_test": PAPER_TEST},
    # the paper: nine rates, 3 training sets x 10 test sets
    paper={"dataset": "mnist", "mechanisms": _ALL, "rates": tuple(r / 10 for r in range(1, 10)),
           "methods": PAPER_METHODS, "method_preset": "paper", "train_seeds": (0, 1, 2),
           "test_seeds": tuple(range(10)), "max_train": PAPER_TRAIN, "max_test": PAPER_TEST},
    # one workstation, one night: the paper's models, trained as long as the learning
    # curves say pays (STANDARD_SETTINGS), on quick's grid
    standard={"dataset": "mnist", "mechanisms": _ALL, "rates": (0.3, 0.6, 0.9),
              "methods": PAPER_METHODS, "method_preset": "paper",
              "method_settings": STANDARD_SETTINGS,
              "train_seeds": (0,), "test_seeds": (0, 1, 2), "max_train": PAPER_TRAIN,
              "max_test": PAPER_TEST},
)  # fmt: skip


def get_preset(
    name: str,
    dataset: str | None = None,
    readouts: str = "default",
    mechanisms: Sequence[str] | None = None,
) -> Table1Preset:
    """The preset ``name``, optionally on another dataset, scoring every read-out, or
    restricted to some of its mechanisms (rows)."""
    if readouts not in READOUT_CHOICES:
        raise InputError(f"readouts must be one of {', '.join(READOUT_CHOICES)}, got {readouts!r}.")
    settings = {**PRESETS[name], "readouts": readouts}
    if mechanisms is not None:
        unknown = [m for m in mechanisms if m not in settings["mechanisms"]]
        if unknown or not mechanisms:
            raise InputError(
                f"mechanisms must be some of {', '.join(settings['mechanisms'])} (the preset's "
                f"rows), got {', '.join(mechanisms) or 'none'}."
            )
        settings["mechanisms"] = tuple(m for m in settings["mechanisms"] if m in mechanisms)
    if dataset is not None:
        if dataset not in DATASETS:
            raise InputError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}.")
        settings["dataset"] = dataset
    study = Table1Preset(**settings)
    shape = DATASETS[study.dataset].image_shape
    for method in study.methods:
        wanted = imputer_class(method).image_shape
        if wanted is not None and tuple(shape) != wanted:
            raise InputError(
                f"{method} takes {wanted[0]}x{wanted[1]} images and {study.dataset} has "
                f"{shape[0]}x{shape[1]}; choose a {wanted[0]}x{wanted[1]} dataset (mnist, "
                "fashion-mnist) for this study."
            )
    return study


def cell_id(mechanism: str, rate: float, method: str, train_seed: int) -> str:
    return f"{mechanism}-{rate:g}-{method}-train{train_seed}"


def method_config(method: str, preset: str, settings: Mapping | None = None) -> dict:
    """The resolved settings of ``method`` at ``preset`` (``settings`` on top), as a cell
    records them.

    Part of the cell's parameters, so that a change of a method's defaults or
    preset invalidates its cached cells instead of mixing old and new results.
    """
    config = make_imputer(method, preset, **(settings or {})).get_config()
    config = {k: v for k, v in config.items() if k not in ("random_state", "device")}
    return json.loads(json.dumps(config))  # as stored: tuples become lists


def table1_cells(preset: Table1Preset) -> list[Cell]:
    """The study's cells, cheapest method first (see :data:`COST_ORDER`).

    A cell's parameters hold everything that shapes its numbers -- the method's
    resolved settings, the mask design, whether the paper's FID is measured --
    so that changing any of them recomputes the cell instead of mixing results.
    """
    methods = sorted(preset.methods, key=lambda m: COST_ORDER.index(m) if m in COST_ORDER else 99)
    overrides = {m: dict(preset.method_settings.get(m, {})) for m in methods}
    configs = {m: method_config(m, preset.method_preset, overrides[m]) for m in methods}
    common = {
        "dataset": preset.dataset,
        "preset": preset.method_preset,
        "test_seeds": list(preset.test_seeds),
        "max_train": preset.max_train,
        "max_test": preset.max_test,
        # the paper's FID (reference LeNet) is part of what a cell measures
        "paper_fid": preset.dataset in PAPER_FID_DATASETS,
    }
    return [
        Cell(
            cell_id(mechanism, rate, method, seed),
            {
                **common,
                "mechanism": mechanism,
                "rate": rate,
                "mask_design": mask_design(mechanism),
                "method": method,
                "train_seed": seed,
                "config": configs[method],
                # only when asked: cells computed without them stay valid
                **({"readouts": "all"} if all_readouts(preset, method) else {}),
                **({"overrides": overrides[method]} if overrides[method] else {}),
            },  # fmt: skip
        )
        for method in methods
        for mechanism in preset.mechanisms
        for rate in preset.rates
        for seed in preset.train_seeds
    ]


def all_readouts(preset: Table1Preset, method: str) -> bool:
    """Whether the cells of ``method`` score its whole read-out family."""
    return preset.readouts == "all" and bool(imputer_class(method).READOUTS)


def readout_keys(report: dict) -> list[str]:
    """The other read-outs' measures in a report (``rmse_<name>``, ``fid_lenet_<name>``)."""
    fixed = ("rmse_all", "fid_lenet_test")
    return [k for k in report if k.startswith(("rmse_", "fid_lenet_")) and k not in fixed]


def compute_cell(
    params: dict,
    out: str,
    context: Context = DEFAULT_CONTEXT,
    threads: int | None = None,
    device: str | None = None,
) -> dict:
    """Train (or finish training) one method on one masked training set and test it.

    A finished training in the cell's run directory is reused; an interrupted
    one is resumed from its checkpoints. ``device`` (the executor's choice
    for this cell, e.g. a Ray task's) overrides the context's.
    """
    if device is not None:
        context = replace(context, device=device)
    with torch_threads(threads):  # with several workers: cores / workers each
        return _compute_cell(params, out, context)


def _train_command(params: dict, run_dir: Path) -> list[str]:
    """The ``mixmiss impute train`` command that trains the same model as the cell."""
    argv = ["mixmiss", "impute", "train"]
    for option in ("dataset", "method", "mechanism", "rate", "preset"):
        argv += [f"--{option}", str(params[option])]
    for key, value in params.get("overrides", {}).items():
        argv += ["--set", f"{key}={json.dumps(value)}"]
    return argv + ["--seed", str(params["train_seed"]), "--max-train", str(params["max_train"]),
                   "--out", str(run_dir)]  # fmt: skip


def run_directory(params: dict, out: str | os.PathLike) -> Path:
    """Where the cell with ``params`` keeps its trained model (shared by its read-outs)."""
    name = cell_id(params["mechanism"], params["rate"], params["method"], params["train_seed"])
    return Path(out) / "runs" / name


def is_trained(params: dict, out: str | os.PathLike) -> bool:
    """Whether the model of the cell with ``params`` has finished training in ``out``."""
    run_dir = run_directory(params, out)
    return (run_dir / RUN_FILE).is_file() and read_run(run_dir).get("status") == "trained"


#: Settings that do not shape a trained model's scores: a run may differ from its cell in them.
FREE_SETTINGS = ("random_state", "device", "snapshot_every", "log_every")


def check_run_settings(params: dict, run_dir: Path) -> None:
    """Refuse a run in the cell's run directory trained with other settings than the cell's.

    A finished run is scored as it is, so a model left there by an earlier
    version of the preset (or copied in) must be the one the cell describes.
    """
    stored = read_run(run_dir).get("config") or {}
    differ = sorted(
        k for k in set(stored) | set(params["config"])
        if k not in FREE_SETTINGS and stored.get(k) != params["config"].get(k)
    )  # fmt: skip
    if differ:
        shown = ", ".join(f"{k} {stored.get(k)!r} (the cell: {params['config'].get(k)!r})"
                          for k in differ)  # fmt: skip
        raise InputError(
            f"{run_dir} holds a {params['method']} trained with other settings than this "
            f"cell's: {shown}. Move that directory away and run again to train the cell's model."
        )


def _compute_cell(params: dict, out: str, context: Context) -> dict:
    run_dir = run_directory(params, out)
    started = (run_dir / RUN_FILE).is_file()
    if started:
        check_run_settings(params, run_dir)
    if not is_trained(params, out):
        train_imputer(
            run_dir,
            params["dataset"],
            params["method"],
            params["mechanism"],
            params["rate"],
            preset=params["preset"],
            seed=params["train_seed"],
            resume=started,
            max_train=params["max_train"],
            overrides=params.get("overrides"),
            context=replace(context, progress=False),
            command=_train_command(params, run_dir),
        )
    reports = evaluate_imputer_seeds(
        run_dir,
        params["test_seeds"],
        max_test=params["max_test"],
        context=replace(context, progress=False),
        readouts=params.get("readouts"),
    )
    keys = (*METRICS, *PAPER_FID_METRICS, *READOUT_METRICS, "rmse_all", "eval_seed",
            "eval_seconds", *SCORER_KEYS)  # fmt: skip
    return {
        "train_seconds": read_run(run_dir).get("train_seconds"),
        "evals": [{key: report.get(key) for key in (*keys, *readout_keys(report))}
                  for report in reports],
    }  # fmt: skip


def valid_metrics(metrics: dict) -> bool:
    """Whether a stored cell's metrics have the shape :func:`compute_cell` writes."""
    evals = metrics.get("evals")
    if not isinstance(evals, list) or not evals:
        return False
    optional = ("accuracy_hidden",)
    return all(
        isinstance(e, dict)
        and all(is_number(e.get(k)) or (k in optional and e.get(k) is None) for k in METRICS)
        for e in evals
    ) and (metrics.get("train_seconds") is None or is_number(metrics["train_seconds"]))


def rows_by_cell(rows: list[dict]) -> dict[tuple[str, float, str], dict]:
    """Summary rows keyed by (mechanism, rate, method)."""
    return {(r["mechanism"], r["rate"], r["method"]): r for r in rows}
