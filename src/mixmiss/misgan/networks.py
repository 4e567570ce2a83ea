"""MisGAN's convolutional MNIST networks: data and mask generators, critic, imputer.

Architectures as in MisGAN's reference code (github steveli/misgan, src/
``mnist_generator.py``, ``mnist_critic.py``, ``mnist_imputer.py``; see
``reference/protocol-notes.md``). They are fixed to 28 x 28 images; ``width``
(the reference's ``DIM`` = 64) is exposed so tests can run narrow copies.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

#: The image side the convolutional generators produce.
IMAGE_SIDE = 28

#: Temperature of the mask generator's sigmoid (reference: 0.66).
MASK_TEMPERATURE = 0.66

#: Output transforms of the mask generator, by the reference's ``--maskgen`` name.
MASK_TRANSFORMS = ("sigmoid", "hardsigmoid", "fusion")


class ConvGenerator(nn.Module):
    """z (B, n_latent) -> logits (B, 1, 28, 28).

    Linear(n_latent -> 16 w) ReLU -> (4w, 4, 4) -> ConvT(4w -> 2w, k5) ReLU -> 8x8,
    cropped to 7x7 -> ConvT(2w -> w, k5) ReLU -> 11x11 -> ConvT(w -> 1, k8, s2) -> 28x28.
    """

    def __init__(self, n_latent: int = 128, width: int = 64):
        super().__init__()
        self.width = width
        self.preprocess = nn.Sequential(nn.Linear(n_latent, 4 * 4 * 4 * width), nn.ReLU(True))
        self.block1 = nn.Sequential(nn.ConvTranspose2d(4 * width, 2 * width, 5), nn.ReLU(True))
        self.block2 = nn.Sequential(nn.ConvTranspose2d(2 * width, width, 5), nn.ReLU(True))
        self.deconv_out = nn.ConvTranspose2d(width, 1, 8, stride=2)

    def logits(self, z: torch.Tensor) -> torch.Tensor:
        net = self.preprocess(z).view(-1, 4 * self.width, 4, 4)
        net = self.block1(net)[:, :, :7, :7]
        return self.deconv_out(self.block2(net))


class DataGenerator(ConvGenerator):
    """G_x: z -> an image in (0, 1), through a sigmoid."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.logits(z))


class MaskGenerator(ConvGenerator):
    """G_m: z -> a soft mask in [0, 1].

    ``transform``: "sigmoid" = sigmoid(t / 0.66); "hardsigmoid" =
    hardtanh(t / 0.66, 0, 1); "fusion" (the paper's setting) =
    hardtanh(1.2 sigmoid(t / 0.66) - 0.1, 0, 1), which reaches exact 0 and 1.
    """

    def __init__(self, n_latent: int = 128, width: int = 64, transform: str = "fusion"):
        super().__init__(n_latent, width)
        if transform not in MASK_TRANSFORMS:
            raise ValueError(f"unknown mask transform {transform!r}")
        self.transform = transform

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        t = self.logits(z) / MASK_TEMPERATURE
        if self.transform == "sigmoid":
            return torch.sigmoid(t)
        if self.transform == "hardsigmoid":
            return F.hardtanh(t, 0.0, 1.0)
        return F.hardtanh(torch.sigmoid(t) * 1.2 - 0.1, 0.0, 1.0)


class Critic(nn.Module):
    """D: (B, 1, 28, 28) -> (B,) scores. Conv(1 -> w -> 2w -> 4w, k5, s2, p2) with
    ReLU and no normalisation (WGAN-GP), then Linear(4w * 4 * 4 -> 1)."""

    def __init__(self, width: int = 64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(1, width, 5, stride=2, padding=2),
            nn.ReLU(True),
            nn.Conv2d(width, 2 * width, 5, stride=2, padding=2),
            nn.ReLU(True),
            nn.Conv2d(2 * width, 4 * width, 5, stride=2, padding=2),
            nn.ReLU(True),
        )
        self.output = nn.Linear(4 * 4 * 4 * width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.output(self.main(x).flatten(1)).view(-1)


class FCImputer(nn.Module):
    """G_i: (x, m, u) -> completed image (B, 1, 28, 28) in (0, 1).

    The input is x * m + u * (1 - m) with u ~ U(0, 1) noise in the missing
    pixels ("complement" imputer); fully connected layers of ``hidden`` units
    with ReLU, an output layer of 784 units and a sigmoid. The output is the
    raw network output: observed pixels are written back by the caller.
    """

    def __init__(self, hidden: tuple[int, ...] = (784, 784, 784), side: int = IMAGE_SIDE):
        super().__init__()
        sizes = [side * side, *hidden]
        layers: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(True)]
        layers.append(nn.Linear(sizes[-1], side * side))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor, m: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
        net = (x * m + u * (1 - m)).flatten(1)
        return torch.sigmoid(self.net(net)).view_as(x)


class MisGANNetworks(nn.Module):
    """The six networks of MisGAN with an imputer, built together and saved as one.

    Parameters
    ----------
    n_latent : int
        Dimension of z for both generators (paper: 128).
    width : int
        Channel width of the generators and critics (reference: 64).
    imputer_hidden : tuple of int
        Hidden layer sizes of the imputer (paper: three layers of 784).
    mask_transform : {"fusion", "sigmoid", "hardsigmoid"}
    """

    def __init__(
        self,
        n_latent: int = 128,
        width: int = 64,
        imputer_hidden: tuple[int, ...] = (784, 784, 784),
        mask_transform: str = "fusion",
    ):
        super().__init__()
        self.data_gen = DataGenerator(n_latent, width)
        self.mask_gen = MaskGenerator(n_latent, width, mask_transform)
        self.imputer = FCImputer(tuple(imputer_hidden))
        self.data_critic = Critic(width)
        self.mask_critic = Critic(width)
        self.impu_critic = Critic(width)
