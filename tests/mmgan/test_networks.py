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


@pytest.mark.parametrize(
    ("size", "digests"),
    [
        (28, {"2ad264c919a348e2e45f30ee4a2d003c6105c23b4e8ad45d4229031806584b0a",
              "06a8bedc83e1f8ebd2187f84000a83d6613f41287883fc26f857c6eb95c0a0fb"}),
        (8, {"f454244c3a0704da739db8519eb92d409f5b9f0c028af2c309c2c81e98ba0adf",
             "05ef9c657fd583059fb6e9ca0c251d36a1f90566c1e6b5b1818b28a01c7b996c"}),
    ],
)  # fmt: skip
def test_grayscale_networks_are_byte_for_byte_those_before_rgb(size, digests):
    """Every tensor name, shape and initial value of a smoke MNIST/digits model, hashed with
    the code before 32/64 RGB networks existed (main at 8dae6a6). The initial values are
    not the same on every CPU (spectral normalisation runs power iterations at
    construction): the first digest is 8dae6a6's on the earlier machines (CI passed with
    it on an AVX-512 EPYC), the second 8dae6a6's on an AMX Xeon (2026-12-08)."""
    import hashlib

    from mixmiss.mmgan import make_config
    from mixmiss.mmgan.run import RunInfo, build_model

    config = make_config("smoke", dataset="mnist" if size == 28 else "digits", sets="A")
    info = RunInfo(config, size, {}, {}, [[0.5, 0.5], [0.5, 0.5]], 3)
    model = build_model(info, torch.device("cpu"))
    h = hashlib.sha256()
    for name, value in model.state_dict().items():
        h.update(name.encode())
        h.update(value.detach().cpu().numpy().tobytes())
    assert h.hexdigest() in digests


@pytest.mark.parametrize(("size", "channels"), [(32, 3), (64, 3), (32, 1)])
def test_networks_for_folders_at_32_and_64(size, channels):
    torch.manual_seed(0)
    g = ConditionalGenerator(size, 3, 16, 8, channels)
    x = g(torch.randn(6, 16), torch.tensor([0, 0, 1, 1, 2, 2]))
    assert x.shape == (6, channels, size, size) and x.abs().max() <= 1
    critic = DiscriminatorClassifier(size, 2, 3, 8, channels)
    d, c = critic(x)
    assert d.shape == (6, 2) and c.shape == (6, 3)
    convs = [m for m in critic.trunk if isinstance(m, torch.nn.Conv2d)]
    assert convs[0].in_channels == channels
    assert critic.trunk(x).shape[1] == 4 * 8 * 4 * 4  # 4w channels at 4x4 for both sizes


@pytest.mark.parametrize("size", [32, 64])
def test_one_real_training_step_on_rgb(size):
    """The whole model (G, D/C, omega, EMA) takes one CPU step on RGB batches and moves."""
    from mixmiss.mmgan import make_config
    from mixmiss.mmgan.model import MixedMembershipGAN

    config = make_config(
        "smoke", dataset="collections", collections=("a", "b"), sets="", resolution=size
    )
    torch.manual_seed(0)
    model = MixedMembershipGAN(config, size, 2, 3, torch.zeros(2, 3), True, channels=3)
    parts = (model.generator, model.critic, model.generator_ema)
    before = [[p.detach().clone() for p in part.parameters()] for part in parts]
    real = torch.rand(2, 4, 3, size, size) * 2 - 1
    losses = model.train_step(real, torch.randn(4, config.z_dim))
    assert all(torch.isfinite(v) for v in losses.values())
    for part, old in zip(parts, before, strict=True):
        assert any(not torch.equal(a, b) for a, b in zip(old, part.parameters(), strict=True))
