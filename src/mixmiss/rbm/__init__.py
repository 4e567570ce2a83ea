"""Restricted Boltzmann machines trained on data with missing entries.

The LM-RBM paper (Cannella et al., "Perception-distortion trade-off with
restricted Boltzmann machines") and its baseline [5] (Salakhutdinov, Mnih and
Hinton 2007):

- :mod:`~mixmiss.rbm.model`: parameters ``b, c, W`` (or ``W = A B``);
- :mod:`~mixmiss.rbm.energy`: ``E``, the exact observed ``E_o`` and the
  linearised ``Ê_o``;
- :mod:`~mixmiss.rbm.cd`: the minibatch CD-k update of Algorithm 1
  (``"lm"``) and of [5] (``"zeroed"``);
- :mod:`~mixmiss.rbm.products`: the step's products against ``W`` (dense or
  through rank r) in float32 or bfloat16, on float32 master parameters;
- :mod:`~mixmiss.rbm.training`: epochs, checkpoints, resume;
- :mod:`~mixmiss.rbm.inference`: imputation and hidden features;
- :mod:`~mixmiss.rbm.imputer`: the ``"rbm"`` and ``"lm-rbm"`` imputers;
- :mod:`~mixmiss.rbm.estimator`: :class:`RBMImputer`, a scikit-learn transformer.
"""

from .cd import METHODS, ContrastiveDivergence
from .estimator import RBMImputer
from .imputer import LMRBMImputer, ZeroedRBMImputer
from .model import RBM, LowRankRBM
from .training import TrainingConfig, train_rbm

__all__ = [
    "METHODS",
    "RBM",
    "ContrastiveDivergence",
    "LMRBMImputer",
    "LowRankRBM",
    "RBMImputer",
    "TrainingConfig",
    "ZeroedRBMImputer",
    "train_rbm",
]
