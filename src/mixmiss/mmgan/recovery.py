"""Region-level weight recovery: do the learned weights put the right mass on each region?

The per-component error of Table 2 (:func:`~mixmiss.mmgan.evaluation.weight_recovery_error`)
matches one component to each region and counts every other component's
weight as error, so a region drawn by two components (Fashion-MNIST case C,
where the paper notes two components generating the same classes) scores
badly even when the mass per region is right. The region-level error asks
the question a user of the weights asks:

- each component is attributed to the region most of its samples fall in
  (the classifier's labels, summed over the region's labels); a component
  with no sample in any region is attributed to none;
- W[i, r] = sum of alpha_k^(i) over the components attributed to region r;
- error = max over i, r of |W[i, r] - pi_r^(i)|, pi the true priors.

Weight on components attributed to no region is missing from every W[i, :]
and so shows in the error of the regions it should have gone to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import InputError
from .coverage import region_labels_of


def region_counts(histogram: np.ndarray, region_labels: Sequence[Sequence[int]]) -> np.ndarray:
    """counts[k, r] = samples of component k labelled into region r; histogram (K, classes)."""
    histogram = np.asarray(histogram, dtype=np.float64)
    return np.stack([histogram[:, list(labels)].sum(axis=1) for labels in region_labels], axis=1)


def attribute_components(counts: np.ndarray) -> np.ndarray:
    """The region (0..R-1) each component draws most, -1 for one with no sample in any region."""
    regions = np.argmax(counts, axis=1)
    regions[counts.max(axis=1) <= 0] = -1
    return regions


def region_weights(alpha: np.ndarray, attributed: np.ndarray, num_regions: int) -> np.ndarray:
    """W (n, R): each distribution's weights summed over the components attributed to each region."""
    weights = np.zeros((alpha.shape[0], num_regions))
    for k, r in enumerate(attributed):
        if r >= 0:
            weights[:, r] += alpha[:, k]
    return weights


def region_recovery(
    alpha: np.ndarray, priors: np.ndarray, histogram: np.ndarray, region_labels: Sequence
) -> dict:
    """The region-level recovery of a run (see the module docstring).

    Parameters
    ----------
    alpha : (n, K) learned weights
    priors : (n, R) true priors
    histogram : (K, classes) sample counts per component and predicted label
    region_labels : R sequences of labels, in the priors' order

    Returns
    -------
    dict
        ``region_of_component`` (K,), ``region_weights`` (n, R) and ``region_weight_error``.
    """
    alpha, priors = np.asarray(alpha, dtype=np.float64), np.asarray(priors, dtype=np.float64)
    if priors.shape != (alpha.shape[0], len(region_labels)):
        raise InputError(
            f"true priors of shape {priors.shape} do not fit {alpha.shape[0]} distributions "
            f"and {len(region_labels)} regions."
        )
    attributed = attribute_components(region_counts(histogram, region_labels))
    weights = region_weights(alpha, attributed, len(region_labels))
    return {
        "region_of_component": attributed.tolist(),
        "region_weights": weights.round(5).tolist(),
        "region_weight_error": round(float(np.abs(weights - priors).max()), 5),
    }


def region_recovery_from_report(
    report: Mapping, region_labels: Mapping[str, Sequence[int]] | None = None
) -> dict:
    """:func:`region_recovery` of a stored evaluation (``eval.json``), no sampling.

    ``region_labels`` default to those of the report's ``case`` (the label
    histogram's width gives the number of classes), in the report's region order.
    """
    try:
        histogram = np.asarray(report["label_histogram"], dtype=np.float64)
        if region_labels is None:
            region_labels = region_labels_of(report["case"], histogram.shape[1])
        labels = [region_labels[name] for name in report["regions"]]
        return region_recovery(report["alpha"], report["true_priors"], histogram, labels)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(
            f"the evaluation report lacks what region-level recovery needs ({exc}); evaluate "
            "the run again with `mixmiss mmgan eval`."
        ) from exc
