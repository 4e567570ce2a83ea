"""The one Context of data dir, cache dir, device and progress."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from mixmiss.context import DEFAULT_CONTEXT, Context


def test_defaults_leave_the_choices_to_the_environment():
    assert DEFAULT_CONTEXT == Context(None, None, "auto", True)


def test_paths_are_stored_as_strings_and_the_context_pickles():
    context = Context(Path("/data"), Path("/cache"), "cpu", False)
    assert (context.data_dir, context.cache_dir) == ("/data", "/cache")
    assert pickle.loads(pickle.dumps(context)) == context  # it travels to worker processes


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_CONTEXT.device = "cuda"
