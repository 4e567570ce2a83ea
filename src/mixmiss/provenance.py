"""What produced a result: command, git revision, machine, versions, time.

Every result file mixmiss writes under ``results/`` or a run directory
carries this record, built by :func:`provenance` and nothing else, so a
number can be traced back to the code and the command that made it. The
command is the argv that :func:`mixmiss.cli.main` was given (never
``sys.argv``, which is wrong when ``main`` is called from Python or a test);
a result made by a Python call records that instead.
"""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from . import __version__
from .precision import BF16_CPU_FLAGS, cpu_flags


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
    """A one-line description of the machine: CPU count, the CPU's native bf16 flags
    (what precision ``auto`` resolves to there, :mod:`mixmiss.precision`) and GPU if any."""
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    bf16 = sorted(cpu_flags() & set(BF16_CPU_FLAGS))
    cpus = f"{os.cpu_count()} CPUs " + (f"with {'+'.join(bf16)}" if bf16 else "without native bf16")
    return f"{platform.machine()}, {cpus}, {gpu}"


#: The command recorded for a result made by a Python call rather than the CLI.
FROM_PYTHON = "(a Python call, not the command line)"


def command_text(command: Sequence[str] | str | None) -> str:
    """``command`` as one shell-quoted line (an argv list is quoted, a string kept)."""
    if command is None:
        return FROM_PYTHON
    return command if isinstance(command, str) else shlex.join(str(a) for a in command)


def provenance(command: Sequence[str] | str | None) -> dict:
    """A JSON-able record of how and where a result was produced.

    ``command`` is the CLI's argv (``["mixmiss", ...]``, as :func:`mixmiss.cli.main`
    passes it down) or None for a Python call.
    """
    return {
        "command": command_text(command),
        "git_revision": git_revision(),
        "machine": machine(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "mixmiss": __version__,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
