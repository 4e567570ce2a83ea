"""Per-feature min-max scaling of a table with missing entries onto the RBM's [0, 1].

A binary RBM reads a value in [0, 1] as the probability that its visible unit
is on. :class:`RBMImputer <mixmiss.rbm.estimator.RBMImputer>` maps every
column of a user's table onto [0, 1] with the minimum and maximum of the
column's OBSERVED values in ``fit``: binary columns stay as they are, bounded
and unbounded ones are squeezed into the interval. At ``transform`` time a
value outside the fitted range is clipped to [0, 1] for the RBM's inference
only; what the user gets back is their own value, untouched, and each imputed
value is mapped back with the inverse map (so it lies in the fitted range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ColumnRange:
    """The observed ``low`` and ``high`` of each column.

    A constant column (``low == high``) maps to 0, and every value imputed in
    it maps back to the constant itself.

    Attributes
    ----------
    low, high : ndarray (n_features,), float64
    """

    low: np.ndarray
    high: np.ndarray

    @classmethod
    def fit(cls, X: np.ndarray) -> ColumnRange:
        """The range of the non-NaN entries of each column of ``X`` (N, n).

        Every column must hold at least one observed value.
        """
        return cls(np.nanmin(X, axis=0).astype(np.float64), np.nanmax(X, axis=0).astype(np.float64))

    @property
    def span(self) -> np.ndarray:
        """``high - low`` (the largest float where that overflows)."""
        with np.errstate(over="ignore"):
            span = self.high - self.low
        return np.where(np.isfinite(span), span, np.finfo(np.float64).max)

    def to_unit(self, X: np.ndarray) -> np.ndarray:
        """``X`` (N, n) mapped onto [0, 1] (float64), clipped there; NaN stays NaN."""
        span = self.span
        with np.errstate(over="ignore", invalid="ignore"):
            unit = (X.astype(np.float64) - self.low) / np.where(span > 0, span, 1.0)
        return np.clip(unit, 0.0, 1.0, out=unit)

    def from_unit(self, unit: np.ndarray) -> np.ndarray:
        """The inverse map of values ``unit`` in [0, 1] (float64): 0 gives ``low`` and 1
        gives ``high`` exactly, and nothing falls outside [low, high]."""
        unit = unit.astype(np.float64)
        values = np.clip(self.low + self.span * unit, self.low, self.high)
        return np.where(unit >= 1.0, self.high, values)
