"""MisGAN's networks: shapes, output ranges, the imputer's noise only where pixels are missing."""

import torch

from mixmiss.misgan.networks import Critic, DataGenerator, FCImputer, MaskGenerator

from .batches import masked_batch


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
    x, mask = masked_batch(4)
    u1, u2 = torch.rand_like(x), torch.rand_like(x)
    observed_u = torch.where(mask.bool(), u2, u1)  # differs from u1 only where observed
    assert torch.equal(imputer(x, mask, u1), imputer(x, mask, observed_u))
