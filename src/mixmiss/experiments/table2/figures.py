"""Figs. 2-4: the component panels of the learned-weights runs, one figure per case.

A panel (:func:`mixmiss.mmgan.component_figure`: 8 x 8 EMA samples per
component, titled with d_i = alpha_k^(i)) is drawn when its cell is
computed, into ``<out>/figures/<cell id>.png`` (:func:`panel_path`), while
the run's checkpoint is at hand. Rendering the figures only stacks the
stored panels: it never loads a checkpoint or samples a generator, so a
study whose checkpoints are gone (the committed results keep only cells,
``eval.json`` files and panels) is still reported in full.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from ...atomic import atomic_write_bytes
from .paper import FIGURE_OF_CASE, dataset_name


def panel_path(out: str | Path, cell_id: str) -> Path:
    """Where the component panel of the learned-weights cell ``cell_id`` is stored."""
    return Path(out) / "figures" / f"{cell_id}.png"


def panel_title(dataset: str, case: str, step: int) -> str:
    """The title over a run's panel, e.g. ``MNIST, case B, learned weights, step 8,000``."""
    return f"{dataset_name(dataset)}, case {case}, learned weights, step {step:,}"


def figure_path(out: str | Path, case: str) -> Path:
    """``<out>/fig<N>-<case>.png``, N being the paper's figure of the case (0 if none)."""
    return Path(out) / f"fig{FIGURE_OF_CASE.get(case, 0)}-{case}.png"


def _stack_vertically(images: list[Path], path: Path) -> Path:
    """One PNG of ``images`` stacked top to bottom on white, written atomically."""
    opened = [Image.open(p).convert("RGB") for p in images]
    width = max(im.width for im in opened)
    canvas = Image.new("RGB", (width, sum(im.height for im in opened)), "white")
    top = 0
    for im in opened:
        canvas.paste(im, ((width - im.width) // 2, top))
        top += im.height
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return atomic_write_bytes(path, buffer.getvalue())


def write_figures(out: str | Path, groups: Sequence) -> tuple[list[Path], list[str]]:
    """Figs. 2-4: per case, the stored panels of each dataset's learned-weights run, stacked.

    ``groups``: the study's groups (:class:`.render.Group`). The first
    seed's panel of each (dataset, case) goes into
    ``fig<N>-<case>.png`` (:func:`figure_path`); a figure is written when at
    least one of its panels is stored. Returns the figures written and the
    cell ids whose panels are missing (cell pending, or its panel not stored).
    """
    panels: dict[str, list[Path]] = {}
    missing = []
    for group in groups:
        if group.mode != "learned":
            continue
        cell = group.cells[0]
        panel = panel_path(out, cell.id)
        if cell.id in group.pending or not panel.is_file():
            missing.append(cell.id)
            continue
        panels.setdefault(group.case, []).append(panel)
    figures = [_stack_vertically(images, figure_path(out, case)) for case, images in panels.items()]
    return figures, missing
