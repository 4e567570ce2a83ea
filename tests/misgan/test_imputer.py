"""MisGAN: networks, the training step, checkpoint/resume and interruption, real MNIST steps."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from mixmiss.atomic import load_checkpoint
from mixmiss.data import load_dataset, make_mask
from mixmiss.errors import InputError
from mixmiss.misgan import MisGANImputer, MisGANNetworks
from mixmiss.misgan import imputer as imputer_module
from mixmiss.misgan.imputer import CHECKPOINT_FILE
from mixmiss.misgan.networks import Critic, DataGenerator, FCImputer, MaskGenerator
from mixmiss.misgan.training import (
    MisGANHyperparameters,
    MisGANTrainer,
    mask_data,
    scale_grad,
)
from mixmiss.training import TrainingInterrupted

TINY = {"batch_size": 8, "width": 4, "imputer_hidden": [16, 16, 16], "device": "cpu"}


def _data(n=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, 28, 28, generator=g)
    mask = (torch.rand(n, 1, 28, 28, generator=g) > 0.5).float()
    return x, mask


def test_network_shapes_and_ranges():
    z = torch.randn(5, 128)
    assert DataGenerator(width=4)(z).shape == (5, 1, 28, 28)
    for transform in ("fusion", "sigmoid", "hardsigmoid"):
        m = MaskGenerator(width=4, transform=transform)(z * 50)
        assert m.shape == (5, 1, 28, 28) and m.min() >= 0 and m.max() <= 1
    # fusion = hardtanh(1.2 sigmoid(t / 0.66) - 0.1, 0, 1) reaches exact 0 and 1
    fusion = MaskGenerator(width=4)(z * 1e3)
    assert (fusion == 0).any() and (fusion == 1).any()
    assert Critic(width=4)(torch.rand(5, 1, 28, 28)).shape == (5,)
    imputer = FCImputer((784, 784, 784))
    assert [layer.out_features for layer in imputer.net if hasattr(layer, "out_features")] == [
        784
    ] * 4
    x = torch.rand(5, 1, 28, 28)
    out = imputer(x, torch.ones_like(x), torch.rand_like(x))
    assert out.shape == x.shape and out.min() > 0 and out.max() < 1


def test_the_imputer_sees_noise_only_in_missing_pixels():
    imputer = FCImputer((8,))
    x, mask = _data(4)
    u1, u2 = torch.rand_like(x), torch.rand_like(x)
    observed_u = torch.where(mask.bool(), u2, u1)  # differs from u1 only where observed
    assert torch.equal(imputer(x, mask, u1), imputer(x, mask, observed_u))


def test_mask_data_and_scale_grad():
    x, m = torch.rand(3, 1, 2, 2), (torch.rand(3, 1, 2, 2) > 0.5).float()
    assert torch.equal(mask_data(x, m, 0.0), x * m)
    a = torch.rand(4, requires_grad=True)
    y = scale_grad(a, 0.1)
    torch.testing.assert_close(y, a)
    y.sum().backward()
    torch.testing.assert_close(a.grad, torch.full((4,), 0.1))


def _snapshot(module):
    return [p.detach().clone() for p in module.parameters()]


def _changed(module, before):
    return any(not torch.equal(p, q) for p, q in zip(module.parameters(), before, strict=True))


def test_critics_step_every_batch_and_generators_every_fifth():
    torch.manual_seed(0)
    nets = MisGANNetworks(width=4, imputer_hidden=(16,))
    trainer = MisGANTrainer(nets, MisGANHyperparameters(), torch.Generator().manual_seed(0))
    x, mask = _data(8)
    for step in range(1, 6):
        gens = {
            name: _snapshot(getattr(nets, name)) for name in ("data_gen", "mask_gen", "imputer")
        }
        critics = {
            n: _snapshot(getattr(nets, n)) for n in ("data_critic", "mask_critic", "impu_critic")
        }
        losses = trainer.train_step(x, mask)
        assert losses.shape == (3,) and torch.isfinite(losses).all() and not losses.requires_grad
        assert all(_changed(getattr(nets, n), before) for n, before in critics.items())
        moved = [_changed(getattr(nets, n), before) for n, before in gens.items()]
        assert moved == [step == 5] * 3


def test_training_needs_28x28_images_and_a_full_batch():
    x = torch.rand(16, 1, 8, 8)
    with pytest.raises(InputError, match="28x28"):
        MisGANImputer(**TINY).fit(x, torch.ones_like(x), progress=False)
    x, mask = _data(4)
    with pytest.raises(InputError, match="at least batch_size"):
        MisGANImputer(**TINY).fit(x, mask, progress=False)
    with pytest.raises(InputError, match="mask_transform"):
        MisGANImputer(**{**TINY, "mask_transform": "soft"}).fit(*_data(), progress=False)


def _weights(imputer):
    return imputer.state_dict()


def _assert_same_run(resumed, straight):
    """Bit-identical weights and the same per-epoch loss history."""
    resumed_weights = _weights(resumed)
    for key, value in _weights(straight).items():
        assert torch.equal(value, resumed_weights[key]), key
    assert resumed.history_ == straight.history_


def test_resume_continues_the_same_run_exactly(tmp_path):
    x, mask = _data()
    straight = MisGANImputer(epochs=2, random_state=1, **TINY).fit(x, mask, progress=False)
    first = MisGANImputer(epochs=1, random_state=1, **TINY)
    first.fit(x, mask, checkpoint_dir=tmp_path, progress=False)
    assert (tmp_path / CHECKPOINT_FILE).is_file()
    resumed = MisGANImputer(epochs=2, random_state=1, **TINY)
    resumed.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)
    _assert_same_run(resumed, straight)


def test_resume_with_other_settings_is_refused(tmp_path):
    x, mask = _data()
    MisGANImputer(epochs=1, random_state=1, **TINY).fit(
        x, mask, checkpoint_dir=tmp_path, progress=False
    )
    other = MisGANImputer(epochs=2, random_state=1, **{**TINY, "alpha": 0.5})
    with pytest.raises(InputError, match="other settings"):
        other.fit(x, mask, checkpoint_dir=tmp_path, resume=True, progress=False)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_a_resumable_run(tmp_path, monkeypatch, signum):
    x, mask = _data()
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
    x, mask = _data()
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
    x, mask = _data()
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
