"""Shared by the MMGAN studies' tests (Table 2, the split study)."""

import pytest

from mixmiss.evaluators import train_evaluator


@pytest.fixture(scope="package")
def evaluator_cache(tmp_path_factory):
    """A cache holding a tiny digits evaluator (3 epochs), so no test trains the default one."""
    cache = tmp_path_factory.mktemp("evaluators")
    train_evaluator("digits", cache_dir=cache, epochs=3, progress=False)
    return cache
