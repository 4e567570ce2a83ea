"""Training an RBM by minibatch CD-k: epochs, checkpoints, resume, Ctrl-C.

:func:`train_rbm` shuffles the training rows each epoch, applies one
:class:`~mixmiss.rbm.cd.ContrastiveDivergence` step per minibatch and, when
given a ``checkpoint_dir``, writes ``rbm_checkpoint.pt`` atomically after
every epoch: the parameters, ``lambda``, the epoch and batch position, the
epoch's permutation, the generator state and the configuration. SIGINT and
SIGTERM are caught between two minibatches: the position is checkpointed
and :class:`KeyboardInterrupt` raised, so ``resume=True`` continues the same
run, draw for draw, from where it stopped.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch
from tqdm.auto import tqdm

from ..atomic import atomic_torch_save, load_checkpoint
from ..errors import CacheError, InputError, MixmissError
from ..validation import check_positive_int
from .cd import ContrastiveDivergence, check_method
from .inference import reconstruction_error
from .mask import expected_observed_units, observation_probability
from .model import RBM

CHECKPOINT_FILE = "rbm_checkpoint.pt"
_MONITOR_ROWS = 1000  # rows whose reconstruction error is logged once per epoch


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

    def __post_init__(self):
        check_method(self.method)
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


class _InterruptGuard:
    """Turns SIGINT / SIGTERM into a flag checked between minibatches."""

    def __init__(self):
        self.signal: int | None = None

    def _handler(self, signum, frame):
        self.signal = signum

    @contextlib.contextmanager
    def installed(self) -> Iterator[_InterruptGuard]:
        if threading.current_thread() is not threading.main_thread():
            yield self  # signals can only be handled in the main thread
            return
        previous = {s: signal.signal(s, self._handler) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield self
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)


def _save(path, state: TrainingState, config, batch, perm, generator, n_rows) -> None:
    atomic_torch_save(
        path,
        {
            "model": state.model.state_dict(),
            "lam": state.lam,
            "epoch": state.epoch,
            "batch": batch,
            "perm": perm,
            "rng": generator.get_state(),
            "config": dataclasses.asdict(config),
            "n_rows": n_rows,
            "history": list(state.history),
        },
    )


def _load(path: Path, config: TrainingConfig, n_rows: int, device) -> dict:
    saved = load_checkpoint(path, map_location=device)
    mine = dataclasses.asdict(config)
    theirs = dict(saved.get("config", {}))
    differing = [k for k in mine if k != "epochs" and theirs.get(k) != mine[k]]
    if differing or saved.get("n_rows") != n_rows:
        raise InputError(
            f"cannot resume from {path}: it was trained with different settings "
            f"({', '.join(differing) or 'number of training rows'}). Use the same settings "
            "and data, or start afresh without resume."
        )
    return saved


def train_rbm(
    v_obs: torch.Tensor,
    observed: torch.Tensor,
    config: TrainingConfig,
    generator: torch.Generator,
    *,
    checkpoint_dir: Path | None = None,
    resume: bool = False,
    progress: bool = True,
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

    Returns
    -------
    TrainingState
    """
    device = generator.device
    v_obs = (v_obs * observed).to(device)
    observed = observed.to(device=device, dtype=v_obs.dtype)
    n_rows, n_batches = v_obs.shape[0], -(-v_obs.shape[0] // config.batch_size)
    path = None if checkpoint_dir is None else Path(checkpoint_dir) / CHECKPOINT_FILE
    if resume and path is not None and path.is_file():
        saved = _load(path, config, n_rows, device)
        generator.set_state(saved["rng"].cpu())
        state = TrainingState(
            RBM.from_state_dict(saved["model"]), saved["lam"], saved["epoch"], saved["history"]
        )
        batch, perm = saved["batch"], saved["perm"]
    else:
        lam = observation_probability(observed).to(v_obs.dtype)
        rank = (config.rank or expected_observed_units(observed)) if config.low_rank else None
        model = RBM.initialise(v_obs, observed, config.n_hidden, generator, rank, config.init_std)
        state, batch, perm = TrainingState(model, lam), 0, None
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheError(f"cannot create checkpoint directory {path.parent}: {exc}.") from exc

    cd = ContrastiveDivergence(
        state.model, config.method, config.learning_rate, state.lam, config.k, generator
    )
    monitor = slice(0, min(n_rows, _MONITOR_ROWS))
    bar = tqdm(
        total=config.epochs * n_batches,
        initial=state.epoch * n_batches + batch,
        disable=not progress,
        desc=f"{config.method} RBM",
        unit="batch",
    )
    with bar, _InterruptGuard().installed() as guard:
        while state.epoch < config.epochs:
            if perm is None:
                perm = torch.randperm(n_rows, generator=generator, device=device)
            while batch < n_batches:
                if guard.signal is not None:
                    if path is not None:
                        _save(path, state, config, batch, perm, generator, n_rows)
                    raise KeyboardInterrupt(
                        f"training interrupted at epoch {state.epoch}, batch {batch}"
                        + (f"; resume from {path}" if path is not None else "")
                    )
                rows = perm[batch * config.batch_size : (batch + 1) * config.batch_size]
                cd.step(v_obs[rows], observed[rows])
                batch += 1
                bar.update()
            state.epoch, batch, perm = state.epoch + 1, 0, None
            error = float(
                reconstruction_error(state.model, v_obs[monitor], observed[monitor], config.method)
            )
            if not math.isfinite(error) or not all(
                bool(torch.isfinite(p).all()) for p in state.model.state_dict().values()
            ):
                raise MixmissError(
                    f"training diverged in epoch {state.epoch} (non-finite parameters); "
                    f"lower learning_rate (now {config.learning_rate:g})."
                )
            state.history.append(error)
            bar.set_postfix(epoch=state.epoch, recon_mse=f"{error:.4f}")
            if path is not None:
                _save(path, state, config, batch, perm, generator, n_rows)
    return state
