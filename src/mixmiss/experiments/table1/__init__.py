"""Table 1 and Fig. 1 of the LM-RBM paper: imputation under three missingness mechanisms.

The study (paper, Section 4): for each mechanism (I.M., S.O., P.M.) and
missing rate, each method is trained on independently masked training sets
(the first 50,000 MNIST images) and each trained model is tested on
independently masked test sets (the 10,000 test images). The paper uses
3 training sets x 10 test sets = 30 pairs per (mechanism, rate, method) and
reports the mean over the 30 pairs with its standard error; so do we, with
the standard error of the mean over all pairs (sample std / sqrt(pairs)).

One cached cell (:mod:`mixmiss.experiments.cells`) = one (mechanism, rate,
method, training set): it trains the method into ``<out>/runs/<cell id>/``
(resuming an interrupted training) and scores it on every test set of the
preset (:func:`mixmiss.experiments.imputation.evaluate_imputer_seeds`). Cells run
cheapest method first, so a study cut short still has whole columns.

Outputs, written from whatever cells are finished (pending ones are listed):
``table1.csv`` (one row per mechanism, rate and method), ``table1.md`` (our
table in the paper's layout, the paper's own rows, the claims the paper makes
checked on our numbers, and our differences from the paper beyond its
standard error), ``summary.md`` (RMSE and accuracy beside the paper's, for
the README), ``fig1.png`` (:mod:`.figures`) and
``fig1-perception-distortion.png``.

Interpretations: the paper's nine rates are 0.1, ..., 0.9; its Table 1 prints
0.3, 0.6, 0.9, which is what ``quick`` runs. ``quick`` trains each method once
(one training set) and tests it on three test sets, so its standard errors
cover the test masks only.

The package has the same parts as :mod:`mixmiss.experiments.table2`:

- :mod:`.grid`: the study's presets, its cells and the computation of one cell;
- :mod:`.paper`: the paper's Table 1, transcribed;
- :mod:`.claims`: the paper's claims, checked on our numbers;
- :mod:`.render`: aggregation and rendering to CSV and markdown (stored cells only);
- :mod:`.figures`: Fig. 1 and the perception-distortion scatter;
- :mod:`.boundary`: the perception-distortion plane of a cell: each method's curve of
  read-outs, the boundary (Pareto front) and whether two methods' curves cross;
- :mod:`.selection`: each stochastic cell's read-out chosen on held-out observed pixels
  (``--select``), as cached cells of their own;
- :mod:`.resources`: what each cell's Ray task requests, and its projected cost;
- :mod:`.study`: :func:`reproduce_table1`, computing the cells then rendering,
  and :func:`plan_table1`, the compute plan.
"""

from .claims import check_claims, differences
from .grid import (
    COST_ORDER,
    METRICS,
    PRESETS,
    Table1Preset,
    cell_id,
    compute_cell,
    get_preset,
    method_config,
    table1_cells,
)
from .paper import MECHANISM_NAMES, PAPER_METHODS, PAPER_NAMES, paper_value
from .render import summarise, summary_markdown, table_markdown, write_table1_report
from .resources import RESOURCES, cell_cost, cell_resources
from .study import plan_table1, reproduce_table1

__all__ = [
    "COST_ORDER",
    "MECHANISM_NAMES",
    "METRICS",
    "PAPER_METHODS",
    "PAPER_NAMES",
    "PRESETS",
    "RESOURCES",
    "Table1Preset",
    "cell_cost",
    "cell_id",
    "cell_resources",
    "check_claims",
    "compute_cell",
    "differences",
    "get_preset",
    "method_config",
    "paper_value",
    "plan_table1",
    "reproduce_table1",
    "summarise",
    "summary_markdown",
    "table1_cells",
    "table_markdown",
    "write_table1_report",
]
