"""Atomic file writes and safe checkpoint loading.

A file is first written to a temporary sibling in the same directory, flushed
to disk, then renamed over the target: ``os.replace`` is atomic on POSIX and
Windows, so a reader (or a run killed half-way) sees either the old file or the
new one, never a torn one. A whole directory of outputs is built the same way
(:func:`atomic_directory`): in a temporary sibling, renamed into place only
when every file in it has been written.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .errors import CacheError, MixmissError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: The mode of a newly created file (``mkstemp`` alone would give 0600).
_FILE_MODE = 0o666 & ~_umask()

#: The mode of a newly created directory (``mkdtemp`` alone would give 0700).
_DIR_MODE = 0o777 & ~_umask()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    path = Path(path)
    if path.is_dir():
        raise CacheError(f"cannot write {path}: it is a directory; give the path of a file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise CacheError(
            f"cannot write {path}: {exc.strerror or exc}. "
            "Choose a writable directory (check its permissions and free space)."
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CacheError(
            f"cannot write {path}: {exc.strerror or exc}. "
            "Choose a writable location (check its permissions and free space)."
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def atomic_torch_save(path: str | os.PathLike, obj: Any) -> Path:
    """``torch.save`` ``obj`` to ``path`` atomically."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return atomic_write_bytes(path, buffer.getvalue())


def atomic_savez(path: str | os.PathLike, **arrays: np.ndarray) -> Path:
    """``numpy.savez`` the arrays to ``path`` atomically."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return atomic_write_bytes(path, buffer.getvalue())


def clear_temporaries(directory: str | os.PathLike, name: str = "*") -> list[Path]:
    """Remove what atomic writes killed half-way left in ``directory``; return it.

    A ``kill -9`` during :func:`atomic_write_bytes` or :func:`atomic_directory` leaves
    the temporary sibling ``.<name>.<random>.tmp`` behind (no handler runs). ``name``
    limits the sweep to the temporaries of one file; the default takes every one. Call
    it only where no other process writes into ``directory`` at the same time (a run
    directory being resumed, say).
    """
    directory = Path(directory)
    stale = sorted(directory.glob(f".{name}.*.tmp")) if directory.is_dir() else []
    for path in stale:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


def check_new_directory(path: str | os.PathLike) -> Path:
    """``path`` as a Path if it does not exist or is an empty directory; a clear error else.

    Call it before a long computation whose results :func:`atomic_directory` will write,
    so that an unusable output directory is refused before the work, not after it.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        what = "is not empty" if path.is_dir() else "is a file"
        raise CacheError(
            f"{path} already exists and {what}; give a new output directory or remove it."
        )
    return path


@contextlib.contextmanager
def atomic_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Fill a new directory all at once: ``with atomic_directory(out) as tmp: ...``.

    The block writes into ``tmp``, a temporary sibling of ``path``; when it ends
    without an error ``tmp`` is renamed to ``path``. When it raises (or is
    interrupted) ``tmp`` is removed, so ``path`` is never left half-written.
    ``path`` must not exist or be an empty directory (:func:`check_new_directory`).
    """
    path = check_new_directory(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as exc:
        raise CacheError(
            f"cannot create {path}: {exc.strerror or exc}. "
            "Choose a writable directory (check its permissions and free space)."
        ) from exc
    try:
        yield tmp
        os.chmod(tmp, _DIR_MODE)
        check_new_directory(path)  # nothing appeared there meanwhile
        if path.is_dir():
            path.rmdir()
        os.replace(tmp, path)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, MixmissError):  # DataError, CacheError: already clear
            raise
        raise CacheError(f"cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> Any:
    """Load a checkpoint written by :func:`atomic_torch_save`.

    Uses ``weights_only=True``: tensors, plain containers and numbers are
    restored, arbitrary pickled objects are refused, so a checkpoint from an
    untrusted source cannot run code.
    """
    path = Path(path)
    if not path.is_file():
        raise CacheError(f"no checkpoint at {path}: train first, or check the path.")
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch raises several unrelated types for bad files
        raise CacheError(
            f"cannot load checkpoint {path}: {_why(exc)}; the file is corrupt or was not "
            "written by mixmiss: delete it and train again."
        ) from exc


def _why(exc: Exception) -> str:
    """One line on why torch refused a file, without its advice to unpickle it anyway."""
    text = str(exc)
    if "weights_only" in text or "Unsupported global" in text:
        return "it holds Python objects, which mixmiss never unpickles"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first.rstrip(".")
