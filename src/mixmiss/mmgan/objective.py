"""The MMGAN objective: Eq. 8 (mixture value function) and Eq. 11 (disjointness).

Notation (paper, Section 3): n distributions, K components,
``omega`` in R^{n x K}, ``alpha = softmax(omega)`` row-wise (Eq. 9), D_i the
i-th discriminator, G_k the k-th component, C the component classifier.
With logits ``d = logit D(x)``, ``log D = -softplus(-d)`` and
``log(1 - D) = -softplus(d)``.

How alpha enters each update, and why (the protocol notes leave this to us):

- **Every component is generated every step** (32 samples each) and
  component k's fake term in D_i's loss is weighted by alpha_k^(i). This is
  the exact expectation of Eq. 6/8 over k ~ Cat(alpha^(i)) and it is
  differentiable in omega; drawing k from alpha would give omega no gradient
  and would starve low-weight components of samples.
- **D step:** alpha is *detached*. D maximises V over D only; alpha is a
  constant of that step. The D loss is Eq. 8 negated:
  ``(1/n) sum_i [E_{p_di} softplus(-d_i) + sum_k alpha_ik E_{G_k} softplus(d_i)]``.
- **G step:** alpha is *detached* and G uses the non-saturating loss
  ``(1/n) sum_i sum_k alpha_ik E_{G_k} softplus(-d_i)`` (Venn GAN, protocol
  notes; the usual fix for the vanishing gradient of log(1 - D) early on).
  G_k is thus pushed towards the data of D_i in proportion to alpha_k^(i).
- **omega step:** omega minimises Eq. 8 itself (minimax form, as the paper
  states: "omega is a minimizer of Eq. 7" with
  dV/dalpha_k^(i) proportional to E_{G_k} log(1 - D_i)). Its loss is
  ``(1/n) sum_i sum_k alpha_ik E_{G_k}[-softplus(d_i)]`` with the logits
  detached, so only omega moves: a component that D_i recognises as fake
  (log(1 - D_i) near 0, i.e. a high loss) loses weight in distribution i.
  It is updated simultaneously with G, on the same fake batch, after the D
  step (1:1 alternation).
- **Classifier (Eq. 10/11):** C sees the *uniform* mixture -- all K
  components with 32 samples each -- because Eq. 10 averages over k with
  weight 1/K, not alpha. C and the shared trunk minimise
  ``lambda * CE(C(G_k(z)), k)`` on detached fakes in the D step; G minimises
  the same term (it maximises Eq. 10 too) in the G step.
"""

from __future__ import annotations

import torch
from torch.nn import functional as F


def mixture_weights(omega: torch.Tensor) -> torch.Tensor:
    """Eq. 9: alpha^(i) = softmax(omega^(i)); omega (n, K) -> alpha (n, K)."""
    return torch.softmax(omega, dim=1)


def _weighted_fake_term(fake_logits: torch.Tensor, alpha: torch.Tensor, sign: float):
    """(1/n) sum_i sum_k alpha_ik E_b softplus(sign * d_{k,b,i}).

    fake_logits (K, B, n), alpha (n, K) -> scalar.
    """
    per_pair = F.softplus(sign * fake_logits).mean(dim=1)  # (K, n)
    return (alpha * per_pair.T).sum() / alpha.shape[0]


def discriminator_loss(
    real_logits: torch.Tensor, fake_logits: torch.Tensor, alpha: torch.Tensor
) -> torch.Tensor:
    """Negated Eq. 8 for the discriminators (alpha treated as a constant).

    Parameters
    ----------
    real_logits : (B, n)
        Column i: D_i's logits on a batch of distribution i's data.
    fake_logits : (K, B, n)
        D_i's logits (last axis) on B samples of each component.
    alpha : (n, K)
        Mixture weights; pass them detached.
    """
    real = F.softplus(-real_logits).mean(dim=0).mean()
    return real + _weighted_fake_term(fake_logits, alpha, 1.0)


def generator_loss(fake_logits: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Non-saturating generator loss (1/n) sum_i sum_k alpha_ik E_{G_k}[-log D_i].

    fake_logits (K, B, n), alpha (n, K) detached -> scalar.
    """
    return _weighted_fake_term(fake_logits, alpha, -1.0)


def omega_loss(fake_logits: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """Eq. 8's fake term, minimised over omega: (1/n) sum_i sum_k alpha_ik E_{G_k} log(1 - D_i).

    fake_logits (K, B, n) detached, alpha (n, K) with its graph to omega -> scalar.
    """
    return -_weighted_fake_term(fake_logits, alpha, 1.0)


def classifier_loss(class_logits: torch.Tensor, components: torch.Tensor) -> torch.Tensor:
    """Eq. 10 negated: -(1/K) sum_k E_z log C(y_k | G_k(z)) with K equal-sized groups.

    class_logits (K*B, K), components (K*B,) int64 -> scalar.
    """
    return F.cross_entropy(class_logits, components)
