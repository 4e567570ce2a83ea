"""The reliability tests run commands in-process, like the CLI tests."""

from tests.cli.conftest import run  # noqa: F401
