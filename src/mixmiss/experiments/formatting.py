"""Formatting results the way the papers print them."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def mean_and_standard_error(values: Sequence[float]) -> tuple[float, float]:
    """Mean and standard error of the mean (sample std / sqrt(n); 0 for one value)."""
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return math.nan, math.nan
    if array.size == 1:
        return float(array[0]), 0.0
    return float(array.mean()), float(array.std(ddof=1) / math.sqrt(array.size))


def format_with_error(mean: float, error: float, max_decimals: int = 3) -> str:
    """The LM-RBM paper's notation: the mean to the first significant digit of its
    standard error, that digit in parentheses: ``0.152(1)``, ``89.5(3)``, ``25(2)``.

    At most ``max_decimals`` decimals are shown (3 for RMSE, 1 for FID and
    accuracy in percent); an error too small to show at that precision prints
    as ``(0)``, as in the paper's ``0.257(0)``.
    """
    if math.isnan(mean):
        return "n/a"
    decimals = max_decimals
    if error > 0 and math.isfinite(error):
        decimals = min(max(0, -math.floor(math.log10(error))), max_decimals)
        if round(error, decimals) >= 10.0 ** (1 - decimals) and decimals > 0:
            decimals -= 1  # 0.096 rounds to 0.10: one decimal fewer
    digit = round(error * 10**decimals) if error > 0 and math.isfinite(error) else 0
    return f"{mean:.{decimals}f}({digit})"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
