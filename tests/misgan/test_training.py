"""MisGAN's training step: the masked data, the critics every batch, the generators every n_critic."""

import pytest
import torch

from mixmiss import precision
from mixmiss.misgan import MisGANNetworks
from mixmiss.misgan.training import MisGANHyperparameters, MisGANTrainer, mask_data, scale_grad

from .batches import changed, masked_batch, snapshot


def test_mask_data_and_scale_grad():
    x, m = torch.rand(3, 1, 2, 2), (torch.rand(3, 1, 2, 2) > 0.5).float()
    assert torch.equal(mask_data(x, m, 0.0), x * m)
    a = torch.rand(4, requires_grad=True)
    y = scale_grad(a, 0.1)
    torch.testing.assert_close(y, a)
    y.sum().backward()
    torch.testing.assert_close(a.grad, torch.full((4,), 0.1))


def test_critics_step_every_batch_and_generators_every_fifth():
    torch.manual_seed(0)
    nets = MisGANNetworks(width=4, imputer_hidden=(16,))
    trainer = MisGANTrainer(nets, MisGANHyperparameters(), torch.Generator().manual_seed(0))
    x, mask = masked_batch(8)
    for step in range(1, 6):
        gens = {name: snapshot(getattr(nets, name)) for name in ("data_gen", "mask_gen", "imputer")}
        critics = {
            n: snapshot(getattr(nets, n)) for n in ("data_critic", "mask_critic", "impu_critic")
        }
        losses = trainer.train_step(x, mask)
        assert losses.shape == (3,) and torch.isfinite(losses).all() and not losses.requires_grad
        assert all(changed(getattr(nets, n), before) for n, before in critics.items())
        moved = [changed(getattr(nets, n), before) for n, before in gens.items()]
        assert moved == [step == 5] * 3


def _steps(precision: str, count: int = 5, device: str = "cpu"):
    """``count`` steps of tiny networks from the same start and draws; (losses, networks)."""
    torch.manual_seed(0)
    nets = MisGANNetworks(width=4, imputer_hidden=(16,)).to(device)
    generator = torch.Generator(device).manual_seed(0)
    trainer = MisGANTrainer(nets, MisGANHyperparameters(), generator, precision=precision)
    x, mask = (t.to(device) for t in masked_batch(8))
    losses = torch.stack([trainer.train_step(x, mask) for _ in range(count)])
    return losses, nets, trainer


def test_bf16_steps_are_finite_close_to_fp32_and_keep_fp32_weights():
    """Five steps (the fifth moves the generators) under bf16 autocast: the critics' losses,
    penalty included, stay float32 and within 1 % of fp32's (measured: 0.05 %)."""
    fp32, _, _ = _steps("fp32")
    bf16, nets, trainer = _steps("bf16")
    assert trainer.precision == "bf16" and bf16.dtype == torch.float32
    assert torch.isfinite(bf16).all()
    torch.testing.assert_close(bf16, fp32, rtol=1e-2, atol=0)
    assert all(p.dtype == torch.float32 for p in nets.parameters())
    for optimizer in trainer.optimizers.values():
        for state in optimizer.state.values():
            assert state["exp_avg"].dtype == torch.float32


def test_auto_without_bf16_hardware_is_fp32_and_never_enters_autocast(monkeypatch):
    monkeypatch.setattr(precision, "read_cpuinfo", lambda: "flags\t: fpu avx2\n")
    explicit, _, _ = _steps("fp32", count=2)

    def refuse(*args, **kwargs):
        raise AssertionError("autocast entered in fp32")

    monkeypatch.setattr(torch, "autocast", refuse)
    default, _, trainer = _steps("auto", count=2)
    assert trainer.precision == "fp32" and torch.equal(default, explicit)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
@pytest.mark.parametrize("precision", ["auto", "fp32", "bf16"])
def test_steps_on_cuda(precision):
    losses, nets, trainer = _steps(precision, device="cuda")
    assert losses.device.type == "cuda" and torch.isfinite(losses).all()
    assert trainer.precision in ("fp32", "bf16")
    assert all(p.dtype == torch.float32 for p in nets.parameters())
