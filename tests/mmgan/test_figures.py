"""Component and sample grids are drawn pixel for pixel: square images keep square pixels."""

import numpy as np
import pytest
import torch
from PIL import Image

from mixmiss.mmgan import component_figure, figures, load_model, samples_figure
from mixmiss.mmgan.figures import tile

from ..pixels import find_upscaled, gray8


def _png(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.fixture
def model(digits_run):
    return load_model(digits_run)[0]


def _images(n, size, seed=0):
    """Known samples (n, 1, size, size), none of them white like the figure's background."""
    values = np.random.default_rng(seed).uniform(0.05, 0.65, (n, 1, size, size))
    return torch.tensor(values, dtype=torch.float32)


def test_each_component_panel_is_its_samples_at_a_whole_scale(model, tmp_path, monkeypatch):
    grid, k_count, size = 4, model.num_components, model.image_size
    images = _images(k_count * grid * grid, size)
    monkeypatch.setattr(figures, "generate", lambda *args: images)
    png = _png(component_figure(model, tmp_path / "c.png", grid=grid, title="a title"))
    found = []
    for k in range(k_count):
        panel = tile(images[k * grid * grid : (k + 1) * grid * grid], grid, grid)
        found.append(find_upscaled(png, gray8(panel.numpy())))
    assert None not in found, "a panel was resampled, not drawn pixel for pixel"
    assert {scale for scale, _, _ in found} == {6}  # 4 x 4 samples of 8 px: 32 -> 192 px
    assert len({top for _, top, _ in found}) == 1  # side by side


def test_a_sample_grid_is_drawn_pixel_for_pixel(tmp_path):
    images = _images(10, 8, seed=1)
    png = _png(samples_figure(images, tmp_path / "s.png", title="S1"))
    padded = torch.cat([images, torch.zeros(2, 1, 8, 8)])  # 10 samples in 3 rows of 4
    assert find_upscaled(png, gray8(tile(padded, 3, 4).numpy()))[0] == 6
