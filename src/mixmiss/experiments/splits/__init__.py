"""MMGAN on random label splits: how often does a component drop one of its region's classes?

Table 2's accuracy cannot see a component that draws only some of its
region's classes (issue #22); coverage (:mod:`mixmiss.mmgan.coverage`) can.
This study measures how often it happens away from the paper's cases: it
draws label splits of two and three distributions from a seed
(:mod:`.draw`, the rule in its docstring; every Venn region non-empty),
trains MMGAN with mixture weights fixed to the true priors on each split of
each dataset, and reports per region the coverage, the dropped and
misplaced classes, and per distribution the FID. Each run keeps a snapshot
of its EMA generator every few hundred steps (:mod:`mixmiss.mmgan.snapshots`),
so the report can say whether a dropped class is a stable collapse or a
phase of training (:mod:`mixmiss.mmgan.trace`).

A *remedy* changes one of the paper's own knobs (Section 4): ``iters``, the
generator EMA ``ema_decay``, ``lam`` (lambda of Eq. 11) or the
per-component ``batch_size``, e.g. ``--remedy lam=1.0``. Off by default;
remedy cells have their own ids and run directories beside the baseline's,
and ``--only mnist-split2`` restricts a run to the cells that dropped a
class. A remedy that sets ``iters`` continues a copy of the finished run
of the same cell without it (the baseline for ``iters`` alone, the
``lam=1.0`` cell for ``lam=1.0 iters=16000``) instead of training again.

Each (dataset, split, remedy) is one cached cell
(:mod:`mixmiss.experiments.cells`) with id
``<preset>-<dataset>-seed<seed>-split<j>[-<knob>=<value>]``. Layout of ``out``::

    cells/<cell id>.json          params (the split's label sets among them), metrics, provenance
    runs/<cell id>/               the MMGAN run directory, with eval.json and snapshots/
    splits.md, splits.json        the report (the splits listed), and its numbers
    splits.png                    final coverage per region; coverage over training

Modules, each importing only those above it: :mod:`.draw` (the splits),
:mod:`.grid` (presets, remedies, the cells, computing one), :mod:`.figures`,
:mod:`.render`, :mod:`.study` (:func:`reproduce_splits`, :func:`plan_splits`).
"""

from .draw import draw_splits, sets_text
from .grid import (
    PRESETS,
    REMEDY_KNOBS,
    SplitsPreset,
    cell_id,
    get_preset,
    parse_remedy,
    run_splits_cell,
    splits_cells,
    study_splits,
)
from .render import stored_records, write_splits_report
from .study import plan_splits, reproduce_splits

__all__ = [
    "PRESETS",
    "REMEDY_KNOBS",
    "SplitsPreset",
    "cell_id",
    "draw_splits",
    "get_preset",
    "parse_remedy",
    "plan_splits",
    "reproduce_splits",
    "run_splits_cell",
    "sets_text",
    "splits_cells",
    "stored_records",
    "study_splits",
    "write_splits_report",
]
