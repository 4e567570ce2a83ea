"""Train an imputer on a masked training set and score it on a masked test set.

The protocol of the LM-RBM paper (section 4): the first 50,000 MNIST training
images with missing values for training, 10,000 test images with
independently drawn masks for testing, and four measures:

- ``rmse``: the paper's average per-image RMSE over missing pixels
  (:func:`mixmiss.metrics.rmse_missing`); ``rmse_all`` over every pixel;
- ``fid_lenet``: the paper's FID -- MisGAN's code's FID, whose features are
  the reference LeNet's (:mod:`mixmiss.evaluators.lenet`) -- of the completed
  TRAINING images, which is what that code scores (``imputer_fid`` on the
  masked training set); the images the logistic regression is fitted to.
  This is the FID comparable with the paper's Table 1. ``fid_lenet_test``:
  the same network on the completed test images. Both ``None`` for datasets
  other than MNIST (the paper's FID is defined for MNIST) or when the caller
  asks for no paper FID;
- ``fid``: OUR FID, not the paper's: the completed test images scored with
  the dataset's evaluator CNN (:func:`mixmiss.evaluators.fid_score`), on a
  different scale from the paper's (compare orderings only);
- ``accuracy``: a multinomial logistic regression fitted to the completed
  (masked, imputed) training images and scored on the completed test images;
- ``accuracy_hidden``: the same on the method's hidden features
  (:meth:`~mixmiss.impute.Imputer.hidden_features`; ``None`` for methods without);
- ``rmse_<readout>``, ``fid_lenet_<readout>``: the same model's other read-outs
  (:mod:`.scoring`; by default the RBMs' ``sampled_h``, one sampled binary h
  as the paper's text describes, beside the default mean-field read-out that
  reproduces its numbers; ``readouts="all"`` the method's whole family).

Masks are reproducible: the training masks come from the run's seed, the test
masks from the evaluation seed, through separate ``numpy.random.SeedSequence``
streams, so the test masks are independent of the training masks even when
both seeds are equal. :func:`train_imputer` writes ``run.json`` (dataset,
mechanism, rate, preset, seed, resolved configuration, command) beside the
saved imputer; :func:`evaluate_imputer` reads it back.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write_json
from ..context import DEFAULT_CONTEXT, Context
from ..data import MECHANISMS, load_dataset, make_mask
from ..device import resolve_device
from ..errors import CacheError, InputError
from ..impute import Imputer
from ..impute.base import CONFIG_FILE
from ..provenance import provenance
from ..registry import imputer_class, load_imputer, make_imputer
from ..rng import make_generator
from ..training import TrainingInterrupted
from ..validation import check_positive_int, check_rate
from .scoring import PAPER_FID_DATASETS, score_imputer

__all__ = ["PAPER_FID_DATASETS", "evaluate_imputer", "evaluate_imputer_seeds", "train_imputer"]

RUN_FILE = "run.json"
CHECKPOINT_DIR = "checkpoints"

#: The paper's sizes: the first 50,000 training and the 10,000 test images.
PAPER_TRAIN = 50_000
PAPER_TEST = 10_000


_TRAIN_STREAM, _TEST_STREAM = 0, 1


@dataclass(frozen=True)
class MaskedSplit:
    """Images, their observation masks (1 = observed) and labels."""

    images: torch.Tensor
    mask: torch.Tensor
    labels: torch.Tensor


def _mask_seed(seed: int, stream: int) -> int:
    return int(np.random.SeedSequence(int(seed), spawn_key=(stream,)).generate_state(1)[0])


def mask_generator(seed: int, split: str) -> torch.Generator:
    """The generator of the masks of ``split`` (``"train"`` or ``"test"``) drawn from ``seed``:
    one seed stream per split (see the module docstring)."""
    return make_generator(_mask_seed(seed, _TRAIN_STREAM if split == "train" else _TEST_STREAM))


def masked_split(
    dataset: str,
    split: str,
    mechanism: str,
    rate: float,
    seed: int,
    limit: int,
    data_dir: str | os.PathLike | None = None,
) -> MaskedSplit:
    """The first ``limit`` images of a split with masks drawn from ``seed``.

    Training masks use one seed stream and test masks another (see the module
    docstring).
    """
    if mechanism not in MECHANISMS:
        raise InputError(f"unknown mechanism {mechanism!r}; choose one of {', '.join(MECHANISMS)}.")
    rate = check_rate(rate)
    limit = check_positive_int(limit, "the image limit")
    data = load_dataset(dataset, split, data_dir, limit=limit)
    mask = make_mask(mechanism, len(data), data.image_shape, rate, mask_generator(seed, split))
    return MaskedSplit(data.images, mask, data.labels)


def train_imputer(
    out: str | os.PathLike,
    dataset: str,
    method: str,
    mechanism: str,
    rate: float,
    preset: str = "quick",
    seed: int = 0,
    resume: bool = False,
    max_train: int = PAPER_TRAIN,
    overrides: dict | None = None,
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
) -> Imputer:
    """Fit ``method`` on the masked training set and save it in ``out``.

    Parameters
    ----------
    out : path
        Run directory: ``run.json``, the saved imputer (``imputer.json``,
        ``state.pt``) and ``checkpoints/`` for iterative methods.
    dataset, method, mechanism, rate :
        What to train on and which imputer (a name in ``IMPUTERS``).
    preset : {"smoke", "quick", "paper"}
    seed : int
        Seeds the training masks and the method (``random_state``).
    resume : bool
        Continue from ``out/checkpoints``; refuses a directory whose run.json
        describes another run.
    max_train : int
        Use the first ``max_train`` training images (paper: 50,000).
    overrides : dict, optional
        Constructor arguments that replace the preset's.
    context : Context
        Data directory, device and progress bars (the cache directory is unused).
    command : list of str, optional
        The CLI's argv, recorded in run.json (None: a Python call); an
        interrupted training's message names it, with ``--resume``, as the
        command that continues.
    """
    out = Path(out)
    imputer_class(method)  # unknown names fail before any work
    resolve_device(context.device)  # so does a device this machine lacks
    split = masked_split(dataset, "train", mechanism, rate, seed, max_train, context.data_dir)
    imputer = make_imputer(
        method, preset, **{**(overrides or {}), "random_state": seed, "device": context.device}
    )
    run = {
        "dataset": dataset,
        "method": method,
        "mechanism": mechanism,
        "rate": rate,
        "preset": preset,
        "seed": seed,
        "n_train": int(split.images.shape[0]),
        "config": imputer.get_config(),
        "overrides": overrides or {},
        "provenance": provenance(command),
    }
    run_path = out / RUN_FILE
    if resume:
        saved = _resumable_run(out, run)
        run = {**run, "provenance": saved["provenance"],
               "resumes": [*saved.get("resumes", []), provenance(command)]}  # fmt: skip
    else:
        _check_new_run_directory(out)
        atomic_write_json(run_path, {**run, "status": "training"})
    start = time.perf_counter()
    try:
        imputer.fit(
            split.images,
            split.mask,
            checkpoint_dir=out / CHECKPOINT_DIR,
            resume=resume,
            progress=context.progress,
        )
    except TrainingInterrupted as stop:
        if command is None:
            raise
        argv = list(command)
        raise stop.with_resume_command(
            argv + ([] if "--resume" in argv else ["--resume"])
        ) from None
    imputer.save(out)
    # Iterative methods count their training time over every stretch of a resumed run.
    seconds = getattr(imputer, "train_seconds_", time.perf_counter() - start)
    atomic_write_json(run_path, {**run, "status": "trained", "train_seconds": seconds})
    return imputer


def _check_new_run_directory(out: Path) -> None:
    """A fresh training must not overwrite a run: ``out`` must hold none of a run's files."""
    found = [name for name in (RUN_FILE, CHECKPOINT_DIR, CONFIG_FILE) if (out / name).exists()]
    if found:
        raise InputError(
            f"{out} already holds a training run ({', '.join(found)}); pass --resume to "
            "continue it, or choose another --out."
        )


def _resumable_run(out: Path, run: dict) -> dict:
    """The stored ``run.json`` of the run in ``out`` that ``run`` continues.

    Nothing is written here: a resume that fails leaves the directory as it was.
    The method's own settings are checked against its checkpoint when training
    resumes (:class:`mixmiss.training.Checkpoint`).
    """
    if not (out / RUN_FILE).is_file():
        raise InputError(
            f"there is no imputation run to resume in {out} ({RUN_FILE} is missing); "
            "train without --resume, or give the run's directory."
        )
    saved = read_run(out)
    keys = ("dataset", "method", "mechanism", "rate", "seed", "n_train")
    changed = [k for k in keys if saved.get(k) != run[k]]
    if changed:
        raise InputError(
            f"{out} holds a different run ({', '.join(changed)} differ); resume it with "
            "the same options or train into a new directory."
        )
    return saved


def read_run(directory: str | os.PathLike) -> dict:
    """The ``run.json`` of a run directory, with a clear error when absent."""
    path = Path(directory) / RUN_FILE
    try:
        run = json.loads(path.read_text())
        if not isinstance(run, dict) or not {"method", "dataset", "status"} <= set(run):
            raise ValueError("it is not a run record")
        return run
    except FileNotFoundError:
        raise CacheError(
            f"{directory} is not a training run ({RUN_FILE} is missing); create one with "
            "`mixmiss impute train ... --out DIR`."
        ) from None
    except (OSError, ValueError) as exc:
        raise CacheError(
            f"cannot read {path}: {exc}; the run directory is damaged: train it again."
        ) from exc


def evaluate_imputer(
    directory: str | os.PathLike,
    seed: int = 0,
    max_train: int | None = None,
    max_test: int = PAPER_TEST,
    context: Context = DEFAULT_CONTEXT,
    paper_fid: bool = True,
    readout: str | None = None,
    k: int | None = None,
    readouts: Sequence[str] | str | None = None,
) -> dict:
    """Score a trained run on one masked test set (see the module docstring).

    Parameters
    ----------
    directory : path
        A run written by :func:`train_imputer`.
    seed : int
        Seeds the test masks (independent of the training masks).
    max_train : int, optional
        Training images for the logistic regression (default: those the
        imputer was trained on, rebuilt with the run's masks).
    max_test : int
        Test images (paper: 10,000).
    context : Context
        Data and cache directories, device, progress bars.
    paper_fid : bool
        Compute the paper's FID (``fid_lenet``, ``fid_lenet_test``) on MNIST;
        the first call trains and caches the reference LeNet (100 epochs).
    readout, k : str, int, optional
        Impute with this read-out of the method (:data:`~mixmiss.impute.Imputer.READOUTS`)
        and/or the average of ``k`` reconstructions, instead of its default.
    readouts : list of str or "all", optional
        Other read-outs scored beside it (:mod:`.scoring`; default: the method's
        ``SCORED_READOUTS``).

    Returns
    -------
    dict with ``rmse``, ``rmse_all``, ``fid_lenet`` (the paper's FID, on the
    completed training images), ``fid_lenet_test``, ``fid`` (ours: the
    evaluator CNN's FID of the completed test images), ``accuracy``,
    ``accuracy_hidden``, the read-out and the run's description. It is also written
    to ``eval-seed<seed>.json`` in the run directory (``eval-seed<seed>-<readout>-k<k>.json``
    for another read-out).
    """
    return evaluate_imputer_seeds(
        directory, [seed], max_train, max_test, context, paper_fid, readout, k, readouts
    )[0]


def evaluate_imputer_seeds(
    directory: str | os.PathLike,
    seeds: list[int],
    max_train: int | None = None,
    max_test: int = PAPER_TEST,
    context: Context = DEFAULT_CONTEXT,
    paper_fid: bool = True,
    readout: str | None = None,
    k: int | None = None,
    readouts: Sequence[str] | str | None = None,
) -> list[dict]:
    """:func:`evaluate_imputer` on several independently masked test sets, one report each.

    The paper tests each trained model on ten test sets: the training set is
    completed once -- the logistic regressions are fitted to it and the
    paper's FID (``fid_lenet``) scores it, so both are the same in every
    report -- then every test set is masked (with its seed), completed and
    scored (``rmse``, ``fid_lenet_test``, our ``fid``, the accuracies).
    """
    directory = Path(directory)
    if not seeds:
        raise InputError("give at least one test seed.")
    run = read_run(directory)
    if run.get("status") != "trained":
        raise CacheError(
            f"the run in {directory} has not finished training; finish it with "
            "`mixmiss impute train ... --resume` first."
        )
    imputer = load_imputer(directory, context.device)
    if imputer.method != run["method"]:
        raise CacheError(
            f"{directory} is damaged: run.json describes a {run['method']!r} run but the saved "
            f"imputer is {imputer.method!r}; train the run again into a new directory."
        )
    n_train = run["n_train"] if max_train is None else check_positive_int(max_train, "max_train")
    if k is not None:
        check_positive_int(k, "k")
    name = readout if readout is not None else imputer.DEFAULT_READOUT
    label = name if k is None else f"{name or 'default'}-k{k}"
    reports = score_imputer(
        imputer.readout(readout, k), run, seeds, n_train, max_test, context, paper_fid,
        readouts, primary=name if k is None else None,
    )  # fmt: skip
    suffix = "" if readout is None and k is None else f"-{label}"
    for report in reports:
        report["readout"] = label
        atomic_write_json(directory / f"eval-seed{report['eval_seed']}{suffix}.json", report)
    return reports
