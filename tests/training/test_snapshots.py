"""The shared snapshots: names, atomic saves, weights_only loads, pruning on resume."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import CacheError, InputError
from mixmiss.training import Snapshots, check_snapshot_every


def test_snapshots_are_indexed_saved_and_loaded(tmp_path):
    snaps = Snapshots(tmp_path / "snapshots", "epoch")
    assert snaps.indices() == []
    for index in (4, 2, 10):
        snaps.save(index, {"w": torch.full((2,), float(index))})
    assert snaps.path(2).name == "epoch-0000002.pt"
    assert snaps.indices() == [2, 4, 10]
    state = snaps.load(4)
    assert state["epoch"] == 4
    assert torch.equal(state["w"], torch.full((2,), 4.0))


def test_discard_after_removes_later_snapshots_and_torn_writes(tmp_path):
    snaps = Snapshots(tmp_path, "step")
    for index in (1, 2, 3):
        snaps.save(index, {})
    (tmp_path / ".step-0000004.pt.abc.tmp").write_bytes(b"torn")
    assert snaps.discard_after(1) == [2, 3]
    assert snaps.indices() == [1]
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_missing_snapshot_is_a_clear_error(tmp_path):
    snaps = Snapshots(tmp_path / "snapshots", "epoch")
    snaps.save(2, {})
    with pytest.raises(CacheError, match=r"no snapshot of epoch 3 \(stored: \[2\]\)"):
        snaps.load(3)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_check_snapshot_every_refuses_what_is_not_a_positive_count(bad):
    assert check_snapshot_every(None) is None
    assert check_snapshot_every(3, "epochs") == 3
    with pytest.raises(InputError, match="positive number of epochs"):
        check_snapshot_every(bad, "epochs")
