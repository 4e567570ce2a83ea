"""Datasets, Venn splits for MMGAN and missingness masks for the imputation study."""

from .datasets import DATASETS, ImageDataset, check_dataset, get_spec, load_dataset
from .masks import MECHANISM_LABELS, MECHANISMS, PATCH_COUNT, make_mask
from .venn import (
    CASES,
    Region,
    VennSplit,
    parse_label_sets,
    resolve_label_sets,
    venn_regions,
    venn_split,
)

__all__ = [
    "CASES",
    "DATASETS",
    "MECHANISMS",
    "MECHANISM_LABELS",
    "PATCH_COUNT",
    "ImageDataset",
    "Region",
    "VennSplit",
    "check_dataset",
    "get_spec",
    "load_dataset",
    "make_mask",
    "parse_label_sets",
    "resolve_label_sets",
    "venn_regions",
    "venn_split",
]
