"""Random label splits, drawn from a seed by one documented rule.

The rule (ours; the paper only has its cases A, B, C): for a split of n
distributions, every class independently gets a membership drawn uniformly
from the 2^n subsets of {S_1..S_n} (the empty subset: the class is left
out), i.e. it falls into one Venn region or none. A draw is kept when

- every one of the 2^n - 1 Venn regions holds at least one class (so the
  fixed-priors model has K = 2^n - 1 components, each with something to draw);
- every distribution holds :data:`MIN_CLASSES` to :data:`MAX_CLASSES`
  classes (3 to 6);
- it is none of the paper's cases and no split drawn before it, whatever the
  order of its distributions;

otherwise it is drawn again. Splits are drawn in the order of ``sizes``
from one ``numpy.random.Generator`` seeded with ``seed``, so the same seed
and sizes give the same splits on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...data.venn import CASES, LabelSets, resolve_label_sets
from ...errors import InputError

MIN_CLASSES = 3
MAX_CLASSES = 6
#: Draws tried for one split before giving up (the acceptance rate is a few percent).
MAX_TRIES = 100_000


def _key(sets: LabelSets) -> frozenset:
    """The split whatever the order of its distributions."""
    return frozenset(frozenset(s) for s in sets)


def _acceptable(membership: np.ndarray, n: int) -> bool:
    """Every region (non-zero membership) used, every distribution 3-6 classes."""
    regions = np.unique(membership[membership > 0])
    sizes = [int((membership >> i & 1).sum()) for i in range(n)]
    return len(regions) == 2**n - 1 and all(MIN_CLASSES <= s <= MAX_CLASSES for s in sizes)


def draw_splits(seed: int, sizes: Sequence[int], num_classes: int = 10) -> list[LabelSets]:
    """Draw one label split per entry of ``sizes`` (its number of distributions, 2 or 3).

    Parameters
    ----------
    seed : int
        Seeds the ``numpy.random.Generator`` of the draw.
    sizes : sequence of int
        n of each split, e.g. ``(2, 2, 2, 3, 3, 3)``.
    num_classes : int
        Classes of the dataset (labels 0..num_classes - 1).

    Returns
    -------
    list of tuple of tuple of int
        The label sets of each split, each set sorted.

    Examples
    --------
    >>> draw_splits(0, (2,)) == draw_splits(0, (2,))
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"the split seed must be a whole number >= 0, got {seed!r}.")
    if not sizes or any(n not in (2, 3) for n in sizes):
        raise InputError(f"each split has 2 or 3 distributions; got sizes {list(sizes)}.")
    if num_classes < 2 ** max(sizes) - 1:
        raise InputError(
            f"{num_classes} classes cannot fill the {2 ** max(sizes) - 1} regions of a split of "
            f"{max(sizes)} distributions; use a dataset with more classes or fewer distributions."
        )
    rng = np.random.default_rng(seed)
    taken = {_key(s) for s in CASES.values()}
    splits = []
    for n in sizes:
        for _ in range(MAX_TRIES):
            membership = rng.integers(0, 2**n, size=num_classes)  # bit i: the class is in S_i
            sets = tuple(
                tuple(int(c) for c in np.flatnonzero(membership >> i & 1)) for i in range(n)
            )
            if _acceptable(membership, n) and _key(sets) not in taken:
                break
        else:
            raise InputError(
                f"no split of {n} distributions with {MIN_CLASSES}-{MAX_CLASSES} classes each "
                f"and every region non-empty was found among {num_classes} classes."
            )
        taken.add(_key(sets))
        splits.append(resolve_label_sets(sets, num_classes))
    return splits


def sets_text(sets: LabelSets) -> str:
    """The ``--sets`` form of a split, e.g. ``"0,3,5;1,3,8"``."""
    return ";".join(",".join(map(str, labels)) for labels in sets)
