"""kill -9 at random moments of every trainer, then resume: the same weights, bit for bit.

Each trainer runs as a real process (``python -m mixmiss``) and is killed with
SIGKILL at seeded random moments, at least ten times, each time continued
with the command a user would give next (``--resume`` once the run exists).
The finished run must hold exactly the weights of an uninterrupted run of
the same seed, no temporary file may be left anywhere in it, and its
recorded training time must not exceed the time the processes ran.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mixmiss.atomic import load_checkpoint

KILLS = 10
#: One thread, so that the killed and the uninterrupted runs compute alike.
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}

TRAINERS = {
    # argv after `mixmiss`, the file holding the final weights, the file marking a run
    "mmgan": (
        ["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
         "--iters", "900"],
        "checkpoint.pt",
        "config.json",
    ),
    "rbm": (
        ["impute", "train", "--dataset", "digits", "--method", "lm-rbm", "--mechanism", "im",
         "--rate", "0.5", "--preset", "smoke", "--max-train", "1000", "--set", "epochs=400"],
        "state.pt",
        "run.json",
    ),
    "misgan": (
        ["impute", "train", "--dataset", "mnist", "--method", "misgan", "--mechanism", "im",
         "--rate", "0.5", "--preset", "smoke", "--max-train", "256", "--set", "epochs=6"],
        "state.pt",
        "run.json",
    ),
}  # fmt: skip


def _command(trainer: str, out: Path, resume: bool, data_dir) -> list[str]:
    argv, _, _ = TRAINERS[trainer]
    extra = ["--data-dir", str(data_dir)] if data_dir else []
    return [sys.executable, "-m", "mixmiss", *argv, "--out", str(out), "--no-progress",
            *extra, *(["--resume"] if resume else [])]  # fmt: skip


def _run(command: list[str], kill_after: float | None) -> tuple[int, float]:
    start = time.monotonic()
    process = subprocess.Popen(command, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    _, err = process.communicate(timeout=600)
    code = process.returncode
    assert code in (0, -signal.SIGKILL), err.decode()[-2000:]
    return code, time.monotonic() - start


def _weights(path: Path) -> dict:
    state = load_checkpoint(path)
    return state.get("state", state)  # an MMGAN checkpoint holds its weights under "state"


def _assert_identical(a, b, where=""):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _assert_identical(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_identical(x, y, f"{where}[{i}]")
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    else:
        assert a == b, where


@pytest.mark.stress
@pytest.mark.parametrize(
    "trainer", ["mmgan", "rbm", pytest.param("misgan", marks=pytest.mark.real_data)]
)
def test_kill9_at_random_moments_then_resume_gives_the_same_weights(trainer, tmp_path, request):
    data_dir = request.getfixturevalue("mnist_dir") if trainer == "misgan" else None
    _, weights_file, marker = TRAINERS[trainer]
    straight = tmp_path / "straight"
    _, full = _run(_command(trainer, straight, False, data_dir), None)
    _, startup = _run([sys.executable, "-c", "import mixmiss.cli, mixmiss.registry"], None)

    # Kills land around the end of start-up and at most 8 % into the training; a run that
    # finishes before ten kills (a loaded machine runs it faster than the kills assume) is
    # checked like the last one, and the killing goes on in a fresh run until ten have landed.
    rng, ran, kills, attempt = random.Random(f"kill9-{trainer}"), 0.0, 0, 0
    out = tmp_path / "killed0"
    while True:
        resume = (out / marker).is_file()
        moment = rng.uniform(0.7, 1.0) * startup + rng.uniform(0.0, 0.08) * (full - startup)
        kill_after = moment if kills < KILLS else None
        code, seconds = _run(_command(trainer, out, resume, data_dir), kill_after)
        ran += seconds
        if code != 0:
            kills += 1
            continue
        _assert_identical(_weights(out / weights_file), _weights(straight / weights_file))
        assert [p for p in out.rglob("*") if p.name.endswith(".tmp")] == []
        if trainer != "mmgan":
            recorded = json.loads((out / "run.json").read_text())["train_seconds"]
            assert 0 < recorded < ran
        if kills >= KILLS:
            break
        attempt, ran = attempt + 1, 0.0
        out = tmp_path / f"killed{attempt}"
