import torch
from torch.nn.functional import softplus

from mixmiss.mmgan.objective import (
    classifier_loss,
    discriminator_loss,
    generator_loss,
    mixture_weights,
    omega_loss,
)


def test_alpha_is_the_row_softmax_of_omega():
    omega = torch.tensor([[0.0, 1.0, -2.0], [3.0, 3.0, 3.0]])
    alpha = mixture_weights(omega)
    torch.testing.assert_close(alpha.sum(1), torch.ones(2))
    torch.testing.assert_close(alpha, omega.exp() / omega.exp().sum(1, keepdim=True))
    torch.testing.assert_close(alpha[1], torch.full((3,), 1 / 3))


def _loop_terms(real_logits, fake_logits, alpha):
    """Eq. 8 term by term, looping over i and k (the reference)."""
    n, k_count = alpha.shape
    d = g = w = 0.0
    for i in range(n):
        d += softplus(-real_logits[:, i]).mean() / n
        for k in range(k_count):
            d += alpha[i, k] * softplus(fake_logits[k, :, i]).mean() / n
            g += alpha[i, k] * softplus(-fake_logits[k, :, i]).mean() / n
            w += alpha[i, k] * torch.log(1 - torch.sigmoid(fake_logits[k, :, i])).mean() / n
    return d, g, w


def test_vectorised_losses_equal_the_sum_over_distributions_and_components():
    gen = torch.Generator().manual_seed(0)
    real = torch.randn(5, 2, generator=gen)
    fake = torch.randn(3, 5, 2, generator=gen)
    alpha = mixture_weights(torch.randn(2, 3, generator=gen))
    d, g, w = _loop_terms(real, fake, alpha)
    torch.testing.assert_close(discriminator_loss(real, fake, alpha), d)
    torch.testing.assert_close(generator_loss(fake, alpha), g)
    torch.testing.assert_close(omega_loss(fake, alpha), w, rtol=1e-5, atol=1e-6)


def test_omega_gradient_scales_down_the_component_the_discriminator_rejects():
    """Paper, 'Effect of alpha': a component with a high loss under D_i loses weight in i."""
    omega = torch.zeros(1, 2, requires_grad=True)
    fake = torch.tensor([[[-5.0]] * 4, [[5.0]] * 4])  # (K=2, B=4, n=1): D rejects G_1, accepts G_2
    omega_loss(fake, mixture_weights(omega)).backward()
    new_alpha = mixture_weights(omega.detach() - 0.1 * omega.grad)
    assert new_alpha[0, 0] < 0.5 < new_alpha[0, 1]


def test_classifier_loss_is_chance_level_for_uniform_logits():
    logits = torch.zeros(6, 3)
    components = torch.tensor([0, 0, 1, 1, 2, 2])
    torch.testing.assert_close(classifier_loss(logits, components), torch.log(torch.tensor(3.0)))
