"""Reading and verifying IDX files (the MNIST / Fashion-MNIST format).

IDX layout: a big-endian header -- magic number (2051 for images, 2049 for
labels), the item count and, for images, rows and columns -- then the uint8
payload. Files may be stored gzip-compressed; checksums are the MD5 of the
uncompressed bytes, as published with the datasets.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError

IMAGE_MAGIC = 2051
LABEL_MAGIC = 2049
_HEADER_INTS = {IMAGE_MAGIC: 4, LABEL_MAGIC: 2}
_KIND = {IMAGE_MAGIC: "image", LABEL_MAGIC: "label"}


def read_bytes(path: Path) -> bytes:
    """The uncompressed content of ``path``, decompressing ``.gz`` files."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return handle.read()
        return path.read_bytes()
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(
            f"{path} is truncated or not a valid gzip file ({exc}). "
            "Delete it and download it again."
        ) from exc
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror or exc}.") from exc


def md5_hex(data: bytes) -> str:
    """The MD5 hex digest of ``data``."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def parse_idx(data: bytes, magic: int, source: Path | str) -> np.ndarray:
    """Parse IDX bytes with the expected ``magic`` into a uint8 array.

    Returns shape (N, rows, cols) for images and (N,) for labels. ``source``
    names the file in error messages.
    """
    header_size = 4 * _HEADER_INTS[magic]
    if len(data) >= 4 and int(np.frombuffer(data[:4], dtype=">u4")[0]) != magic:
        found = int(np.frombuffer(data[:4], dtype=">u4")[0])
        raise DataError(
            f"{source} is not an IDX {_KIND[magic]} file: magic number {found}, "
            f"expected {magic}. Check that the file is in the right place and not swapped "
            "with another."
        )
    if len(data) < header_size:
        raise DataError(
            f"{source} is too short to be an IDX {_KIND[magic]} file "
            f"({len(data)} bytes); it is truncated. Delete it and download it again."
        )
    header = np.frombuffer(data[:header_size], dtype=">u4")
    shape = tuple(int(d) for d in header[1:])
    expected = header_size + int(np.prod(shape))
    if len(data) != expected:
        raise DataError(
            f"{source} has {len(data)} bytes but its header {shape} implies {expected}; "
            "the file is truncated or corrupt. Delete it and download it again."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape)


def read_idx(path: Path, magic: int, md5: str | None = None) -> np.ndarray:
    """Read, verify (when ``md5`` is given) and parse one IDX file."""
    data = read_bytes(path)
    if md5 is not None:
        actual = md5_hex(data)
        if actual != md5:
            raise DataError(
                f"{path} fails its checksum: MD5 of the uncompressed content is {actual}, "
                f"expected {md5}. The file is corrupt or a different file; delete it and "
                "download it again."
            )
    return parse_idx(data, magic, path)
