"""Shared fixtures of the Table 2 tests: the smoke study (8x8 digits, 6 iterations), run once
(the tiny evaluator, ``evaluator_cache``, is in tests/experiments/conftest.py)."""

import json

import pytest

from mixmiss.context import Context
from mixmiss.experiments.table2 import reproduce_table2

SMOKE_IDS = [f"smoke-digits-{case}-{mode}-seed0" for mode in ("fixed", "learned") for case in "ABC"]


@pytest.fixture(scope="package")
def smoke_study(tmp_path_factory, evaluator_cache):
    """The whole smoke study, run once for the package: (out dir, paths written).

    Tests must not change it; copy what they alter.
    """
    out = tmp_path_factory.mktemp("table2")
    return out, reproduce_table2(
        "smoke", out, context=Context(cache_dir=evaluator_cache, progress=False)
    )


def read_cell(out, cell_id):
    """The stored record of ``cell_id`` in the study ``out``."""
    return json.loads((out / "cells" / f"{cell_id}.json").read_text())
