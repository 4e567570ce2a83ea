import gzip
import shutil
from pathlib import Path

import pytest
import torch

from mixmiss import paths
from mixmiss.data import check_dataset, load_dataset
from mixmiss.data.datasets import DATASETS, DatasetSpec, IdxFiles
from mixmiss.data.download import download_gz
from mixmiss.data.idx import md5_hex
from mixmiss.errors import CacheError, DataError, InputError

from .test_idx import idx_images, idx_labels


def test_digits_is_embedded_and_normalised():
    train = load_dataset("digits", "train", data_dir="/nonexistent")
    test = load_dataset("digits", "test")
    assert train.images.shape == (1438, 1, 8, 8) and test.images.shape == (359, 1, 8, 8)
    assert train.images.dtype == torch.float32 and train.labels.dtype == torch.int64
    assert float(train.images.min()) == 0.0 and float(train.images.max()) == 1.0
    assert set(train.labels.tolist()) == set(range(10))


def test_digits_split_is_fixed_and_disjoint():
    a = load_dataset("digits", "train")
    b = load_dataset("digits", "train")
    assert torch.equal(a.images, b.images)
    flat_train = {tuple(x.flatten().tolist()) for x in a.images}
    flat_test = [tuple(x.flatten().tolist()) for x in load_dataset("digits", "test").images]
    # The bundled digits contain a few exact duplicates; the split must not copy rows.
    assert sum(x in flat_train for x in flat_test) < 5


def test_unknown_dataset_and_split():
    with pytest.raises(InputError, match="unknown dataset 'cifar'.*mnist, fashion-mnist, digits"):
        load_dataset("cifar")
    with pytest.raises(InputError, match="unknown split 'val'"):
        load_dataset("digits", "val")


def test_data_dir_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    assert paths.data_dir() == Path("~/.cache/mixmiss").expanduser()
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path))
    assert paths.data_dir() == tmp_path
    assert paths.data_dir("/explicit") == Path("/explicit")


def test_missing_files_error_names_files_directory_and_setting(tmp_path):
    with pytest.raises(DataError) as info:
        load_dataset("mnist", "train", data_dir=tmp_path, download=False)
    message = str(info.value)
    assert "train-images-idx3-ubyte" in message and "train-labels-idx1-ubyte" in message
    assert str(tmp_path / "mnist") in message and "MIXMISS_DATA_DIR" in message


def test_failed_download_error_is_clear(tmp_path, monkeypatch):
    # Offline: every mirror fails (here: file:// URLs that do not exist).
    spec = DATASETS["mnist"]
    offline = DatasetSpec(
        **{**spec.__dict__, "idx": IdxFiles(spec.idx.md5, (f"file://{tmp_path}/none/",))}
    )
    monkeypatch.setitem(DATASETS, "mnist", offline)
    with pytest.raises(DataError, match=r"missing .*train-images-idx3-ubyte.*download failed"):
        load_dataset("mnist", "train", data_dir=tmp_path / "data")


@pytest.fixture
def fake_dataset(tmp_path, monkeypatch):
    """A tiny MNIST-format dataset served from a file:// mirror."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    contents = {
        "train-images-idx3-ubyte": idx_images(n=6, rows=28, cols=28),
        "train-labels-idx1-ubyte": idx_labels([0, 1, 2, 3, 4, 5]),
        "t10k-images-idx3-ubyte": idx_images(n=2, rows=28, cols=28, seed=1),
        "t10k-labels-idx1-ubyte": idx_labels([7, 8]),
    }
    for name, raw in contents.items():
        (mirror / (name + ".gz")).write_bytes(gzip.compress(raw))
    spec = DatasetSpec(
        name="fake",
        image_shape=(28, 28),
        class_names=tuple(str(d) for d in range(10)),
        description="test",
        idx=IdxFiles(
            {k: md5_hex(v) for k, v in contents.items()},
            (f"file://{tmp_path}/bad/", f"file://{mirror}/"),
        ),
    )
    monkeypatch.setitem(DATASETS, "fake", spec)
    return contents


def test_download_from_mirror_then_load(fake_dataset, tmp_path):
    data = tmp_path / "data"
    ds = load_dataset("fake", "train", data_dir=data)
    assert ds.images.shape == (6, 1, 28, 28) and ds.labels.tolist() == [0, 1, 2, 3, 4, 5]
    assert (data / "fake" / "train-images-idx3-ubyte.gz").is_file()
    assert abs(float(ds.images.max()) - 1.0) < 0.01
    assert not check_dataset("fake", data)["ok"]  # a check never downloads the test split
    assert load_dataset("fake", "test", data_dir=data).labels.tolist() == [7, 8]
    assert check_dataset("fake", data)["ok"]


def test_limit_keeps_the_first_images(fake_dataset, tmp_path):
    data = tmp_path / "data"
    whole = load_dataset("fake", "train", data_dir=data)
    first = load_dataset("fake", "train", data_dir=data, limit=4)
    assert torch.equal(first.images, whole.images[:4]) and first.labels.tolist() == [0, 1, 2, 3]
    assert len(load_dataset("fake", "train", data_dir=data, limit=100)) == 6
    digits = load_dataset("digits", "test", limit=5)
    assert torch.equal(digits.images, load_dataset("digits", "test").images[:5])
    with pytest.raises(InputError, match="limit must be a positive integer, got 0"):
        load_dataset("digits", "test", limit=0)


def test_download_rejects_a_bad_copy(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "f.gz").write_bytes(gzip.compress(b"wrong content"))
    with pytest.raises(DataError, match="checksum"):
        download_gz(
            "f", [f"file://{mirror}/"], tmp_path / "out" / "f.gz", md5_hex(b"right"), progress=False
        )
    assert not (tmp_path / "out" / "f.gz").exists()


def test_download_dir_not_writable(fake_dataset, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(CacheError, match="not writable.*--data-dir or MIXMISS_DATA_DIR"):
        load_dataset("fake", "train", data_dir=blocker)


def test_check_dataset_reports_corrupt_file(fake_dataset, tmp_path):
    data = tmp_path / "data" / "fake"
    data.mkdir(parents=True)
    for name, raw in fake_dataset.items():
        (data / name).write_bytes(raw)
    (data / "t10k-labels-idx1-ubyte").write_bytes(idx_labels([7]))
    report = check_dataset("fake", tmp_path / "data")
    assert report["ok"] is False and "t10k-labels-idx1-ubyte fails its checksum" in report["reason"]


@pytest.mark.real_data
@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_real_datasets_load_verified(name, mnist_dir, fashion_dir):
    root = mnist_dir if name == "mnist" else fashion_dir
    train = load_dataset(name, "train", root, download=False)
    test = load_dataset(name, "test", root, download=False)
    assert train.images.shape == (60000, 1, 28, 28) and test.images.shape == (10000, 1, 28, 28)
    assert train.images.dtype == torch.float32 and train.labels.dtype == torch.int64
    assert float(train.images.min()) == 0.0 and float(train.images.max()) == 1.0
    assert sorted(set(test.labels.tolist())) == list(range(10))
    assert check_dataset(name, root)["ok"]


@pytest.mark.real_data
def test_real_truncated_copy_is_named(mnist_dir, tmp_path):
    copy = tmp_path / "mnist"
    shutil.copytree(mnist_dir / "mnist", copy)
    target = next(copy.glob("t10k-images-idx3-ubyte*"))
    target.chmod(0o644)
    target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
    with pytest.raises(DataError, match="t10k-images-idx3-ubyte"):
        load_dataset("mnist", "test", tmp_path, download=False)
