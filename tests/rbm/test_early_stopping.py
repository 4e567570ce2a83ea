"""Early stopping on held-out observed entries: the split, the paired test, the stop."""

from __future__ import annotations

import torch

from mixmiss.rbm.early_stopping import clearly_better, hold_out, train_with_early_stopping
from mixmiss.rbm.model import RBM
from mixmiss.rbm.training import TrainingConfig

from .conftest import random_rbm


def test_hold_out_hides_only_observed_entries_of_the_chosen_rows():
    g = torch.Generator().manual_seed(0)
    observed = (torch.rand(50, 20, generator=g) < 0.7).float()
    train, rows = hold_out(observed, 0.3, g, max_rows=10)
    held = observed - train
    assert rows.shape == (10,) and bool((held >= 0).all())
    others = torch.ones(50, dtype=torch.bool)
    others[rows] = False
    assert float(held[others].sum()) == 0.0
    assert 0.2 < float(held[rows].sum() / observed[rows].sum()) < 0.4


def test_clearly_better_needs_more_than_noise():
    g = torch.Generator().manual_seed(0)
    v = (torch.rand(300, 6, generator=g, dtype=torch.float64) < 0.5).double()
    observed = torch.ones_like(v)
    held = (torch.rand(300, 6, generator=g, dtype=torch.float64) < 0.2).double()
    train = observed - held
    model = random_rbm(dtype=torch.float64, scale=0.01)
    assert not clearly_better(model, model, v, train, held, "lm")  # no difference at all
    # an RBM whose visible bias says "always 1" is clearly worse than one that says 1/2
    sure = RBM(torch.full((6,), 6.0, dtype=torch.float64), model.c, model.W)
    assert clearly_better(model, sure, v, train, held, "lm")
    assert not clearly_better(sure, model, v, train, held, "lm")


def test_training_stops_and_keeps_the_best_check():
    g = torch.Generator().manual_seed(0)
    v = (torch.rand(256, 12, generator=g) < 0.5).float()
    v[:, 6:] = v[:, :6]  # the second half repeats the first: learnable
    observed = (torch.rand(256, 12, generator=g) < 0.6).float()
    config = TrainingConfig("lm", n_hidden=16, epochs=400, batch_size=32, learning_rate=0.01)
    result = train_with_early_stopping(
        v * observed, observed, config, g, n_iter_no_change=3, check_every=5
    )
    assert result.n_epochs < 400 and len(result.validation) == result.n_epochs // 5
    assert result.best_epoch > 0
    assert result.validation[result.best_epoch // 5 - 1] == min(result.validation)
