"""Evaluating a run on image folders: what is shared and what is unique, with or without labels.

Every folder run (``--collections`` or ``--data DIR --sets``) gets, from
``n_per_component`` EMA samples per component:

- each component's weights in every distribution, its role (shared, unique,
  dropped; :mod:`.components`) and a sample grid ``components/G<k>.png``;
- merge candidates (:func:`.components.merge_candidates`);
- per distribution, the FID of ``n_fid`` samples of the Section 3 process
  against its own images (up to ``n_fid`` of them), on the fixed random CNN
  features of :mod:`mixmiss.evaluators.random_features` (our choice; these
  FIDs compare with each other only).

When the answer is known, Table-2-style scores are added: a labelled folder
knows its regions and true priors; collections written by ``mixmiss data
make-shapes --collections`` know them from their ``truth.json`` (passed as
``truth``). The samples are labelled by the shapes' pixel rule
(:func:`mixmiss.data.shapes.classify_shapes`; only for folders whose
classes are shapes classes, there is no trained evaluator for a user's own
classes), and the report adds each component's ``draws`` (the share of its
samples the rule names each class), the per-region accuracy of the matched
components, the per-component and the region-level weight recovery errors.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch

from ..atomic import atomic_write_json
from ..data.shapes import CLASS_NAMES, classify_shapes
from ..errors import InputError
from ..evaluators.random_features import random_features
from ..metrics import fid_from_features, gaussian_statistics
from ..rng import make_generator
from ..validation import check_positive_int
from .components import classifier_confusion, component_roles, feature_ratios, merge_candidates
from .evaluation import EVAL_FILE, match_components, weight_recovery_error
from .figures import samples_figure
from .recovery import region_counts, region_recovery
from .run import load_model, make_split
from .sampling import generate, sample_distribution

GRID_DIR = "components"


def read_truth(path: str | os.PathLike, collection_names: list[str]) -> dict:
    """``truth.json`` of shapes collections: {"region_classes": {r: [class]}, "true_priors"}.

    Its collections must be the run's, in the run's order (by folder name).
    """
    try:
        truth = json.loads(Path(path).read_text())
        names = list(truth["collections"])
        region_classes = {r: list(v["classes"]) for r, v in truth["regions"].items()}
        priors = np.asarray(truth["true_priors"], dtype=np.float64)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"cannot read {path} as the truth of shapes collections ({exc}); give the "
            "truth.json that `mixmiss data make-shapes --collections` wrote."
        ) from exc
    if names != collection_names:
        raise InputError(
            f"{path} describes the collections {names}, the run has {collection_names} "
            "(in this order); give the truth.json written with the run's collections."
        )
    return {"region_classes": region_classes, "true_priors": priors}


def _known_truth(config, split, truth) -> dict | None:
    """Regions (as class names) and true priors: the labelled folder's, or ``truth``'s."""
    if config.dataset == "folder":
        classes = split.distributions[0].class_names
        return {
            "region_classes": {r.name: [classes[i] for i in r.labels] for r in split.regions},
            "true_priors": split.priors,
        }
    if truth is not None:
        return read_truth(truth, config.collection_names)
    return None


def _labelled_scores(names, k_count, n, known, alpha, mode) -> dict:
    """draws, accuracy, assignment and both weight recovery errors from the rule's names."""
    histogram = np.zeros((k_count, len(CLASS_NAMES)))
    for position, name in enumerate(names):
        if name in CLASS_NAMES:
            histogram[position // n, CLASS_NAMES.index(name)] += 1
    region_names = list(known["region_classes"])
    region_labels = [
        [CLASS_NAMES.index(c) for c in known["region_classes"][r] if c in CLASS_NAMES]
        for r in region_names
    ]
    counts = region_counts(histogram, region_labels)
    assigned = match_components(counts, mode)
    scores = {
        "draws": [
            {c: round(h / n, 4) for c, h in zip(CLASS_NAMES, row, strict=True) if h}
            for row in histogram
        ],
        "regions": {r: known["region_classes"][r] for r in region_names},
        "true_priors": np.asarray(known["true_priors"]).round(5).tolist(),
        "assignment": {r: int(k) for r, k in zip(region_names, assigned, strict=True)},
        "accuracy": {
            r: round(100.0 * float(counts[k, i]) / n, 2) if k >= 0 else 0.0
            for i, (r, k) in enumerate(zip(region_names, assigned, strict=True))
        },
        "label_histogram": histogram.astype(int).tolist(),
    }
    if mode == "learned":
        priors = np.asarray(known["true_priors"], dtype=np.float64)
        scores["weight_recovery_error"] = round(weight_recovery_error(alpha, priors, assigned), 5)
        scores |= region_recovery(alpha, priors, histogram, region_labels)
    return scores


def evaluate_folder_run(
    run_dir: str | os.PathLike,
    n_per_component: int = 1000,
    n_fid: int = 1000,
    seed: int = 0,
    truth: str | os.PathLike | None = None,
    device: str = "auto",
    write: bool = True,
) -> dict:
    """Evaluate a folder run (see the module docstring) and write ``eval.json`` and the grids.

    Returns
    -------
    dict
        ``dataset``, ``mode``, ``step``, ``distributions`` (folder names),
        ``alpha``, ``components`` (per component: weights, role,
        distributions), ``merge_candidates``, ``fid``, ``n_fid``,
        ``feature_network``; with a known answer also ``draws``, ``regions``,
        ``true_priors``, ``assignment``, ``accuracy``, ``label_histogram`` and
        (learned weights) ``weight_recovery_error``, ``region_weight_error``.
    """
    n = check_positive_int(n_per_component, "n_per_component")
    n_fid = check_positive_int(n_fid, "n_fid")
    if n < 4:
        raise InputError(f"n_per_component must be at least 4 (split halves), got {n}.")
    model, info, step = load_model(run_dir, device)
    config = info.config
    split = make_split(config)
    mode = "naive" if config.naive else ("fixed" if config.fixed_priors else "learned")
    k_count = model.num_components
    components = torch.arange(k_count).repeat_interleave(n)
    samples = generate(model, components, make_generator(seed))
    alpha = model.alpha.detach().cpu().double().numpy()
    roles = component_roles(alpha)
    features = random_features(samples)
    ratio = feature_ratios([features[components == k] for k in range(k_count)])
    confusion = classifier_confusion(model, samples, components)
    report: dict = {
        "dataset": config.dataset,
        "case": config.sets,
        "mode": mode,
        "step": step,
        "distributions": (
            list(split.distributions[0].class_names)  # the folder names
            if config.dataset == "collections"
            else [f"S{i}" for i in range(1, split.n + 1)]
        ),
        "alpha": alpha.round(5).tolist(),
        "components": roles,
        "merge_candidates": merge_candidates(roles, confusion, ratio),
        "n_per_component": n,
        "feature_network": "mixmiss.evaluators.random_features (fixed random CNN, ours)",
    }
    known = _known_truth(config, split, truth)
    classes = {c for regions in (known or {}).get("region_classes", {}).values() for c in regions}
    if truth is not None and (samples.shape[1] != 3 or mode == "naive"):
        raise InputError(
            "--truth scores RGB runs with learned or fixed weights by the shapes' pixel rule; "
            f"this run has {samples.shape[1]} channel(s) and mode {mode!r}."
        )
    if known is None:
        report["labelled_by"] = "nothing: collections without a truth.json"
    elif samples.shape[1] != 3 or mode == "naive" or not classes <= set(CLASS_NAMES):
        report["labelled_by"] = "nothing: only RGB shapes classes have a labeller (pixel rule)"
    else:
        report["labelled_by"] = "mixmiss.data.shapes.classify_shapes (pixel rule)"
        report |= _labelled_scores(classify_shapes(samples), k_count, n, known, alpha, mode)
    fid = []
    for i, real in enumerate(split.distributions, start=1):
        fake, _ = sample_distribution(model, i, n_fid, seed=seed + i)
        reference = gaussian_statistics(random_features(real.images[:n_fid]))
        fid.append(round(fid_from_features(random_features(fake), reference), 4))
    report["fid"], report["n_fid"] = fid, n_fid
    if write:
        for k, role in enumerate(roles):
            weights = " ".join(f"d{i + 1}={w:.2f}" for i, w in enumerate(role["weights"]))
            samples_figure(
                samples[k * n : k * n + min(n, 64)],
                Path(run_dir) / GRID_DIR / f"G{k + 1}.png",
                title=f"G{k + 1} ({role['role']}) {weights}",
            )
        atomic_write_json(Path(run_dir) / EVAL_FILE, report)
    return report
