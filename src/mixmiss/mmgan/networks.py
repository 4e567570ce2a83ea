"""MMGAN networks: the conditional generator G(z, c = k) and the shared D/C trunk.

Architectures follow Venn GAN (the authors' predecessor code; protocol
notes), the paper says only "DCGAN":

- Generator for 28x28 (``base_width`` w = 64 gives Venn GAN's widths):
  z (128-d) -> 4x4x4w -> nearest upsample -> conv3 2w at 7x7 -> upsample ->
  conv3 w at 14x14 -> upsample -> conv3 w/2 at 28x28 -> conv3 1 -> tanh;
  LeakyReLU 0.2. Every BatchNorm has no affine parameters of its own and is
  followed by a per-component scale and shift looked up by the component
  index (conditional BN, scale initialised to 1, shift to 0). The first
  "1x1 -> 4x4" layer is a linear map of z, i.e. a 4x4 transposed convolution
  of a 1x1 input.
- Generator for the 8x8 ``digits``: z -> 2x2x4w -> upsample -> conv3 2w at
  4x4 -> upsample -> conv3 w at 8x8 -> conv3 1 -> tanh (our reduction).
- Generators for 32x32 and 64x64 (image folders, grayscale or RGB; our
  extension in the same pattern): 32 = the 28x28 network with 8, 16, 32 as
  the upsampled sides; 64 adds one more upsampling and a conv3 of w/2
  channels at 64x64. The last conv3 has one output per image channel (3 for RGB).
- Discriminator trunk for 28x28: conv4 stride 2 with w, 2w, 4w channels
  (28 -> 14 -> 7 -> 3), LeakyReLU 0.2, spectral norm, no BN. For 8x8: conv3
  stride 1 w, conv4 stride 2 2w, conv4 stride 2 4w (8 -> 8 -> 4 -> 2). For
  32x32: the 28x28 layers (32 -> 16 -> 8 -> 4); for 64x64 a first conv4
  stride 2 with w/2 channels in front (64 -> 32 -> 16 -> 8 -> 4).
- Heads (paper, Section 4): the n discriminators share every layer but the
  last, so D is one linear layer with n outputs on the trunk features; the
  K-way classifier "includes one more layer on top": linear -> LeakyReLU ->
  linear(K). All layers spectrally normalised.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn
from torch.nn.utils import parametrize
from torch.nn.utils.parametrizations import spectral_norm

#: Image side -> (generator start side, the sides after each upsampling).
_GENERATOR_SIZES = {
    28: (4, (7, 14, 28)),
    8: (2, (4, 8)),
    32: (4, (8, 16, 32)),
    64: (4, (8, 16, 32, 64)),
}
#: The image sides there are networks for.
IMAGE_SIZES = tuple(sorted(_GENERATOR_SIZES))


def _discriminator_layers(image_size: int, channels: int, w: int) -> tuple[list, int]:
    """(c_in, c_out, kernel, stride) of each trunk convolution, and the side after the last."""
    if image_size in (28, 32):
        return [(channels, w, 4, 2), (w, 2 * w, 4, 2), (2 * w, 4 * w, 4, 2)], image_size // 8
    if image_size == 8:
        return [(channels, w, 3, 1), (w, 2 * w, 4, 2), (2 * w, 4 * w, 4, 2)], 2
    if image_size == 64:
        half = w // 2
        layers = [(channels, half, 4, 2), (half, w, 4, 2), (w, 2 * w, 4, 2), (2 * w, 4 * w, 4, 2)]
        return layers, 4
    raise ValueError(f"no discriminator for {image_size}x{image_size} images")


class ConditionalBatchNorm2d(nn.Module):
    """BatchNorm without affine parameters, then a per-component scale and shift.

    ``y = gamma[c] * BN(x) + beta[c]`` with ``gamma`` initialised to 1 and
    ``beta`` to 0 (Venn GAN; Miyato & Koyama's conditioning, paper ref. [24]).

    Parameters
    ----------
    num_features : int
        Channels C.
    num_components : int
        K, the number of conditions.
    """

    def __init__(self, num_features: int, num_components: int):
        super().__init__()
        self.norm = nn.BatchNorm2d(num_features, affine=False)
        self.gamma = nn.Embedding(num_components, num_features)
        self.beta = nn.Embedding(num_components, num_features)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """x (N, C, H, W), c (N,) int64 component indices -> (N, C, H, W)."""
        gamma = self.gamma(c)[:, :, None, None]
        beta = self.beta(c)[:, :, None, None]
        return gamma * self.norm(x) + beta


class ConditionalGenerator(nn.Module):
    """G(z, c = k): all K components in one network, batched over components.

    Parameters
    ----------
    image_size : {8, 28, 32, 64}
    num_components : int
        K.
    z_dim : int
    base_width : int
        w; channels 4w, 2w, w (and w/2 for 28x28 and 32x32, twice for 64x64).
    channels : {1, 3}
        Image channels.
    """

    def __init__(
        self,
        image_size: int,
        num_components: int,
        z_dim: int,
        base_width: int,
        channels: int = 1,
    ):
        super().__init__()
        if image_size not in _GENERATOR_SIZES:
            raise ValueError(f"no generator for {image_size}x{image_size} images")
        start, sizes = _GENERATOR_SIZES[image_size]
        w = base_width
        widths = [4 * w, 2 * w, w, w // 2, w // 2][: len(sizes) + 1]
        self.start = start
        self.sizes = sizes
        self.num_components = num_components
        self.z_dim = z_dim
        self.project = nn.Linear(z_dim, widths[0] * start * start)
        self.norms = nn.ModuleList([ConditionalBatchNorm2d(widths[0], num_components)])
        self.convs = nn.ModuleList()
        for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
            self.convs.append(nn.Conv2d(c_in, c_out, 3, padding=1))
            self.norms.append(ConditionalBatchNorm2d(c_out, num_components))
        self.to_image = nn.Conv2d(widths[-1], channels, 3, padding=1)
        self.act = nn.LeakyReLU(0.2)

    def forward(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """z (N, z_dim), c (N,) int64 -> images (N, channels, H, W) in [-1, 1]."""
        h = self.project(z).view(z.shape[0], -1, self.start, self.start)
        h = self.act(self.norms[0](h, c))
        for conv, norm, size in zip(self.convs, self.norms[1:], self.sizes, strict=True):
            h = nn.functional.interpolate(h, size=(size, size), mode="nearest")
            h = self.act(norm(conv(h), c))
        return torch.tanh(self.to_image(h))


class DiscriminatorClassifier(nn.Module):
    """The n discriminators and the K-way component classifier on one trunk.

    One trunk forward serves every D_i and C: ``forward`` returns the
    discriminator logits (N, n) -- column i is D_i's logit -- and the
    classifier logits (N, K).

    Parameters
    ----------
    image_size : {8, 28, 32, 64}
    num_distributions : int
        n.
    num_components : int
        K.
    base_width : int
        w; trunk channels w, 2w, 4w (after w/2 for 64x64).
    channels : {1, 3}
        Image channels.
    """

    def __init__(
        self,
        image_size: int,
        num_distributions: int,
        num_components: int,
        base_width: int,
        channels: int = 1,
    ):
        super().__init__()
        w = base_width
        layers, side = _discriminator_layers(image_size, channels, w)
        modules: list[nn.Module] = []
        for c_in, c_out, kernel, stride in layers:
            modules += [
                spectral_norm(nn.Conv2d(c_in, c_out, kernel, stride, padding=1)),
                nn.LeakyReLU(0.2),
            ]
        modules.append(nn.Flatten())
        self.trunk = nn.Sequential(*modules)
        features = 4 * w * side * side
        self.discriminators = spectral_norm(nn.Linear(features, num_distributions))
        self.classifier = nn.Sequential(
            spectral_norm(nn.Linear(features, 4 * w)),
            nn.LeakyReLU(0.2),
            spectral_norm(nn.Linear(4 * w, num_components)),
        )

    def forward(self, x: torch.Tensor, classify: bool = True):
        """x (N, C, H, W) in [-1, 1] -> (D logits (N, n), C logits (N, K) or None)."""
        with self._float32_sigma(x.device.type, classify):
            h = self.trunk(x)
            return self.discriminators(h), (self.classifier(h) if classify else None)

    @contextlib.contextmanager
    def _float32_sigma(self, device_type: str, classify: bool) -> Iterator[None]:
        """Under autocast, compute the spectrally normalised weights W / sigma(W) (one
        power iteration each, as without autocast) in float32 first and use them,
        cached, in this forward: autocast would run CUDA's ``mv`` in bfloat16, and
        sigma scales every logit. Outside autocast nothing changes."""
        if not torch.is_autocast_enabled(device_type):
            yield
            return
        used = [self.trunk, self.discriminators] + ([self.classifier] if classify else [])
        with parametrize.cached():
            with torch.autocast(device_type, enabled=False):
                for part in used:
                    for module in part.modules():
                        if parametrize.is_parametrized(module, "weight"):
                            module.weight  # noqa: B018 -- computes and caches W / sigma
            yield
