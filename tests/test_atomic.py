import os
import pickle

import pytest
import torch

from mixmiss.atomic import atomic_torch_save, atomic_write_bytes, atomic_write_json, load_checkpoint
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
