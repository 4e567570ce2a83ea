"""What each stage of the demo trains and samples, per dataset, and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..imputation import PAPER_TEST, PAPER_TRAIN


@dataclass(frozen=True)
class DemoSettings:
    """How much each stage of the demo trains and samples.

    Attributes
    ----------
    mmgan : mapping
        MMGAN settings (:class:`~mixmiss.mmgan.MMGANConfig` names) over its ``quick`` preset.
    rbm : mapping
        Settings of the ``rbm`` and ``lm-rbm`` imputers (their ``__init__`` names) over
        their ``quick`` preset.
    n_per_component : int
        EMA samples per component labelled by the evaluator.
    n_fid : int
        Samples per distribution for MMGAN's FID.
    max_train, max_test : int
        Training and test images of the imputation stage (the first ones).
    examples : int
        Test images shown in the imputation figure.
    num_threads : int or None
        CPU threads of torch and of the BLAS/OpenMP pools for the whole demo
        (None: leave the defaults).
    """

    mmgan: Mapping[str, Any]
    rbm: Mapping[str, Any]
    n_per_component: int
    n_fid: int
    max_train: int
    max_test: int
    examples: int = 10
    num_threads: int | None = None

    def mmgan_settings(self) -> dict:
        """:attr:`mmgan` with checkpoints and log lines spaced for the run's length."""
        iters = self.mmgan["iters"]
        return {
            **self.mmgan,
            "checkpoint_every": max(iters // 4, 1),
            "log_every": max(iters // 20, 1),
        }


# Why these settings. Digits: at most 5 minutes in all on a 2-core CPU,
# measured while the cores were shared with other jobs:
#
# - one thread for torch and for numpy's BLAS: on a busy machine a second
#   thread mostly waits for the first. On the shared cores the evaluator trained
#   in 10.6 s with one torch thread and 79 s with two; one logistic regression of
#   the imputation scores took 0.2 s with one BLAS thread and 11.5 s with two;
#   an MNIST MMGAN step (w = 16) took 122 ms with one and 1,330 ms with two. (On
#   two idle cores, two threads would be up to ~1.8x faster for MNIST.)
# - MMGAN: 1,000 iterations of a quarter-width network (w = 16, z of 64) at lr 2e-3
#   (10x the paper's) with EMA 0.99 for the short run; ~40 s. At the paper's lr
#   2e-4 the shared component put 59 % of its samples in 3-6 after 1,000
#   iterations; at 2e-3, 96.0 % and 97.1 % (seeds 0, 1; 92-98 % after 600);
# - RBMs: 512 hidden units, 300 epochs of CD-1, batch 64, eta 1e-2 (dense W, as in
#   the quick preset); ~10-14 s each. Over seeds 0-4 the test RMSE was
#   lm-rbm 0.237-0.246 < rbm 0.247-0.256 < mean 0.267-0.271 on every seed.
#
# MNIST, several minutes (5.5 on the shared cores with the evaluator cached; 5 more
# the first time, when it is trained): the same MMGAN network for 1,500 iterations
# (~3 min; the shared component put 89.8 % of its samples in 3-6, seed 0); the
# imputers on the first 10,000 training and 2,000 test images, the RBMs with 512
# hidden units for 25 epochs at eta 3e-3 (~20 s each; test RMSE rbm 0.168, lm-rbm
# 0.165, where the quick preset's 1,024 units for 10 epochs gave 0.180 and 0.180).
_DIGITS = DemoSettings(
    mmgan={
        "iters": 1000,
        "base_width": 16,
        "z_dim": 64,
        "lr": 2e-3,
        "ema_decay": 0.99,
        "batch_size": 32,
    },
    rbm={"n_hidden": 512, "epochs": 300, "batch_size": 64, "learning_rate": 1e-2},
    n_per_component=1000,
    n_fid=500,
    max_train=PAPER_TRAIN,
    max_test=PAPER_TEST,
    num_threads=1,
)

#: The settings of each dataset (the comment above says why).
DEMO_SETTINGS: dict[str, DemoSettings] = {
    "digits": _DIGITS,
    "mnist": replace(
        _DIGITS,
        mmgan={**_DIGITS.mmgan, "iters": 1500},
        rbm={**_DIGITS.rbm, "epochs": 25, "learning_rate": 3e-3},
        n_per_component=2000,
        n_fid=2000,
        max_train=10_000,
        max_test=2000,
    ),
}

#: Seconds, for the tests: a few iterations and epochs of tiny networks.
SMOKE = replace(
    _DIGITS,
    mmgan={
        **_DIGITS.mmgan,
        "iters": 4,
        "base_width": 8,
        "z_dim": 16,
        "ema_decay": 0.9,
        "batch_size": 8,
    },
    rbm={**_DIGITS.rbm, "n_hidden": 16, "epochs": 2},
    n_per_component=50,
    n_fid=50,
    max_train=300,
    max_test=60,
    examples=4,
)
