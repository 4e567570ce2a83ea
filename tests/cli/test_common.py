"""Options shared by the command modules and the Context built from them."""

from __future__ import annotations

import argparse

from mixmiss.cli._common import context_from
from mixmiss.context import Context


def test_context_from_a_command_with_every_option():
    args = argparse.Namespace(data_dir="d", cache_dir="c", device="cpu", no_progress=True)
    assert context_from(args) == Context("d", "c", "cpu", False)


def test_context_from_a_command_without_them_takes_the_defaults():
    assert context_from(argparse.Namespace()) == Context()
