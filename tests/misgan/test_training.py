"""MisGAN's training step: the masked data, the critics every batch, the generators every n_critic."""

import torch

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
