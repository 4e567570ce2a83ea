"""The dataset registry: MNIST, Fashion-MNIST, scikit-learn's 8x8 digits and CIFAR-10.

Every dataset is returned as an :class:`ImageDataset`: float32 images in
[0, 1] of shape (N, C, H, W) (C = 1, or 3 for CIFAR-10) and int64 labels.
CIFAR-10 is read from its binary archive (:mod:`.cifar`). MNIST and Fashion-MNIST are
read from IDX files under ``<data_dir>/<name>/`` (plain or ``.gz``), verified
against the publishers' MD5 checksums and, when missing, downloaded from the
public mirrors. ``digits`` ships inside scikit-learn and needs no files.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .. import paths
from ..errors import DataError, InputError
from ..validation import check_positive_int
from . import cifar
from .download import download_gz
from .idx import IMAGE_MAGIC, LABEL_MAGIC, read_idx

SPLITS = ("train", "test")


@dataclass(frozen=True)
class ImageDataset:
    """Images in [0, 1] with their class labels.

    Attributes
    ----------
    images : torch.Tensor, float32, shape (N, C, H, W)
        C = 1 (grayscale; every registered dataset) or 3 (RGB; image folders, shapes).
    labels : torch.Tensor, int64, shape (N,)
    name : str
        Registry name of the dataset (``"mnist"``, ...).
    split : str
        ``"train"`` or ``"test"``.
    class_names : tuple of str
        Human-readable name of each label.
    """

    images: torch.Tensor
    labels: torch.Tensor
    name: str
    split: str
    class_names: tuple[str, ...]

    def __post_init__(self):
        images, labels = self.images, self.labels
        if (
            not isinstance(images, torch.Tensor)
            or images.ndim != 4
            or images.shape[1] not in (1, 3)
        ):
            raise InputError(
                f"images must be a tensor of shape (N, C, H, W) with C = 1 or 3, got "
                f"{tuple(getattr(images, 'shape', ())) or type(images).__name__}."
            )
        if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != (images.shape[0],):
            raise InputError(
                f"labels must be a tensor of shape ({images.shape[0]},), one per image, got "
                f"{tuple(getattr(labels, 'shape', ())) or type(labels).__name__}."
            )

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def image_shape(self) -> tuple[int, int]:
        """(H, W) of one image."""
        return int(self.images.shape[2]), int(self.images.shape[3])

    @property
    def channels(self) -> int:
        """C: 1 (grayscale) or 3 (RGB)."""
        return int(self.images.shape[1])

    def subset(self, indices: torch.Tensor | Sequence[int] | slice) -> ImageDataset:
        """The dataset restricted to ``indices`` (same name, split and classes)."""
        if not isinstance(indices, slice):
            indices = torch.as_tensor(indices, dtype=torch.long)
        return ImageDataset(
            self.images[indices], self.labels[indices], self.name, self.split, self.class_names
        )


@dataclass(frozen=True)
class IdxFiles:
    """The four IDX files of an MNIST-format dataset and where to get them."""

    md5: dict[str, str]
    mirrors: tuple[str, ...]

    @staticmethod
    def names(split: str) -> tuple[str, str]:
        prefix = "train" if split == "train" else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"


@dataclass(frozen=True)
class DatasetSpec:
    """One registry entry."""

    name: str
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]
    description: str
    idx: IdxFiles | None = None
    load_embedded: Callable[[str], tuple[np.ndarray, np.ndarray]] | None = field(
        default=None, repr=False
    )
    #: (split, directory, download) -> uint8 images (N, C, H, W) and labels, for file formats
    #: other than IDX (the CIFAR archive).
    load_files: Callable[[str, Path, bool], tuple[np.ndarray, np.ndarray]] | None = field(
        default=None, repr=False
    )
    #: Optional datasets (CIFAR-10: 170 MB, only for users who want it) do not fail
    #: ``mixmiss data check`` when they are absent.
    optional: bool = False

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _load_digits(split: str) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 8x8 digits (values 0..16), split 80/20 by a fixed permutation.

    The permutation comes from ``numpy.random.default_rng(0)`` so that the split
    is the same everywhere; 1,437 train and 360 test images.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    order = np.random.default_rng(0).permutation(len(bunch.target))
    n_train = int(round(0.8 * len(order)))
    chosen = order[:n_train] if split == "train" else order[n_train:]
    images = bunch.images[chosen].astype(np.float32) / 16.0
    return images, bunch.target[chosen]


DATASETS: dict[str, DatasetSpec] = {
    spec.name: spec
    for spec in (
        DatasetSpec(
            name="mnist",
            image_shape=(28, 28),
            class_names=tuple(str(d) for d in range(10)),
            description="MNIST handwritten digits, 60k train + 10k test, 28x28",
            idx=IdxFiles(
                md5={
                    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
                    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
                    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
                    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
                },
                mirrors=(
                    "https://ossci-datasets.s3.amazonaws.com/mnist/",
                    "https://storage.googleapis.com/cvdf-datasets/mnist/",
                ),
            ),
        ),
        DatasetSpec(
            name="fashion-mnist",
            image_shape=(28, 28),
            class_names=(
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ),
            description="Fashion-MNIST (Zalando), 60k train + 10k test, 28x28",
            idx=IdxFiles(
                md5={
                    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
                    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
                    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
                    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
                },
                mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
            ),
        ),
        DatasetSpec(
            name="digits",
            image_shape=(8, 8),
            class_names=tuple(str(d) for d in range(10)),
            description="scikit-learn's bundled 8x8 digits, 1437 train + 360 test (no files)",
            load_embedded=_load_digits,
        ),
        DatasetSpec(
            name="cifar10",
            image_shape=(32, 32),
            class_names=cifar.CLASS_NAMES,
            description="CIFAR-10, 50k train + 10k test, 32x32 RGB (binary archive)",
            load_files=functools.partial(cifar.load_archive, cifar.CIFAR10),
            optional=True,
        ),
    )
}


def get_spec(name: str) -> DatasetSpec:
    """The registry entry for ``name``; a clear error for unknown names."""
    try:
        return DATASETS[name]
    except KeyError:
        raise InputError(
            f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}."
        ) from None


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; choose 'train' or 'test'.")


def locate(directory: Path, filename: str) -> Path | None:
    """The stored copy of ``filename`` in ``directory`` (plain or ``.gz``), if any."""
    for candidate in (directory / filename, directory / (filename + ".gz")):
        if candidate.is_file():
            return candidate
    return None


@functools.lru_cache(maxsize=8)
def _read_cached(path: str, magic: int, md5: str, mtime_ns: int, size: int) -> np.ndarray:
    # Keyed on the file's mtime and size so that a replaced file is re-read.
    return read_idx(Path(path), magic, md5)


def _read_verified(path: Path, magic: int, md5: str) -> np.ndarray:
    stat = path.stat()
    return _read_cached(str(path), magic, md5, stat.st_mtime_ns, stat.st_size)


def _missing_files_error(
    spec: DatasetSpec, directory: Path, missing: list[str], why: str
) -> DataError:
    return DataError(
        f"{spec.name}: missing {', '.join(missing)} in {directory} ({why}). "
        f"Put the IDX files (plain or .gz) there, or point the data directory elsewhere "
        f"with --data-dir or the {paths.DATA_DIR_ENV} environment variable."
    )


def _idx_paths(spec: DatasetSpec, split: str, directory: Path, download: bool) -> tuple[Path, Path]:
    assert spec.idx is not None
    names = spec.idx.names(split)
    found = {name: locate(directory, name) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing and not download:
        raise _missing_files_error(spec, directory, missing, "download disabled")
    if missing:
        created = [p for p in (directory, *directory.parents) if not p.exists()]
        paths.ensure_writable_dir(
            directory, f"{spec.name} data directory", f"--data-dir or {paths.DATA_DIR_ENV}"
        )
        failures = []
        for name in missing:
            try:
                found[name] = download_gz(
                    name, spec.idx.mirrors, directory / (name + ".gz"), spec.idx.md5[name]
                )
            except DataError as exc:
                failures.append(str(exc))
        if failures:
            for made in created:  # a failed download leaves no directories behind
                if made.is_dir() and not any(made.iterdir()):
                    made.rmdir()
            still = [name for name, path in found.items() if path is None]
            raise _missing_files_error(
                spec, directory, still, "download failed: " + " | ".join(failures)
            )
    return found[names[0]], found[names[1]]


def load_dataset(
    name: str,
    split: str = "train",
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    limit: int | None = None,
) -> ImageDataset:
    """Load a registered dataset as float32 images in [0, 1].

    Parameters
    ----------
    name : {"mnist", "fashion-mnist", "digits", "cifar10"}
    split : {"train", "test"}
    data_dir : path, optional
        Directory holding ``<name>/`` folders of IDX files; defaults to
        ``$MIXMISS_DATA_DIR``, else ``~/.cache/mixmiss``. Unused for ``digits``.
    download : bool
        Fetch missing files from the public mirrors (verified by MD5).
    limit : int, optional
        Keep only the first ``limit`` images (all when the split is smaller).
        Only those are converted to float, which makes a small subset cheap.

    Returns
    -------
    ImageDataset
        ``images`` (N, 1, H, W) float32 in [0, 1], ``labels`` (N,) int64.

    Examples
    --------
    >>> ds = load_dataset("digits", "test")
    >>> ds.images.shape, ds.images.dtype
    (torch.Size([360, 1, 8, 8]), torch.float32)
    """
    spec = get_spec(name)
    _check_split(split)
    keep = slice(None) if limit is None else slice(check_positive_int(limit, "limit"))
    if spec.load_embedded is not None:
        images, labels = spec.load_embedded(split)
        images, labels = images[keep], labels[keep]
        images_t = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))
    elif spec.load_files is not None:
        raw, labels = spec.load_files(split, paths.data_dir(data_dir) / spec.name, download)
        raw, labels = raw[keep], labels[keep]
        images_t = torch.from_numpy(raw.astype(np.float32)) / 255.0
    else:
        directory = paths.data_dir(data_dir) / spec.name
        image_path, label_path = _idx_paths(spec, split, directory, download)
        image_name, label_name = spec.idx.names(split)
        raw = _read_verified(image_path, IMAGE_MAGIC, spec.idx.md5[image_name])
        labels = _read_verified(label_path, LABEL_MAGIC, spec.idx.md5[label_name])
        if raw.shape[0] != labels.shape[0]:
            raise DataError(
                f"{image_path} holds {raw.shape[0]} images but {label_path} holds "
                f"{labels.shape[0]} labels; the files do not belong together."
            )
        raw, labels = raw[keep], labels[keep]
        images_t = torch.from_numpy(raw.astype(np.float32)) / 255.0
    return ImageDataset(
        images=(images_t if images_t.ndim == 4 else images_t.unsqueeze(1)).contiguous(),
        labels=torch.from_numpy(np.asarray(labels, dtype=np.int64)),
        name=spec.name,
        split=split,
        class_names=spec.class_names,
    )


def check_dataset(name: str, data_dir: str | os.PathLike | None = None) -> dict:
    """Check, without downloading, that a dataset loads and verifies.

    Returns ``{"dataset", "ok", "reason", "directory"}`` plus the split sizes
    when ``ok``.
    """
    spec = get_spec(name)
    stored = spec.idx is not None or spec.load_files is not None
    directory = str(paths.data_dir(data_dir) / spec.name) if stored else None
    report: dict = {"dataset": name, "directory": directory, "optional": spec.optional}
    try:
        sizes = {
            split: len(load_dataset(name, split, data_dir, download=False)) for split in SPLITS
        }
    except DataError as exc:
        return {**report, "ok": False, "reason": str(exc)}
    return {**report, "ok": True, "reason": "all files present and verified", "sizes": sizes}
