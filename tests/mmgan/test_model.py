import copy

import pytest
import torch

from mixmiss.mmgan.config import make_config
from mixmiss.mmgan.model import MixedMembershipGAN


def _model(learn=True, omega=None, **overrides):
    config = make_config("smoke", **overrides)
    torch.manual_seed(0)
    omega = torch.zeros(2, 3) if omega is None else omega
    return MixedMembershipGAN(config, 8, 2, omega.shape[1], omega, learn)


def _batch(model, seed=0):
    gen = torch.Generator().manual_seed(seed)
    b = model.config.batch_size
    real = torch.rand(2, b, 1, 8, 8, generator=gen) * 2 - 1
    return real, torch.randn(b, model.config.z_dim, generator=gen)


def test_train_step_returns_finite_detached_losses_and_learns_omega():
    model = _model()
    before = model.omega.detach().clone()
    # At initialisation every component is the same function (conditional BN starts at
    # scale 1, shift 0), so omega's first gradient is exactly 0; the classifier term
    # separates the components after one step.
    model.train_step(*_batch(model, 1))
    losses = model.train_step(*_batch(model))
    assert set(losses) == {"loss_d", "loss_c", "loss_g", "loss_omega"}
    assert all(v.ndim == 0 and torch.isfinite(v) and not v.requires_grad for v in losses.values())
    assert not torch.equal(model.omega.detach(), before)
    torch.testing.assert_close(model.alpha, torch.softmax(model.omega, dim=1))


def test_fixed_priors_keep_alpha_fixed():
    priors = torch.tensor([[0.6, 0.0, 0.4], [0.0, 0.55, 0.45]])
    model = _model(learn=False, omega=priors.log())
    for seed in range(3):
        model.train_step(*_batch(model, seed))
    torch.testing.assert_close(model.alpha.detach(), priors)
    assert model.opt_omega is None and not model.omega.requires_grad


def test_critic_logits_pick_each_discriminator_on_its_own_data():
    model = _model()
    model.critic.eval()  # no power iteration: logits are a pure function of each image
    real, z = _batch(model)
    b = real.shape[1]
    fake = model.generator(z.repeat(3, 1), model.component_indices(b)).detach()
    d_real, d_fake, c_fake = model.critic_logits(real, fake)
    for i in range(2):
        torch.testing.assert_close(
            d_real[:, i], model.critic(real[i])[0][:, i], atol=1e-5, rtol=1e-5
        )
    for k in range(3):
        torch.testing.assert_close(
            d_fake[k], model.critic(fake[k * b : (k + 1) * b])[0], atol=1e-5, rtol=1e-5
        )
    assert c_fake.shape == (3 * b, 3)


def test_one_generator_forward_uses_the_same_noise_for_every_component():
    model = _model()
    b = 4
    components = model.component_indices(b)
    assert components.tolist() == [0] * b + [1] * b + [2] * b


def test_ema_averages_parameters_and_batchnorm_statistics():
    model = _model()
    ema_before = copy.deepcopy(model.generator_ema.state_dict())
    model.train_step(*_batch(model))
    decay = model.config.ema_decay
    live = model.generator.state_dict()
    for name, value in model.generator_ema.state_dict().items():
        if value.is_floating_point():
            expected = decay * ema_before[name] + (1 - decay) * live[name]
            torch.testing.assert_close(value, expected)
    assert "norms.0.norm.running_mean" in live
    assert not torch.equal(
        model.generator_ema.state_dict()["norms.0.norm.running_mean"],
        ema_before["norms.0.norm.running_mean"],
    )


def test_the_ema_follows_its_generator_after_the_model_moves():
    """``.to()`` swaps the tensors behind the parameters (on CUDA every one of them):
    the EMA must average the new tensors, not stale copies of the old ones."""
    model = _model().to(torch.float64)
    before = copy.deepcopy(model.generator_ema.state_dict())
    real, z = _batch(model)
    model.train_step(real.double(), z.double())
    after = model.generator_ema.state_dict()
    assert after["project.weight"].dtype == torch.float64
    assert not torch.equal(after["project.weight"], before["project.weight"])


def test_networks_are_channels_last_and_compute_what_contiguous_ones_do():
    model = _model()
    convs = [p for p in model.parameters() if p.dim() == 4]
    assert convs and all(p.is_contiguous(memory_format=torch.channels_last) for p in convs)
    plain = _model().to(memory_format=torch.contiguous_format)
    assert not all(p.is_contiguous(memory_format=torch.channels_last) for p in plain.parameters())
    for seed in range(2):
        ours, theirs = (
            model.train_step(*_batch(model, seed)),
            plain.train_step(*_batch(plain, seed)),
        )
        for name in ours:
            torch.testing.assert_close(ours[name], theirs[name], rtol=1e-4, atol=1e-5)


def test_naive_baseline_has_no_classifier_term():
    model = _model(learn=False, omega=torch.eye(2).log(), lam=0.0)
    losses = model.train_step(*_batch(model))
    assert float(losses["loss_c"]) == 0.0
    torch.testing.assert_close(model.alpha.detach(), torch.eye(2))


def _steps(precision, count=3, device="cpu", **overrides):
    model = _model(precision=precision, **overrides).to(device)
    losses = []
    for seed in range(count):
        real, z = _batch(model, seed)
        losses.append(model.train_step(real.to(device), z.to(device)))
    return model, {k: torch.stack([step[k] for step in losses]) for k in losses[0]}


def test_bf16_steps_are_finite_close_to_fp32_and_keep_fp32_state():
    """Three steps under bf16 autocast: losses float32, within 2 % of fp32's (measured
    0.01 %); every parameter, buffer, EMA tensor, alpha and Adam state stays float32."""
    _, fp32 = _steps("fp32")
    model, bf16 = _steps("bf16")
    assert model.precision_on(torch.device("cpu")) == "bf16"
    for name, values in bf16.items():
        assert values.dtype == torch.float32 and torch.isfinite(values).all(), name
        torch.testing.assert_close(values, fp32[name], rtol=2e-2, atol=1e-3)
    floats = [t for t in model.state_dict().values() if t.is_floating_point()]
    assert all(t.dtype == torch.float32 for t in floats)
    assert model.alpha.dtype == torch.float32
    for optimizer in (model.opt_g, model.opt_d, model.opt_omega):
        assert all(s["exp_avg"].dtype == torch.float32 for s in optimizer.state.values())


def test_spectral_norm_runs_one_float32_power_iteration_per_forward_under_bf16():
    """The cached float32 W / sigma does what the uncached forward does: same buffers
    after a step, and the classifier's untouched when it is not used (lambda = 0)."""
    fp32, _ = _steps("fp32", count=1, lam=0.0)
    bf16, _ = _steps("bf16", count=1, lam=0.0)
    untouched = _model(lam=0.0)
    for name, want in fp32.critic.state_dict().items():
        got = bf16.critic.state_dict()[name]
        assert got.dtype == want.dtype == torch.float32, name
        if name.startswith("classifier"):
            assert torch.equal(got, untouched.critic.state_dict()[name]), name
        elif name.endswith("_u"):  # the power iteration's vector moved as in fp32
            torch.testing.assert_close(got, want, rtol=0, atol=2e-2)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none here)")
@pytest.mark.parametrize("precision", ["auto", "fp32", "bf16"])
def test_steps_on_cuda(precision):
    model, losses = _steps(precision, device="cuda")
    assert all(v.device.type == "cuda" and torch.isfinite(v).all() for v in losses.values())
    assert model.precision_on(torch.device("cuda")) in ("fp32", "bf16")
