"""Training an RBM by minibatch CD-k: epochs, checkpoints, resume, Ctrl-C.

:func:`train_rbm` shuffles the training rows each epoch, applies one
:class:`~mixmiss.rbm.cd.ContrastiveDivergence` step per minibatch and, when
given a ``checkpoint_dir``, writes ``rbm_checkpoint.pt`` atomically after
every epoch: the parameters, ``lambda``, the position, the epoch's
permutation, the generator state and the configuration. The loop around the
CD steps is the shared :class:`~mixmiss.training.TrainingLoop`: a stop signal
(Ctrl-C, SIGTERM, SIGUSR1) checkpoints the position between two minibatches
and raises :class:`~mixmiss.training.TrainingInterrupted`, so ``resume=True``
continues the same run, draw for draw, from where it stopped. With
``snapshot_every=N`` it also keeps the model and ``lambda`` of every N-th
epoch in ``checkpoint_dir/snapshots`` (:mod:`.snapshots`), for a learning
curve.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..errors import InputError, MixmissError
from ..precision import check_precision, stored_config
from ..training import Checkpoint, TrainingLoop, check_snapshot_every, epoch_snapshots, in_epochs
from ..validation import check_positive_int
from .cd import ContrastiveDivergence, check_method
from .inference import reconstruction_error
from .mask import expected_observed_units, observation_probability
from .model import RBM

CHECKPOINT_FILE = "rbm_checkpoint.pt"
_MONITOR_ROWS = 1000  # rows whose reconstruction error is logged once per epoch
#: A run has diverged when W's entries have grown to this many times their initial std
#: while its reconstruction error is within ``_NO_BETTER`` of the per-unit mean's.
_EXPLODED = 100.0
_NO_BETTER = 0.9


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of one training run.

    Attributes
    ----------
    method : {"lm", "zeroed"}
    n_hidden : int
        ``m``, the number of hidden units.
    epochs : int
    batch_size : int
    learning_rate : float
        ``eta``; each step sums ``eta * (...)`` over the batch (Algorithm 1).
    k : int
        CD-k Gibbs steps.
    low_rank : bool
        Factorise ``W = A B``.
    rank : int or None
        Rank of the factorisation; ``None`` = the paper's rule of thumb, the
        expected number of observed visible units in the training data.
    init_std : float
        Standard deviation of the entries of the initial ``W``.
    precision : {"auto", "fp32", "bf16"}
        Where the CD products run (:mod:`mixmiss.precision`); the parameters
        and their updates stay float32 (:mod:`mixmiss.rbm.products`).
    """

    method: str = "lm"
    n_hidden: int = 4096
    epochs: int = 500
    batch_size: int = 128
    learning_rate: float = 1e-4
    k: int = 1
    low_rank: bool = True
    rank: int | None = None
    init_std: float = 0.01
    precision: str = "auto"

    def __post_init__(self):
        check_method(self.method)
        check_precision(self.precision)
        for name in ("n_hidden", "epochs", "batch_size", "k"):
            check_positive_int(getattr(self, name), name)
        if self.rank is not None:
            check_positive_int(self.rank, "rank")
        for name in ("learning_rate", "init_std"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise InputError(f"{name} must be a positive number, got {value!r}.")


@dataclass
class TrainingState:
    """What :func:`train_rbm` returns (and checkpoints)."""

    model: RBM
    lam: torch.Tensor  # (n,) per-unit observation probability of the training data
    epoch: int = 0  # completed epochs
    history: list[float] = field(default_factory=list)  # reconstruction error per epoch
    train_seconds: float = 0.0  # over every stretch of a resumed run
    precision: str = "fp32"  # what config.precision resolved to on this run's device


def train_rbm(
    v_obs: torch.Tensor,
    observed: torch.Tensor,
    config: TrainingConfig,
    generator: torch.Generator,
    *,
    checkpoint_dir: Path | None = None,
    resume: bool = False,
    progress: bool = True,
    snapshot_every: int | None = None,
    snapshot_config: dict | None = None,
) -> TrainingState:
    """Train an RBM on rows with missing entries.

    Parameters
    ----------
    v_obs : tensor (N, n) in [0, 1]
        Training rows; grayscale values are used as probabilities of the
        binary units (customary for binary RBMs on MNIST). Missing entries
        are ignored (zeroed here).
    observed : tensor (N, n), 1 = observed
    config : TrainingConfig
    generator : torch.Generator
        On the training device; every random draw comes from it.
    checkpoint_dir : Path, optional
        Where ``rbm_checkpoint.pt`` is written after every epoch.
    resume : bool
        Continue from the checkpoint in ``checkpoint_dir`` if there is one.
    progress : bool
        Show a tqdm bar.
    snapshot_every : int, optional
        Keep the model and ``lambda`` after every this many epochs in
        ``checkpoint_dir/snapshots`` (it needs a ``checkpoint_dir``).
    snapshot_config : dict, optional
        The settings each snapshot records, which loading it checks (the
        imputer's configuration; default: ``config``'s).

    Returns
    -------
    TrainingState
    """
    device = generator.device
    v_obs = (v_obs * observed).to(device)
    observed = observed.to(device=device, dtype=v_obs.dtype)
    n_rows, n_batches = v_obs.shape[0], -(-v_obs.shape[0] // config.batch_size)
    checkpoint = None
    if checkpoint_dir is not None:
        run_settings = stored_config({**dataclasses.asdict(config), "n_rows": n_rows})
        checkpoint = Checkpoint(
            Path(checkpoint_dir) / CHECKPOINT_FILE, run_settings, ("epochs",), owns_directory=True
        )
    snapshot_every = check_snapshot_every(snapshot_every, "epochs")
    if snapshot_every is not None and checkpoint_dir is None:
        raise InputError("snapshot_every keeps snapshots in the checkpoint_dir; give one.")
    snapshots = None if checkpoint_dir is None else epoch_snapshots(checkpoint_dir)
    position: dict = {"perm": None}

    def save_state() -> dict:
        return {
            "model": state.model.state_dict(),
            "lam": state.lam,
            "perm": position["perm"],
            "rng": generator.get_state(),
            "history": list(state.history),
        }

    loop = TrainingLoop(
        config.epochs * n_batches,
        save_state,
        checkpoint,
        every_steps=n_batches,
        describe=in_epochs(n_batches, "batch"),
        desc=f"{config.method} RBM",
        unit="batch",
        progress=progress,
    )
    saved = loop.resume(device) if resume else None
    if saved is not None:
        generator.set_state(saved["rng"].cpu())
        model = RBM.from_state_dict(saved["model"])
        state = TrainingState(model, saved["lam"], loop.step // n_batches, saved["history"])
        position["perm"] = saved["perm"]
    else:
        lam = observation_probability(observed).to(v_obs.dtype)
        rank = (config.rank or expected_observed_units(observed)) if config.low_rank else None
        model = RBM.initialise(v_obs, observed, config.n_hidden, generator, rank, config.init_std)
        state = TrainingState(model, lam)
    if snapshots is not None:  # those of a stretch the resume throws away
        snapshots.discard_after(state.epoch)

    cd = ContrastiveDivergence(
        state.model,
        config.method,
        config.learning_rate,
        state.lam,
        config.k,
        generator,
        config.precision,
    )
    state.precision = cd.precision
    monitor = slice(0, min(n_rows, _MONITOR_ROWS))
    baseline = mean_error(v_obs, observed, monitor)

    def step(index: int) -> dict | None:
        batch = index % n_batches
        if batch == 0:
            position["perm"] = torch.randperm(n_rows, generator=generator, device=device)
        rows = position["perm"][batch * config.batch_size : (batch + 1) * config.batch_size]
        cd.step(v_obs[rows], observed[rows])
        if batch < n_batches - 1:
            return None
        state.epoch += 1
        error = float(
            reconstruction_error(state.model, v_obs[monitor], observed[monitor], config.method)
        )
        check_learning(state.model, error, baseline, state.epoch, config)
        state.history.append(error)
        if snapshot_every and state.epoch % snapshot_every == 0:
            model = {k: v.cpu() for k, v in state.model.state_dict().items()}
            settings = snapshot_config or stored_config(dataclasses.asdict(config))
            snapshots.save(
                state.epoch, {"model": model, "lam": state.lam.cpu(), "config": settings}
            )
        return {"epoch": state.epoch, "recon_mse": f"{error:.4f}"}

    loop.run(step)
    state.train_seconds = loop.seconds
    return state


def mean_error(v_obs: torch.Tensor, observed: torch.Tensor, rows: slice) -> float:
    """The reconstruction error of the model that knows nothing but each unit's observed
    mean over the training data: what a diverged RBM, which completes every image with the
    mean image, scores."""
    p = (v_obs * observed).sum(dim=0) / observed.sum(dim=0).clamp_min(1.0)
    v, o = v_obs[rows], observed[rows]
    return float(((v - p) ** 2 * o).sum() / o.sum().clamp_min(1.0))


def check_learning(
    model: RBM, error: float, baseline: float, epoch: int, config: TrainingConfig
) -> None:
    """Stop a run that has diverged, with what to change.

    Non-finite parameters (or a ``W = A B`` that overflows) or error diverged. So has a
    run whose ``W`` entries grew past ``_EXPLODED`` times their initial std while its
    reconstruction error stays within ``_NO_BETTER`` of the per-unit mean's
    (:func:`mean_error`): its hidden units are saturated and it completes every image
    with the mean image. Measured: the paper's low-rank ``W = A B`` at I.M. 0.3 (eta
    1e-4) reached ``W`` std 31 (RBM [5]) and 1e7 (LM-RBM) in its first epoch with an
    error of 0.0663 against the mean's 0.066, and trained on, finite, into models no
    better than mean imputation. A slow learner (small weights) or a model with large
    weights that reconstructs well is not stopped.
    """
    W = model.weight()  # of finite low-rank factors, it can still overflow
    finite = math.isfinite(error) and all(
        bool(torch.isfinite(p).all()) for p in (*model.state_dict().values(), W)
    )
    cure = f"lower learning_rate (now {config.learning_rate:g})"
    if model.rank is not None:
        cure += f" or train a dense W (low_rank=False; this one has rank {model.rank})"
    if not finite:
        raise MixmissError(f"training diverged in epoch {epoch} (non-finite parameters); {cure}.")
    std = float(W.std())
    if std > _EXPLODED * config.init_std and error > _NO_BETTER * baseline:
        raise MixmissError(
            f"training diverged in epoch {epoch}: W's entries grew to std {std:.3g} (initial "
            f"{config.init_std:g}) while the reconstruction error, {error:.4f}, is no better "
            f"than predicting each unit's mean ({baseline:.4f}): the model completes every "
            f"image with the mean image. {cure[0].upper()}{cure[1:]}."
        )
