"""The evaluator network: a small CNN classifier whose penultimate layer defines FID.

Two convolution blocks (conv, batch norm, ReLU, 2x2 max-pool), a hidden fully
connected layer -- the penultimate features -- and the class logits. As in
MisGAN's FID (its LeNet's ``fc1``), features are taken *before* the hidden
layer's ReLU, so that they are not clipped at zero and are closer to Gaussian.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ClassifierConfig:
    """Architecture of one evaluator (stored in its metadata)."""

    image_size: int
    channels: tuple[int, int]
    kernel_size: int
    hidden: int
    num_classes: int = 10
    dropout: float = 0.3

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ClassifierConfig:
        return cls(**{**data, "channels": tuple(data["channels"])})


class ClassifierCNN(nn.Module):
    """conv-BN-ReLU-pool x2 -> Linear(hidden) [features] -> ReLU -> dropout -> Linear(classes)."""

    def __init__(self, config: ClassifierConfig):
        super().__init__()
        self.config = config
        c1, c2 = config.channels
        pad = config.kernel_size // 2
        self.trunk = nn.Sequential(
            nn.Conv2d(1, c1, config.kernel_size, padding=pad, bias=False),
            nn.BatchNorm2d(c1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, config.kernel_size, padding=pad, bias=False),
            nn.BatchNorm2d(c2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Flatten(),
        )
        side = config.image_size // 4
        self.fc1 = nn.Linear(c2 * side * side, config.hidden)
        self.head = nn.Sequential(
            nn.ReLU(), nn.Dropout(config.dropout), nn.Linear(config.hidden, config.num_classes)
        )

    @property
    def image_size(self) -> int:
        """Side of the square images the network takes."""
        return self.config.image_size

    @property
    def feature_dim(self) -> int:
        """Size of the FID features (the hidden layer)."""
        return self.config.hidden

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Penultimate features (pre-ReLU), shape (N, hidden), for images (N, 1, H, W) in [0, 1]."""
        # Centre the [0, 1] input; a fixed shift, so it is part of the architecture.
        return self.fc1(self.trunk(x - 0.5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits, shape (N, num_classes)."""
        return self.head(self.features(x))
