"""Training loop: checkpoints every epoch, resume continues the same run, Ctrl-C is safe."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from mixmiss.atomic import load_checkpoint
from mixmiss.errors import InputError, MixmissError
from mixmiss.rbm import cd as cd_module
from mixmiss.rbm.training import CHECKPOINT_FILE, TrainingConfig, train_rbm
from mixmiss.training import TrainingInterrupted

from .conftest import random_batch

CONFIG = TrainingConfig("lm", n_hidden=6, epochs=3, batch_size=16, learning_rate=0.01, rank=3)


def data():
    return random_batch(batch=50, n=10, rate=0.3, seed=0, dtype=torch.float32)


def train(config=CONFIG, **kwargs):
    v, observed = data()
    return train_rbm(
        v, observed, config, torch.Generator().manual_seed(0), progress=False, **kwargs
    )


def assert_same_model(a, b):
    for name, value in a.model.state_dict().items():
        assert torch.equal(value, b.model.state_dict()[name]), name


def test_checkpoint_written_each_epoch_and_loadable_weights_only(tmp_path):
    state = train(checkpoint_dir=tmp_path)
    saved = load_checkpoint(tmp_path / CHECKPOINT_FILE)
    assert saved["step"] == 3 * 4  # 3 epochs of 4 minibatches
    assert saved["train_seconds"] == state.train_seconds > 0
    assert len(saved["history"]) == 3 and len(state.history) == 3
    assert set(saved["model"]) == {"b", "c", "A", "B"}
    assert torch.equal(saved["model"]["A"], state.model.A)


def test_resume_continues_the_same_run_exactly(tmp_path):
    straight = train()
    first = TrainingConfig(**{**CONFIG.__dict__, "epochs": 1})
    train(first, checkpoint_dir=tmp_path)
    resumed = train(checkpoint_dir=tmp_path, resume=True)
    assert_same_model(straight, resumed)
    assert resumed.epoch == 3


def test_sigint_mid_epoch_checkpoints_and_resume_matches(tmp_path, monkeypatch):
    straight = train()
    real_step = cd_module.ContrastiveDivergence.step
    calls = {"n": 0}

    def step_then_interrupt(self, v, observed):
        real_step(self, v, observed)
        calls["n"] += 1
        if calls["n"] == 5:  # epoch 1, batch 1 of 4
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(cd_module.ContrastiveDivergence, "step", step_then_interrupt)
    with pytest.raises(TrainingInterrupted, match="SIGINT at epoch 2, batch 1/4"):
        train(checkpoint_dir=tmp_path)
    saved = load_checkpoint(tmp_path / CHECKPOINT_FILE)
    assert saved["step"] == 5
    monkeypatch.setattr(cd_module.ContrastiveDivergence, "step", real_step)
    resumed = train(checkpoint_dir=tmp_path, resume=True)
    assert_same_model(straight, resumed)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_resume_refuses_other_settings(tmp_path):
    train(checkpoint_dir=tmp_path)
    other = TrainingConfig(**{**CONFIG.__dict__, "n_hidden": 7})
    with pytest.raises(InputError, match="n_hidden"):
        train(other, checkpoint_dir=tmp_path, resume=True)


def test_without_resume_a_fresh_run_starts(tmp_path):
    train(checkpoint_dir=tmp_path)
    again = train(checkpoint_dir=tmp_path)
    assert_same_model(again, train())


def test_dense_and_rule_of_thumb_rank():
    v, observed = data()
    dense = train(TrainingConfig(**{**CONFIG.__dict__, "low_rank": False}))
    assert dense.model.rank is None
    rule = train(TrainingConfig(**{**CONFIG.__dict__, "rank": None}))
    assert rule.model.rank == round(float(observed.sum(1).mean()))


@pytest.mark.parametrize(
    "bad, match",
    [
        ({"method": "dropout"}, "unknown RBM training method"),
        ({"n_hidden": 0}, "n_hidden"),
        ({"epochs": 2.5}, "epochs"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"rank": 0}, "rank"),
    ],
)
def test_bad_settings_are_clear_errors(bad, match):
    with pytest.raises(InputError, match=match):
        TrainingConfig(**{**CONFIG.__dict__, **bad})


def test_divergence_is_a_clear_error():
    v, observed = data()
    huge = TrainingConfig(**{**CONFIG.__dict__, "learning_rate": 1e30, "low_rank": True})
    with pytest.raises(MixmissError, match="diverged"):
        train_rbm(v, observed, huge, torch.Generator().manual_seed(0), progress=False)


def test_a_finite_divergence_to_the_mean_image_is_stopped_with_what_to_change(monkeypatch):
    """The paper's low-rank W at I.M. 0.3 ran away to W std 31 and 1e7, finite, completing
    every image with the mean image: here each CD step blows A up (W std 0.01 -> 100s)."""
    step = cd_module.ContrastiveDivergence.step

    def running_away(self, *args, **kwargs):
        step(self, *args, **kwargs)
        self.model.A.mul_(1e2)

    monkeypatch.setattr(cd_module.ContrastiveDivergence, "step", running_away)
    with pytest.raises(MixmissError, match=r"diverged in epoch 1: W's entries grew to std .*"
                       r"no better than predicting each unit's mean") as info:  # fmt: skip
        train()
    assert "train a dense W (low_rank=False; this one has rank 3)" in str(info.value)


def test_large_weights_that_reconstruct_well_or_small_ones_that_learn_slowly_are_not_stopped():
    from mixmiss.rbm.model import RBM
    from mixmiss.rbm.training import check_learning, mean_error

    v, observed = data()
    baseline = mean_error(v, observed, slice(0, 50))
    big = RBM(torch.zeros(10), torch.zeros(6), torch.full((10, 6), 5.0))  # std 0: not exploded
    big.W[0, 0] = 1e3  # std ~ 130 = 13,000 x init_std
    check_learning(big, 0.5 * baseline, baseline, 4, CONFIG)  # reconstructs: not stopped
    with pytest.raises(MixmissError, match="Lower learning_rate \\(now 0.01\\)\\.$"):
        check_learning(big, baseline, baseline, 4, CONFIG)  # dense: no rank advice
    small = RBM(torch.zeros(10), torch.zeros(6), torch.full((10, 6), 0.01))
    check_learning(small, 1.2 * baseline, baseline, 4, CONFIG)  # slow learner: not stopped


def test_precision_is_checked_on_resume_and_defaults_to_auto(tmp_path):
    with pytest.raises(InputError, match="unknown precision 'half'"):
        TrainingConfig(precision="half")
    bf16 = TrainingConfig(**{**CONFIG.__dict__, "epochs": 1, "precision": "bf16"})
    state = train(bf16, checkpoint_dir=tmp_path)
    assert state.precision == "bf16"
    assert all(t.dtype == torch.float32 for t in state.model.state_dict().values())
    assert load_checkpoint(tmp_path / CHECKPOINT_FILE)["config"]["precision"] == "bf16"
    with pytest.raises(InputError, match="precision: 'bf16' stored, 'fp32' now"):
        train(
            TrainingConfig(**{**CONFIG.__dict__, "precision": "fp32"}),
            checkpoint_dir=tmp_path,
            resume=True,
        )


def test_a_checkpoint_written_before_the_precision_setting_resumes_as_auto(tmp_path):
    """The default is left out of the stored settings, so a checkpoint without the key
    (all of them before the setting existed) matches a run with precision "auto"."""
    first = TrainingConfig(**{**CONFIG.__dict__, "epochs": 1})
    train(first, checkpoint_dir=tmp_path)
    assert "precision" not in load_checkpoint(tmp_path / CHECKPOINT_FILE)["config"]
    assert train(CONFIG, checkpoint_dir=tmp_path, resume=True).epoch == 3


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
@pytest.mark.parametrize("precision", ["auto", "bf16"])
def test_training_on_cuda(tmp_path, precision):
    """A few CD steps on the GPU through the CLI (`impute train --device cuda`)."""
    from mixmiss.cli import main

    code = main(
        ["impute", "train", "--dataset", "digits", "--method", "lm-rbm", "--mechanism", "im",
         "--rate", "0.5", "--preset", "smoke", "--device", "cuda", "--max-train", "256",
         "--set", f"precision={precision}", "--out", str(tmp_path), "--no-progress"]
    )  # fmt: skip
    assert code == 0
    v, observed = data()
    config = TrainingConfig(**{**CONFIG.__dict__, "precision": precision})
    state = train_rbm(v, observed, config, torch.Generator("cuda").manual_seed(0), progress=False)
    assert state.model.b.device.type == "cuda" and state.precision in ("fp32", "bf16")
    assert all(torch.isfinite(t).all() for t in state.model.state_dict().values())
