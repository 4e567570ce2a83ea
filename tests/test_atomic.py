import os
import pickle

import pytest
import torch

from mixmiss.atomic import (
    atomic_directory,
    atomic_torch_save,
    atomic_write_bytes,
    atomic_write_json,
    check_new_directory,
    load_checkpoint,
)
from mixmiss.errors import CacheError


class Payload:
    """A picklable object that ``weights_only`` loading must refuse."""


def test_a_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "result.json"
    atomic_write_json(path, {"a": 1})
    atomic_write_json(path, {"a": 2})
    assert path.read_text() == '{\n  "a": 2\n}\n'
    assert [p.name for p in path.parent.iterdir()] == ["result.json"]


def test_new_files_get_the_usual_permissions_not_mkstemps_0600(tmp_path):
    previous = os.umask(0o022)
    try:
        path = atomic_write_bytes(tmp_path / "f.bin", b"x")
    finally:
        os.umask(previous)
    assert path.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = atomic_write_bytes(tmp_path / "f.bin", b"old")

    def broken(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


# the hostile pickle uses protocol 4, which torch's weights-only loader warns about before refusing
@pytest.mark.filterwarnings("ignore:Detected pickle protocol:UserWarning")
def test_checkpoints_round_trip_and_refuse_arbitrary_pickles(tmp_path):
    state = {"w": torch.arange(3.0), "step": 7}
    loaded = load_checkpoint(atomic_torch_save(tmp_path / "c.pt", state))
    assert loaded["step"] == 7 and torch.equal(loaded["w"], state["w"])

    (tmp_path / "evil.pt").write_bytes(pickle.dumps(Payload()))
    with pytest.raises(CacheError, match="corrupt or was not written by mixmiss"):
        load_checkpoint(tmp_path / "evil.pt")
    with pytest.raises(CacheError, match="no checkpoint"):
        load_checkpoint(tmp_path / "missing.pt")


def test_a_directory_appears_all_at_once_and_only_when_its_block_succeeds(tmp_path):
    out = tmp_path / "out"
    with atomic_directory(out) as tmp:
        atomic_write_json(tmp / "a.json", {"a": 1})
        assert not out.exists() and tmp.parent == tmp_path
    assert [p.name for p in out.iterdir()] == ["a.json"]
    assert out.stat().st_mode & 0o777 == 0o777 & ~_current_umask()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary left


def test_a_failed_block_leaves_nothing_and_an_empty_directory_is_replaced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(KeyboardInterrupt), atomic_directory(out) as tmp:
        (tmp / "half.bin").write_bytes(b"x")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == [out] and not any(out.iterdir())
    with atomic_directory(out) as tmp:
        (tmp / "whole.bin").write_bytes(b"x")
    assert [p.name for p in out.iterdir()] == ["whole.bin"]


def test_an_existing_output_is_refused_before_any_work(tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("mine")
    (tmp_path / "file").write_text("mine")
    for name, why in (("full", "is not empty"), ("file", "is a file")):
        with pytest.raises(CacheError, match=why):
            check_new_directory(tmp_path / name)
        with pytest.raises(CacheError, match=why), atomic_directory(tmp_path / name):
            raise AssertionError("the block must not run")
    assert (tmp_path / "full" / "keep.txt").read_text() == "mine"


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
