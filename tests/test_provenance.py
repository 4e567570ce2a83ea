"""The provenance record: quoted command, git revision with its dirty flag, versions."""

from __future__ import annotations

import json
import platform
import re
import shlex
import shutil
import subprocess

import pytest
import torch

import mixmiss
from mixmiss import provenance as prov

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def isolated_git(tmp_path, monkeypatch):
    """tmp_path, with git stopped from finding a repository above it or a user config."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    return tmp_path


def git(cwd, *args) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_command_is_quoted_so_that_the_shell_gives_it_back():
    argv = ["mixmiss", "mmgan", "train", "--sets", "0-6;3-9", "--out", "my run", "it's"]
    command = prov.provenance(argv)["command"]
    assert shlex.split(command) == argv
    assert command.startswith("mixmiss mmgan train --sets '0-6;3-9' --out 'my run' ")


def test_a_python_call_is_recorded_as_such_never_from_sys_argv(monkeypatch):
    monkeypatch.setattr("sys.argv", ["pytest", "-k", "x"])
    assert prov.provenance(None)["command"] == prov.FROM_PYTHON
    assert prov.provenance("mixmiss demo")["command"] == "mixmiss demo"
    assert prov.provenance([])["command"] == ""


def test_the_cli_records_the_argv_it_was_given(tmp_path, monkeypatch):
    from mixmiss.cli import main

    monkeypatch.setattr("sys.argv", ["pytest", "unrelated"])
    out = tmp_path / "run"
    argv = ["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism", "im",
            "--rate", "0.5", "--preset", "smoke", "--max-train", "40", "--out", str(out),
            "--no-progress"]  # fmt: skip
    assert main(argv) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["provenance"]["command"] == shlex.join(["mixmiss", *argv])


def test_record_fields(monkeypatch):
    monkeypatch.setattr(prov, "git_revision", lambda path=None: "abc123")
    record = prov.provenance(["x"])
    assert set(record) == {
        "command",
        "git_revision",
        "machine",
        "python",
        "torch",
        "mixmiss",
        "time",
    }
    assert record["git_revision"] == "abc123"
    assert record["python"] == platform.python_version()
    assert record["torch"] == torch.__version__ and record["mixmiss"] == mixmiss.__version__
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["time"])
    json.dumps(record)  # JSON-able


def test_machine_names_the_gpu_or_says_there_is_none(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert prov.machine().endswith(", no GPU")
    assert f"{prov.os.cpu_count()} CPUs" in prov.machine()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda index: "Fake GPU 9000")
    assert prov.machine().endswith(", Fake GPU 9000")


def test_machine_says_whether_the_cpu_has_native_bf16(monkeypatch):
    monkeypatch.setattr(prov, "cpu_flags", lambda: frozenset({"avx2", "avx512_bf16", "fma"}))
    assert "CPUs with avx512_bf16," in prov.machine()
    monkeypatch.setattr(prov, "cpu_flags", lambda: frozenset({"avx2", "fma"}))
    assert "CPUs without native bf16," in prov.machine()


@needs_git
def test_git_revision_outside_git_is_none(isolated_git):
    assert prov.git_revision(isolated_git) is None


def test_git_revision_of_a_missing_directory_or_without_git_is_none(tmp_path, monkeypatch):
    assert prov.git_revision(tmp_path / "does-not-exist") is None
    monkeypatch.setenv("PATH", str(tmp_path))  # no git executable on the path
    assert prov.git_revision(tmp_path) is None


@needs_git
def test_git_revision_and_dirty_flag(isolated_git):
    repo = isolated_git / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    assert prov.git_revision(repo) is None  # no commit yet
    (repo / "tracked.txt").write_text("one\n")
    git(repo, "add", "tracked.txt")
    git(repo, "commit", "-q", "-m", "first")
    head = git(repo, "rev-parse", "HEAD")
    assert prov.git_revision(repo) == head
    (repo / "sub").mkdir()
    assert prov.git_revision(repo / "sub") == head  # any directory inside the checkout
    (repo / "untracked.txt").write_text("new\n")
    assert prov.git_revision(repo) == head  # untracked files do not make it dirty
    (repo / "tracked.txt").write_text("two\n")
    assert prov.git_revision(repo) == head + "-dirty"
    git(repo, "add", "tracked.txt")
    assert prov.git_revision(repo) == head + "-dirty"  # staged but not committed
    git(repo, "commit", "-q", "-m", "second")
    assert prov.git_revision(repo) == git(repo, "rev-parse", "HEAD") != head


def test_git_revision_defaults_to_the_package_checkout():
    revision = prov.git_revision()
    assert revision is None or re.fullmatch(r"[0-9a-f]{40}(-dirty)?", revision)
