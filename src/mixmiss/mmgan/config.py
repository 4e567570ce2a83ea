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
from pathlib import Path

from ..data import DATASETS
from ..data.folders import RESOLUTIONS
from ..errors import InputError
from ..precision import check_precision, stored_config
from ..presets import Presets

#: ``dataset`` values that read image folders instead of a registered dataset.
FOLDER_SOURCES = ("folder", "collections")
#: The folder settings and the defaults that leave them out of a stored config.
_FOLDER_DEFAULTS = {"folder": None, "collections": [], "resolution": None, "channels": None}


@dataclass(frozen=True)
class MMGANConfig:
    """Everything that defines one MMGAN training run.

    Attributes
    ----------
    dataset : str
        A registered dataset (``"mnist"``, ``"fashion-mnist"``, ``"digits"``), or
        ``"folder"`` (a labelled image folder, ``folder``) or ``"collections"``
        (one image folder per distribution, ``collections``).
    sets : str
        Case name ``"A"``/``"B"``/``"C"`` or label sets such as ``"0-6;3-9"``;
        for a folder, class names or patterns such as ``"red-*;*-circle"``;
        unused (``""``) for collections.
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
    folder : str or None
        With ``dataset="folder"``: the folder with one subfolder of images per class.
    collections : tuple of str
        With ``dataset="collections"``: the image folders, one per distribution.
    resolution : {None, 28, 32, 64}
        Image side for folders (None: 32); registered datasets keep their own.
    channels : {None, 1, 3}
        1 grayscale, 3 RGB for folders (None: 3); registered datasets keep their own.

    The four folder settings, like ``precision``, are written into a run's
    config only when they differ from their defaults, so the configs of
    runs from before them load, resume and compare unchanged.
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
    folder: str | None = None
    collections: tuple[str, ...] = ()
    resolution: int | None = None
    channels: int | None = None

    @property
    def collection_names(self) -> list[str]:
        """The collections' folder names, one per distribution (empty for other sources)."""
        return [Path(c).name for c in self.collections]

    @property
    def title(self) -> str:
        """The run in a few words, for figures: the collections' folder names joined by
        " / ", else the dataset (a labelled folder's name) and its sets (``"mnist A"``)."""
        if self.dataset == "collections":
            return " / ".join(self.collection_names)
        source = Path(self.folder).name if self.dataset == "folder" else self.dataset
        return f"{source} {self.sets}"

    @property
    def image_format(self) -> tuple[int, int] | None:
        """(resolution, channels) the folder images are read at; None for a registered dataset."""
        if self.dataset not in FOLDER_SOURCES:
            return None
        return self.resolution or 32, self.channels or 3

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
        if self.dataset not in DATASETS and self.dataset not in FOLDER_SOURCES:
            raise InputError(
                f"unknown dataset {self.dataset!r}; choose one of {', '.join(DATASETS)}, "
                "or give image folders (--data DIR --sets, or --collections DIR DIR ...)."
            )
        self._check_folders()
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

    def _check_folders(self) -> None:
        folder_given, collections_given = self.folder is not None, bool(self.collections)
        if (self.dataset == "folder") != folder_given or (
            self.dataset == "collections"
        ) != collections_given:
            raise InputError(
                f"dataset={self.dataset!r} with folder={self.folder!r} and collections="
                f"{list(self.collections)}: a folder goes with dataset 'folder', collections with "
                "dataset 'collections', a registered dataset with neither."
            )
        if self.dataset in DATASETS and (self.resolution, self.channels) != (None, None):
            raise InputError(
                f"{self.dataset} is trained at its own size; --resolution and --channels are for "
                "image folders."
            )
        if self.resolution not in (None, *RESOLUTIONS):
            raise InputError(
                f"resolution must be one of {', '.join(map(str, RESOLUTIONS))}, "
                f"got {self.resolution!r}."
            )
        if self.channels not in (None, 1, 3):
            raise InputError(f"channels must be 1 (grayscale) or 3 (RGB), got {self.channels!r}.")
        if self.dataset == "collections" and self.fixed_priors:
            raise InputError(
                "--fixed-priors needs the true priors, which collections do not have (no labels); "
                "use a labelled folder (--data DIR --sets ...) or learned weights."
            )

    def to_dict(self) -> dict:
        data = stored_config(asdict(self))
        data["collections"] = list(self.collections)
        return {
            k: v for k, v in data.items() if k not in _FOLDER_DEFAULTS or v != _FOLDER_DEFAULTS[k]
        }

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
        if isinstance(data.get("collections"), list | tuple):
            data["collections"] = tuple(str(c) for c in data["collections"])
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
