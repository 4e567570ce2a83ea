import json
import os
import signal

import pytest
import torch

from mixmiss.atomic import load_checkpoint
from mixmiss.errors import CacheError, InputError
from mixmiss.mmgan import TrainingInterrupted, read_info, resume_training, train

from .conftest import smoke_config


def _weights(run_dir):
    return load_checkpoint(run_dir / "checkpoint.pt")["state"]


def _assert_same_state(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            _assert_same_state(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same_state(x, y)
    elif isinstance(a, torch.Tensor):
        assert torch.equal(a, b)
    else:
        assert a == b


def test_run_directory_holds_config_log_and_checkpoint(digits_run):
    config = json.loads((digits_run / "config.json").read_text())
    assert config["provenance"]["command"] == "test"
    assert config["run"]["config"]["dataset"] == "digits"
    assert config["run"]["regions"] == {"r1": "S1\\S2", "r2": "S2\\S1", "r3": "S1∩S2"}
    assert config["run"]["num_components"] == 3
    log = [json.loads(line) for line in (digits_run / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [2, 4, 6]
    assert {"loss_d", "loss_c", "loss_g", "loss_omega", "alpha"} <= log[-1].keys()
    assert len(log[-1]["alpha"]) == 2 and len(log[-1]["alpha"][0]) == 3
    checkpoint = load_checkpoint(digits_run / "checkpoint.pt")
    assert checkpoint["step"] == 6
    assert {"data", "noise", "torch"} <= checkpoint["rng"].keys()
    assert {"model", "opt_g", "opt_d", "opt_omega"} <= checkpoint["state"].keys()
    assert read_info(digits_run).config.iters == 6


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_then_resumed_run_ends_with_the_same_weights(tmp_path, digits_run, signum):
    def interrupt(step):
        if step == 4:
            os.kill(os.getpid(), signum)

    out = tmp_path / "interrupted"
    with pytest.raises(TrainingInterrupted, match="step 4/6"):
        train(smoke_config(), out, progress=False, on_step=interrupt)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 4
    resume_training(out, progress=False, command="resume")
    _assert_same_state(_weights(out), _weights(digits_run))
    steps = [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6]
    assert json.loads((out / "config.json").read_text())["resumes"][0]["step"] == 4


def test_resume_can_extend_a_finished_run(tmp_path):
    out = tmp_path / "run"
    train(smoke_config(iters=3), out, progress=False)
    resume_training(out, iters=5, progress=False)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 5


def test_resume_of_a_missing_run_is_a_clear_error(tmp_path):
    with pytest.raises(CacheError, match="not an MMGAN run directory"):
        resume_training(tmp_path / "nothing", progress=False)
    with pytest.raises(CacheError, match="cannot resume"):
        train(smoke_config(), tmp_path / "empty", resume=True, progress=False)


def test_training_into_an_existing_run_is_refused(digits_run):
    with pytest.raises(InputError, match="already holds an MMGAN run"):
        train(smoke_config(), digits_run, progress=False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sets": "Z"}, "unknown case"),
        ({"sets": "0-6;x"}, "cannot read"),
        ({"sets": "0-6;0-6"}, "identical"),
        ({"sets": "0-12;3-9"}, "outside"),
    ],
)
def test_bad_case_or_sets(tmp_path, overrides, message):
    with pytest.raises(InputError, match=message):
        train(smoke_config(**overrides), tmp_path / "bad", progress=False)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"iters": 0}, "iters must be a positive integer"),
        ({"fixed_priors": True, "naive": True}, "exclude each other"),
        ({"ema_decay": 1.0}, "ema_decay"),
        ({"base_width": 7}, "even"),
    ],
)
def test_bad_config(overrides, message):
    with pytest.raises(InputError, match=message):
        smoke_config(**overrides)


def test_unknown_preset():
    from mixmiss.mmgan import make_config

    with pytest.raises(InputError, match="unknown preset"):
        make_config("huge")


def test_fixed_priors_and_naive_runs(tmp_path):
    fixed = train(smoke_config(fixed_priors=True), tmp_path / "fixed", progress=False)
    info = read_info(fixed)
    alpha = _weights(fixed)["model"]["omega"].softmax(dim=1)
    torch.testing.assert_close(alpha, torch.tensor(info.true_priors, dtype=torch.float32))
    naive = train(smoke_config(naive=True), tmp_path / "naive", progress=False)
    assert read_info(naive).num_components == 2
    torch.testing.assert_close(_weights(naive)["model"]["omega"].softmax(dim=1), torch.eye(2))
    assert "opt_omega" not in _weights(naive)


def test_case_c_with_fixed_priors_has_one_component_per_nonempty_region(tmp_path):
    run = train(smoke_config(sets="C", fixed_priors=True, iters=1), tmp_path / "c", progress=False)
    info = read_info(run)
    assert list(info.regions) == ["r1", "r6", "r7"] and info.num_components == 3


def test_resume_after_a_crash_continues_from_the_last_periodic_checkpoint(tmp_path, digits_run):
    class Crash(Exception):
        pass

    def crash(step):
        if step == 5:
            raise Crash

    out = tmp_path / "crashed"
    with pytest.raises(Crash):
        train(smoke_config(), out, progress=False, on_step=crash)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3  # checkpoint_every = 3
    resume_training(out, progress=False)
    _assert_same_state(_weights(out), _weights(digits_run))
    steps = [json.loads(line)["step"] for line in (out / "log.jsonl").read_text().splitlines()]
    assert steps == [2, 4, 6]  # the step-4 line written before the crash is not duplicated


def _killed_before_the_first_checkpoint(out, monkeypatch):
    """A run whose process died at step 1, before any checkpoint (config and log written)."""
    with monkeypatch.context() as patch:
        patch.setattr("mixmiss.training.loop.TrainingLoop.save", lambda self: None)

        def die(step):
            raise SystemExit("killed")

        with pytest.raises(SystemExit):
            train(smoke_config(), out, progress=False, on_step=die)
    assert (out / "config.json").is_file() and not (out / "checkpoint.pt").exists()


def test_a_run_killed_before_its_first_checkpoint_can_be_resumed(tmp_path, monkeypatch):
    out = tmp_path / "run"
    _killed_before_the_first_checkpoint(out, monkeypatch)
    resume_training(out, progress=False)
    straight = train(smoke_config(), tmp_path / "straight", progress=False)
    _assert_same_state(_weights(out), _weights(straight))


def test_a_run_killed_before_its_first_checkpoint_can_be_started_afresh(tmp_path, monkeypatch):
    out = tmp_path / "run"
    _killed_before_the_first_checkpoint(out, monkeypatch)
    train(smoke_config(seed=5), out, progress=False)
    assert read_info(out).config.seed == 5
    assert load_checkpoint(out / "checkpoint.pt")["step"] == smoke_config().iters


def test_resume_leaves_no_temporary_of_a_write_killed_half_way(tmp_path):
    out = tmp_path / "run"
    train(smoke_config(iters=3), out, progress=False)
    # a kill during the checkpoint's write, and one during a resume's rewrite of the log
    orphans = [out / ".checkpoint.pt.x1y2.tmp", out / ".log.jsonl.g9tz.tmp"]
    for orphan in orphans:
        orphan.write_bytes(b"torn")
    resume_training(out, iters=5, progress=False)
    assert not any(orphan.exists() for orphan in orphans)
    assert load_checkpoint(out / "checkpoint.pt")["train_seconds"] > 0


def test_precision_is_recorded_and_a_resume_keeps_it(tmp_path):
    out = tmp_path / "bf16"
    train(smoke_config(iters=2, precision="bf16"), out, progress=False)
    record = json.loads((out / "config.json").read_text())
    assert record["precision"] == "bf16" and record["run"]["config"]["precision"] == "bf16"
    with pytest.raises(InputError, match="trained with precision 'bf16', not 'fp32'"):
        resume_training(out, iters=3, precision="fp32", progress=False)
    resume_training(out, iters=3, precision="bf16", progress=False)
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 3


def test_a_run_written_before_the_precision_setting_resumes(digits_run, tmp_path):
    """Its config.json and checkpoint lack the key: read as "auto", they still match."""
    record = json.loads((digits_run / "config.json").read_text())
    assert "precision" not in record["run"]["config"]  # "auto" is left out
    assert "precision" not in load_checkpoint(digits_run / "checkpoint.pt")["config"]
    assert read_info(digits_run).config.precision == "auto"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
@pytest.mark.parametrize("precision", ["auto", "bf16"])
def test_training_on_cuda_from_the_command_line(tmp_path, precision):
    from mixmiss.cli import main

    out = tmp_path / precision
    code = main(
        ["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
         "--device", "cuda", "--precision", precision, "--out", str(out), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    record = json.loads((out / "config.json").read_text())
    assert record["device"].startswith("cuda") and record["precision"] in ("fp32", "bf16")
