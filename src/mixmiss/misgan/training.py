"""One MisGAN training step: three WGAN-GP critics, then (every n_critic-th step)
the mask generator, data generator and imputer.

Follows MisGAN's reference training loop (steveli/misgan, ``misgan_impute.py``)
with the LM-RBM paper's settings. With masked data f_tau(x, m) = m x + (1 - m) tau:

- data critic D_x: real f_tau(x, m), fake f_tau(G_x(z), G_m(z'));
- mask critic D_m: real m, fake G_m(z');
- imputer critic D_i: real G_x(z) (complete generated images), fake
  x_hat = m x + (1 - m) G_i(x, m, u).

Each critic minimises E D(fake) - E D(real) + lambda E (||grad D(x_eps)||_2 - 1)^2
(WGAN-GP, x_eps a uniform interpolate). Every ``n_critic`` critic steps the
generators take one step on the same real batch, with L_x = -E D_x(f_tau(G_x,
G_m)), L_m = -E D_m(G_m), L_i = -E D_i(x_hat):

- G_m minimises L_m + alpha L_x,
- G_x minimises L_x + beta L_i,
- G_i minimises L_i (+ gamma times the masked squared error when gamma > 0).

As in the reference code, L_i does not depend on G_x, so the beta term gives
G_x no gradient (beta is carried for fidelity to the configuration). All three
gradients come from one backward pass: the data term reaches G_m through a
gradient scaled by alpha (:func:`scale_grad`), so G_m gets
grad(L_m + alpha L_x) and G_x gets grad(L_x) from the same sum.

Nothing in a step reads a value back to the host: losses are returned as
detached tensors and the caller decides when to look at them.

Precision (:mod:`mixmiss.precision`): with ``bf16`` the networks' forward
passes run under ``torch.autocast(dtype=torch.bfloat16)`` (convolutions and
linear layers in bfloat16, their weights and Adam states float32) and the
backward passes outside it. Kept in float32, outside autocast:

- the losses (means of critic scores, the imputer's squared error): sums of
  a batch of terms, where bfloat16's 8 bits would swamp the differences
  ``E D(fake) - E D(real)`` that drive a Wasserstein critic;
- the gradient penalty's norm ``||grad D(x_eps)||_2`` and its square: the
  gradient with respect to the float32 interpolate comes back in float32,
  and ``(||g|| - 1)^2`` near its minimum is a difference of nearly equal
  numbers, exactly where bfloat16 rounding (relative 2^-9) would dominate;
- the masking ``m x + (1 - m) tau``, the interpolate ``x_eps`` and the noise.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from ..precision import autocast, resolve_precision
from .networks import MisGANNetworks

#: Order of the critics' losses in :meth:`MisGANTrainer.train_step`'s output.
CRITICS = ("data", "mask", "impute")


def mask_data(x: torch.Tensor, m: torch.Tensor, tau) -> torch.Tensor:
    """f_tau(x, m) = m x + (1 - m) tau (tau a number or a tensor like x)."""
    return m * x + (1 - m) * tau


def scale_grad(x: torch.Tensor, scale: float) -> torch.Tensor:
    """Identity in the forward pass; multiplies the gradient by ``scale`` in the backward."""
    return x * scale + x.detach() * (1.0 - scale)


def masked_mean_squared_error(x: torch.Tensor, target: torch.Tensor, m: torch.Tensor):
    """Mean over images of the squared error averaged over observed pixels (reference ``mask_norm``)."""
    dims = (1, 2, 3)
    return (((x - target) ** 2 * m).sum(dims) / m.sum(dims).clamp_min(1.0)).mean()


@dataclass(frozen=True)
class MisGANHyperparameters:
    """The training settings (defaults: the LM-RBM paper's footnote and the reference code)."""

    batch_size: int = 64
    n_critic: int = 5
    gp_lambda: float = 10.0
    n_latent: int = 128
    alpha: float = 0.1
    beta: float = 0.1
    gamma: float = 0.0
    tau: float = 0.0
    lr: float = 1e-4
    imputer_lr: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.9)


class CriticUpdate:
    """One WGAN-GP step of one critic (its own Adam optimiser).

    ``precision`` (resolved, ``"fp32"`` or ``"bf16"``) and ``device`` say
    whether the critic's forward passes run under bfloat16 autocast (see the
    module docstring for what stays float32).
    """

    def __init__(
        self,
        critic: nn.Module,
        optimizer: torch.optim.Optimizer,
        gp_lambda: float,
        precision: str = "fp32",
        device: torch.device | str = "cpu",
    ):
        self.critic = critic
        self.optimizer = optimizer
        self.gp_lambda = gp_lambda
        self.precision = precision
        self.device = torch.device(device)

    def _scores(self, x: torch.Tensor) -> torch.Tensor:
        """D(x) (B,), forward under the precision's autocast, returned in float32."""
        with autocast(self.device, self.precision):
            scores = self.critic(x)
        return scores.float()

    def __call__(self, real: torch.Tensor, fake: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """Update on a (real, fake) batch; ``eps`` (B, 1, 1, 1) uniform. Returns the loss, detached."""
        real, fake = real.detach().float(), fake.detach().float()
        x_eps = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(self._scores(x_eps).sum(), x_eps, create_graph=True)
        penalty = ((grad.float().flatten(1).norm(dim=1) - 1) ** 2).mean() * self.gp_lambda
        scores = self._scores(torch.cat([real, fake]))
        d_real, d_fake = scores.chunk(2)
        loss = d_fake.mean() - d_real.mean() + penalty
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return loss.detach()


class MisGANTrainer:
    """Optimisers and the training step for a :class:`MisGANNetworks`.

    Parameters
    ----------
    nets : MisGANNetworks
    hp : MisGANHyperparameters
    generator : torch.Generator
        On the networks' device; all noise (z, u, eps) is drawn from it.
    section : callable, optional
        ``section(name)`` returns a context manager wrapped around each part of
        the step ("critic inputs", the three critics, "generators"); the bench
        uses it to time them. The default does nothing.
    precision : {"auto", "fp32", "bf16"}
        Resolved for the networks' device (:attr:`precision`); see the module
        docstring for what bf16 runs in bfloat16 and what stays float32.
    """

    def __init__(
        self,
        nets: MisGANNetworks,
        hp: MisGANHyperparameters,
        generator: torch.Generator,
        section: Callable[[str], contextlib.AbstractContextManager] | None = None,
        precision: str = "auto",
    ):
        self.nets = nets
        self.hp = hp
        self.generator = generator
        self.section = section or (lambda name: contextlib.nullcontext())
        self.device = next(nets.parameters()).device
        self.precision = resolve_precision(precision, self.device)

        def adam(module: nn.Module, lr: float) -> torch.optim.Optimizer:
            return torch.optim.Adam(module.parameters(), lr=lr, betas=tuple(hp.betas))

        self.optimizers = {
            "data_gen": adam(nets.data_gen, hp.lr),
            "mask_gen": adam(nets.mask_gen, hp.lr),
            "imputer": adam(nets.imputer, hp.imputer_lr),
            "data_critic": adam(nets.data_critic, hp.lr),
            "mask_critic": adam(nets.mask_critic, hp.lr),
            "impu_critic": adam(nets.impu_critic, hp.imputer_lr),
        }
        self.critic_updates = {
            name: CriticUpdate(
                getattr(nets, f"{critic}_critic"),
                self.optimizers[f"{critic}_critic"],
                hp.gp_lambda,
                self.precision,
                self.device,
            )
            for name, critic in zip(CRITICS, ("data", "mask", "impu"), strict=True)
        }
        self._generator_params = [
            p
            for module in (nets.data_gen, nets.mask_gen, nets.imputer)
            for p in module.parameters()
        ]
        #: Critic steps since the last generator step (the reference's ``critic_updates``).
        self.critic_steps = 0

    def _autocast(self) -> contextlib.AbstractContextManager:
        return autocast(self.device, self.precision)

    # -- noise ----------------------------------------------------------------------
    def _normal(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.hp.n_latent, generator=self.generator, device=self.device)

    def _uniform(self, *shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=self.generator, device=self.device)

    # -- the step -------------------------------------------------------------------
    def critic_step(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        """Update the three critics on a real batch; returns their losses (3,), detached."""
        nets, tau, b = self.nets, self.hp.tau, x.shape[0]
        with self.section("critic inputs"), torch.no_grad():
            with self._autocast():
                fake_data = nets.data_gen(self._normal(b)).float()
                fake_mask = nets.mask_gen(self._normal(b)).float()
                imputed = nets.imputer(x, m, self._uniform(*x.shape)).float()
            x_hat = mask_data(x, m, imputed)
        with self.section("data critic"):
            data_loss = self.critic_updates["data"](
                mask_data(x, m, tau),
                mask_data(fake_data, fake_mask, tau),
                self._uniform(b, 1, 1, 1),
            )
        with self.section("mask critic"):
            mask_loss = self.critic_updates["mask"](m, fake_mask, self._uniform(b, 1, 1, 1))
        with self.section("impute critic"):
            impu_loss = self.critic_updates["impute"](fake_data, x_hat, self._uniform(b, 1, 1, 1))
        return torch.stack([data_loss, mask_loss, impu_loss])

    def generator_step(self, x: torch.Tensor, m: torch.Tensor) -> None:
        """One step of G_m, G_x and G_i (see the module docstring)."""
        nets, hp, b = self.nets, self.hp, x.shape[0]
        with self._autocast():
            fake_data = nets.data_gen(self._normal(b)).float()
            fake_mask = nets.mask_gen(self._normal(b)).float()
            imputed = nets.imputer(x, m, self._uniform(*x.shape)).float()
            # the critics' inputs: masking in float32 (promoted), their scores cast back
            d_x = nets.data_critic(mask_data(fake_data, scale_grad(fake_mask, hp.alpha), hp.tau))
            d_m = nets.mask_critic(fake_mask)
            d_i = nets.impu_critic(mask_data(x, m, imputed))
        loss_x = -d_x.float().mean()
        loss_m = -d_m.float().mean()
        loss_i = -d_i.float().mean()
        total = loss_m + loss_x + loss_i
        if hp.gamma > 0:
            total = total + hp.gamma * masked_mean_squared_error(imputed, x, m)
        for name in ("data_gen", "mask_gen", "imputer"):
            self.optimizers[name].zero_grad(set_to_none=True)
        # ``inputs`` keeps the critics' weight gradients from being computed at all.
        total.backward(inputs=self._generator_params)
        for name in ("mask_gen", "data_gen", "imputer"):
            self.optimizers[name].step()

    def train_step(self, x: torch.Tensor, m: torch.Tensor) -> torch.Tensor:
        """A critic step, and a generator step every ``n_critic``-th call. Returns the
        critics' losses (3,) as a detached tensor (no host synchronisation)."""
        losses = self.critic_step(x, m)
        self.critic_steps += 1
        if self.critic_steps == self.hp.n_critic:
            self.critic_steps = 0
            with self.section("generators"):
                self.generator_step(x, m)
        return losses

    # -- checkpointing ------------------------------------------------------------
    def state_dict(self) -> dict:
        return {
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
            "critic_steps": self.critic_steps,
        }

    def load_state_dict(self, state: dict) -> None:
        for name, opt in self.optimizers.items():
            opt.load_state_dict(state["optimizers"][name])
        self.critic_steps = int(state["critic_steps"])
