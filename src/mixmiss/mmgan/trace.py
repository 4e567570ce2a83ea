"""Coverage over training: the coverage of each region at every stored snapshot of a run.

A run trained with ``snapshot_every`` keeps its EMA generator every N steps
(:mod:`.snapshots`). :func:`coverage_trace` samples each snapshot as
:func:`~mixmiss.mmgan.evaluate_run` samples the final model (EMA samples of
every component, labelled by the dataset's evaluator) and reads the label
histogram with :func:`~mixmiss.mmgan.coverage.region_coverage`. With fixed
priors component k stands for region r_k throughout; with learned weights
each snapshot's components are matched to regions afresh (as in
:func:`~mixmiss.mmgan.evaluation.match_components`).

:func:`dropped_since` reads a trace: whether a class the final model does
not draw was dropped for good early on (a stable collapse) or only lately,
and which classes were dropped for a while and came back (a phase).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import torch

from ..data import DATASETS
from ..errors import InputError
from ..evaluators import Evaluator, get_evaluator
from ..validation import check_positive_int
from .coverage import region_coverage
from .evaluation import component_labels, match_components
from .run import read_info
from .snapshots import load_snapshot, snapshot_steps


def region_counts(histogram: np.ndarray, region_labels: Mapping[str, Sequence[int]]) -> np.ndarray:
    """counts[k, r]: component k's samples whose label lies in region r, (K, R)."""
    columns = [histogram[:, list(labels)].sum(axis=1) for labels in region_labels.values()]
    return np.stack(columns, axis=1)


def coverage_trace(
    run_dir: str | os.PathLike,
    evaluator: Evaluator | None = None,
    class_counts: np.ndarray | None = None,
    n_per_component: int = 1000,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    device: str = "auto",
) -> list[dict]:
    """The coverage of every region at each snapshot of ``run_dir`` ([] without snapshots).

    Parameters
    ----------
    run_dir : path
        A run trained with ``snapshot_every`` (not the naive baseline).
    evaluator : Evaluator, optional
        Defaults to the dataset's cached evaluator.
    class_counts : array (C,), optional
        Real images per class (the evaluation report's ``class_counts``);
        None: classes equally likely within a region.
    n_per_component : int
        EMA samples per component and snapshot.
    seed : int
        Seeds the noise (the same at every snapshot).

    Returns
    -------
    list of dict
        One per snapshot, by step: ``step``, ``label_histogram`` (K, C),
        ``assignment`` and per region its ``coverage``, ``divergence`` and
        ``dropped`` classes and ``observed`` shares (:func:`region_coverage`).
    """
    n_per_component = check_positive_int(n_per_component, "n_per_component")
    info = read_info(run_dir)
    config = info.config
    if config.naive:
        raise InputError(
            f"{run_dir} holds the naive baseline, whose generators stand for distributions, "
            "not regions: it has no coverage to trace."
        )
    if evaluator is None:
        evaluator = get_evaluator(config.dataset, data_dir, cache_dir, device=device)
    num_classes = DATASETS[config.dataset].num_classes
    names = list(info.region_labels)
    trace = []
    for step in snapshot_steps(run_dir):
        model = load_snapshot(run_dir, step, device)
        components, predicted = component_labels(model, evaluator, n_per_component, seed)
        flat = components * num_classes + predicted
        histogram = torch.bincount(flat, minlength=model.num_components * num_classes)
        histogram = histogram.view(model.num_components, num_classes).numpy()
        mode = "fixed" if config.fixed_priors else "learned"
        assigned = match_components(region_counts(histogram, info.region_labels), mode)
        assignment = {name: int(k) for name, k in zip(names, assigned, strict=True)}
        cover = region_coverage(histogram, assignment, info.region_labels, class_counts)
        regions = {
            name: {k: r[k] for k in ("coverage", "divergence", "dropped", "observed")}
            for name, r in cover["regions"].items()
        }
        trace.append(
            {
                "step": step,
                "label_histogram": histogram.tolist(),
                "assignment": assignment,
                "regions": regions,
            }
        )
    return trace


def dropped_since(trace: Sequence[Mapping], region: str, final_dropped: Sequence[int]) -> dict:
    """How the classes of ``region`` fared over the snapshots of ``trace``.

    Parameters
    ----------
    trace : list of dict
        :func:`coverage_trace`'s entries.
    region : str
    final_dropped : sequence of int
        The classes the final evaluation finds dropped in ``region``.

    Returns
    -------
    dict
        ``since``: per finally dropped class, the first snapshot step from
        which every later snapshot drops it too (None when the last snapshot
        still draws it: the collapse came after it); ``recovered``: per class
        dropped at some snapshot but drawn at the end, the last step it was
        dropped; ``steps``: the snapshot steps.
    """
    steps = [entry["step"] for entry in trace]
    dropped = [set(entry["regions"][region]["dropped"]) for entry in trace]
    since: dict[str, int | None] = {}
    for c in final_dropped:
        first = None
        for step, gone in zip(reversed(steps), reversed(dropped), strict=True):
            if c not in gone:
                break
            first = step
        since[str(c)] = first
    recovered = {
        str(c): max(s for s, gone in zip(steps, dropped, strict=True) if c in gone)
        for c in sorted(set().union(*dropped) - set(final_dropped))
    }
    return {"since": since, "recovered": recovered, "steps": steps}
