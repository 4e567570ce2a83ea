"""MMGAN, Table 2 and Figs. 2-4: per-component accuracy and learned mixture weights.

The study trains MMGAN on the three Venn configurations of Table 1 (cases
A, B, C) of MNIST and Fashion-MNIST, twice each:

- ``fixed``: mixture weights fixed to the true priors (``fixed_priors``),
  component k <-> region r_k; the per-component accuracy of these runs is
  the paper's Table 2 ("As the correspondence between generator components
  and their true labels is not known beforehand, we fix mixture weights with
  true priors", Section 4);
- ``learned``: K = 2^n - 1 components with learned weights alpha^(i) =
  softmax(omega^(i)) (Eq. 9); these runs draw the paper's Figs. 2 (case A),
  3 (B) and 4 (C), one panel per component titled with its weights
  d_i = alpha_k^(i), and we add what the paper only shows in pictures: the
  weight recovery error max_{i,k} |alpha_k^(i) - target_k^(i)| and the
  accuracy after matching components to regions
  (:func:`mixmiss.mmgan.evaluate_run`).

Each (dataset, case, mode, seed) is one cached cell
(:mod:`mixmiss.experiments.cells`) with id
``<preset>-<dataset>-<case>-<mode>-seed<seed>``, e.g.
``quick-mnist-A-fixed-seed0``. Layout of the output directory ``out``::

    cells/<cell id>.json     params, metrics, wall time, provenance (cached)
    runs/<cell id>/          the MMGAN run directory (mixmiss.mmgan.run),
                             plus eval.json
    figures/<cell id>.png    component panel of each learned-weights run,
                             drawn when the cell is computed
    table2.csv, table2.md    the report (table2.md also checks the paper's claims)
    summary.md               the tables the README embeds
    fig2-A.png, fig3-B.png, fig4-C.png   Figs. 2-4: the panels, one row per dataset

A cell trains into its run directory and evaluates it. It continues an
interrupted run: a checkpoint short of ``config.iters`` is resumed
(:func:`mixmiss.mmgan.resume_training`), a finished one is only evaluated,
so a run trained beforehand (e.g. by ``mixmiss mmgan train``) and copied
into ``runs/<cell id>/`` is used as it is, provided its stored config equals
the cell's (``iters`` aside, which may extend it).

Modules, each importing only those above it:

- :mod:`.paper`: the paper's Table 2, its cases, regions and figure numbers;
- :mod:`.figures`: where a run's panel is stored, and Figs. 2-4 stacked from
  the stored panels (never from a checkpoint);
- :mod:`.grid`: presets, the cells, computing one (train, evaluate, panel);
- :mod:`.claims`: the paper's claims checked on our numbers;
- :mod:`.render`: the tables, ``table2.md``, ``summary.md``, CSV;
  :func:`write_table2_report` reports whatever cells have finished, so a
  study cut short can be reported and continued later;
- :mod:`.resources`: what each cell's Ray task requests, and its projected cost;
- :mod:`.study`: :func:`reproduce_table2`, the whole study, and
  :func:`plan_table2`, its compute plan.

Our interpretations of the paper:

- The paper reports one run per setting; we run the seeds of the preset
  (one, seed 0) and print mean(standard error) where there are several.
- Table 2's protocol is 10,000 EMA samples per component scored by a
  pre-trained classifier (:mod:`mixmiss.evaluators`); FID per distribution
  is our addition (the paper reports none).
- The ``smoke`` preset runs on scikit-learn's 8x8 ``digits`` (same label
  sets, no data files) for the tests; its rows are set beside the paper's
  MNIST rows, labelled as such, since only the layout is being checked.
"""

from .claims import check_claims
from .figures import figure_path, panel_path, write_figures
from .grid import (
    MODES,
    PRESETS,
    Table2Preset,
    cell_id,
    get_preset,
    run_table2_cell,
    table2_cells,
)
from .paper import CASES, DATASET_NAMES, FIGURE_OF_CASE, PAPER_DATASET, PAPER_TABLE2, REGIONS
from .render import (
    Group,
    accuracy_table,
    learned_table,
    runs_table,
    summary_markdown,
    table2_groups,
    write_csv,
    write_markdown,
    write_table2_report,
)
from .study import plan_table2, reproduce_table2

__all__ = [
    "CASES",
    "DATASET_NAMES",
    "FIGURE_OF_CASE",
    "MODES",
    "PAPER_DATASET",
    "PAPER_TABLE2",
    "PRESETS",
    "REGIONS",
    "Group",
    "Table2Preset",
    "accuracy_table",
    "cell_id",
    "check_claims",
    "figure_path",
    "get_preset",
    "learned_table",
    "panel_path",
    "plan_table2",
    "reproduce_table2",
    "run_table2_cell",
    "runs_table",
    "summary_markdown",
    "table2_cells",
    "table2_groups",
    "write_csv",
    "write_figures",
    "write_markdown",
    "write_table2_report",
]
