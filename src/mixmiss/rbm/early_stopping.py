"""Minibatch CD-k with early stopping on held-out observed entries.

What :class:`~mixmiss.rbm.estimator.RBMImputer` trains with. A user's table
has no ground truth for its missing entries, so the only honest stopping
signal is one made from the observed ones: before training, a random
fraction of the observed entries of (at most :data:`MAX_VALIDATION_ROWS`)
rows is hidden from the RBM; after every ``check_every`` epochs those
entries are imputed from the rest of their row (mean-field, as ``transform``
does) and their RMSE recorded. Training stops when that RMSE has not
improved by ``tol`` for ``n_iter_no_change`` checks, and the weights of the
best check are kept — unless they do not beat mean imputation by two
standard errors on the held-out entries (:func:`clearly_better`): then the
initial RBM with ``W = 0`` is kept, which imputes ``sigma(b)``, the observed
mean of each unit.

The CD update is :class:`~mixmiss.rbm.cd.ContrastiveDivergence` as in
:func:`~mixmiss.rbm.training.train_rbm`; unlike that function this one writes
no checkpoints (an estimator's ``fit`` is short and has no run directory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from ..errors import MixmissError
from .cd import ContrastiveDivergence
from .inference import hidden_probability, reconstruction_error
from .mask import expected_observed_units, observation_probability
from .model import RBM
from .training import TrainingConfig

#: Rows whose held-out entries are scored at every check: enough for an RMSE
#: estimate whose noise is far below the improvements that matter (at 10 % of
#: 784 pixels, ~300,000 entries), and a bounded cost on large data.
MAX_VALIDATION_ROWS = 4096


@dataclass
class EarlyStoppingResult:
    """What :func:`train_with_early_stopping` returns."""

    model: RBM
    lam: torch.Tensor  # (n,) observation probability of the entries trained on
    n_epochs: int  # epochs run
    best_epoch: int  # the epoch whose weights were kept (0: W = 0, mean imputation)
    history: list[float] = field(default_factory=list)  # training reconstruction MSE per check
    validation: list[float] = field(default_factory=list)  # held-out RMSE per check


def hold_out(
    observed: torch.Tensor, fraction: float, generator: torch.Generator, max_rows: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Split the observed entries into a training and a validation mask.

    Each observed entry of a random subset of ``min(N, max_rows)`` rows is
    held out with probability ``fraction``.

    Parameters
    ----------
    observed : tensor (N, n), 1 = observed
    fraction : float in [0, 1)
    generator : torch.Generator
    max_rows : int

    Returns
    -------
    train_observed : tensor (N, n)
        ``observed`` with the held-out entries set to 0.
    rows : tensor (R,) int64
        The rows that hold validation entries (sorted).
    """
    n_rows = observed.shape[0]
    device = observed.device
    rows = torch.randperm(n_rows, generator=generator, device=device)[: min(n_rows, max_rows)]
    rows = rows.sort().values
    draw = torch.rand(rows.shape[0], observed.shape[1], generator=generator, device=device)
    held = (draw < fraction) & observed[rows].bool()
    train_observed = observed.clone()
    train_observed[rows] = observed[rows] * ~held
    return train_observed, rows


def validation_rmse(
    model: RBM,
    v: torch.Tensor,
    train_observed: torch.Tensor,
    held: torch.Tensor,
    method: str,
) -> float:
    """RMSE of the mean-field imputation ``sigma(W P(h | v_o) + b)`` on the ``held`` entries.

    ``v`` (R, n) holds the true values (also of the held-out entries),
    ``train_observed`` (R, n) what the model may see, ``held`` (R, n) the entries scored.
    """
    count = held.sum().clamp_min(1.0)
    return math.sqrt(float(squared_errors(model, v, train_observed, held, method).sum() / count))


def squared_errors(
    model: RBM, v: torch.Tensor, train_observed: torch.Tensor, held: torch.Tensor, method: str
) -> torch.Tensor:
    """Squared errors of the mean-field imputation, (R, n), zero off the ``held`` entries."""
    p_h = hidden_probability(model, v * train_observed, train_observed, method)
    p_v = model.visible_input(p_h).sigmoid_()
    return (p_v - v) ** 2 * held


def clearly_better(
    trained: RBM, initial: RBM, v, train_observed, held, method: str, z: float = 2.0
) -> bool:
    """Whether ``trained`` imputes the ``held`` entries better than ``initial`` by more than
    ``z`` standard errors of the paired difference of their squared errors.

    The best check is picked among many noisy ones; on a small table (a few hundred
    held-out entries) that alone can make an RBM no better than the column means look
    better, and this test keeps the initial weights then.
    """
    mask = held.bool()
    d = (
        squared_errors(initial, v, train_observed, held, method)[mask]
        - squared_errors(trained, v, train_observed, held, method)[mask]
    ).double()
    if d.numel() < 2:
        return bool(d.sum() > 0)
    return bool(d.mean() > z * d.std() / math.sqrt(d.numel()))


def _finite(model: RBM) -> bool:
    return all(bool(torch.isfinite(p).all()) for p in model.state_dict().values())


def train_with_early_stopping(
    v_obs: torch.Tensor,
    observed: torch.Tensor,
    config: TrainingConfig,
    generator: torch.Generator,
    *,
    validation_fraction: float = 0.1,
    n_iter_no_change: int = 5,
    tol: float = 1e-4,
    check_every: int = 1,
    max_validation_rows: int = MAX_VALIDATION_ROWS,
) -> EarlyStoppingResult:
    """Train an RBM by CD-k for at most ``config.epochs`` epochs, stopping early.

    Parameters
    ----------
    v_obs : tensor (N, n) in [0, 1]
        Training rows; missing entries are ignored.
    observed : tensor (N, n), 1 = observed
    config : TrainingConfig
    generator : torch.Generator
        On the training device; every random draw (the held-out entries,
        initialisation, shuffling, CD sampling) comes from it.
    validation_fraction : float in [0, 1)
        Fraction of the observed entries (of at most ``max_validation_rows``
        rows) held out to decide when to stop; 0 trains all ``config.epochs``
        epochs on every observed entry and keeps the last weights.
    n_iter_no_change : int
        Checks without an improvement of at least ``tol`` before stopping.
    tol : float
        Improvement of the held-out RMSE that counts.
    check_every : int
        Epochs between two checks of the held-out RMSE (and of the
        parameters' finiteness): more than one on small data, whose epochs
        are a few updates each.
    max_validation_rows : int

    Returns
    -------
    EarlyStoppingResult
    """
    device = generator.device
    observed = observed.to(device=device, dtype=torch.float32)
    v = (v_obs.to(device=device, dtype=torch.float32) * observed).contiguous()
    early = validation_fraction > 0
    if early:
        train_observed, rows = hold_out(
            observed, validation_fraction, generator, max_validation_rows
        )
        v_val, observed_val = v[rows], train_observed[rows]
        held_val = observed[rows] - observed_val
        early = bool(held_val.sum() > 0)
    else:
        train_observed = observed
    v_train = v * train_observed

    n_rows, batch = v_train.shape[0], config.batch_size
    lam = observation_probability(train_observed)
    rank = (config.rank or expected_observed_units(train_observed)) if config.low_rank else None
    model = RBM.initialise(
        v_train, train_observed, config.n_hidden, generator, rank, config.init_std
    )
    cd = ContrastiveDivergence(
        model, config.method, config.learning_rate, lam, config.k, generator, config.precision
    )
    monitor = slice(0, min(n_rows, 1000))

    result = EarlyStoppingResult(model, lam, 0, 0)
    # The initial RBM (W ~ 0, sigma(b) = the observed means) imputes about the column
    # means, so keeping it as a candidate means never doing worse than mean imputation
    # on the held-out entries. Training first moves away from it (the first epochs
    # score worse), so patience counts from the best TRAINED epoch only.
    best_score, best_state, trained_best, stale = math.inf, None, math.inf, 0
    if early:
        best_score = validation_rmse(model, v_val, observed_val, held_val, config.method)
        best_state = initial_state = {k: t.clone() for k, t in model.state_dict().items()}
    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(n_rows, generator=generator, device=device)
        for start in range(0, n_rows, batch):
            idx = order[start : start + batch]
            cd.step(v_train[idx], train_observed[idx])
        result.n_epochs = epoch
        if epoch % check_every and epoch < config.epochs:
            continue
        if not _finite(model):
            raise MixmissError(
                f"RBM training diverged in epoch {epoch} (non-finite parameters); "
                f"lower learning_rate (now {config.learning_rate:g})."
            )
        result.history.append(
            float(
                reconstruction_error(
                    model, v_train[monitor], train_observed[monitor], config.method
                )
            )
        )
        if not early:
            continue
        score = validation_rmse(model, v_val, observed_val, held_val, config.method)
        result.validation.append(score)
        if score < best_score:
            best_score, result.best_epoch = score, epoch
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        if score < trained_best - tol:
            trained_best, stale = score, 0
        else:
            stale += 1
            if stale >= n_iter_no_change:
                break
    if early:
        model = RBM.from_state_dict(best_state)
        # W = 0: sigma(b), the observed mean of each unit, whatever the row
        means = {k: torch.zeros_like(t) if k in ("W", "A") else t for k, t in initial_state.items()}
        means = RBM.from_state_dict(means)
        if not result.best_epoch or not clearly_better(
            model, means, v_val, observed_val, held_val, config.method
        ):
            model, result.best_epoch = means, 0
    else:
        result.best_epoch = result.n_epochs
    result.model = model
    return result
