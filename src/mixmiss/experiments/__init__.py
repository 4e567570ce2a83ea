"""The papers' experiments, computed as cached cells and rendered from them.

- :mod:`.cells`: a study is a list of cells, each computed once and stored as JSON;
- :mod:`.executors`: where the cells run (local processes, or Ray tasks on a cluster);
- :mod:`.plan`: a study's pending cells, projected hours and Ray resources;
- :mod:`.imputation`: the LM-RBM paper's protocol (train an imputer on masked
  training images, score RMSE, FID and accuracy on masked test images);
- :mod:`.table1`, :mod:`.table2`: the two papers' tables, each a package with
  the same parts (``grid``, ``paper``, ``claims``, ``render``, ``figures``,
  ``study``); rendering reads stored cells only;
- :mod:`.demo`: both papers' main results in minutes;
- :mod:`.formatting`: markdown tables and mean +- standard error.
"""

from .cells import Cell, run_cells
from .formatting import format_with_error, markdown_table, mean_and_standard_error

__all__ = ["Cell", "format_with_error", "markdown_table", "mean_and_standard_error", "run_cells"]
