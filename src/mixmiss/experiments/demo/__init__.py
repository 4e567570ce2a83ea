"""``mixmiss demo``: both papers' main results in a few minutes, on the bundled digits.

Four stages, each announced on stdout, with the trainers' progress bars:

1. the dataset's evaluator (trained once, then cached): it labels MMGAN's
   samples and embeds images for FID;
2. MMGAN on case A (S1 = digits 0-6, S2 = digits 3-9, no image in both) with
   the mixture weights fixed to the true priors, so component k stands for
   Venn region r_k; the evaluator's labels of each component's samples show
   whether the shared component G3 (r3 = S1∩S2) took the shared digits 3-6;
3. the four imputers of the LM-RBM paper that train in minutes -- ``mean``,
   ``inpaint``, ``rbm`` ([5]) and ``lm-rbm`` -- fitted on the training set
   with 50 % independent missingness (I.M. 0.5) and scored on a test set
   masked the same way (RMSE over missing pixels, FID, downstream accuracy);
4. a figure of example imputations and ``report.md``.

The numbers go to ``demo.json``; :mod:`.report` renders the report and
the imputation figure from them. The run directories stay in ``mmgan/`` and
``impute/<method>/``, so every stage can be taken further with ``mixmiss
mmgan ...`` and ``mixmiss impute ...``. :data:`DEMO_SETTINGS` holds what each
stage trains, per dataset, and why.

- :mod:`.settings`: :class:`DemoSettings` and the settings of each dataset;
- :mod:`.stages`: the stages;
- :mod:`.run`: :func:`run_demo`;
- :mod:`.report`: ``report.md`` and the imputation figure, from ``demo.json``.
"""

from .run import run_demo
from .settings import DEMO_SETTINGS, SMOKE, DemoSettings
from .stages import (
    IMPUTATION_FIGURE,
    METHODS,
    MMGAN_FIGURE,
    REPORT_FILE,
    RESULTS_FILE,
)

__all__ = [
    "DEMO_SETTINGS",
    "IMPUTATION_FIGURE",
    "METHODS",
    "MMGAN_FIGURE",
    "REPORT_FILE",
    "RESULTS_FILE",
    "SMOKE",
    "DemoSettings",
    "run_demo",
]
