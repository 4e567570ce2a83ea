"""Does a component draw every class of its region, in proportion? (Coverage.)

Table 2's accuracy asks whether a component's samples fall in its region's
classes; it cannot see a component that draws only *some* of them (a region
of digits {3, 4} whose component draws only 3s scores 100 %). Coverage reads
the same evaluator labels -- the per-component label histogram of
:func:`~mixmiss.mmgan.evaluate_run` -- against the class shares of the
region's real images:

- ``observed[c]``: the share of class c among component k's samples;
  ``expected[c]``: class c's share of the region's real images (k being the
  region's component);
- **coverage**: the fraction of the region's classes drawn at least
  :data:`DRAWN` (25 %) of their expected share;
- **divergence**: the total variation distance, 0.5 * sum_c |p_c - q_c|,
  between the component's class distribution *within* the region's classes
  and the real one (0: the same balance; 1: disjoint). Ours: the paper
  defines no such measure; total variation is bounded and reads as "the share
  of samples that would have to change class";
- **misplaced**: a class of the region drawn mostly by components *not
  entitled* to it (those whose regions do not hold it, and components matched
  to no region): pooling the class's share over all components (each is
  sampled equally), the others hold more than :data:`MISPLACED` (half) of it,
  and the largest of them draws it in at least :data:`MISPLACED_FLOOR` (1 %)
  of its samples, so that a class dropped everywhere is not "found" in the
  evaluator's confusion. This is the signature of a dropped digit drawn by
  the shared component instead. (Ours: an earlier rule, 5 % of any other
  component's samples, flagged the evaluator's confusion between similar
  classes in healthy runs.)

With learned weights and more components than regions (K = 2^n - 1), a
region's classes may be shared out among several components (the paper's
F-MNIST case C); its matched component then covers only some of them, and
the others appear as misplaced in the extra components: merge candidates,
not necessarily a dropped class. Fixed priors (one component per region)
read plainly.

Everything is computed from stored histograms, so runs evaluated before this
existed are re-reported without sampling (:func:`coverage_from_report`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..data.venn import resolve_label_sets, venn_regions
from ..errors import InputError

#: A class is drawn when its share reaches this fraction of its expected share.
DRAWN = 0.25
#: A class is misplaced when components not entitled to it hold more than this share of it.
MISPLACED = 0.5
#: ... and the largest of them draws it in at least this share of its samples.
MISPLACED_FLOOR = 0.01


def region_coverage(
    histogram: np.ndarray,
    assignment: Mapping[str, int],
    region_labels: Mapping[str, Sequence[int]],
    class_counts: np.ndarray | None = None,
) -> dict:
    """Coverage, divergence and misplaced classes of each region (module docstring).

    Parameters
    ----------
    histogram : array (K, C)
        Counts of the evaluator's labels among each component's samples.
    assignment : mapping region -> component index
        As in the evaluation report (-1 or absent: no component matched).
    region_labels : mapping region -> labels
    class_counts : array (C,), optional
        Real images per class (the expected shares within a region are
        proportional to them); None: classes equally likely.

    Returns
    -------
    dict
        ``regions``: per region its ``component``, ``coverage``,
        ``divergence``, ``dropped`` classes, ``misplaced`` entries and per-class
        ``observed`` / ``expected`` shares; ``min_coverage``; ``max_divergence``;
        ``expected_from`` (``"class counts"`` or ``"uniform"``).
    """
    histogram = np.asarray(histogram, dtype=np.float64)
    if histogram.ndim != 2 or (histogram < 0).any() or not np.isfinite(histogram).all():
        raise InputError(
            f"the label histogram must be a (components, classes) array of counts >= 0, "
            f"got shape {histogram.shape}."
        )
    k_count, num_classes = histogram.shape
    counts = np.ones(num_classes) if class_counts is None else np.asarray(class_counts, float)
    if counts.shape != (num_classes,) or (counts < 0).any():
        raise InputError(
            f"class_counts must hold one count >= 0 per class ({num_classes}), "
            f"got shape {counts.shape}."
        )
    totals = histogram.sum(axis=1, keepdims=True)
    shares = np.divide(histogram, totals, out=np.zeros_like(histogram), where=totals > 0)
    for region, labels in region_labels.items():
        if not all(0 <= int(c) < num_classes for c in labels):
            raise InputError(
                f"region {region} names classes {list(labels)}, outside 0..{num_classes - 1}."
            )
    components = {}
    for region in region_labels:
        k = int(assignment.get(region, -1))
        if not -1 <= k < k_count:
            raise InputError(
                f"region {region} is assigned component {k}, outside 0..{k_count - 1}."
            )
        components[region] = k
    # entitled[j, c]: component j stands for a region that holds class c
    entitled = np.zeros((k_count, num_classes), dtype=bool)
    for region, labels in region_labels.items():
        if components[region] >= 0:
            entitled[components[region], [int(c) for c in labels]] = True
    wrong = np.where(entitled, 0.0, shares)
    pooled = shares.sum(axis=0)
    regions = {}
    for region, labels in region_labels.items():
        labels = [int(c) for c in labels]
        k = components[region]
        real = counts[labels]
        expected = real / real.sum() if real.sum() > 0 else np.full(len(labels), 1 / len(labels))
        observed = shares[k, labels] if k >= 0 else np.zeros(len(labels))
        drawn = observed >= DRAWN * expected
        inside = observed.sum()
        within = observed / inside if inside > 0 else np.zeros(len(labels))
        misplaced = [
            {
                "class": c,
                "component": int(wrong[:, c].argmax()),
                "share": round(float(wrong[:, c].max()), 4),
                "held_elsewhere": round(float(wrong[:, c].sum() / pooled[c]), 4),
            }
            for c in labels
            if pooled[c] > 0
            and wrong[:, c].sum() > MISPLACED * pooled[c]
            and wrong[:, c].max() >= MISPLACED_FLOOR
        ]
        regions[region] = {
            "component": k,
            "coverage": round(float(drawn.mean()), 4),
            "divergence": round(float(0.5 * np.abs(within - expected).sum()), 4) if inside else 1.0,
            "dropped": [c for c, ok in zip(labels, drawn, strict=True) if not ok],
            "misplaced": misplaced,
            "observed": {str(c): round(float(o), 4) for c, o in zip(labels, observed, strict=True)},
            "expected": {str(c): round(float(e), 4) for c, e in zip(labels, expected, strict=True)},
        }
    return {
        "regions": regions,
        "min_coverage": min((r["coverage"] for r in regions.values()), default=1.0),
        "max_divergence": max((r["divergence"] for r in regions.values()), default=0.0),
        "expected_from": "uniform" if class_counts is None else "class counts",
    }


def region_labels_of(sets: str, num_classes: int) -> dict[str, list[int]]:
    """Each Venn region's labels for a case name or ``--sets`` string."""
    regions = venn_regions(resolve_label_sets(sets, num_classes))
    return {r.name: list(r.labels) for r in regions}


def coverage_from_report(
    report: Mapping,
    region_labels: Mapping[str, Sequence[int]] | None = None,
    class_counts: np.ndarray | None = None,
) -> dict:
    """:func:`region_coverage` of a stored evaluation report (``eval.json``).

    ``region_labels`` default to those of the report's ``case`` (its label
    histogram's width gives the number of classes).
    """
    try:
        histogram = np.asarray(report["label_histogram"], dtype=np.float64)
        assignment = dict(report["assignment"])
        if region_labels is None:
            region_labels = region_labels_of(report["case"], histogram.shape[1])
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise InputError(
            f"the evaluation report lacks what coverage needs ({exc}); evaluate the run again "
            "with `mixmiss mmgan eval`."
        ) from exc
    return region_coverage(histogram, assignment, region_labels, class_counts)
