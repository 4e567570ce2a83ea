"""Downloading dataset files from public mirrors, verified and atomic."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
import zlib
from collections.abc import Sequence
from pathlib import Path

from tqdm.auto import tqdm

from ..atomic import atomic_write_bytes
from ..errors import DataError
from .idx import md5_hex

_CHUNK = 1 << 16


def fetch_url(url: str, timeout: float = 30.0, progress: bool = True) -> bytes:
    """The body at ``url``, with a progress bar. Raises ``OSError`` on failure."""
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
        total = response.headers.get("Content-Length")
        chunks = []
        with tqdm(
            total=int(total) if total else None,
            unit="B",
            unit_scale=True,
            desc=url.rsplit("/", 1)[-1],
            disable=not progress,
            leave=False,
        ) as bar:
            while chunk := response.read(_CHUNK):
                chunks.append(chunk)
                bar.update(len(chunk))
    return b"".join(chunks)


def download_gz(
    filename: str, mirrors: Sequence[str], dest: Path, md5: str, progress: bool = True
) -> Path:
    """Download ``filename + '.gz'`` from the first mirror that serves a good copy.

    The gzip file is stored at ``dest`` only when the MD5 of its uncompressed
    content equals ``md5``. Returns ``dest``; raises :class:`DataError` listing
    every mirror's failure when none succeeds.
    """
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename + ".gz"
        try:
            payload = fetch_url(url, progress=progress)
            content = gzip.decompress(payload)
        except (OSError, EOFError, zlib.error, urllib.error.URLError, ValueError) as exc:
            failures.append(f"{url}: {exc}")
            continue
        actual = md5_hex(content)
        if actual != md5:
            failures.append(f"{url}: checksum {actual}, expected {md5}")
            continue
        return atomic_write_bytes(dest, payload)
    raise DataError(f"could not download {filename}: " + "; ".join(failures))


def download_verified(
    filename: str, mirrors: Sequence[str], dest: Path, md5: str, progress: bool = True
) -> Path:
    """Download ``filename`` as is (an archive) from the first mirror whose copy has ``md5``.

    Stored at ``dest`` atomically; raises :class:`DataError` listing every
    mirror's failure when none succeeds.
    """
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        try:
            payload = fetch_url(url, progress=progress)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            failures.append(f"{url}: {exc}")
            continue
        actual = md5_hex(payload)
        if actual != md5:
            failures.append(f"{url}: checksum {actual}, expected {md5}")
            continue
        return atomic_write_bytes(dest, payload)
    raise DataError(f"could not download {filename}: " + "; ".join(failures))
