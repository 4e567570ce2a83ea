"""What produced a result: command, git revision, machine, versions, time.

Every result file mixmiss writes under ``results/`` or a run directory
carries this record, so a number can be traced back to the code and the
command that made it.
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

import torch

from . import __version__


def git_revision(path: str | os.PathLike | None = None) -> str | None:
    """The git commit of the checkout holding ``path`` (default: this package), with
    ``-dirty`` appended when the work tree has uncommitted changes; None outside git."""
    where = Path(path) if path is not None else Path(__file__).resolve().parent
    try:
        revision = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return revision + ("-dirty" if dirty else "")


def machine() -> str:
    """A one-line description of the machine: CPU count and GPU if any."""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {gpu}"


def provenance(command: list[str] | None = None) -> dict:
    """A JSON-able record of how and where a result was produced."""
    argv = sys.argv if command is None else command
    return {
        "command": " ".join(shlex.quote(a) for a in argv),
        "git_revision": git_revision(),
        "machine": machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "mixmiss": __version__,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
