"""The RBMs on the project's imputer interface: ``"rbm"`` ([5]) and ``"lm-rbm"``.

Both classes train with :func:`~mixmiss.rbm.training.train_rbm` and impute
with :func:`~mixmiss.rbm.inference.impute`; they differ only in the training
method (``zeroed`` for [5], ``lm`` for the LM-RBM). Images (N, 1, H, W) are
flattened to rows of ``n = H W`` visible units; grayscale values in [0, 1]
are used as probabilities of the binary units. RGB images (N, 3, H, W) are
flattened the same way, to ``n = 3 H W`` visible units, one per value
(``colour = "joint"``, :mod:`mixmiss.impute.colour`): one model over every
channel, whose weights hold the channels' correlations.

Read-out. By default the missing pixels are imputed with the mean-field
hidden layer and then the visible mean,

    v_m = sigma(W P(h = 1 | v_o) + b)_m      (``hidden="mean"``, ``visible="mean"``),

although the paper's text says it samples h ("conditionally sampling hidden
layer activations under Ê_o"; ``hidden="sample"``): the paper's Table 1 is
matched by the mean-field read-out, not by one sampled binary h. Evidence,
MNIST I.M. 0.6, quick-preset RBMs (1,024 hidden units, 10 epochs), RMSE over
the missing pixels of the 10,000 test images (``results/rbm/README.md``):

==========  =========  ==========  =====
method      sampled h  mean-field  paper
==========  =========  ==========  =====
RBM [5]     0.1745     0.1557      0.156
LM-RBM      0.1715     0.1520      0.152
==========  =========  ==========  =====

A sampled binary h adds its Bernoulli noise to every reconstruction (about
0.02 of RMSE); the mean-field read-out is also deterministic. ``hidden="sample"``
remains available (with ``n_samples`` to average several draws).
"""

from __future__ import annotations

import copy
import dataclasses
from typing import ClassVar

import torch

from ..device import resolve_device
from ..errors import CacheError, InputError
from ..impute.base import Imputer
from ..precision import stored_config
from ..presets import Presets
from ..rng import make_generator
from ..training import check_snapshot_every
from .inference import HIDDEN_MODES, VISIBLE_MODES, check_mode, hidden_probability, impute
from .model import RBM
from .snapshots import load_snapshot
from .training import TrainingConfig, train_rbm

#: The paper's settings (Sec. 4): 4096 hidden units, 500 epochs of CD-1 with
#: batch 128 and eta = 1e-4, no momentum or regularisation, W = A B with the
#: rank rule of thumb.
PAPER = {
    "n_hidden": 4096,
    "epochs": 500,
    "batch_size": 128,
    "learning_rate": 1e-4,
    "k": 1,
    "low_rank": True,
    "rank": None,
}


def _check_n_samples(n_samples) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise InputError(f"n_samples must be a positive integer, got {n_samples!r}.")
    return n_samples


PRESETS = Presets(
    "the RBM imputers",
    # seconds: a tiny model for tests
    smoke={"n_hidden": 32, "epochs": 2, "batch_size": 64, "learning_rate": 1e-3},
    # minutes on a 2-core CPU (see results/rbm/): fewer hidden units and epochs and
    # a 30x larger step to make up for them. The step is why W is dense here: with
    # W = A B the factor updates feed back on each other (Delta A ~ G B^T,
    # Delta B ~ A^T G) and diverged at eta >= 1e-3 on MNIST (the paper's 1e-4 stayed
    # stable in the short runs we could afford).
    quick={
        "n_hidden": 1024,
        "epochs": 10,
        "batch_size": 128,
        "learning_rate": 3e-3,
        "low_rank": False,
    },
    paper=PAPER,
)


class _RBMImputer(Imputer):
    """An RBM imputer (see the module docstring); subclasses fix the training method.

    Parameters
    ----------
    n_hidden, epochs, batch_size, learning_rate, k, low_rank, rank, init_std
        As :class:`~mixmiss.rbm.training.TrainingConfig`.
    hidden : {"mean", "sample"}
        How the hidden layer is inferred when imputing: ``"mean"`` (default)
        uses ``P(h = 1 | v_o)``, the read-out that matches the paper's Table 1
        (see the module docstring); ``"sample"`` one binary draw, as the
        paper's text describes.
    visible : {"mean", "sample"}
        How the visible layer is read out when imputing.
    n_samples : int
        Reconstructions averaged per image when imputing.
    random_state : int or None
        Seed of every random draw (initialisation, shuffling, CD sampling,
        imputation); ``None`` draws a fresh seed.
    device : {"auto", "cpu", "cuda"}
    precision : {"auto", "fp32", "bf16"}
        Where the CD products run (:mod:`mixmiss.precision`); imputation runs in float32.
    snapshot_every : int or None
        Keep the RBM every this many epochs (:mod:`.snapshots`; needs a
        ``checkpoint_dir``), for a learning curve. Part of the stored
        settings only when set, so runs from before it compare unchanged.
    """

    rbm_method: ClassVar[str]
    PRESETS: ClassVar[Presets] = PRESETS
    colour = "joint"  # C H W visible units

    def __init__(
        self,
        n_hidden: int = 4096,
        epochs: int = 500,
        batch_size: int = 128,
        learning_rate: float = 1e-4,
        k: int = 1,
        low_rank: bool = True,
        rank: int | None = None,
        init_std: float = 0.01,
        hidden: str = "mean",
        visible: str = "mean",
        n_samples: int = 1,
        random_state: int | None = None,
        device: str = "auto",
        precision: str = "auto",
        snapshot_every: int | None = None,
    ):
        self.training = TrainingConfig(
            self.rbm_method, n_hidden, epochs, batch_size, learning_rate, k, low_rank, rank,
            init_std, precision,
        )  # fmt: skip
        self.hidden = check_mode(hidden, HIDDEN_MODES, "hidden")
        self.visible = check_mode(visible, VISIBLE_MODES, "visible")
        self.n_samples = _check_n_samples(n_samples)
        self.random_state = random_state
        self.device = device
        self.snapshot_every = check_snapshot_every(snapshot_every, "epochs")
        self.model: RBM | None = None
        self.lam: torch.Tensor | None = None
        self.history: list[float] = []

    #: From the perception end to the distortion end: a sampled h and a sampled v; a
    #: sampled h and the visible mean (the paper's text); the average of k such
    #: reconstructions; mean-field h (the default, which matches the paper's Table 1).
    READOUTS = {
        "sampled_h_v": {"hidden": "sample", "visible": "sample", "n_samples": 1},
        "sampled_h": {"hidden": "sample", "visible": "mean", "n_samples": 1},
        **{
            f"sampled_h_k{k}": {"hidden": "sample", "visible": "mean", "n_samples": k}
            for k in (2, 4, 8, 16, 32, 64)
        },
        "mean_field": {"hidden": "mean", "visible": "mean", "n_samples": 1},
    }
    DEFAULT_READOUT = "mean_field"
    SCORED_READOUTS = ("sampled_h",)

    def with_readout(self, **modes) -> _RBMImputer:
        """A copy imputing with other ``hidden`` / ``visible`` / ``n_samples``, sharing the
        trained RBM (nothing is retrained or copied but the settings)."""
        unknown = set(modes) - {"hidden", "visible", "n_samples"}
        if unknown:
            raise InputError(
                f"a read-out sets hidden, visible or n_samples, got {', '.join(sorted(unknown))}."
            )
        other = copy.copy(self)
        other.hidden = check_mode(modes.get("hidden", self.hidden), HIDDEN_MODES, "hidden")
        other.visible = check_mode(modes.get("visible", self.visible), VISIBLE_MODES, "visible")
        other.n_samples = _check_n_samples(modes.get("n_samples", self.n_samples))
        return other

    def get_config(self) -> dict:
        config = stored_config(dataclasses.asdict(self.training))
        del config["method"]
        return {
            **config,
            "hidden": self.hidden,
            "visible": self.visible,
            "n_samples": self.n_samples,
            "random_state": self.random_state,
            "device": self.device,
            **({} if self.snapshot_every is None else {"snapshot_every": self.snapshot_every}),
        }

    def from_snapshot(self, checkpoint_dir, epoch: int) -> _RBMImputer:
        """A copy holding the RBM of the snapshot of ``epoch`` (:mod:`.snapshots`)."""
        return load_snapshot(checkpoint_dir, epoch, self)

    def _generator(self, offset: int) -> torch.Generator:
        seed = None if self.random_state is None else int(self.random_state) + offset
        return make_generator(seed, resolve_device(self.device))

    def _fit(self, x_obs, mask, checkpoint_dir, resume, progress) -> None:
        state = train_rbm(
            x_obs.flatten(1),
            mask.flatten(1),
            self.training,
            self._generator(0),
            checkpoint_dir=checkpoint_dir,
            resume=resume,
            progress=progress,
            snapshot_every=self.snapshot_every,
            snapshot_config=self.get_config(),
        )
        self.model, self.lam = state.model, state.lam
        self.precision_ = state.precision  # what precision resolved to for this training
        self.history = state.history  # reconstruction error of observed pixels per epoch
        self.train_seconds_ = state.train_seconds  # over every stretch of a resumed run

    def _fitted_model(self, x_obs: torch.Tensor) -> RBM:
        if self.model is None:
            raise InputError(f"this {self.method!r} imputer is not fitted; call fit first.")
        if x_obs[0].numel() != self.model.n_visible:
            raise InputError(
                f"the imputer was fitted on images of {self.model.n_visible} pixels, "
                f"got images of shape {tuple(x_obs.shape[1:])}."
            )
        return self.model

    def _complete(self, x_obs, mask) -> torch.Tensor:
        model = self._fitted_model(x_obs)
        device = model.b.device
        filled = impute(
            model,
            x_obs.flatten(1).to(device),
            mask.flatten(1).to(device),
            self.rbm_method,
            hidden=self.hidden,
            visible=self.visible,
            n_samples=self.n_samples,
            generator=self._generator(1),
        )
        return filled.cpu().reshape(x_obs.shape)

    def hidden_features(self, x, mask) -> torch.Tensor:
        """``P(h = 1 | v_o)`` (N, m) under the method's observed energy."""
        x_obs, mask = self._checked(x, mask)
        model = self._fitted_model(x_obs)
        device = model.b.device
        rows = [
            hidden_probability(model, xs.to(device), ms.to(device), self.rbm_method).cpu()
            for xs, ms in zip(
                x_obs.flatten(1).split(2048), mask.flatten(1).split(2048), strict=True
            )
        ]
        return torch.cat(rows)

    def state_dict(self) -> dict[str, torch.Tensor]:
        if self.model is None:
            raise InputError(f"this {self.method!r} imputer is not fitted; nothing to save.")
        return {**{k: v.cpu() for k, v in self.model.state_dict().items()}, "lam": self.lam.cpu()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        state = dict(state)
        try:
            lam = state.pop("lam")
        except KeyError:
            raise CacheError("the saved RBM state lacks lambda; save it again.") from None
        device = resolve_device(self.device)
        self.model = RBM.from_state_dict(state).to(device)
        self.lam = lam.to(device)


class ZeroedRBMImputer(_RBMImputer):
    """The RBM of Salakhutdinov et al. 2007 [5]: missing units' parameters zeroed."""

    method = "rbm"
    rbm_method = "zeroed"


class LMRBMImputer(_RBMImputer):
    """The Linearized Marginal RBM (Algorithm 1 of the LM-RBM paper)."""

    method = "lm-rbm"
    rbm_method = "lm"
