"""CIFAR-10 from its binary archive: 60,000 32x32 RGB images in 10 classes.

The archive ``cifar-10-binary.tar.gz`` (Krizhevsky, 2009; publisher's MD5
c32a1d4ab5d03f1284b67883e8d87530) is downloaded once into
``<data_dir>/cifar10/`` and read in place, never unpacked: its members
``cifar-10-batches-bin/data_batch_{1..5}.bin`` (train) and ``test_batch.bin``
(test) hold records of one label byte and 3,072 pixel bytes (the red, green
and blue 32x32 planes). The binary version is used rather than the Python
one because reading it needs no unpickling of downloaded data.
"""

from __future__ import annotations

import functools
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import paths
from ..errors import DataError
from .download import download_verified
from .idx import md5_hex

CLASS_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
_RECORD = 1 + 3 * 32 * 32


@dataclass(frozen=True)
class Archive:
    """Where a CIFAR-format binary archive comes from and how to verify it."""

    filename: str
    md5: str
    mirrors: tuple[str, ...]
    folder: str
    members: tuple[tuple[str, tuple[str, ...]], ...]  # (split, its batch files); hashable


CIFAR10 = Archive(
    filename="cifar-10-binary.tar.gz",
    md5="c32a1d4ab5d03f1284b67883e8d87530",
    mirrors=("https://www.cs.toronto.edu/~kriz/",),
    folder="cifar-10-batches-bin",
    members=(
        ("train", tuple(f"data_batch_{i}.bin" for i in range(1, 6))),
        ("test", ("test_batch.bin",)),
    ),
)


@functools.lru_cache(maxsize=2)
def _read_cached(path: str, split: str, archive: Archive, mtime_ns: int, size: int):
    # Keyed on the file's mtime and size so that a replaced archive is re-read.
    data = Path(path).read_bytes()
    actual = md5_hex(data)
    if actual != archive.md5:
        raise DataError(
            f"{path} fails its checksum (MD5 {actual}, expected {archive.md5}): the archive is "
            "damaged or not CIFAR-10's binary version. Delete it to download it again."
        )
    records = []
    try:
        with tarfile.open(path, "r:gz") as tar:
            for name in dict(archive.members)[split]:
                member = tar.extractfile(f"{archive.folder}/{name}")
                records.append(member.read())
    except (tarfile.TarError, KeyError, OSError, AttributeError) as exc:
        raise DataError(f"cannot read {path}: {exc}; delete it to download it again.") from exc
    raw = b"".join(records)
    if len(raw) % _RECORD:
        raise DataError(f"{path}: the {split} batches are not whole {_RECORD}-byte records.")
    table = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _RECORD)
    labels = table[:, 0].astype(np.int64)
    if labels.max(initial=0) >= len(CLASS_NAMES):
        raise DataError(f"{path}: labels above {len(CLASS_NAMES) - 1} in the {split} batches.")
    return table[:, 1:].reshape(-1, 3, 32, 32), labels


def load_archive(
    archive: Archive, split: str, directory: Path, download: bool
) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images (N, 3, 32, 32) and int64 labels of ``split``, downloading the archive
    into ``directory`` when it is missing and ``download`` is on."""
    path = directory / archive.filename
    if not path.is_file():
        hint = (
            f"Put {archive.filename} there (from {archive.mirrors[0]}), or point the data "
            f"directory elsewhere with --data-dir or {paths.DATA_DIR_ENV}."
        )
        if not download:
            raise DataError(
                f"missing {archive.filename} in {directory} (download disabled). {hint}"
            )
        paths.ensure_writable_dir(directory, "CIFAR-10 data directory", "--data-dir")
        try:
            download_verified(archive.filename, archive.mirrors, path, archive.md5)
        except DataError as exc:
            raise DataError(f"{exc}. Offline? {hint}") from exc
    stat = path.stat()
    return _read_cached(str(path), split, archive, stat.st_mtime_ns, stat.st_size)
