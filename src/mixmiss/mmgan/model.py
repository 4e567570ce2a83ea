"""The MMGAN model: networks, mixture logits omega, optimisers, EMA and one training step.

The model owns its loss and its update (mimicry style); the trainer only
feeds batches, logs and checkpoints. One step, vectorised over components
and distributions:

1. ONE generator forward for all K components: the same z (B, z_dim) is
   repeated K times with component indices ``[0]*B + [1]*B + ...``.
2. D/C step: ONE trunk forward on ``cat(real of all n distributions,
   fakes.detach())``; the n discriminator heads and the classifier read the
   same features.
3. G/omega step: ONE trunk forward on the fakes of step 1 (same graph, G was
   not updated in between), discriminator parameters frozen so no weight
   gradients are computed for them.
4. EMA of every generator tensor (parameters and BN buffers) with
   ``torch._foreach_lerp_``.

No host synchronisation happens inside a step: losses are returned as
detached tensors and read by the trainer every ``log_every`` steps only.

Memory format: the networks are kept ``channels_last`` (NHWC), so every
convolution's activations stay NHWC and oneDNN does not convert layouts
around each of them. Measured side by side on a 2-core AMX Xeon (one
process, fastest of 3 rounds, ms per step, contiguous -> channels_last):
paper networks bf16 150 -> 119, fp32 267 -> 234; quick networks bf16 63 ->
48, fp32 96 -> 78. The values computed are the same up to float rounding.

Precision (``config.precision``, :mod:`mixmiss.precision`): with ``bf16``
the generator and critic forward passes of steps 1-3 run under
``torch.autocast(dtype=torch.bfloat16)`` (convolutions and linear layers in
bfloat16; weights, Adam states and gradients float32) and the backward
passes outside it. Kept in float32:

- the losses: logits are cast to float32 before the softplus / cross-entropy
  and their means (sums over a batch, where 8 significant bits would swamp
  the differences that drive the updates);
- alpha = softmax(omega) and the omega loss: omega's gradient is a
  difference of the components' terms weighted by alpha, and a softmax in
  bfloat16 would round weights of a few percent to a coarse grid;
- spectral normalisation's power iteration and sigma (see
  :class:`~mixmiss.mmgan.networks.DiscriminatorClassifier`): every critic
  weight is divided by sigma, so its rounding would scale all logits;
- BatchNorm statistics and running buffers (torch computes them in float32
  for bfloat16 inputs) and the EMA, a float32 ``lerp`` of float32 tensors
  outside autocast (an EMA step of (1 - 0.999) x difference is below
  bfloat16's resolution and would be lost).
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from ..precision import autocast, resolve_precision
from .config import MMGANConfig
from .networks import ConditionalGenerator, DiscriminatorClassifier
from .objective import (
    classifier_loss,
    discriminator_loss,
    generator_loss,
    mixture_weights,
    omega_loss,
)


class MixedMembershipGAN(nn.Module):
    """K shared components, n discriminators, a component classifier and omega.

    Parameters
    ----------
    config : MMGANConfig
    image_size : int
        8, 28, 32 or 64.
    num_distributions : int
        n.
    num_components : int
        K.
    omega_init : torch.Tensor, shape (n, K)
        Initial mixture logits; ``log(priors)`` for fixed priors (zero priors
        give -inf logits, hence alpha exactly 0), zeros (uniform alpha) when
        learned.
    learn_omega : bool
        Whether omega is trained (Adam, ``config.omega_lr``).
    channels : int
        Image channels (1 grayscale, 3 RGB).

    Attributes
    ----------
    generator, generator_ema : ConditionalGenerator
        The trained generator and its EMA (eval mode, used for all sampling).
    critic : DiscriminatorClassifier
        D_1..D_n and C on one trunk.
    omega : nn.Parameter, shape (n, K)
    """

    def __init__(
        self,
        config: MMGANConfig,
        image_size: int,
        num_distributions: int,
        num_components: int,
        omega_init: torch.Tensor,
        learn_omega: bool,
        channels: int = 1,
    ):
        super().__init__()
        self.config = config
        self.image_size = image_size
        self.channels = channels
        self.num_distributions = num_distributions
        self.num_components = num_components
        self.generator = ConditionalGenerator(
            image_size, num_components, config.z_dim, config.base_width, channels
        )
        self.critic = DiscriminatorClassifier(
            image_size, num_distributions, num_components, config.base_width, channels
        )
        self.generator.to(memory_format=torch.channels_last)
        self.critic.to(memory_format=torch.channels_last)
        self.generator_ema = copy.deepcopy(self.generator).eval().requires_grad_(False)
        self.omega = nn.Parameter(omega_init.clone().float(), requires_grad=learn_omega)
        self.learn_omega = learn_omega
        adam = {"lr": config.lr, "betas": tuple(config.betas)}
        self.opt_g = torch.optim.Adam(self.generator.parameters(), **adam)
        self.opt_d = torch.optim.Adam(self.critic.parameters(), **adam)
        self.opt_omega = (
            torch.optim.Adam([self.omega], lr=config.omega_lr, betas=tuple(config.betas))
            if learn_omega
            else None
        )
        self._ema_pairs = self._float_state_pairs()
        self._resolved: tuple[torch.device, str] | None = None

    def _apply(self, fn, recurse=True):
        """``.to(device / dtype / memory_format)`` replaces the tensors behind the
        parameters: point the EMA at the new ones (it would update stale copies)."""
        super()._apply(fn, recurse)
        self._ema_pairs = self._float_state_pairs()
        return self

    def precision_on(self, device: torch.device) -> str:
        """``config.precision`` resolved for ``device`` ("fp32" or "bf16"; decided once)."""
        if self._resolved is None or self._resolved[0] != device:
            self._resolved = (device, resolve_precision(self.config.precision, device))
        return self._resolved[1]

    @property
    def alpha(self) -> torch.Tensor:
        """Mixture weights (n, K), Eq. 9."""
        return mixture_weights(self.omega)

    def component_indices(self, batch_size: int) -> torch.Tensor:
        """``[0]*B + [1]*B + ... + [K-1]*B`` on the model's device, (K*B,) int64."""
        return torch.arange(self.num_components, device=self.omega.device).repeat_interleave(
            batch_size
        )

    def _float_state_pairs(self) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
        ema = dict(self.generator_ema.state_dict(keep_vars=True))
        live = dict(self.generator.state_dict(keep_vars=True))
        keys = [k for k, v in live.items() if v.is_floating_point()]
        return [ema[k].data for k in keys], [live[k].data for k in keys]

    @torch.no_grad()
    def update_ema(self) -> None:
        """EMA over all float generator state (parameters and BN running stats)."""
        ema, live = self._ema_pairs
        torch._foreach_lerp_(ema, live, 1.0 - self.config.ema_decay)
        for name, buf in self.generator.named_buffers():
            if not buf.is_floating_point():  # BN's num_batches_tracked
                self.generator_ema.get_buffer(name).copy_(buf)

    def critic_logits(self, real: torch.Tensor, fake: torch.Tensor, classify: bool = True):
        """All discriminator and classifier logits from ONE trunk forward.

        Parameters
        ----------
        real : (n, B, C, H, W)
            B images of each distribution.
        fake : (K*B, C, H, W)
            B samples of each component, grouped by component.

        Returns
        -------
        d_real : (B, n)
            Column i: D_i on distribution i's images (the diagonal of all D_j on all S_i).
        d_fake : (K, B, n)
            D_i (last axis) on component k's samples.
        c_fake : (K*B, K) or None
            Classifier logits on the fakes.
        """
        n, batch = real.shape[0], real.shape[1]
        d_logits, c_logits = self.critic(torch.cat([real.flatten(0, 1), fake]), classify)
        d_real = d_logits[: n * batch].view(n, batch, n).diagonal(dim1=0, dim2=2)
        d_fake = d_logits[n * batch :].view(self.num_components, batch, n)
        return d_real, d_fake, (c_logits[n * batch :] if classify else None)

    def train_step(self, real: torch.Tensor, z: torch.Tensor) -> dict[str, torch.Tensor]:
        """One D/C update and one G/omega update, then the EMA.

        Parameters
        ----------
        real : torch.Tensor, shape (n, B, C, H, W), in [-1, 1]
            B images of each distribution.
        z : torch.Tensor, shape (B, z_dim)
            Noise shared by every component in this step.

        Returns
        -------
        dict of str to 0-d tensors
            ``loss_d``, ``loss_c``, ``loss_g``, ``loss_omega`` (detached; no sync).
        """
        n, batch = real.shape[0], real.shape[1]
        lam = self.config.lam
        components = self.component_indices(batch)
        device, precision = real.device, self.precision_on(real.device)
        with autocast(device, precision):
            fake = self.generator(z.repeat(self.num_components, 1), components)
        alpha = self.alpha

        # D/C step: one trunk forward on real and detached fake images.
        with autocast(device, precision):
            logits = self.critic_logits(real, fake.detach(), classify=lam > 0)
        d_real, d_fake, c_fake = (None if t is None else t.float() for t in logits)
        loss_d = discriminator_loss(d_real, d_fake, alpha.detach())
        loss_c = classifier_loss(c_fake, components) if lam > 0 else loss_d.new_zeros(())
        self.opt_d.zero_grad(set_to_none=True)
        (loss_d + lam * loss_c).backward()
        self.opt_d.step()

        # G/omega step on the same fakes; D frozen so no weight gradients are computed.
        self.critic.requires_grad_(False)
        with autocast(device, precision):
            d_fake, c_fake = self.critic(fake, lam > 0)
        self.critic.requires_grad_(True)
        d_fake = d_fake.float().view(self.num_components, batch, n)
        c_fake = None if c_fake is None else c_fake.float()
        loss_g = generator_loss(d_fake, alpha.detach())
        loss_gc = classifier_loss(c_fake, components) if lam > 0 else loss_g.new_zeros(())
        self.opt_g.zero_grad(set_to_none=True)
        loss = loss_g + lam * loss_gc
        loss_w = omega_loss(d_fake.detach(), alpha) if self.learn_omega else None
        if loss_w is not None:
            self.opt_omega.zero_grad(set_to_none=True)
            loss = loss + loss_w  # disjoint graphs: loss_w reaches omega only
        loss.backward()
        self.opt_g.step()
        if self.opt_omega is not None:
            self.opt_omega.step()
        self.update_ema()
        return {
            "loss_d": loss_d.detach(),
            "loss_c": loss_c.detach(),
            "loss_g": loss_g.detach(),
            "loss_omega": (loss_w if loss_w is not None else loss_g.new_zeros(())).detach(),
        }

    def training_state(self) -> dict:
        """Models, EMA, omega and every optimiser: what a checkpoint holds."""
        state = {"model": self.state_dict(), "opt_g": self.opt_g.state_dict()}
        state["opt_d"] = self.opt_d.state_dict()
        if self.opt_omega is not None:
            state["opt_omega"] = self.opt_omega.state_dict()
        return state

    def load_training_state(self, state: dict) -> None:
        """Inverse of :meth:`training_state`."""
        self.load_state_dict(state["model"])
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        if self.opt_omega is not None:
            self.opt_omega.load_state_dict(state["opt_omega"])
        self._ema_pairs = self._float_state_pairs()
