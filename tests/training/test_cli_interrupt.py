"""Ctrl-C during `mmgan train`, `impute train --method rbm` and `--method misgan` behaves alike.

Each command is interrupted by a real SIGINT after its second step, prints
one line naming the command that resumes it and exits with the same status;
that command then finishes the run.
"""

from __future__ import annotations

import json
import os
import shlex
import signal

import pytest

from mixmiss.atomic import load_checkpoint
from mixmiss.cli import INTERRUPTED, main
from mixmiss.training import TrainingLoop


def _commands(out, data_dir):
    common = ["--out", str(out), "--no-progress"]
    impute = ["impute", "train", "--mechanism", "im", "--rate", "0.5", "--preset", "smoke"]
    return {
        "mmgan": ["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
                  "--iters", "6", *common],
        "rbm": [*impute, "--dataset", "digits", "--method", "rbm", "--max-train", "200", *common],
        "misgan": [*impute, "--dataset", "mnist", "--method", "misgan", "--max-train", "64",
                   "--data-dir", str(data_dir), *common],
    }  # fmt: skip


@pytest.fixture
def sigint_after_second_step(monkeypatch):
    """Every TrainingLoop sends this process a SIGINT right after its second step."""
    real_run = TrainingLoop.run

    def run(self, step_fn):
        def step(index):
            result = step_fn(index)
            if index == 1:
                os.kill(os.getpid(), signal.SIGINT)
            return result

        return real_run(self, step)

    monkeypatch.setattr(TrainingLoop, "run", run)
    return lambda: monkeypatch.setattr(TrainingLoop, "run", real_run)


@pytest.mark.parametrize(
    "trainer", ["mmgan", "rbm", pytest.param("misgan", marks=pytest.mark.real_data)]
)
def test_ctrl_c_prints_the_resume_command_and_the_command_resumes(
    trainer, tmp_path, capsys, request, sigint_after_second_step
):
    data_dir = request.getfixturevalue("mnist_dir") if trainer == "misgan" else None
    argv = _commands(tmp_path / trainer, data_dir)[trainer]

    code = main(argv)
    out, err = capsys.readouterr()
    assert code == INTERRUPTED
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("mixmiss: interrupted: SIGINT at ")
    resume = lines[0].split("Continue with `", 1)[1].rsplit("`", 1)[0]
    assert "--resume" in shlex.split(resume)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler

    sigint_after_second_step()  # restore the real loop
    args = shlex.split(resume)
    assert args[0] == "mixmiss"
    code = main(args[1:])
    out, err = capsys.readouterr()
    assert code == 0, err
    run_dir = tmp_path / trainer
    if trainer == "mmgan":
        assert load_checkpoint(run_dir / "checkpoint.pt")["step"] == 6
    else:
        assert json.loads((run_dir / "run.json").read_text())["status"] == "trained"
