"""The imputation interface and the untrained baselines.

- :mod:`.base`: :class:`Imputer`, the interface every method shares (fit on
  masked images, complete masked images, save and load).
- :mod:`.mean`: observed per-pixel training mean.
- :mod:`.inpaint`: Oliveira et al. (2001) diffusion inpainting.
- :mod:`.colour`: how a method completes RGB images on the grayscale interface.

The trained methods are families of their own (:mod:`mixmiss.rbm`,
:mod:`mixmiss.misgan`); :mod:`mixmiss.registry` names them all, and
:mod:`mixmiss.experiments.imputation` holds the LM-RBM paper's protocol.
"""

from .base import Imputer, read_saved_config

__all__ = ["Imputer", "read_saved_config"]
