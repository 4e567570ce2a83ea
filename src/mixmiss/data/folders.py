"""Image folders in and out: a user's own collections as MMGAN distributions.

Reading: every file with an image suffix (:data:`IMAGE_SUFFIXES`) directly
inside a folder, in name order, is opened with Pillow, converted to
grayscale (``"L"``) or RGB, centre-cropped to a square and resized to
``resolution`` (bicubic; :func:`PIL.ImageOps.fit`), then scaled to [0, 1].
Any size and mode (palette, alpha, 16-bit) is accepted; a file that Pillow
cannot decode is an :class:`~mixmiss.errors.InputError` naming it. Files
with other suffixes and hidden files are skipped.

Two ways to make distributions from folders:

- :func:`collections_split`: each folder is one distribution, no labels; the
  split's regions and priors are unknown (empty), its images labelled by
  their collection;
- :func:`folder_split`: one folder with a subfolder per class, split into
  overlapping distributions by class names or patterns (``"red-*;*-circle"``)
  exactly as :func:`~mixmiss.data.venn_split` splits a registered dataset,
  no image used twice.

Writing (:func:`write_class_folders`, :func:`write_collections`) builds the
whole tree in a temporary sibling folder and renames it into place, so an
interrupted write leaves nothing half-written.
"""

from __future__ import annotations

import fnmatch
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from ..errors import CacheError, InputError
from .datasets import ImageDataset
from .venn import VennSplit, venn_split

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm")
#: Sides the MMGAN networks are built for (:mod:`mixmiss.mmgan.networks`).
RESOLUTIONS = (28, 32, 64)
_MODES = {1: "L", 3: "RGB"}


def _check_format(resolution: int, channels: int) -> None:
    if resolution not in RESOLUTIONS:
        raise InputError(
            f"resolution must be one of {', '.join(map(str, RESOLUTIONS))}, got {resolution!r}."
        )
    if channels not in _MODES:
        raise InputError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels!r}.")


def image_files(folder: str | os.PathLike) -> list[Path]:
    """The image files directly inside ``folder``, in name order (none is an error)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder of images; give an existing directory.")
    files = sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES
    )
    if not files:
        raise InputError(f"{folder} holds no images (files ending in {', '.join(IMAGE_SUFFIXES)}).")
    return files


def read_image(path: str | os.PathLike, resolution: int, channels: int) -> np.ndarray:
    """One image file as float32 (channels, resolution, resolution) in [0, 1]."""
    _check_format(resolution, channels)
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit gray: scale to 8 bits
                scaled = np.asarray(image, dtype=np.float64)
                image = Image.fromarray(np.uint8(255 * scaled / max(scaled.max(), 1.0)))
            image = image.convert(_MODES[channels])
            image = ImageOps.fit(image, (resolution, resolution), Image.Resampling.BICUBIC)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise InputError(
            f"cannot read image {path}: {exc}. Remove the file or replace it with a readable "
            "image (PNG, JPEG, ...)."
        ) from exc
    array = np.asarray(image, dtype=np.float32) / 255.0
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def load_image_folder(
    folder: str | os.PathLike, resolution: int = 32, channels: int = 3
) -> torch.Tensor:
    """All images of ``folder`` as a float32 tensor (N, channels, resolution, resolution)."""
    _check_format(resolution, channels)
    files = image_files(folder)
    return torch.from_numpy(np.stack([read_image(p, resolution, channels) for p in files]))


def load_class_folders(
    root: str | os.PathLike, resolution: int = 32, channels: int = 3
) -> ImageDataset:
    """A labelled folder (one subfolder of images per class, names sorted) as an ImageDataset."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root} is not a folder; give a folder with one subfolder per class.")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise InputError(f"{root} has no class subfolders; put each class's images in its own.")
    images = [load_image_folder(root / name, resolution, channels) for name in classes]
    labels = torch.cat([torch.full((len(x),), i, dtype=torch.long) for i, x in enumerate(images)])
    return ImageDataset(torch.cat(images), labels, str(root), "train", tuple(classes))


def resolve_class_patterns(text: str, class_names: Sequence[str]) -> tuple[tuple[int, ...], ...]:
    """Label sets from class names or shell patterns: ``"red-*;*-circle"`` -> ((0, 1, 2), (0, 3, 6)).

    Sets are separated by ``;``, items by ``,``; an item is a class name or a
    pattern (:mod:`fnmatch`) that must match at least one class.
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError("the sets are empty; write them like 'red-*;*-circle'.")
    sets = []
    for number, part in enumerate(text.split(";"), start=1):
        labels: list[int] = []
        for item in filter(None, (s.strip() for s in part.split(","))):
            matched = [i for i, name in enumerate(class_names) if fnmatch.fnmatchcase(name, item)]
            if not matched:
                raise InputError(
                    f"set {number}: {item!r} names no class; the classes are "
                    f"{', '.join(class_names)}."
                )
            labels.extend(i for i in matched if i not in labels)
        sets.append(tuple(labels))
    return tuple(sets)


def folder_split(
    root: str | os.PathLike,
    sets: str,
    resolution: int = 32,
    channels: int = 3,
    generator: torch.Generator | None = None,
) -> VennSplit:
    """The Venn split of a labelled folder by class names/patterns (see the module docstring)."""
    dataset = load_class_folders(root, resolution, channels)
    return venn_split(dataset, resolve_class_patterns(sets, dataset.class_names), generator)


def collections_split(
    folders: Sequence[str | os.PathLike], resolution: int = 32, channels: int = 3
) -> VennSplit:
    """One distribution per folder; regions and priors unknown (``regions == ()``).

    The images of folder i get label i (class name: the folder's name), so
    ``sets`` is ``((0,), (1,), ...)``; nothing about their overlap is assumed.
    """
    if len(folders) < 2:
        raise InputError(
            f"give at least two collections (folders), got {len(folders)}: MMGAN finds what "
            "several collections share."
        )
    resolved = [Path(f).resolve() for f in folders]
    if len(set(resolved)) != len(resolved):
        raise InputError("the same folder is given twice as a collection; give each once.")
    names = tuple(Path(f).name or str(f) for f in folders)
    distributions = []
    for i, folder in enumerate(folders):
        images = load_image_folder(folder, resolution, channels)
        labels = torch.full((len(images),), i, dtype=torch.long)
        distributions.append(ImageDataset(images, labels, "collections", "train", names))
    sets = tuple((i,) for i in range(len(folders)))
    return VennSplit(sets, tuple(distributions), (), np.zeros((len(folders), 0)))


def _to_uint8(image: torch.Tensor) -> np.ndarray:
    array = np.round(image.clamp(0, 1).numpy() * 255).astype(np.uint8)
    return array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)


def _write_tree(out: str | os.PathLike, folders: dict[str, torch.Tensor], extra: dict) -> Path:
    """Write {subfolder: images (N, C, H, W)} as PNGs (and JSON files ``extra``) into ``out``."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"{out} already exists and is not empty; choose a new --out.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    except OSError as exc:
        raise CacheError(
            f"cannot write {out}: {exc.strerror or exc}; choose a writable place."
        ) from exc
    try:
        for name, images in folders.items():
            (staging / name).mkdir()
            for index, image in enumerate(images):
                Image.fromarray(_to_uint8(image)).save(staging / name / f"{index:05d}.png")
        for name, record in extra.items():
            (staging / name).write_text(json.dumps(record, indent=2) + "\n")
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def write_class_folders(dataset: ImageDataset, out: str | os.PathLike) -> Path:
    """``out/<class name>/00000.png, ...``: the labelled folder that :func:`load_class_folders` reads."""
    folders = {
        name: dataset.images[dataset.labels == label]
        for label, name in enumerate(dataset.class_names)
    }
    return _write_tree(out, {k: v for k, v in folders.items() if len(v)}, {})


def write_collections(
    dataset: ImageDataset,
    collections: dict[str, str],
    out: str | os.PathLike,
    generator: torch.Generator | None = None,
) -> Path:
    """Split ``dataset`` into collections ``{name: class patterns}`` and write one folder each.

    The split is :func:`~mixmiss.data.venn_split`'s (no image in two
    collections). ``out/truth.json`` records, for checking a run against the
    known answer, each collection's classes and the true priors over the
    Venn regions.
    """
    names = list(collections)
    bad = [n for n in names if not n or n.startswith(".") or "/" in n or n == "truth.json"]
    if bad or len(names) < 1:
        raise InputError(f"collection names must be plain folder names, got {bad or names}.")
    sets = resolve_class_patterns(";".join(collections.values()), dataset.class_names)
    split = venn_split(dataset, sets, generator)
    classes = dataset.class_names
    truth = {
        "collections": {
            name: [classes[i] for i in labels] for name, labels in zip(names, sets, strict=True)
        },
        "regions": {
            r.name: {"operation": r.operation, "classes": [classes[i] for i in r.labels]}
            for r in split.regions
        },
        "true_priors": split.priors.round(5).tolist(),
    }
    images = {name: d.images for name, d in zip(names, split.distributions, strict=True)}
    return _write_tree(out, images, {"truth.json": truth})
