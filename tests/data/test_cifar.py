"""CIFAR-10 through a file:// mirror holding a tiny archive in the real binary format."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import tarfile

import numpy as np
import pytest
import torch

from mixmiss.data import DATASETS, check_dataset, cifar, load_dataset
from mixmiss.errors import DataError


def _batch(labels: list[int], seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(len(labels), 3072), dtype=np.uint8)
    return np.concatenate([np.array(labels, dtype=np.uint8)[:, None], pixels], axis=1).tobytes()


def _tiny_archive() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        members = {f"data_batch_{i}.bin": _batch([i, 9 - i], i) for i in range(1, 6)}
        members["test_batch.bin"] = _batch([0, 1, 2], 0)
        members["batches.meta.txt"] = b"\n".join(n.encode() for n in cifar.CLASS_NAMES)
        for name, data in members.items():
            info = tarfile.TarInfo(f"cifar-10-batches-bin/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def tiny_cifar(tmp_path, monkeypatch):
    """The registry's cifar10 pointed at a file:// mirror of a tiny archive (its own MD5)."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    payload = _tiny_archive()
    (mirror / cifar.CIFAR10.filename).write_bytes(payload)
    archive = dataclasses.replace(
        cifar.CIFAR10, md5=hashlib.md5(payload).hexdigest(), mirrors=(f"file://{mirror}",)
    )
    spec = dataclasses.replace(
        DATASETS["cifar10"], load_files=functools.partial(cifar.load_archive, archive)
    )
    monkeypatch.setitem(DATASETS, "cifar10", spec)
    return tmp_path / "data", archive


def test_download_then_load_train_and_test(tiny_cifar):
    data_dir, archive = tiny_cifar
    train = load_dataset("cifar10", "train", data_dir)
    assert train.images.shape == (10, 3, 32, 32) and train.images.dtype == torch.float32
    assert train.labels.tolist() == [1, 8, 2, 7, 3, 6, 4, 5, 5, 4]
    assert train.class_names[0] == "airplane" and train.channels == 3
    first = np.frombuffer(_batch([1, 8], 1), dtype=np.uint8).reshape(2, -1)[0, 1:]
    expected = torch.from_numpy(first.reshape(3, 32, 32).astype(np.float32) / 255)
    assert torch.equal(train.images[0], expected)  # red plane first, row-major
    test = load_dataset("cifar10", "test", data_dir, download=False)
    assert test.labels.tolist() == [0, 1, 2]
    assert (data_dir / "cifar10" / archive.filename).is_file()
    assert check_dataset("cifar10", data_dir)["sizes"] == {"train": 10, "test": 3}


def test_offline_is_a_clear_error(tiny_cifar, monkeypatch):
    data_dir, archive = tiny_cifar
    offline = dataclasses.replace(archive, mirrors=("file:///nonexistent/mirror",))
    spec = dataclasses.replace(
        DATASETS["cifar10"], load_files=functools.partial(cifar.load_archive, offline)
    )
    monkeypatch.setitem(DATASETS, "cifar10", spec)
    with pytest.raises(DataError, match=r"could not download cifar-10-binary.tar.gz.*Offline\?"):
        load_dataset("cifar10", "train", data_dir)
    with pytest.raises(DataError, match="download disabled"):
        load_dataset("cifar10", "train", data_dir, download=False)
    report = check_dataset("cifar10", data_dir)
    assert report["ok"] is False and report["optional"] is True


def test_a_damaged_archive_fails_its_checksum(tiny_cifar):
    data_dir, archive = tiny_cifar
    load_dataset("cifar10", "test", data_dir)
    path = data_dir / "cifar10" / archive.filename
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(DataError, match="fails its checksum"):
        load_dataset("cifar10", "test", data_dir)


def test_a_wrong_mirror_copy_is_refused(tiny_cifar, monkeypatch):
    data_dir, archive = tiny_cifar
    wrong = dataclasses.replace(archive, md5="0" * 32)
    spec = dataclasses.replace(
        DATASETS["cifar10"], load_files=functools.partial(cifar.load_archive, wrong)
    )
    monkeypatch.setitem(DATASETS, "cifar10", spec)
    with pytest.raises(DataError, match="checksum"):
        load_dataset("cifar10", "train", data_dir)
    assert not (data_dir / "cifar10" / archive.filename).exists()


def test_mmgan_trains_on_registered_cifar10_at_32_rgb(tiny_cifar, tmp_path):
    from mixmiss.mmgan import make_config, read_info, train

    data_dir, _ = tiny_cifar
    config = make_config("smoke", dataset="cifar10", sets="1-5;4-8", iters=2)
    run = train(config, tmp_path / "run", data_dir=data_dir, progress=False)
    info = read_info(run)
    assert (info.image_size, info.channels, info.num_components) == (32, 3, 3)
