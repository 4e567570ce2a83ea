"""Where data and caches live: explicit argument, then the environment, then ~/.cache/mixmiss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mixmiss import paths
from mixmiss.errors import CacheError


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A private home directory, so that ``~`` is known, and no setting in the environment."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.delenv(paths.CACHE_DIR_ENV, raising=False)
    return tmp_path / "home"


@pytest.mark.parametrize(
    "resolve, env", [(paths.data_dir, paths.DATA_DIR_ENV), (paths.cache_dir, paths.CACHE_DIR_ENV)]
)
def test_explicit_then_environment_then_default(home, monkeypatch, tmp_path, resolve, env):
    assert resolve() == home / ".cache" / "mixmiss"
    monkeypatch.setenv(env, str(tmp_path / "from-env"))
    assert resolve() == tmp_path / "from-env"
    assert resolve(tmp_path / "explicit") == tmp_path / "explicit"
    assert resolve(str(tmp_path / "explicit")) == tmp_path / "explicit"
    monkeypatch.setenv(env, "")  # an empty setting counts as unset
    assert resolve() == home / ".cache" / "mixmiss"


@pytest.mark.parametrize(
    "resolve, env", [(paths.data_dir, "MIXMISS_DATA_DIR"), (paths.cache_dir, "MIXMISS_CACHE_DIR")]
)
def test_tilde_is_expanded_in_both_sources(home, monkeypatch, resolve, env):
    assert resolve("~/x") == home / "x"
    monkeypatch.setenv(env, "~/y")
    assert resolve() == home / "y"
    assert isinstance(resolve(), Path)


def test_the_two_settings_are_independent(home, monkeypatch, tmp_path):
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(tmp_path / "data"))
    assert paths.cache_dir() == home / ".cache" / "mixmiss"
    monkeypatch.setenv(paths.CACHE_DIR_ENV, str(tmp_path / "cache"))
    assert paths.data_dir() == tmp_path / "data" and paths.cache_dir() == tmp_path / "cache"


def test_ensure_writable_dir_creates_nested_directories(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    assert paths.ensure_writable_dir(target, "thing", "--thing") == target
    assert target.is_dir()
    assert list(target.iterdir()) == []  # the probe file is gone
    assert paths.ensure_writable_dir(str(target), "thing", "--thing") == target  # exists already


def test_a_file_in_the_way_is_a_cache_error_naming_role_path_and_setting(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError) as info:
        paths.ensure_writable_dir(blocker / "sub", "evaluator cache directory", "--cache-dir")
    message = str(info.value)
    assert f"the evaluator cache directory {blocker / 'sub'} is not writable" in message
    assert message.endswith("Choose a writable directory with --cache-dir.")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_a_read_only_directory_is_a_cache_error(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(CacheError, match="is not writable"):
            paths.ensure_writable_dir(locked, "run directory", "--out")
    finally:
        locked.chmod(0o700)
