"""A trained evaluator: classify images and extract FID features in batches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch

from ..errors import InputError
from ..validation import check_images, check_labels


class FeatureNetwork(Protocol):
    """What an evaluator's network offers: class scores and FID features of [0, 1] images.

    Implemented by :class:`~.network.ClassifierCNN` and :class:`~.lenet.LeNet`.
    """

    image_size: int
    feature_dim: int

    def __call__(self, x: torch.Tensor) -> torch.Tensor: ...

    def features(self, x: torch.Tensor) -> torch.Tensor: ...

    def parameters(self): ...

    def eval(self): ...


@dataclass
class Evaluator:
    """A trained feature network (:class:`~.network.ClassifierCNN` or
    :class:`~.lenet.LeNet`) with its metadata.

    ``metadata`` holds at least ``dataset``, ``architecture``, ``seed``,
    ``test_accuracy`` and ``checksum`` (SHA-256 of the weights file); a
    network cached under another name than its dataset (the LeNet) also has
    ``name``, the key of its cache files and FID reference statistics.
    """

    network: FeatureNetwork
    metadata: dict

    @property
    def dataset(self) -> str:
        return self.metadata["dataset"]

    @property
    def name(self) -> str:
        """The cache name: ``metadata["name"]``, else the dataset (the evaluator CNNs)."""
        return self.metadata.get("name", self.dataset)

    @property
    def device(self) -> torch.device:
        return next(self.network.parameters()).device

    @property
    def feature_dim(self) -> int:
        return self.network.feature_dim

    @torch.no_grad()
    def _map(self, images, fn, batch_size: int) -> torch.Tensor:
        images = check_images(images)
        size = self.network.image_size
        if images.shape[2:] != (size, size):
            raise InputError(
                f"the {self.name} evaluator takes {size}x{size} images, got "
                f"{tuple(images.shape[2:])}."
            )
        self.network.eval()
        outputs = [
            fn(images[i : i + batch_size].to(self.device, torch.float32)).cpu()
            for i in range(0, images.shape[0], batch_size)
        ]
        return torch.cat(outputs)

    def logits(self, images, batch_size: int = 2048) -> torch.Tensor:
        """Class logits (N, num_classes) for images (N, 1, H, W) in [0, 1]."""
        return self._map(images, self.network, batch_size)

    def predict(self, images, batch_size: int = 2048) -> torch.Tensor:
        """Predicted labels (N,) int64."""
        return self.logits(images, batch_size).argmax(dim=1)

    def features(self, images, batch_size: int = 2048) -> torch.Tensor:
        """Penultimate features (N, feature_dim) float32, the FID embedding."""
        return self._map(images, self.network.features, batch_size)

    def accuracy(self, images, labels, batch_size: int = 2048) -> float:
        """Fraction of ``images`` classified as ``labels``."""
        predicted = self.predict(images, batch_size)
        labels = check_labels(labels, predicted.shape[0])
        return float((predicted == labels).double().mean())
