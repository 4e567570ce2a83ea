"""Figures: the Agg backend, PNG written atomically, the figure closed."""

from __future__ import annotations

import matplotlib
import pytest
from PIL import Image

from mixmiss.errors import CacheError
from mixmiss.plotting import plt, save_figure

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_backend_is_agg():
    assert matplotlib.get_backend().lower() == "agg"


def test_save_figure_writes_a_png_and_closes_the_figure(tmp_path):
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    number = fig.number
    path = save_figure(fig, tmp_path / "sub" / "dir" / "plot.png", dpi=50)
    assert path == tmp_path / "sub" / "dir" / "plot.png"
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert number not in plt.get_fignums()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 0
    assert [p.name for p in path.parent.iterdir()] == ["plot.png"]  # no temporary left


def test_dpi_sets_the_resolution(tmp_path):
    sizes = []
    for dpi in (40, 80):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1])
        with Image.open(save_figure(fig, tmp_path / f"{dpi}.png", dpi=dpi)) as image:
            sizes.append(image.size[0])
    assert sizes[1] == pytest.approx(2 * sizes[0], abs=4)


def test_an_existing_file_is_replaced(tmp_path):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")
    fig, _ = plt.subplots(figsize=(1, 1))
    save_figure(fig, target, dpi=20)
    assert target.read_bytes().startswith(PNG_MAGIC)


def test_an_unwritable_target_is_a_cache_error_and_the_figure_is_closed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    fig, _ = plt.subplots(figsize=(1, 1))
    with pytest.raises(CacheError, match="cannot write"):
        save_figure(fig, blocker / "plot.png", dpi=20)
    assert fig.number not in plt.get_fignums()
