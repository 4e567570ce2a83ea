"""MisGAN's imputer every N epochs: kept, loaded, pruned and rewritten on resume."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import CacheError, InputError
from mixmiss.misgan import MisGANImputer
from mixmiss.misgan.snapshots import load_snapshot
from mixmiss.misgan.training import MisGANTrainer
from mixmiss.training import epoch_snapshots, snapshot_epochs

from .batches import TINY, masked_batch


def _fit(directory, epochs=4, **kwargs):
    x, mask = masked_batch()
    imputer = MisGANImputer(epochs=epochs, random_state=5, snapshot_every=2, **TINY, **kwargs)
    return imputer.fit(x, mask, checkpoint_dir=directory, progress=False)


def test_snapshots_hold_the_imputer_every_n_epochs(tmp_path):
    final = _fit(tmp_path)
    assert snapshot_epochs(tmp_path) == [2, 4]
    x, mask = masked_batch(8, seed=1)
    last = load_snapshot(tmp_path, 4, MisGANImputer(epochs=4, random_state=5, **TINY))
    assert torch.equal(last.impute(x, mask), final.impute(x, mask))
    early = load_snapshot(tmp_path, 2, MisGANImputer(epochs=4, random_state=5, **TINY))
    assert not torch.equal(early.impute(x, mask), final.impute(x, mask))
    with pytest.raises(CacheError, match="no snapshot of epoch 3"):
        load_snapshot(tmp_path, 3, final)


def test_a_snapshot_of_another_configuration_is_refused(tmp_path):
    _fit(tmp_path, epochs=2)
    other = MisGANImputer(random_state=5, **{**TINY, "alpha": 0.5})
    with pytest.raises(CacheError, match="not a snapshot of this MisGAN"):
        load_snapshot(tmp_path, 2, other)


def test_snapshot_every_is_not_part_of_the_stored_settings_unless_set(tmp_path):
    assert "snapshot_every" not in MisGANImputer(**TINY).get_config()
    assert "n_samples" not in MisGANImputer(**TINY).get_config()
    with pytest.raises(InputError, match="checkpoint_dir"):
        MisGANImputer(snapshot_every=1, **TINY).fit(*masked_batch(), progress=False)
    with pytest.raises(InputError, match="positive number of epochs"):
        MisGANImputer(snapshot_every=0, **TINY).fit(*masked_batch(), progress=False)


def test_a_resume_rewrites_the_snapshots_after_its_checkpoint(tmp_path, monkeypatch):
    straight = tmp_path / "straight"
    _fit(straight)
    real_step = MisGANTrainer.train_step
    calls = {"n": 0}

    def step_then_die(self, *args):  # 4 steps per epoch: dies in epoch 3, after snapshot 2
        calls["n"] += 1
        if calls["n"] == 11:
            raise SystemExit("killed")
        return real_step(self, *args)

    killed = tmp_path / "killed"
    monkeypatch.setattr(MisGANTrainer, "train_step", step_then_die)
    with pytest.raises(SystemExit):
        _fit(killed)
    monkeypatch.setattr(MisGANTrainer, "train_step", real_step)
    assert snapshot_epochs(killed) == [2]
    epoch_snapshots(killed).save(4, {"stale": torch.zeros(1)})  # as if written past the checkpoint
    x, mask = masked_batch()
    resumed = MisGANImputer(epochs=4, random_state=5, snapshot_every=2, **TINY)
    resumed.fit(x, mask, checkpoint_dir=killed, resume=True, progress=False)
    assert snapshot_epochs(killed) == [2, 4]
    for epoch in (2, 4):
        a, b = epoch_snapshots(straight).load(epoch), epoch_snapshots(killed).load(epoch)
        for key, value in a["imputer"].items():
            assert torch.equal(value, b["imputer"][key]), (epoch, key)


def test_the_average_of_k_imputations_is_deterministic_and_smoother():
    x, mask = masked_batch()
    one = MisGANImputer(epochs=1, random_state=0, **TINY).fit(x, mask, progress=False)
    many = one.with_readout(**MisGANImputer.READOUTS["k16"])
    assert many.n_samples == 16 and one.n_samples == 1
    a, b = many.impute(x, mask), many.impute(x, mask)
    assert torch.equal(a, b)
    assert torch.equal(a[mask.bool()], x[mask.bool()])
    assert torch.equal(one.with_readout(n_samples=1).impute(x, mask), one.impute(x, mask))
    missing = ~mask.bool()

    def spread(imputer):  # std over four noise seeds of the missing pixels' values
        draws = []
        for seed in range(4):
            other = imputer.with_readout()
            other.random_state = seed  # the noise u only: the networks are shared
            draws.append(other.impute(x, mask)[missing])
        return torch.stack(draws).std(dim=0).mean()

    assert spread(many) < 0.5 * spread(one)  # std of a mean of 16 draws: 1/4 of one draw's
    with pytest.raises(InputError, match="n_samples only"):
        one.with_readout(hidden="sample")
