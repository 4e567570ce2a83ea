"""The defaults of :class:`~mixmiss.rbm.estimator.RBMImputer`, and how ``"auto"`` is resolved.

How the defaults were chosen: RMSE of the masked entries divided by mean
imputation's (lower is better), 50 % MCAR, seed 0, features scaled to
[0, 1]; seconds on a 2-core CPU shared with other jobs (upper bounds).
``results/rbm/imputer-defaults.md`` has every run and its command.

====================  ======  ==================  ======  =====  ========
setting               digits  F-MNIST 2k / 10k    cancer  wine   diabetes
====================  ======  ==================  ======  =====  ========
dense, 3e-3, m=256    0.878   0.508 / 0.488 114s  0.909   1.00   1.01
dense, 3e-3, m=128    0.871   0.510 / 0.495 55s   0.920   0.99   1.01
dense, 1e-3, m=256    0.880                       0.979   1.01   1.00
dense, 6e-3, m=256    0.834   0.536               0.881   1.00   0.98
dense, 3e-3, m=64     0.835   0.523               0.950   1.02   0.99
low rank, 1e-3        0.928                       0.999   1.00   1.01
low rank, 3e-4        1.000                       1.001   1.00   1.01
zeroed, 3e-3, m=256   0.926                       0.963   1.00   1.02
====================  ======  ==================  ======  =====  ========

Hence a dense ``W``: from its near-zero start the factors of ``W = A B``
barely move (``Delta A = Delta W B^T`` is as small as ``B``), and a step
large enough to get them going diverges (``RBMImputer`` at ``low_rank=True,
eta=1e-3`` returned the column means on MNIST). ``eta = 3e-3`` at batch 128:
6e-3 helps the small tables but costs 5 % on Fashion-MNIST. 128 hidden
units: within 1.3 % of 256 on Fashion-MNIST in half the time. Tables of a
few hundred rows (wine, diabetes) have too little data for any setting to
beat the column means by more than a few per cent (2,000 epochs without
early stopping, 16 or 128 hidden units, eta up to 2e-2 at batch 32: RMSE
ratios 1.00-1.05 on wine at 20 % MCAR); there the held-out check falls back
to mean imputation.
"""

from __future__ import annotations

import math
import numbers

from ..errors import InputError
from .training import TrainingConfig

#: ``learning_rate="auto"``: ``eta = AUTO_STEP / batch_size``. The CD step SUMS
#: ``eta * (...)`` over the batch, so ``eta * batch_size`` is the step of the
#: mean gradient; 0.384 (eta = 3e-3 at batch 128) is the largest that trained
#: stably on every dataset of the measurements above.
AUTO_STEP = 0.384
#: ``n_iter="auto"``: at most about this many CD updates (early stopping ends
#: most runs far sooner): 156 epochs of 16,000 rows at batch 128, 26 of 100,000,
#: and many short epochs of a small table ...
AUTO_MAX_UPDATES = 20_000
#: ... but at least this many epochs.
AUTO_MIN_EPOCHS = 10
#: Rows trained on between two checks of the held-out error: a small table's
#: epoch is a few updates, whose effect on the held-out error is lost in the noise
#: of the CD steps, so it is checked every ``ceil(CHECK_ROWS / n_rows)`` epochs.
CHECK_ROWS = 2048
#: Below this many weights (n_features x n_components) torch runs on one CPU
#: thread. Measured on the 2-core machine of results/rbm/imputer-defaults.md,
#: shared with other jobs: a CD step of 784 x 256 took 13 ms on one thread and
#: 18-38 ms on two, of 784 x 1024 52 ms on one and 196 ms on two (the threads
#: wait for each other whenever the other jobs hold a core).
SMALL_MODEL = 2**21


def training_config(params: dict, n_rows: int) -> TrainingConfig:
    """The :class:`TrainingConfig` of a fit on ``n_rows`` rows, ``"auto"`` values resolved.

    ``params`` are the estimator's ``get_params()``.
    """
    batch_size = params["batch_size"]
    if isinstance(batch_size, numbers.Integral) and not isinstance(batch_size, bool):
        batch_size = int(min(batch_size, max(n_rows, 1)))
    learning_rate = params["learning_rate"]
    if isinstance(learning_rate, str):
        if learning_rate != "auto":
            raise InputError(
                f"learning_rate must be a positive number or 'auto', got {learning_rate!r}."
            )
        learning_rate = AUTO_STEP / params["batch_size"]
    n_iter = params["n_iter"]
    if isinstance(n_iter, str):
        if n_iter != "auto":
            raise InputError(f"n_iter must be a positive integer or 'auto', got {n_iter!r}.")
        batches = math.ceil(n_rows / batch_size)
        n_iter = max(AUTO_MIN_EPOCHS, AUTO_MAX_UPDATES // batches)
    return TrainingConfig(
        params["method"], params["n_components"], n_iter, batch_size, learning_rate,
        params["k"], params["low_rank"], params["rank"], precision=params["precision"],
    )  # fmt: skip


def check_stopping(validation_fraction, n_iter_no_change, tol) -> None:
    """One-line errors for bad early-stopping settings."""
    fraction = validation_fraction
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not 0 < fraction < 1:
        raise InputError(f"validation_fraction must lie in (0, 1), got {fraction!r}.")
    patience = n_iter_no_change
    if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
        raise InputError(f"n_iter_no_change must be a positive integer, got {patience!r}.")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or tol < 0:
        raise InputError(f"tol must be a non-negative number, got {tol!r}.")


def check_every(n_rows: int) -> int:
    """Epochs between two checks of the held-out error (:data:`CHECK_ROWS`)."""
    return math.ceil(CHECK_ROWS / n_rows)


def single_thread(n_features: int, n_components: int) -> bool:
    """Whether a model this small trains faster on one CPU thread (:data:`SMALL_MODEL`)."""
    return n_features * n_components < SMALL_MODEL
