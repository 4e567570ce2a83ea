"""MisGAN (Li, Jiang, Marlin 2019) behind the shared :class:`~mixmiss.impute.Imputer` interface.

The convolutional variant with an imputer, configured as in the LM-RBM
paper's footnote: tau = 0, alpha = 0.1, beta = 0.1, gamma = 0, the "fusion"
mask generator, gradient penalty 10, 5 critic steps per generator step,
128-d latent, a fully connected imputer with three hidden layers of 784
units, batch 64, 500 epochs; Adam betas (0.5, 0.9), lr 1e-4 for the
generators and their critics, 2e-4 for the imputer and its critic (the
reference code's defaults). Interpretations (the paper is silent):

- "a three layer fully connected imputer network with 784 units in each
  layer" is read as the reference's ``ComplementImputer``: three hidden
  layers of 784 and an output layer of 784 (protocol notes).
- Batches are drawn from one random permutation per epoch with the last
  incomplete batch dropped (``drop_last``), as the reference's DataLoader.
- Imputation: G_i(x, m, u) with fresh u ~ U(0, 1) drawn from a generator
  seeded by ``random_state`` (0 when None) at every call, so imputing the
  same images twice gives the same output. An image with no observed pixel
  is completed from pure noise by the learned imputer.

Training runs in the shared :class:`~mixmiss.training.TrainingLoop`, which
checkpoints ``misgan.pt`` into ``checkpoint_dir`` (atomically) after every
epoch, every :data:`CHECKPOINT_SECONDS` of training inside an epoch (a
paper-width epoch is 18 minutes on a 2-core CPU, so a SIGKILL loses at most
that interval) and on a stop signal (at the end of the current step). A
mid-epoch checkpoint holds the epoch's permutation and running loss totals;
``resume=True`` continues the same run exactly (bit-identical weights and
loss history, tested), or starts afresh when there is no checkpoint yet.
Only ``epochs``, ``device``, ``log_every``, ``snapshot_every`` and
``n_samples`` may change on resume. With ``snapshot_every=N`` the imputer
network is also kept every N epochs (:mod:`.snapshots`), for a learning curve.

Read-outs (``READOUTS``): ``n_samples = k`` averages k imputations (k draws
of u), from one sample (k = 1, the perception end) towards the conditional
mean (the RMSE-optimal completion, the distortion end).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import torch

from ..device import resolve_device
from ..errors import CacheError, InputError
from ..impute.base import Imputer
from ..precision import check_precision, stored_config
from ..presets import Presets
from ..rng import isolated_seed, make_generator
from ..training import Checkpoint, TrainingLoop, in_epochs
from ..training.snapshots import check_snapshot_every, epoch_snapshots
from ..validation import check_positive_int
from .networks import IMAGE_SIDE, MASK_TRANSFORMS, MisGANNetworks
from .snapshots import load_snapshot
from .training import CRITICS, MisGANHyperparameters, MisGANTrainer

CHECKPOINT_FILE = "misgan.pt"

#: Wall-clock seconds of training between two mid-epoch checkpoints.
CHECKPOINT_SECONDS = 300.0

#: Settings that may differ between a checkpoint and the run resuming it.
_RESUMABLE_CHANGES = ("epochs", "device", "log_every", "snapshot_every", "n_samples")

#: Settings written into the configuration only when they differ from these defaults
#: (so that configurations written before they existed compare equal).
_OPTIONAL = {"snapshot_every": None, "n_samples": 1}

#: k of the "average of k imputations" read-outs.
READOUT_KS = (1, 2, 4, 8, 16, 32, 64)


class MisGANImputer(Imputer):
    """MisGAN with an imputer (see the module docstring).

    Parameters
    ----------
    epochs : int
        Passes over the training set (paper: 500).
    batch_size, n_critic, gp_lambda, n_latent, alpha, beta, gamma, tau :
        As in :class:`~mixmiss.misgan.training.MisGANHyperparameters`.
    mask_transform : {"fusion", "sigmoid", "hardsigmoid"}
        Output of the mask generator (paper: "fusion").
    width : int
        Channel width of generators and critics (reference: 64; tests use less).
    imputer_hidden : sequence of int
        Hidden layers of the imputer (paper: 784, 784, 784).
    lr, imputer_lr : float
        Adam learning rates (1e-4 for G_x, G_m, D_x, D_m; 2e-4 for G_i, D_i).
    log_every : int
        Steps between progress-bar loss updates (the only host reads).
    snapshot_every : int or None
        Keep the imputer network every this many epochs (:mod:`.snapshots`;
        needs a ``checkpoint_dir``). Does not change the training.
    n_samples : int
        Imputations averaged per image (the read-out; 1 = one sample).
    random_state : int or None
        Seed of initialisation, batches and noise.
    device : {"auto", "cpu", "cuda"}
    precision : {"auto", "fp32", "bf16"}
        Precision of training (:mod:`mixmiss.precision`; what bf16 changes:
        :mod:`mixmiss.misgan.training`). Imputation runs in float32.

    Attributes
    ----------
    networks_ : MisGANNetworks
        The trained networks (generators, imputer and critics).
    history_ : list of dict
        Mean critic losses per epoch.
    precision_ : str
        What ``precision`` resolved to for the training ("fp32" or "bf16").
    """

    method = "misgan"
    image_shape = (IMAGE_SIDE, IMAGE_SIDE)
    PRESETS = Presets(
        "MisGAN",
        smoke={"epochs": 1, "batch_size": 8, "width": 4, "imputer_hidden": [32, 32, 32]},
        # A paper-width epoch takes about 18 minutes on the 2-core CPU (results/bench);
        # quick halves the generators' and critics' width (about 4x fewer FLOPs) and trains
        # 2 epochs (1,562 critic and 312 generator steps): 600 s measured (results/impute).
        quick={"epochs": 2, "width": 32},
        paper={"epochs": 500},
    )

    #: The average of k imputations, from one sample (perception) towards the mean.
    READOUTS = {f"k{k}": {"n_samples": k} for k in READOUT_KS}
    DEFAULT_READOUT = "k1"

    def __init__(
        self,
        epochs: int = 500,
        batch_size: int = 64,
        n_critic: int = 5,
        gp_lambda: float = 10.0,
        n_latent: int = 128,
        alpha: float = 0.1,
        beta: float = 0.1,
        gamma: float = 0.0,
        tau: float = 0.0,
        mask_transform: str = "fusion",
        width: int = 64,
        imputer_hidden=(784, 784, 784),
        lr: float = 1e-4,
        imputer_lr: float = 2e-4,
        log_every: int = 25,
        snapshot_every: int | None = None,
        n_samples: int = 1,
        random_state: int | None = None,
        device: str = "auto",
        precision: str = "auto",
    ):
        self.epochs = epochs
        self.batch_size = batch_size
        self.n_critic = n_critic
        self.gp_lambda = gp_lambda
        self.n_latent = n_latent
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.tau = tau
        self.mask_transform = mask_transform
        self.width = width
        self.imputer_hidden = imputer_hidden
        self.lr = lr
        self.imputer_lr = imputer_lr
        self.log_every = log_every
        self.snapshot_every = snapshot_every
        self.n_samples = n_samples
        self.random_state = random_state
        self.device = device
        self.precision = precision

    def get_config(self) -> dict:
        config = {
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "n_critic": self.n_critic,
            "gp_lambda": self.gp_lambda,
            "n_latent": self.n_latent,
            "alpha": self.alpha,
            "beta": self.beta,
            "gamma": self.gamma,
            "tau": self.tau,
            "mask_transform": self.mask_transform,
            "width": self.width,
            "imputer_hidden": [int(h) for h in self.imputer_hidden],
            "lr": self.lr,
            "imputer_lr": self.imputer_lr,
            "log_every": self.log_every,
            "snapshot_every": self.snapshot_every,
            "n_samples": self.n_samples,
            "random_state": self.random_state,
            "device": self.device,
            "precision": self.precision,
        }
        config = {k: v for k, v in config.items() if k not in _OPTIONAL or v != _OPTIONAL[k]}
        return stored_config(config)  # "auto" left out: configs written before it compare equal

    def from_snapshot(self, checkpoint_dir, epoch: int) -> MisGANImputer:
        """A copy whose imputer network is the snapshot of ``epoch`` (:mod:`.snapshots`)."""
        return load_snapshot(checkpoint_dir, epoch, self)

    def with_readout(self, **modes) -> MisGANImputer:
        """A copy averaging ``n_samples`` imputations, sharing the trained networks."""
        if set(modes) - {"n_samples"}:
            raise InputError(f"a MisGAN read-out sets n_samples only, got {sorted(modes)}.")
        other = copy.copy(self)
        other.n_samples = modes.get("n_samples", self.n_samples)
        check_positive_int(other.n_samples, "n_samples")
        return other

    # -- construction -------------------------------------------------------------
    def _validate(self) -> None:
        names = ("epochs", "batch_size", "n_critic", "n_latent", "width", "log_every", "n_samples")
        for name in names:
            check_positive_int(getattr(self, name), name)
        check_snapshot_every(self.snapshot_every, "epochs")
        for h in self.imputer_hidden:
            check_positive_int(h, "imputer_hidden entries")
        check_precision(self.precision)
        if self.mask_transform not in MASK_TRANSFORMS:
            raise InputError(
                f"unknown mask_transform {self.mask_transform!r}; choose one of "
                f"{', '.join(MASK_TRANSFORMS)}."
            )
        for name in ("gp_lambda", "alpha", "beta", "gamma", "lr", "imputer_lr"):
            if not float(getattr(self, name)) >= 0:
                raise InputError(
                    f"{name} must be a non-negative number, got {getattr(self, name)!r}."
                )

    def build_networks(self, seed: int, device: torch.device) -> MisGANNetworks:
        """Freshly initialised networks of this configuration (initialisation seeded)."""
        with isolated_seed(seed, device):
            nets = MisGANNetworks(
                self.n_latent, self.width, tuple(self.imputer_hidden), self.mask_transform
            )
        return nets.to(device)

    def hyperparameters(self) -> MisGANHyperparameters:
        """The training settings as the trainer takes them."""
        ints = ("batch_size", "n_critic", "n_latent")
        floats = ("gp_lambda", "alpha", "beta", "gamma", "tau", "lr", "imputer_lr")
        return MisGANHyperparameters(
            **{k: getattr(self, k) for k in ints}, **{k: float(getattr(self, k)) for k in floats}
        )

    @staticmethod
    def _check_side(x: torch.Tensor) -> None:
        if tuple(x.shape[2:]) != (IMAGE_SIDE, IMAGE_SIDE):
            raise InputError(
                f"MisGAN's convolutional networks take {IMAGE_SIDE}x{IMAGE_SIDE} images "
                f"(MNIST, Fashion-MNIST), got {tuple(x.shape[2:])}."
            )

    def _seed(self) -> int:
        if self.random_state is None:
            return int(np.random.SeedSequence().generate_state(1)[0])
        return int(self.random_state)

    # -- training -----------------------------------------------------------------
    def _fit(self, x_obs, mask, checkpoint_dir, resume, progress) -> None:
        self._validate()
        self._check_side(x_obs)
        n = x_obs.shape[0]
        steps_per_epoch = n // self.batch_size
        if steps_per_epoch == 0:
            raise InputError(
                f"MisGAN needs at least batch_size = {self.batch_size} training images, got {n}."
            )
        device = resolve_device(self.device)
        x_all, m_all = x_obs.to(device, torch.float32), mask.to(device, torch.float32)
        checkpoint = snapshots = None
        if checkpoint_dir is not None:
            checkpoint = Checkpoint(
                Path(checkpoint_dir) / CHECKPOINT_FILE,
                self.get_config(),
                _RESUMABLE_CHANGES,
                owns_directory=True,
            )
            snapshots = epoch_snapshots(checkpoint_dir)
        elif self.snapshot_every is not None:
            raise InputError("snapshot_every keeps snapshots in the checkpoint_dir; give one.")
        epoch = {"perm": None, "totals": torch.zeros(len(CRITICS), device=device)}
        history: list[dict] = []

        def save_state() -> dict:
            return {
                "networks": nets.state_dict(),
                "trainer": trainer.state_dict(),
                "noise_rng": noise.get_state(),
                "shuffle_rng": shuffle.get_state(),
                "perm": epoch["perm"],
                "totals": epoch["totals"],  # the epoch's summed critic losses so far
                "history": history,
                "seed": seed,
            }

        loop = TrainingLoop(
            self.epochs * steps_per_epoch,
            save_state,
            checkpoint,
            every_steps=steps_per_epoch,
            every_seconds=CHECKPOINT_SECONDS,
            describe=in_epochs(steps_per_epoch),
            desc="misgan",
            progress=progress,
        )
        saved = loop.resume(device) if resume else None
        seed = self._seed() if saved is None else int(saved["seed"])
        nets = self.build_networks(seed, device)
        noise = make_generator(int(np.random.SeedSequence(seed).generate_state(1)[0]), device)
        shuffle = make_generator(seed, "cpu")
        trainer = MisGANTrainer(nets, self.hyperparameters(), noise, precision=self.precision)
        if saved is not None:
            nets.load_state_dict(saved["networks"])
            trainer.load_state_dict(saved["trainer"])
            noise.set_state(saved["noise_rng"].cpu())
            shuffle.set_state(saved["shuffle_rng"].cpu())
            history.extend(saved["history"])
            epoch["perm"], epoch["totals"] = saved["perm"], saved["totals"].to(device)
        if snapshots is not None:  # those of a stretch the resume throws away
            snapshots.discard_after(loop.step // steps_per_epoch)

        def step(index: int) -> dict | None:
            number, position = divmod(index, steps_per_epoch)
            if position == 0:
                epoch["perm"] = torch.randperm(n, generator=shuffle)
                epoch["totals"].zero_()
            order = epoch["perm"].to(device)
            idx = order[position * self.batch_size : (position + 1) * self.batch_size]
            losses = trainer.train_step(x_all[idx], m_all[idx])
            epoch["totals"] += losses
            if position == steps_per_epoch - 1:
                mean = (epoch["totals"] / steps_per_epoch).tolist()
                history.append(
                    {f"{name}_critic_loss": v for name, v in zip(CRITICS, mean, strict=True)}
                )
                if self.snapshot_every and (number + 1) % self.snapshot_every == 0:
                    state = {"imputer": nets.imputer.state_dict(), "config": self.get_config()}
                    snapshots.save(number + 1, state)
            if not progress or (position + 1) % self.log_every:
                return None
            data, mask_, impute = losses.tolist()  # the one host read, every log_every steps
            return {"epoch": number + 1, "D_x": f"{data:.3f}", "D_m": f"{mask_:.3f}",
                    "D_i": f"{impute:.3f}"}  # fmt: skip

        loop.run(step)
        self.networks_ = nets.eval()
        self.history_ = history
        self.train_seconds_ = loop.seconds
        self.precision_ = trainer.precision

    # -- imputation ---------------------------------------------------------------
    @torch.no_grad()
    def _complete(self, x_obs, mask) -> torch.Tensor:
        self._require_fitted(hasattr(self, "networks_"))
        self._check_side(x_obs)
        nets = self.networks_
        device = next(nets.parameters()).device
        noise = make_generator(0 if self.random_state is None else self.random_state, device)
        chunk = 4096
        out = []
        for start in range(0, x_obs.shape[0], chunk):
            x = x_obs[start : start + chunk].to(device, torch.float32)
            m = mask[start : start + chunk].to(device, torch.float32)
            total = torch.zeros_like(x)
            for _ in range(self.n_samples):  # the read-out: the average of k imputations
                u = torch.rand(x.shape, generator=noise, device=device)
                total += nets.imputer(x, m, u)
            out.append((total / self.n_samples).to(x_obs.device))
        return torch.cat(out)

    # -- persistence --------------------------------------------------------------
    def state_dict(self) -> dict[str, torch.Tensor]:
        if not hasattr(self, "networks_"):
            return {}
        return {k: v.detach().cpu() for k, v in self.networks_.state_dict().items()}

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        if not state:
            return
        self._validate()
        nets = self.build_networks(0, resolve_device(self.device))
        expected = nets.state_dict()
        missing = sorted(set(expected) - set(state))
        unexpected = sorted(set(state) - set(expected))
        wrong = sorted(
            k for k in set(expected) & set(state) if tuple(state[k].shape) != expected[k].shape
        )
        if missing or unexpected or wrong:
            counts = f"{len(missing)} missing, {len(unexpected)} unexpected, {len(wrong)} resized"
            example = (missing or unexpected or wrong)[0]
            raise CacheError(
                f"the saved weights are not those of a MisGAN of this configuration ({counts} "
                f"tensors, e.g. {example!r}); save and load with the same method and settings."
            )
        nets.load_state_dict(state)
        self.networks_ = nets.eval()
