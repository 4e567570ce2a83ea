"""Figures: the Agg backend, PNG written atomically and closed; image grids laid out to the
pixel, each image pixel a whole, square block of the PNG."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from PIL import Image

from mixmiss.errors import CacheError
from mixmiss.plotting import auto_scale, image_grid_figure, plt, save_figure, to_rgb8

from .pixels import find_upscaled, gray8

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


def test_images_of_any_shape_are_drawn_at_the_scale_asked(tmp_path):
    rng = np.random.default_rng(0)
    square, wide = rng.uniform(0.05, 0.65, (8, 8)), rng.uniform(0.05, 0.65, (6, 10))
    colour = rng.uniform(0.05, 0.65, (5, 5, 3))
    fig = image_grid_figure(
        [[square, wide], [colour]],
        scale=3,
        titles=[["a square", "a wide one"], ["colour"]],
        row_labels=["first", "second"],
        suptitle="three images",
    )
    with Image.open(save_figure(fig, tmp_path / "g.png", tight=False)) as image:
        png = np.asarray(image.convert("RGB"))
    found = [find_upscaled(png, gray8(square)), find_upscaled(png, gray8(wide))]
    found.append(find_upscaled(png, to_rgb8(colour)))
    assert [scale for scale, _, _ in found] == [3, 3, 3]
    (_, top_a, left_a), (_, top_b, left_b), (_, top_c, left_c) = found
    assert top_a == top_b < top_c and left_a < left_b and left_c < left_b


def test_the_figure_is_exactly_as_large_as_its_layout(tmp_path):
    # widths whose size in inches does not survive a round trip through floats
    for width in (123, 245):
        fig = image_grid_figure([[np.zeros((4, width - 12))]], gap=0)
        with Image.open(save_figure(fig, tmp_path / "w.png", tight=False)) as image:
            assert image.size == (width, 4 + 12)


def test_scale_must_be_whole():
    with pytest.raises(ValueError, match="whole number"):
        image_grid_figure([[np.zeros((2, 2))]], scale=1.5)
    assert auto_scale(28 * 8) == 1 and auto_scale(8 * 8) == 3 and auto_scale(1000) == 1
