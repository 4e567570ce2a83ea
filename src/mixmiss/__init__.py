"""mixmiss: generative models that learn from imperfect image collections.

- :mod:`mixmiss.data`: datasets, Venn splits (MMGAN) and missingness masks.
- :mod:`mixmiss.metrics`: the paper RMSE, FID and downstream accuracy.
- :mod:`mixmiss.evaluators`: the classifiers that score samples and define FID.
"""

__version__ = "0.1.0"
