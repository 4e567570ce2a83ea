"""Score a fitted imputer with the LM-RBM protocol's measures (:mod:`.imputation`).

:func:`score_imputer` takes an imputer in memory -- a saved run's
(:func:`~mixmiss.experiments.imputation.evaluate_imputer_seeds`), a
snapshot's (:mod:`mixmiss.experiments.learning_curve`) -- and its run record,
and returns one report per test seed; it writes nothing.

Read-outs: ``readouts`` names the other read-outs of a stochastic method
scored beside the one imputing (``rmse_<name>``, ``fid_lenet_<name>``): None
scores the method's :data:`~mixmiss.impute.Imputer.SCORED_READOUTS` (the
RBMs: ``sampled_h``; MisGAN: none), ``"all"`` its whole family
(:data:`~mixmiss.impute.Imputer.READOUTS`, for the perception-distortion
plane), a list exactly those. Each costs an imputation of the training set
(for its FID) and of every test set.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import torch

from ..context import DEFAULT_CONTEXT, Context
from ..errors import InputError
from ..impute import Imputer
from ..metrics import fit_logistic, rmse_all, rmse_missing

#: Datasets on which the paper's FID (``fid_lenet``) is computed.
PAPER_FID_DATASETS = ("mnist",)


def readout_names(imputer: Imputer, readouts: Sequence[str] | str | None, primary: str | None):
    """The read-outs to score beside ``primary`` (the one imputing), in family order."""
    if readouts is None:
        names = list(imputer.SCORED_READOUTS)
    elif readouts == "all":
        names = list(imputer.READOUTS)
    else:
        names = list(readouts)
        unknown = [n for n in names if n not in imputer.READOUTS]
        if unknown:
            choices = ", ".join(imputer.READOUTS) or "none: it has a single read-out"
            raise InputError(
                f"unknown read-out(s) {', '.join(unknown)} of {imputer.method!r}; "
                f"choose from {choices}."
            )
    return [n for n in names if n != primary]


def _features(imputer: Imputer, x, mask, batch: int = 8192) -> torch.Tensor | None:
    parts = []
    for start in range(0, x.shape[0], batch):
        h = imputer.hidden_features(x[start : start + batch], mask[start : start + batch])
        if h is None:
            return None
        parts.append(torch.as_tensor(h).detach().cpu())
    return torch.cat(parts)


def score_imputer(
    imputer: Imputer,
    run: dict,
    seeds: Sequence[int],
    n_train: int,
    max_test: int,
    context: Context = DEFAULT_CONTEXT,
    paper_fid: bool = True,
    readouts: Sequence[str] | str | None = None,
    primary: str | None = None,
    hidden_accuracy: bool = True,
) -> list[dict]:
    """One report per test seed (see :func:`~.imputation.evaluate_imputer_seeds`).

    ``run`` is the run's record (dataset, mechanism, rate, training seed);
    ``primary`` the name of the read-out ``imputer`` uses (left out of
    ``readouts``); ``readouts`` as in the module docstring. ``hidden_accuracy``
    False leaves out the classifier on the RBMs' hidden activations
    (``accuracy_hidden`` None; a logistic regression on 4,096 features of
    every training image, which a learning curve does not draw).
    """
    from ..evaluators import fid_score, get_evaluator, get_lenet
    from .imputation import masked_split

    start = time.perf_counter()
    args = (run["dataset"], run["mechanism"], run["rate"])
    data_dir, cache_dir = context.data_dir, context.cache_dir
    train = masked_split(args[0], "train", *args[1:], run["seed"], n_train, data_dir)
    evaluator = get_evaluator(
        run["dataset"], data_dir, cache_dir, device=context.device, progress=context.progress
    )
    lenet = None
    if paper_fid and run["dataset"] in PAPER_FID_DATASETS:
        lenet = get_lenet(
            run["dataset"], data_dir, cache_dir, device=context.device, progress=context.progress
        )

    def paper_fid_of(images):
        return None if lenet is None else fid_score(images, lenet, data_dir, cache_dir)

    train_hat = imputer.impute(train.images, train.mask)
    classifier = fit_logistic(train_hat, train.labels)
    fid_lenet = paper_fid_of(train_hat)
    del train_hat
    others = {name: imputer.with_readout(**imputer.READOUTS[name])
              for name in readout_names(imputer, readouts, primary)}  # fmt: skip
    other_fid = {
        name: None if lenet is None else paper_fid_of(other.impute(train.images, train.mask))
        for name, other in others.items()
    }
    h_train = None
    if hidden_accuracy:
        h_train = _features(imputer, train.images * train.mask, train.mask)
    hidden_classifier = None if h_train is None else fit_logistic(h_train, train.labels)
    shared_seconds = time.perf_counter() - start

    reports = []
    for seed in seeds:
        start = time.perf_counter()
        test = masked_split(args[0], "test", *args[1:], seed, max_test, data_dir)
        test_hat = imputer.impute(test.images, test.mask)
        h_test = None
        if hidden_classifier is not None:
            h_test = _features(imputer, test.images * test.mask, test.mask)
        report = {
            "rmse": rmse_missing(test_hat, test.images, test.mask),
            "rmse_all": rmse_all(test_hat, test.images),
            "fid_lenet": fid_lenet,
            "fid_lenet_test": paper_fid_of(test_hat),
            "fid": fid_score(test_hat, evaluator, data_dir, cache_dir),
            "accuracy": classifier.accuracy(test_hat, test.labels),
            "accuracy_hidden": (
                None if h_test is None else hidden_classifier.accuracy(h_test, test.labels)
            ),
        }
        for name, other in others.items():
            completed = other.impute(test.images, test.mask)
            report[f"rmse_{name}"] = rmse_missing(completed, test.images, test.mask)
            report[f"fid_lenet_{name}"] = other_fid[name]
        report.update(
            {
                "method": run["method"],
                "dataset": run["dataset"],
                "mechanism": run["mechanism"],
                "rate": run["rate"],
                "preset": run["preset"],
                "train_seed": run["seed"],
                "eval_seed": seed,
                "n_train": int(train.images.shape[0]),
                "n_test": int(test.images.shape[0]),
                "evaluator_checksum": evaluator.metadata.get("checksum"),
                "lenet_checksum": None if lenet is None else lenet.metadata.get("checksum"),
                "eval_seconds": shared_seconds + time.perf_counter() - start,
            }
        )
        reports.append(report)
    return reports
