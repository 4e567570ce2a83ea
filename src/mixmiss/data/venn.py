"""Venn splits: several overlapping image distributions built from one labelled dataset.

MMGAN (Yazici et al.) models n distributions S_1..S_n, each a set of class
labels. A class shared by k distributions is split into k disjoint parts, so
that no image is used twice ("we never use a sample twice for the splits").
The Venn regions r_1..r_{2^n-1} are the set-algebra cells of the label sets
in the paper's order; empty ones are dropped but keep their paper index (case
C has r1, r6, r7). The true mixture prior of distribution i over region r is
the fraction of S_i's images whose label lies in r, computed from the actual
counts (for case A the {0,1,2} part of S_1 has prior ~0.6, not 3/7).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import InputError
from ..validation import check_generator
from .datasets import ImageDataset

LabelSets = tuple[tuple[int, ...], ...]

#: The configurations of MMGAN Table 1.
CASES: dict[str, LabelSets] = {
    "A": (tuple(range(0, 7)), tuple(range(3, 10))),
    "B": ((0, 3, 5, 6), (1, 4, 5, 6), (2, 3, 4, 6)),
    "C": (tuple(range(0, 10)), tuple(range(3, 10)), tuple(range(6, 10))),
}

# The paper numbers the two-set cells of the three-set case r4 = (S1∩S3)\S2,
# r5 = (S2∩S3)\S1, r6 = (S1∩S2)\S3; other sizes follow (cardinality, lexicographic).
_PAPER_ORDER_N3 = ((0,), (1,), (2,), (0, 2), (1, 2), (0, 1), (0, 1, 2))


@dataclass(frozen=True)
class Region:
    """One Venn cell: the labels in exactly the distributions ``members``.

    ``index`` is the paper's 1-based number (``name`` = ``f"r{index}"``) and
    ``operation`` its set expression, e.g. ``"S1\\S2"`` or ``"(S1∩S3)\\S2"``.
    """

    index: int
    members: tuple[int, ...]
    labels: tuple[int, ...]
    operation: str

    @property
    def name(self) -> str:
        return f"r{self.index}"


@dataclass(frozen=True)
class VennSplit:
    """Disjoint per-distribution datasets, their Venn regions and true priors.

    Attributes
    ----------
    sets : tuple of tuple of int
        The label set of each distribution.
    distributions : tuple of ImageDataset
        Images of each distribution; no image appears twice.
    regions : tuple of Region
        The non-empty Venn regions in the paper's order.
    priors : numpy.ndarray, shape (n, R)
        ``priors[i, j]`` = fraction of distribution i's images in region j.

    Collections without labels (:func:`mixmiss.data.folders.collections_split`)
    have no regions (``regions == ()``, priors of shape (n, 0)).
    """

    sets: LabelSets
    distributions: tuple[ImageDataset, ...]
    regions: tuple[Region, ...]
    priors: np.ndarray

    @property
    def n(self) -> int:
        """Number of distributions."""
        return len(self.sets)

    def region_of_label(self, num_classes: int) -> torch.Tensor:
        """A lookup table label -> region position (0..R-1), or -1 for unused labels."""
        table = torch.full((num_classes,), -1, dtype=torch.long)
        for position, region in enumerate(self.regions):
            table[list(region.labels)] = position
        return table

    @property
    def random_baseline(self) -> float:
        """The paper's random baseline: the chance that a random sample lands in the
        correct component, i.e. the mean over distributions of 1 / (number of
        regions that distribution covers). Case A: 0.5, B: 0.25, C: 0.61; NaN
        when the regions are unknown."""
        if not self.regions:
            return float("nan")  # collections: regions unknown
        covered = (self.priors > 0).sum(axis=1)
        return float(np.mean(1.0 / covered))


def parse_label_sets(text: str) -> LabelSets:
    """Parse ``"0-6;3-9"`` or ``"0,3,5,6;1,4,5,6"`` into label sets.

    Sets are separated by ``;``, items by ``,``; ``a-b`` is the inclusive range.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("label sets are empty; write them like '0-6;3-9'.")
    sets = []
    for number, part in enumerate(text.split(";"), start=1):
        labels: list[int] = []
        for item in filter(None, (s.strip() for s in part.split(","))):
            match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", item)
            if match is None:
                raise InputError(
                    f"set {number} ({part.strip()!r}): cannot read {item!r}; use labels "
                    "and ranges such as '0,3,5-6'."
                )
            low = int(match.group(1))
            high = int(match.group(2) or low)
            if high < low:
                raise InputError(
                    f"set {number}: range {item!r} runs backwards; write {high}-{low}."
                )
            labels.extend(range(low, high + 1))
        sets.append(tuple(labels))
    return tuple(sets)


def resolve_label_sets(case_or_sets: str | Sequence[Sequence[int]], num_classes: int) -> LabelSets:
    """Validate label sets given as a case name ("A", "B", "C"), a ``--sets``
    string, or a sequence of label sequences."""
    if isinstance(case_or_sets, str) and case_or_sets.strip().upper() in CASES:
        sets = CASES[case_or_sets.strip().upper()]
    elif isinstance(case_or_sets, str):
        if not re.search(r"\d", case_or_sets):
            raise InputError(
                f"unknown case {case_or_sets!r}; choose one of {', '.join(CASES)} "
                "or give label sets such as '0-6;3-9'."
            )
        sets = parse_label_sets(case_or_sets)
    else:
        try:
            sets = tuple(tuple(s) for s in case_or_sets)
        except TypeError:
            raise InputError(
                f"label sets must be a case (A, B, C), a string such as '0-6;3-9' or a list "
                f"of label lists, got {case_or_sets!r}."
            ) from None
    if not sets:
        raise InputError("no label sets given; give at least one, e.g. '0-6;3-9'.")
    for number, labels in enumerate(sets, start=1):
        if len(labels) == 0:
            raise InputError(f"set {number} is empty; every distribution needs at least one label.")
        bad = [
            lab
            for lab in labels
            if not isinstance(lab, (int, np.integer)) or not 0 <= lab < num_classes
        ]
        if bad:
            raise InputError(
                f"set {number} has labels {bad} outside 0..{num_classes - 1} of this dataset."
            )
        if len(set(labels)) != len(labels):
            repeated = sorted({lab for lab in labels if labels.count(lab) > 1})
            raise InputError(f"set {number} lists labels {repeated} more than once.")
    for (i, a), (j, b) in itertools.combinations(enumerate(sets, start=1), 2):
        if set(a) == set(b):
            raise InputError(
                f"sets {i} and {j} are identical ({sorted(a)}); two distributions with the "
                "same labels cannot be told apart. Remove one or change its labels."
            )
    return tuple(tuple(int(lab) for lab in s) for s in sets)


def _operation(members: tuple[int, ...], n: int) -> str:
    inside = [f"S{i + 1}" for i in members]
    outside = [f"S{i + 1}" for i in range(n) if i not in members]
    left = inside[0] if len(inside) == 1 else "(" + "∩".join(inside) + ")"
    if not outside:
        return "∩".join(inside)
    right = outside[0] if len(outside) == 1 else "(" + "∪".join(outside) + ")"
    return f"{left}\\{right}"


def _membership_order(n: int) -> list[tuple[int, ...]]:
    if n == 3:
        return list(_PAPER_ORDER_N3)
    return [c for size in range(1, n + 1) for c in itertools.combinations(range(n), size)]


def venn_regions(sets: LabelSets) -> tuple[Region, ...]:
    """The non-empty Venn regions of ``sets`` in the paper's order."""
    n = len(sets)
    regions = []
    for index, members in enumerate(_membership_order(n), start=1):
        labels = sorted(
            set.intersection(*(set(sets[i]) for i in members))
            - set().union(*(set(sets[i]) for i in range(n) if i not in members))
        )
        if labels:
            regions.append(Region(index, members, tuple(labels), _operation(members, n)))
    return tuple(regions)


def venn_split(
    dataset: ImageDataset,
    case_or_sets: str | Sequence[Sequence[int]],
    generator: torch.Generator | None = None,
) -> VennSplit:
    """Build one dataset per label set with no image used twice.

    Every class shared by k distributions is shuffled (by ``generator``) and
    split into k disjoint parts of equal size (the first ``N mod k`` parts get
    one image more), one part per distribution, in distribution order.

    Parameters
    ----------
    dataset : ImageDataset
    case_or_sets : "A", "B", "C", a string like ``"0-6;3-9"``, or label sequences
    generator : torch.Generator, optional
        Source of the shuffle; a fresh generator seeded with 0 when omitted.

    Examples
    --------
    >>> from mixmiss.data import load_dataset
    >>> split = venn_split(load_dataset("digits"), "A")
    >>> [r.operation for r in split.regions]
    ['S1\\\\S2', 'S2\\\\S1', 'S1∩S2']
    """
    if not isinstance(dataset, ImageDataset):
        raise InputError(
            f"venn_split takes an ImageDataset (from mixmiss.data.load_dataset), got "
            f"{type(dataset).__name__}; build one with "
            "ImageDataset(images, labels, name, split, class_names)."
        )
    generator = check_generator(generator)
    num_classes = len(dataset.class_names)
    sets = resolve_label_sets(case_or_sets, num_classes)
    if generator is None:
        generator = torch.Generator().manual_seed(0)
    parts: list[list[torch.Tensor]] = [[] for _ in sets]
    for label in sorted(set().union(*sets)):
        members = [i for i, s in enumerate(sets) if label in s]
        where = torch.nonzero(dataset.labels == label).flatten()
        if len(where) < len(members):
            raise InputError(
                f"label {label} has {len(where)} images, too few to split among "
                f"{len(members)} distributions."
            )
        shuffled = where[torch.randperm(len(where), generator=generator)]
        for member, chunk in zip(members, torch.tensor_split(shuffled, len(members)), strict=True):
            parts[member].append(chunk)
    distributions = tuple(dataset.subset(torch.sort(torch.cat(chunks)).values) for chunks in parts)
    regions = venn_regions(sets)
    priors = np.zeros((len(sets), len(regions)))
    for i, dist in enumerate(distributions):
        for j, region in enumerate(regions):
            priors[i, j] = float(torch.isin(dist.labels, torch.tensor(region.labels)).sum())
        priors[i] /= len(dist)
    return VennSplit(sets, distributions, regions, priors)
