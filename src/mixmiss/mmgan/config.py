"""The MMGAN run configuration and its presets.

The ``paper`` preset holds the settings of Section 4 of the paper: 100k
iterations, batch 32 per component, K = 2^n - 1, Adam lr 2e-4 with betas
(0, 0.9) for G, D and C, Adam lr 4e-4 for the mixture-weight logits omega,
lambda = 0.5, 1:1 alternating updates, generator EMA with decay 0.999
(Venn GAN's value, protocol notes). Widths are Venn GAN's (``base_width`` 64:
generator 256-128-64-32, discriminator 64-128-256).

``quick`` is our choice: the strongest result we could reach in about
30 minutes on a 2-core CPU (narrower networks, fewer iterations, see
:data:`PRESETS`). ``smoke`` runs in seconds and exists for the tests.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import asdict, dataclass

from ..data import DATASETS
from ..errors import InputError
from ..precision import check_precision, stored_config
from ..presets import Presets


@dataclass(frozen=True)
class MMGANConfig:
    """Everything that defines one MMGAN training run.

    Attributes
    ----------
    dataset : str
        ``"mnist"``, ``"fashion-mnist"`` or ``"digits"``.
    sets : str
        Case name ``"A"``/``"B"``/``"C"`` or label sets such as ``"0-6;3-9"``.
    iters : int
        Training iterations (one D/C step and one G/omega step each).
    batch_size : int
        Images per component and per distribution in one step (paper: 32).
    num_components : int or None
        K; None means 2^n - 1 (paper) in learned mode, the number of non-empty
        regions with ``fixed_priors``, n with ``naive``.
    z_dim : int
        Latent size; z ~ N(0, I) (Venn GAN: 128).
    base_width : int
        Channel unit: generator 4w-2w-w-w/2, discriminator w-2w-4w.
    lr, betas : float, (float, float)
        Adam for G, D and C (paper: 2e-4, (0, 0.9)).
    omega_lr : float
        Adam learning rate of omega (paper: 4e-4).
    lam : float
        lambda of Eq. 11 (paper: 0.5).
    ema_decay : float
        Generator EMA decay (0.999).
    fixed_priors : bool
        Fix alpha to the split's true priors, component k <-> region r_k.
    naive : bool
        The baseline of Eq. 4: n independent GANs (K = n, alpha = identity,
        no classifier term).
    seed : int
        Seeds the split, initialisation, minibatches and noise.
    checkpoint_every, log_every : int
        Checkpoint and log periods in iterations.
    num_threads : int or None
        torch CPU threads (None: leave torch's default).
    precision : {"auto", "fp32", "bf16"}
        Precision of the training step (:mod:`mixmiss.precision`; what bf16
        changes: :meth:`~mixmiss.mmgan.model.MixedMembershipGAN.train_step`).
        Written into the run's config only when not ``"auto"``, so runs from
        before the setting resume and compare as ``"auto"``.
    """

    dataset: str = "mnist"
    sets: str = "A"
    iters: int = 100_000
    batch_size: int = 32
    num_components: int | None = None
    z_dim: int = 128
    base_width: int = 64
    lr: float = 2e-4
    betas: tuple[float, float] = (0.0, 0.9)
    omega_lr: float = 4e-4
    lam: float = 0.5
    ema_decay: float = 0.999
    fixed_priors: bool = False
    naive: bool = False
    seed: int = 0
    checkpoint_every: int = 1000
    log_every: int = 100
    num_threads: int | None = None
    precision: str = "auto"

    def __post_init__(self):
        check_precision(self.precision)
        for name in ("iters", "batch_size", "z_dim", "base_width", "checkpoint_every", "log_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"{name} must be a positive integer, got {value!r}.")
        if self.base_width % 2:
            raise InputError(
                f"base_width must be even (the last layer has w/2), got {self.base_width}."
            )
        if self.dataset not in DATASETS:
            raise InputError(
                f"unknown dataset {self.dataset!r}; choose one of {', '.join(DATASETS)}."
            )
        for name in ("num_components", "num_threads"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1
            ):
                raise InputError(f"{name} must be a positive integer or None, got {value!r}.")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"seed must be a whole number >= 0, got {self.seed!r}.")
        for name in ("lr", "omega_lr"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 < value < math.inf:
                raise InputError(f"{name} must be a positive number, got {value!r}.")
        if len(self.betas) != 2 or not all(0 <= b < 1 for b in self.betas):
            raise InputError(f"betas must be two numbers in [0, 1), got {self.betas!r}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise InputError(f"ema_decay must lie in [0, 1), got {self.ema_decay}.")
        if not 0 <= self.lam < math.inf:
            raise InputError(f"lam (lambda of Eq. 11) must be a number >= 0, got {self.lam}.")
        if self.fixed_priors and self.naive:
            raise InputError(
                "--fixed-priors and --naive exclude each other: the naive baseline has one "
                "generator per distribution and no mixture weights to fix."
            )

    def to_dict(self) -> dict:
        return stored_config(asdict(self))

    @classmethod
    def from_dict(cls, data: dict) -> MMGANConfig:
        if not isinstance(data, dict):
            raise InputError(
                f"an MMGAN config is a mapping of settings, got {type(data).__name__}."
            )
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"unknown MMGAN config keys {unknown}; known: {sorted(known)}.")
        data = dict(data)
        if "betas" in data:
            if not isinstance(data["betas"], list | tuple):
                raise InputError(f"betas must be two numbers, got {data['betas']!r}.")
            data["betas"] = tuple(data["betas"])
        return cls(**data)


#: Preset name -> overrides of the defaults (which are the paper's settings).
#: quick: half-width networks (generator 128-64-32-16, discriminator 32-64-128)
#: for 8,000 iterations, about 150 ms each on 2 quiet CPU cores (paper widths:
#: 379 ms; results/bench/mmgan.md), 20 min in all. The EMA decay is 0.998
#: instead of 0.999: after 3,000 steps the 0.999 EMA still held ~5 % of the
#: initial weights and scored 78.6 % where the live generator scored 87.0 %
#: (results/mmgan/mnist-A-quick-3k-ema0.999/); a 500-step horizon fits a short
#: run. With these settings MNIST case A scores 97.41 % (results/mmgan/mnist-A-quick/).
PRESETS = Presets(
    "the MMGAN trainer",
    smoke={
        "iters": 6,
        "batch_size": 8,
        "base_width": 8,
        "z_dim": 16,
        "checkpoint_every": 3,
        "log_every": 2,
        "num_threads": 1,
    },
    quick={
        "iters": 8000,
        "base_width": 32,
        "ema_decay": 0.998,
        "checkpoint_every": 500,
        "log_every": 50,
    },
    paper={},
)


def make_config(preset: str = "quick", **overrides) -> MMGANConfig:
    """A config from a preset with keyword overrides (None values are ignored)."""
    return MMGANConfig.from_dict(PRESETS.settings(preset, **overrides))
