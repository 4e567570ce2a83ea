"""The papers' experiments: cached cells, tables and figures."""

from .cells import Cell, run_cells
from .formatting import format_with_error, markdown_table, mean_and_standard_error

__all__ = ["Cell", "format_with_error", "markdown_table", "mean_and_standard_error", "run_cells"]
