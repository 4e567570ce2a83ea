"""Table 2 of the paper: per-component accuracy, weight recovery and per-distribution FID.

Accuracy of a component (paper, Section 4) = the fraction of its samples
(10,000 EMA samples per component) that the dataset's evaluator classifies
into the labels of the component's Venn region. Which region a component
stands for:

- ``fixed`` priors (the paper's quantitative protocol): component k <-> r_k;
- ``learned`` weights: the correspondence is unknown, so components are
  matched to regions by a maximum-weight assignment
  (``scipy.optimize.linear_sum_assignment``) on the counts of samples each
  component puts in each region; the report adds the weight recovery error
  max_{i,k} |alpha_k^(i) - target_k^(i)|, the target being the true prior of
  the matched region (0 for an unmatched component), and the region-level
  error (:mod:`.recovery`: weights summed over the components that draw each
  region, against the true priors);
- ``naive`` (Eq. 4): generator i models distribution S_i; its accuracy is
  the fraction of its samples whose label lies in S_i.

Accuracies are in percent, like Table 2; ``random`` is the paper's random
baseline (a fraction, as printed in the paper).

FID, per distribution i (our choice: the paper reports no FID): ``n_fid``
samples of the Section 3 process (k ~ Cat(alpha^(i)), x = G_k(z)) against
the first ``n_fid`` real images of S_i in the training split, both embedded
by the evaluator's penultimate features. ``fid_full_train`` (optional, on by
default) is :func:`mixmiss.evaluators.fid_score` of the same samples, i.e.
against the whole training set, whose statistics are cached; it mixes
sample quality with the label mismatch between S_i and the full dataset.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment

from ..atomic import atomic_write_json
from ..errors import InputError
from ..evaluators import Evaluator, fid_score, get_evaluator
from ..metrics import fid_from_features, gaussian_statistics
from ..rng import make_generator
from ..validation import check_positive_int
from .components import component_roles
from .config import FOLDER_SOURCES
from .coverage import region_coverage
from .recovery import region_recovery
from .run import load_model, make_split, priors_array
from .sampling import generate, sample_distribution

EVAL_FILE = "eval.json"


def component_region_counts(
    predicted: torch.Tensor, components: torch.Tensor, region_of_label: torch.Tensor, shape
) -> np.ndarray:
    """counts[k, r] = number of component-k samples classified into region r.

    predicted, components: (N,) int64; region_of_label: (num_classes,) int64
    with -1 for labels in no region; shape = (K, R).
    """
    region = region_of_label[predicted]
    inside = region >= 0
    flat = components[inside] * shape[1] + region[inside]
    return torch.bincount(flat, minlength=shape[0] * shape[1]).view(shape).numpy()


def match_components(counts: np.ndarray, mode: str) -> np.ndarray:
    """The component index of each region (R,): identity (fixed) or max-weight matching."""
    if mode == "fixed":
        return np.arange(counts.shape[1])
    rows, cols = linear_sum_assignment(counts, maximize=True)
    assigned = np.full(counts.shape[1], -1)
    assigned[cols] = rows
    return assigned


def weight_recovery_error(alpha: np.ndarray, priors: np.ndarray, assigned: np.ndarray) -> float:
    """max |alpha - target| with target[:, assigned[r]] = priors[:, r], 0 elsewhere."""
    target = np.zeros_like(alpha)
    ok = assigned >= 0
    target[:, assigned[ok]] = priors[:, ok]
    return float(np.abs(alpha - target).max())


def component_labels(
    model, evaluator: Evaluator, n_per_component: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_per_component`` EMA samples of each component, labelled by ``evaluator``.

    Returns the component of each sample and its predicted label, both (K * n,) int64.
    """
    components = torch.arange(model.num_components).repeat_interleave(n_per_component)
    samples = generate(model, components, make_generator(seed))
    return components, evaluator.predict(samples)


def evaluate_run(
    run_dir: str | os.PathLike,
    evaluator: Evaluator | None = None,
    n_per_component: int = 10_000,
    n_fid: int = 10_000,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
    full_train_fid: bool = True,
    write: bool = True,
) -> dict:
    """Score a trained run as in Table 2 and write ``run_dir/eval.json``.

    Parameters
    ----------
    run_dir : path
    evaluator : Evaluator, optional
        Defaults to the dataset's cached evaluator (``get_evaluator``).
    n_per_component : int
        EMA samples per component for accuracy (paper protocol: 10,000).
    n_fid : int
        Samples per distribution for FID.
    seed : int
        Seeds the evaluation noise.
    full_train_fid : bool
        Also report ``fid_full_train`` (costs one pass over the training set
        the first time, then cached).
    write : bool
        Write ``eval.json`` into the run directory.

    Returns
    -------
    dict
        ``dataset``, ``case``, ``mode``, ``step``, ``regions``, ``accuracy``,
        ``avg``, ``random``, ``alpha``, ``true_priors``, ``fid``,
        ``fid_full_train``, ``assignment``, ``label_histogram``, and (not for
        the naive baseline) ``class_counts`` (training images per class) and
        ``coverage`` (:mod:`.coverage`: does each component draw all its
        region's classes?); in learned mode ``weight_recovery_error``, the
        region-level recovery (:mod:`.recovery`) and ``components`` (each
        component's role: shared, unique, dropped; :mod:`.components`).
    """
    n_per_component = check_positive_int(n_per_component, "n_per_component")
    n_fid = check_positive_int(n_fid, "n_fid")
    model, info, step = load_model(run_dir, device)
    config = info.config
    if config.dataset in FOLDER_SOURCES:
        raise InputError(
            f"{run_dir} was trained on image folders; evaluate it with "
            "mixmiss.mmgan.folder_evaluation.evaluate_folder_run (`mixmiss mmgan eval` does)."
        )
    if evaluator is None:
        evaluator = get_evaluator(config.dataset, data_dir, cache_dir, device=device)
    split = make_split(config, data_dir)
    num_classes = len(split.distributions[0].class_names)
    mode = "naive" if config.naive else ("fixed" if config.fixed_priors else "learned")

    k_count = model.num_components
    components, predicted = component_labels(model, evaluator, n_per_component, seed)
    histogram = torch.bincount(
        components * num_classes + predicted, minlength=k_count * num_classes
    )
    histogram = histogram.view(k_count, num_classes).numpy()
    alpha = model.alpha.detach().cpu().double().numpy()
    priors = priors_array(info)

    report: dict = {
        "dataset": config.dataset,
        "case": config.sets,
        "mode": mode,
        "step": step,
        "regions": dict(info.regions),
        "alpha": alpha.round(5).tolist(),
        "true_priors": priors.round(5).tolist(),
        "random": round(split.random_baseline, 4),
        "n_per_component": n_per_component,
        "label_histogram": histogram.tolist(),
    }
    if mode == "naive":
        in_set = np.zeros((k_count, num_classes), dtype=bool)
        for i, labels in enumerate(split.sets):
            in_set[i, list(labels)] = True
        accuracy = {
            f"S{i + 1}": 100.0 * histogram[i, in_set[i]].sum() / n_per_component
            for i in range(k_count)
        }
        report["assignment"] = {f"S{i + 1}": i for i in range(k_count)}
    else:
        counts = component_region_counts(
            predicted, components, split.region_of_label(num_classes), (k_count, len(split.regions))
        )
        assigned = match_components(counts, mode)
        names = [r.name for r in split.regions]
        accuracy = {
            name: (100.0 * counts[k, r] / n_per_component if k >= 0 else 0.0)
            for r, (name, k) in enumerate(zip(names, assigned, strict=True))
        }
        report["assignment"] = {name: int(k) for name, k in zip(names, assigned, strict=True)}
        labels = torch.cat([d.labels for d in split.distributions])
        report["class_counts"] = torch.bincount(labels, minlength=num_classes).tolist()
        report["coverage"] = region_coverage(
            histogram, report["assignment"], info.region_labels, np.array(report["class_counts"])
        )
        if mode == "learned":
            report["weight_recovery_error"] = round(
                weight_recovery_error(alpha, priors, assigned), 5
            )
            region_labels = [info.region_labels[r.name] for r in split.regions]
            report |= region_recovery(alpha, priors, histogram, region_labels)
            report["components"] = component_roles(alpha)  # shared / unique / dropped
    report["accuracy"] = {k: round(float(v), 2) for k, v in accuracy.items()}
    report["avg"] = round(float(np.mean(list(accuracy.values()))), 2)

    fid, fid_full = [], []
    for i, real in enumerate(split.distributions, start=1):
        fake, _ = sample_distribution(model, i, n_fid, seed=seed + i)
        fake_features = evaluator.features(fake)
        reference = gaussian_statistics(evaluator.features(real.images[:n_fid]))
        fid.append(round(fid_from_features(fake_features, reference), 4))
        if full_train_fid:
            fid_full.append(round(fid_score(fake, evaluator, data_dir, cache_dir), 4))
    report["fid"] = fid
    report["n_fid"] = n_fid
    if full_train_fid:
        report["fid_full_train"] = fid_full
    if write:
        atomic_write_json(os.path.join(run_dir, EVAL_FILE), report)
    return report
