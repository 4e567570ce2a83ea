"""MisGAN (Li, Jiang, Marlin 2019): GANs for data and masks, with an imputer.

- :mod:`.networks`: the convolutional MNIST generators and critics, the FC imputer.
- :mod:`.training`: one training step (three WGAN-GP critics, then the generators).
- :mod:`.imputer`: :class:`MisGANImputer`, the training loop behind the shared interface.
- :mod:`.bench`: ``mixmiss bench misgan``.
"""

from .imputer import MisGANImputer
from .networks import MisGANNetworks
from .training import MisGANHyperparameters, MisGANTrainer

__all__ = ["MisGANHyperparameters", "MisGANImputer", "MisGANNetworks", "MisGANTrainer"]
