import pytest
import torch

from mixmiss.mmgan.networks import (
    ConditionalBatchNorm2d,
    ConditionalGenerator,
    DiscriminatorClassifier,
)


@pytest.mark.parametrize("size", [28, 8])
def test_generator_shapes_and_range(size):
    torch.manual_seed(0)
    g = ConditionalGenerator(size, num_components=3, z_dim=16, base_width=8)
    z = torch.randn(6, 16)
    x = g(z, torch.tensor([0, 0, 1, 1, 2, 2]))
    assert x.shape == (6, 1, size, size)
    assert x.min() >= -1 and x.max() <= 1


def test_generator_paper_widths():
    g = ConditionalGenerator(28, 3, 128, 64)
    assert g.project.out_features == 256 * 4 * 4
    assert [c.out_channels for c in g.convs] == [128, 64, 32]
    assert g.to_image.out_channels == 1


@pytest.mark.parametrize("size", [28, 8])
def test_critic_heads(size):
    torch.manual_seed(0)
    critic = DiscriminatorClassifier(size, num_distributions=2, num_components=3, base_width=8)
    d, c = critic(torch.rand(5, 1, size, size) * 2 - 1)
    assert d.shape == (5, 2) and c.shape == (5, 3)
    d_only, none = critic(torch.zeros(5, 1, size, size), classify=False)
    assert d_only.shape == (5, 2) and none is None


def test_paper_discriminator_channels_and_spectral_norm():
    critic = DiscriminatorClassifier(28, 2, 3, 64)
    convs = [m for m in critic.trunk if isinstance(m, torch.nn.Conv2d)]
    assert [m.out_channels for m in convs] == [64, 128, 256]
    assert all(m.kernel_size == (4, 4) and m.stride == (2, 2) for m in convs)
    assert all(hasattr(m, "parametrizations") for m in convs)
    # the classifier has one more layer than the shared discriminator head
    assert isinstance(critic.discriminators, torch.nn.Linear)
    assert sum(isinstance(m, torch.nn.Linear) for m in critic.classifier) == 2


def test_conditional_bn_starts_as_plain_bn_and_conditions_per_component():
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, num_components=2)
    x = torch.randn(8, 4, 3, 3)
    c = torch.tensor([0, 1] * 4)
    plain = torch.nn.functional.batch_norm(x, None, None, training=True)
    torch.testing.assert_close(cbn(x, c), plain)
    with torch.no_grad():
        cbn.gamma.weight[1] = 2.0
        cbn.beta.weight[1] = 1.0
    y = cbn(x, c)
    torch.testing.assert_close(y[c == 0], plain[c == 0])
    torch.testing.assert_close(y[c == 1], 2 * plain[c == 1] + 1)
    assert not any(p is cbn.norm.weight for p in cbn.parameters()) and cbn.norm.weight is None
