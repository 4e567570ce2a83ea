"""Imputation methods behind one interface (:class:`Imputer`) and a name registry.

- :mod:`.base`: the interface; :mod:`.registry`: CLI names -> classes.
- :mod:`.mean`: observed per-pixel training mean.
- :mod:`.inpaint`: Oliveira et al. (2001) diffusion inpainting.
- :mod:`.misgan`: MisGAN with an imputer (Li, Jiang, Marlin 2019).
- :mod:`.experiment`: the LM-RBM paper's protocol (train on masked data, score
  RMSE, FID and downstream accuracy on a masked test set).
- :mod:`.interrupt`: SIGINT / SIGTERM deferred to a training loop's safe point.
"""

from .base import Imputer
from .registry import IMPUTERS, imputer_class, load_imputer, make_imputer

__all__ = ["IMPUTERS", "Imputer", "imputer_class", "load_imputer", "make_imputer"]
