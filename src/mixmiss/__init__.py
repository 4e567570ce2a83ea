"""mixmiss: generative models that learn from imperfect image collections.

Shared layers, from the bottom up:

- :mod:`mixmiss.data`: datasets, Venn splits (MMGAN) and missingness masks.
- :mod:`mixmiss.metrics`: the paper RMSE, FID and downstream accuracy.
- :mod:`mixmiss.evaluators`: the classifiers that score samples and define FID.
- :mod:`mixmiss.training`: the one training skeleton (signals, checkpoints, the step loop).

The method families: :mod:`mixmiss.mmgan`, :mod:`mixmiss.rbm`,
:mod:`mixmiss.misgan` and the untrained baselines of :mod:`mixmiss.impute`,
named by :mod:`mixmiss.registry`. Above them :mod:`mixmiss.experiments` (the
papers' tables, the demo) and the thin :mod:`mixmiss.cli`.
"""

__version__ = "0.1.0"
