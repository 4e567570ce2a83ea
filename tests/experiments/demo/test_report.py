"""The demo's imputation figure draws every image pixel for pixel (square pixels)."""

import numpy as np
import torch
from matplotlib.colors import to_rgb
from PIL import Image

from mixmiss.experiments.demo.report import MISSING_COLOUR, imputation_figure

from ...pixels import find_upscaled, gray8


def test_imputation_figure_keeps_square_pixels(tmp_path):
    rng = np.random.default_rng(0)
    n, methods = 3, ["mean", "lm-rbm"]
    examples = {
        name: torch.tensor(rng.uniform(0.05, 0.65, (n, 1, 28, 28)), dtype=torch.float32)
        for name in ["original", *methods]
    }
    examples["mask"] = torch.ones(n, 1, 28, 28)
    examples["mask"][:, :, 5:20, 9:14] = 0  # a tall missing block
    with Image.open(imputation_figure(tmp_path / "f.png", examples, methods)) as image:
        png = np.asarray(image.convert("RGB"))
    red = np.round(np.array(to_rgb(MISSING_COLOUR)) * 255).astype(np.uint8)
    for j in range(n):
        original = gray8(examples["original"][j, 0].numpy())
        masked = np.where(examples["mask"][j, 0, :, :, None].numpy() < 0.5, red, original)
        shown = [original, masked, *(gray8(examples[m][j, 0].numpy()) for m in methods)]
        found = [find_upscaled(png, image) for image in shown]
        assert None not in found, f"example {j} was resampled, not drawn pixel for pixel"
        assert len({(scale, left) for scale, _, left in found}) == 1  # one column, one scale
