"""The RBM every N epochs: kept, loaded, pruned and rewritten on resume."""

from __future__ import annotations

import pytest
import torch

from mixmiss.data import make_mask
from mixmiss.errors import CacheError, InputError
from mixmiss.rbm import cd
from mixmiss.rbm.imputer import LMRBMImputer, ZeroedRBMImputer
from mixmiss.training import epoch_snapshots, snapshot_epochs

SETTINGS = {"n_hidden": 16, "batch_size": 16, "learning_rate": 5e-3, "low_rank": False,
            "random_state": 3, "device": "cpu"}  # fmt: skip


def _batch(n=48, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 6, 6, generator=g)
    return x, make_mask("im", n, (6, 6), 0.4, g)


def _fit(directory, epochs=4, cls=LMRBMImputer, **kwargs):
    imputer = cls(epochs=epochs, snapshot_every=2, **SETTINGS, **kwargs)
    return imputer.fit(*_batch(), checkpoint_dir=directory, progress=False)


@pytest.mark.parametrize("cls", [LMRBMImputer, ZeroedRBMImputer])
def test_snapshots_hold_the_rbm_every_n_epochs(tmp_path, cls):
    final = _fit(tmp_path, cls=cls)
    assert snapshot_epochs(tmp_path) == [2, 4]
    x, mask = _batch(8, seed=1)
    base = cls(epochs=4, **SETTINGS)
    last = base.from_snapshot(tmp_path, 4)
    assert torch.equal(last.impute(x, mask), final.impute(x, mask))
    assert torch.equal(last.lam, final.lam)
    early = base.from_snapshot(tmp_path, 2)
    assert not torch.equal(early.impute(x, mask), final.impute(x, mask))
    assert base.model is None  # the copy holds the snapshot, the base stays unfitted
    with pytest.raises(CacheError, match="no snapshot of epoch 3"):
        base.from_snapshot(tmp_path, 3)


def test_a_snapshot_of_another_configuration_is_refused(tmp_path):
    _fit(tmp_path, epochs=2)
    with pytest.raises(CacheError, match="not a snapshot of this RBM"):
        LMRBMImputer(**{**SETTINGS, "n_hidden": 8}).from_snapshot(tmp_path, 2)
    with pytest.raises(CacheError, match="not a snapshot of this RBM"):
        LMRBMImputer(**{**SETTINGS, "random_state": 4}).from_snapshot(tmp_path, 2)
    # how it imputes and how long it ran are free
    other = LMRBMImputer(**{**SETTINGS, "hidden": "sample", "epochs": 9}).from_snapshot(tmp_path, 2)
    assert other.hidden == "sample" and other.model is not None


def test_snapshot_every_is_not_part_of_the_stored_settings_unless_set():
    assert "snapshot_every" not in LMRBMImputer(**SETTINGS).get_config()
    assert LMRBMImputer(snapshot_every=5, **SETTINGS).get_config()["snapshot_every"] == 5
    with pytest.raises(InputError, match="checkpoint_dir"):
        LMRBMImputer(epochs=2, snapshot_every=1, **SETTINGS).fit(*_batch(), progress=False)
    with pytest.raises(InputError, match="positive number of epochs"):
        LMRBMImputer(snapshot_every=0, **SETTINGS)


def test_a_resume_rewrites_the_snapshots_after_its_checkpoint(tmp_path, monkeypatch):
    straight = tmp_path / "straight"
    _fit(straight)
    real_step = cd.ContrastiveDivergence.step
    calls = {"n": 0}

    def step_then_die(self, *args):  # 3 batches per epoch: dies in epoch 3, after snapshot 2
        calls["n"] += 1
        if calls["n"] == 8:
            raise SystemExit("killed")
        return real_step(self, *args)

    killed = tmp_path / "killed"
    monkeypatch.setattr(cd.ContrastiveDivergence, "step", step_then_die)
    with pytest.raises(SystemExit):
        _fit(killed)
    monkeypatch.setattr(cd.ContrastiveDivergence, "step", real_step)
    assert snapshot_epochs(killed) == [2]
    epoch_snapshots(killed).save(4, {"stale": torch.zeros(1)})  # as if written past the checkpoint
    resumed = LMRBMImputer(epochs=4, snapshot_every=2, **SETTINGS)
    resumed.fit(*_batch(), checkpoint_dir=killed, resume=True, progress=False)
    assert snapshot_epochs(killed) == [2, 4]
    for epoch in (2, 4):
        a, b = epoch_snapshots(straight).load(epoch), epoch_snapshots(killed).load(epoch)
        assert torch.equal(a["lam"], b["lam"])
        for key, value in a["model"].items():
            assert torch.equal(value, b["model"][key]), (epoch, key)
