"""Image grids are laid out to the pixel: each image pixel a whole, square block of the PNG."""

import numpy as np
import pytest
from PIL import Image

from mixmiss.plotting import auto_scale, image_grid_figure, save_figure, to_rgb8

from .pixels import find_upscaled, gray8


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
