"""The MMGAN paper's Table 2 and its notation: cases, regions, figure numbers, dataset names.

Transcribed from ``shared/reference/paper-tables.md`` (the paper: Yazici et
al., "Mixed Membership Generative Adversarial Networks", Table 2 and
Figs. 2-4). Nothing here is computed.
"""

from __future__ import annotations

#: The Venn configurations of the paper's Table 1 (2 distributions in A, 3 in B and C).
CASES = ("A", "B", "C")

#: The Venn regions r1..r7 in the paper's order (Table 2's caption gives their set operations).
REGIONS = tuple(f"r{j}" for j in range(1, 8))

#: The paper's figure of each case's learned-weights runs.
FIGURE_OF_CASE = {"A": 2, "B": 3, "C": 4}

#: How a dataset is named in tables and figure titles.
DATASET_NAMES = {"mnist": "MNIST", "fashion-mnist": "F-MNIST", "digits": "digits 8x8"}

#: The paper row a dataset is compared with: digits (smoke preset only) with MNIST.
PAPER_DATASET = {"mnist": "mnist", "fashion-mnist": "fashion-mnist", "digits": "mnist"}

#: The paper's Table 2: (dataset, case) -> (accuracy in % of r1..r7, None for
#: an empty region; avg; random baseline, a fraction). Mixture weights fixed
#: to the true priors.
PAPER_TABLE2: dict[tuple[str, str], tuple[tuple[float | None, ...], float, float]] = {
    ("mnist", "A"): ((99.69, 98.86, 83.40, None, None, None, None), 93.98, 0.5),
    ("fashion-mnist", "A"): ((90.15, 86.48, 80.92, None, None, None, None), 85.85, 0.5),
    ("mnist", "B"): ((99.32, 100.0, 96.05, 98.75, 98.14, 99.56, 99.36), 98.74, 0.25),
    ("fashion-mnist", "B"): ((71.86, 98.07, 68.45, 71.04, 93.17, 91.54, 18.02), 73.16, 0.25),
    ("mnist", "C"): ((99.12, None, None, None, None, 93.08, 93.64), 95.28, 0.61),
    ("fashion-mnist", "C"): ((94.41, None, None, None, None, 83.17, 67.5), 81.69, 0.61),
}


def dataset_name(dataset: str) -> str:
    """The name of ``dataset`` in tables and titles (its registry name when unknown here)."""
    return DATASET_NAMES.get(dataset, dataset)


def paper_row(dataset: str, case: str) -> tuple[str, tuple] | None:
    """The paper's Table 2 row that ``dataset``'s ``case`` is set beside, and its label.

    The label is ``paper``, or ``paper (MNIST)`` for a dataset compared with
    another's row (digits); None when the paper has no such row.
    """
    paper_dataset = PAPER_DATASET.get(dataset)
    if (paper_dataset, case) not in PAPER_TABLE2:
        return None
    label = "paper" if paper_dataset == dataset else f"paper ({dataset_name(paper_dataset)})"
    return label, PAPER_TABLE2[paper_dataset, case]
