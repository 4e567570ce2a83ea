"""One checkpoint file: atomic, weights_only, and one check of the run's settings."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import CacheError, InputError
from mixmiss.training import Checkpoint
from mixmiss.training.checkpoint import check_same_settings


def test_save_then_load_round_trips_with_the_config(tmp_path):
    checkpoint = Checkpoint(tmp_path / "run" / "c.pt", {"lr": 0.1, "epochs": 3})
    assert not checkpoint.exists()
    checkpoint.save({"w": torch.arange(3.0), "step": 4})
    assert checkpoint.exists()
    state = checkpoint.load()
    assert torch.equal(state["w"], torch.arange(3.0)) and state["step"] == 4
    assert state["config"] == {"lr": 0.1, "epochs": 3}
    assert [p.name for p in (tmp_path / "run").iterdir()] == ["c.pt"]  # no temporary left


@pytest.mark.parametrize("owns_directory", [True, False])
def test_a_load_removes_the_temporaries_of_killed_writes_its_directory_may_hold(
    tmp_path, owns_directory
):
    """A run directory loses every orphan; a shared cache only the checkpoint's own."""
    Checkpoint(tmp_path / "c.pt", {}).save({})
    own, log, other_dir = ".c.pt.a1.tmp", ".log.jsonl.b2.tmp", ".eval.c3.tmp"
    for name in (own, log):
        (tmp_path / name).write_bytes(b"torn")
    (tmp_path / other_dir).mkdir()
    (tmp_path / other_dir / "half.json").write_text("{")
    Checkpoint(tmp_path / "c.pt", {}, owns_directory=owns_directory).load()
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == (["c.pt"] if owns_directory else sorted([log, other_dir, "c.pt"]))


def test_other_settings_are_refused_by_name_except_those_that_may_change(tmp_path):
    Checkpoint(tmp_path / "c.pt", {"lr": 0.1, "epochs": 3}).save({})
    assert Checkpoint(tmp_path / "c.pt", {"lr": 0.1, "epochs": 9}, ("epochs",)).load()
    with pytest.raises(InputError, match=r"lr: 0\.1 stored, 0\.2 now") as info:
        Checkpoint(tmp_path / "c.pt", {"lr": 0.2, "epochs": 3}).load()
    assert "another directory" in str(info.value)


def test_a_setting_missing_on_one_side_counts_as_different():
    with pytest.raises(InputError, match="k: None stored, 1 now"):
        check_same_settings({}, {"k": 1}, (), "here")


def test_a_file_without_settings_is_not_a_checkpoint(tmp_path):
    torch.save({"w": torch.zeros(1)}, tmp_path / "c.pt")
    with pytest.raises(CacheError, match="not a mixmiss training checkpoint"):
        Checkpoint(tmp_path / "c.pt", {}).load()


def test_a_hostile_pickle_is_refused(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"config": {}, "x": Evil()}, tmp_path / "c.pt")
    with pytest.raises(CacheError, match="cannot load checkpoint"):
        Checkpoint(tmp_path / "c.pt", {}).load()
