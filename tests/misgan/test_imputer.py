"""MisGAN: networks, the training step, checkpoint/resume and interruption, real MNIST steps."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from mixmiss.atomic import load_checkpoint
from mixmiss.data import load_dataset, make_mask
from mixmiss.errors import InputError
from mixmiss.misgan import MisGANImputer
from mixmiss.misgan import imputer as imputer_module
from mixmiss.misgan.imputer import CHECKPOINT_FILE
from mixmiss.misgan.training import (
    MisGANTrainer,
)
from mixmiss.training import TrainingInterrupted

from .batches import TINY, masked_batch


def test_training_needs_28x28_images_and_a_full_batch():
    x = torch.rand(16, 1, 8, 8)
    with pytest.raises(InputError, match="28x28"):
        MisGANImputer(**TINY).fit(x, torch.ones_like(x), progress=False)
    x, mask = masked_batch(4)
    with pytest.raises(InputError, match="at least batch_size"):
        MisGANImputer(**TINY).fit(x, mask, progress=False)
    with pytest.raises(InputError, match="mask_transform"):
        MisGANImputer(**{**TINY, "mask_transform": "soft"}).fit(*masked_batch(), progress=False)


def _weights(imputer):
    return imputer.state_dict()


def _assert_same_run(resumed, straight):
    """Bit-identical weights and the same per-epoch loss history."""
    resumed_weights = _weights(resumed)
    for key, value in _weights(straight).items():
        assert torch.equal(value, resumed_weights[key]), key
    assert resumed.history_ == straight.history_


def test_resume_continues_the_same_run_exactly(tmp_path):
    x, mask = masked_batch()
    straight = MisGANImputer(epochs=2, random_state=1, **TINY).fit(x, mask, progress=False)
    first = MisGANImputer(epochs=1, random_state=1, **TINY)
    first.fit(x, mask, checkpoint_dir=tmp_path, progress=False)
    assert (tmp_path / CHECKPOINT_FILE).is_file()
    resumed = MisGANImputer(epochs=2, random_state=1, **TINY)
    resumed.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)
    _assert_same_run(resumed, straight)


def test_resume_with_other_settings_is_refused(tmp_path):
    x, mask = masked_batch()
    MisGANImputer(epochs=1, random_state=1, **TINY).fit(
        x, mask, checkpoint_dir=tmp_path, progress=False
    )
    other = MisGANImputer(epochs=2, random_state=1, **{**TINY, "alpha": 0.5})
    with pytest.raises(InputError, match="other settings"):
        other.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_a_resumable_run(tmp_path, monkeypatch, signum):
    x, mask = masked_batch()
    straight = MisGANImputer(epochs=2, random_state=2, **TINY).fit(x, mask, progress=False)

    real_step = MisGANTrainer.train_step
    calls = {"n": 0}

    def step_then_signal(self, *args):
        calls["n"] += 1
        out = real_step(self, *args)
        if calls["n"] == 6:  # in the middle of the second epoch (4 steps per epoch)
            os.kill(os.getpid(), signum)
        return out

    monkeypatch.setattr(MisGANTrainer, "train_step", step_then_signal)
    interrupted = MisGANImputer(epochs=2, random_state=2, **TINY)
    with pytest.raises(TrainingInterrupted, match="epoch 2, step 2/4"):
        interrupted.fit(x, mask, checkpoint_dir=tmp_path, progress=False)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(MisGANTrainer, "train_step", real_step)
    resumed = MisGANImputer(epochs=2, random_state=2, **TINY)
    resumed.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)
    _assert_same_run(resumed, straight)  # the interrupted epoch's losses are whole


def test_a_checkpoint_is_written_inside_an_epoch_on_a_timer(tmp_path, monkeypatch):
    """With the interval at zero every step checkpoints; a SIGKILL then loses one step."""
    x, mask = masked_batch()
    straight = MisGANImputer(epochs=1, random_state=3, **TINY).fit(x, mask, progress=False)
    monkeypatch.setattr(imputer_module, "CHECKPOINT_SECONDS", 0.0)
    real_step = MisGANTrainer.train_step
    calls = {"n": 0}

    def step_then_die(self, *args):
        calls["n"] += 1
        if calls["n"] == 3:  # as if killed: no handler runs, only the timed checkpoints remain
            raise SystemExit("killed")
        return real_step(self, *args)

    monkeypatch.setattr(MisGANTrainer, "train_step", step_then_die)
    with pytest.raises(SystemExit):
        MisGANImputer(epochs=1, random_state=3, **TINY).fit(
            x, mask, checkpoint_dir=tmp_path, progress=False
        )
    state = load_checkpoint(tmp_path / CHECKPOINT_FILE)
    assert state["step"] == 2
    monkeypatch.setattr(MisGANTrainer, "train_step", real_step)
    resumed = MisGANImputer(epochs=1, random_state=3, **TINY)
    resumed.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)
    _assert_same_run(resumed, straight)


def test_imputation_is_deterministic_and_keeps_observed_pixels():
    x, mask = masked_batch()
    imputer = MisGANImputer(epochs=1, random_state=0, **TINY).fit(x, mask, progress=False)
    a, b = imputer.impute(x, mask), imputer.impute(x, mask)
    assert torch.equal(a, b)
    assert torch.equal(a[mask.bool()], x[mask.bool()])


@pytest.mark.real_data
def test_a_few_real_training_steps_on_mnist(mnist_dir):
    train = load_dataset("mnist", "train", mnist_dir).subset(slice(0, 160))
    mask = make_mask("im", len(train), (28, 28), 0.6, torch.Generator().manual_seed(0))
    imputer = MisGANImputer(epochs=1, batch_size=32, width=16, random_state=0, device="cpu")
    imputer.fit(train.images, mask, progress=False)  # 5 critic steps and one generator step
    (losses,) = imputer.history_
    assert all(torch.isfinite(torch.tensor(v)) for v in losses.values())
    out = imputer.impute(train.images, mask)
    assert torch.equal(out[mask.bool()], train.images[mask.bool()])
    assert out[~mask.bool()].std() > 0


def test_precision_is_a_setting_written_only_when_not_auto(tmp_path):
    assert "precision" not in MisGANImputer(**TINY).get_config()
    assert MisGANImputer(precision="bf16", **TINY).get_config()["precision"] == "bf16"
    with pytest.raises(InputError, match="unknown precision"):
        MisGANImputer(precision="fp8", **TINY).fit(*masked_batch(), progress=False)
    x, mask = masked_batch()
    fitted = MisGANImputer(epochs=1, random_state=1, precision="bf16", **TINY)
    fitted.fit(x, mask, checkpoint_dir=tmp_path, progress=False)
    assert fitted.precision_ == "bf16"
    assert torch.isfinite(fitted.impute(x, mask)).all()
    fp32 = MisGANImputer(epochs=2, random_state=1, precision="fp32", **TINY)
    with pytest.raises(InputError, match="precision: 'bf16' stored, 'fp32' now"):
        fp32.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)
