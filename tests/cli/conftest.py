"""Shared by the CLI tests: run a command in-process and capture its output."""

from __future__ import annotations

import pytest

from mixmiss.cli import main


@pytest.fixture
def run(capsys):
    """``run(*argv)`` -> (exit status, stdout, stderr) of ``mixmiss *argv``."""

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
