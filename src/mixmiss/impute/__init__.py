"""Imputation methods behind one interface (:class:`Imputer`) and a name registry."""

from .base import Imputer
from .registry import IMPUTERS, imputer_class, load_imputer, make_imputer

__all__ = ["IMPUTERS", "Imputer", "imputer_class", "load_imputer", "make_imputer"]
