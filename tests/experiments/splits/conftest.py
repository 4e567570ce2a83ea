"""Shared fixtures of the split study's tests: the smoke study (2 digits splits, 6 steps), run once."""

import json

import pytest

from mixmiss.context import Context
from mixmiss.experiments.splits import reproduce_splits

SMOKE_IDS = ["smoke-digits-seed0-split1", "smoke-digits-seed0-split2"]


@pytest.fixture(scope="package")
def smoke_study(tmp_path_factory, evaluator_cache):
    """The whole smoke study, run once for the package: (out dir, paths written).

    Tests must not change it; copy what they alter.
    """
    out = tmp_path_factory.mktemp("splits")
    context = Context(cache_dir=evaluator_cache, progress=False)
    return out, reproduce_splits("smoke", out, context=context)


def read_cell(out, cell_id):
    """The stored record of ``cell_id`` in the study ``out``."""
    return json.loads((out / "cells" / f"{cell_id}.json").read_text())
