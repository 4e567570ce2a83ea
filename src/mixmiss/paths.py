"""Where mixmiss reads datasets and writes its caches.

Data directory: an explicit argument, else ``$MIXMISS_DATA_DIR``, else
``~/.cache/mixmiss``. Cache directory (trained evaluators, FID reference
statistics): an explicit argument, else ``$MIXMISS_CACHE_DIR``, else
``~/.cache/mixmiss``. The two are separate settings because a shared data
directory is often read-only.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import CacheError

DATA_DIR_ENV = "MIXMISS_DATA_DIR"
CACHE_DIR_ENV = "MIXMISS_CACHE_DIR"
DEFAULT_DIR = Path("~/.cache/mixmiss")


def _resolve(explicit: str | os.PathLike | None, env: str) -> Path:
    if explicit is not None:
        return Path(explicit).expanduser()
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return DEFAULT_DIR.expanduser()


def data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The dataset directory: ``explicit``, else ``$MIXMISS_DATA_DIR``, else the default."""
    return _resolve(explicit, DATA_DIR_ENV)


def cache_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The cache directory: ``explicit``, else ``$MIXMISS_CACHE_DIR``, else ``~/.cache/mixmiss``."""
    return _resolve(explicit, CACHE_DIR_ENV)


def ensure_writable_dir(path: str | os.PathLike, what: str, setting: str) -> Path:
    """Create ``path`` if needed and check that files can be written in it.

    ``what`` names the directory's role and ``setting`` the way to choose
    another one; both go into the error message.
    """
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise CacheError(
            f"the {what} {path} is not writable ({exc.strerror or exc}). "
            f"Choose a writable directory with {setting}."
        ) from exc
    return path
