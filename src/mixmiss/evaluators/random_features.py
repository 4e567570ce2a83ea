"""FID features for image collections that have no trained evaluator: a fixed random CNN.

A user's own collections (photos, product images, the generated shapes)
come without a classifier trained on them, and an ImageNet network cannot
be downloaded here. Our choice: a small convolutional network whose weights
are drawn once from a fixed seed and never trained,

    conv4x4 stride 2 (C -> 32 -> 64 -> 128), LeakyReLU 0.2 after each,

read out as the per-channel mean and standard deviation over positions of
the three feature maps (2 x (32 + 64 + 128) = 448 features; small enough that
the Frechet distance's matrix square root takes about a second). It works
at any resolution and for gray or RGB input, needs no data and gives the
same features on every machine. Randomly initialised networks are a known
substitute for ImageNet features on images unlike ImageNet's (Naeem et al.,
"Reliable Fidelity and Diversity Metrics for Generative Models", ICML 2020,
Sec. 5): they respond to colour, edges and layout at several scales, which
is what tells collections like the shapes apart. FIDs on these features are
comparable only with each other (same seed, same resolution), not with
Inception or evaluator FIDs.
"""

from __future__ import annotations

import torch
from torch import nn

from ..rng import isolated_seed
from ..validation import check_images

#: The seed of the weights: part of the definition of the features.
FEATURE_SEED = 0


class RandomFeatures(nn.Module):
    """The fixed random CNN of the module docstring for ``channels``-channel images."""

    def __init__(self, channels: int, seed: int = FEATURE_SEED):
        super().__init__()
        with isolated_seed(seed):
            self.stages = nn.ModuleList(
                nn.Conv2d(c_in, c_out, 4, stride=2, padding=1)
                for c_in, c_out in ((channels, 32), (32, 64), (64, 128))
            )
        self.act = nn.LeakyReLU(0.2)
        self.requires_grad_(False).eval()

    @property
    def feature_dim(self) -> int:
        return 2 * (32 + 64 + 128)

    @torch.no_grad()
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images (N, C, H, W) in [0, 1] -> features (N, 448)."""
        h = x * 2.0 - 1.0
        pooled = []
        for stage in self.stages:
            h = self.act(stage(h))
            pooled += [h.mean(dim=(2, 3)), h.std(dim=(2, 3))]
        return torch.cat(pooled, dim=1)


def random_features(images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """:class:`RandomFeatures` of ``images`` (N, C, H, W) in [0, 1], in batches, on the CPU."""
    images = check_images(images, channels=(1, 3))
    network = RandomFeatures(images.shape[1])
    return torch.cat(
        [network(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
    )
