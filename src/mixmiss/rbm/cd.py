"""Minibatch CD-k updates for RBMs on data with missing entries (Algorithm 1).

Two methods (:data:`METHODS`):

- ``"lm"`` — the Linearized Marginal RBM: Algorithm 1 of the LM-RBM paper in
  full, ``b_m = sigma(b) * m`` in the hidden conditionals (lines 3, 5) and the
  missing units' updates of lines 8-9 scaled by ``lambda``, the per-unit
  probability of being observed in the training data.
- ``"zeroed"`` — the method of [5] (Salakhutdinov et al. 2007): the
  parameters of missing units are dropped, i.e. Algorithm 1 without lines 8-9
  *and* with ``b_m = 0`` in lines 3 and 5. Interpretation: the paper says
  "omitting lines 8 and 9", but it also says the only difference between its
  observed energy and the one of [5] is the term ``sigma(b_m)^T W_m h``, and
  [5] drops missing units entirely (their weights get no input), so the
  hidden conditional of [5] is ``sigma(v_o W_o + c)``.

On complete data (``m = 0``) both reduce to the standard CD-k update.

The update is a SUM over the minibatch of ``eta * (...)`` (Algorithm 1,
lines 1-11), not a mean. All samples of a batch are processed at once:
per batch, ``zeroed`` runs four GEMMs of the batch against ``W`` (three
conditionals and one weight update that stacks the positive and negative
statistics, ``W += eta [x; -x']^T [h; h']``), ``lm`` one more (``W (h - h')``
of line 8). Line 9 costs no GEMM: adding ``lambda * b_m`` to both stacked
rows of the weight update gives exactly ``(lambda b_m)^T (h - h')``.
Buffers are allocated once per batch size; nothing syncs with the host.
"""

from __future__ import annotations

import torch

from ..errors import InputError
from .mask import missing_indicator
from .model import RBM

METHODS = ("zeroed", "lm")


def check_method(method: str) -> str:
    """Return ``method`` if it is one of :data:`METHODS`, else raise :class:`InputError`."""
    if method not in METHODS:
        raise InputError(f"unknown RBM training method {method!r}; choose one of {METHODS}.")
    return method


def uniform_(out: torch.Tensor, generator, bits: torch.Tensor | None = None) -> torch.Tensor:
    """Fill ``out`` with uniforms on (0, 1) of 16-bit resolution, ``(k + 0.5) / 2^16``.

    Why not ``torch.rand``: on CPU it spends a 32-bit Mersenne-twister draw per
    float, serially, which costs about a tenth of a CD-1 step of a 784 x 4096
    RBM; one 64-bit draw here gives four uniforms. A Bernoulli sample
    ``u < p`` then has probability within 2^-16 of ``p``, far below the noise
    of a CD estimate. ``bits`` is optional int64 scratch space of
    ``ceil(out.numel() / 4)`` entries.
    """
    n = out.numel()
    words = -(-n // 4)
    if bits is None:
        bits = torch.empty(words, dtype=torch.int64, device=out.device)
    torch.randint(-(2**63), 2**63 - 1, (words,), generator=generator, out=bits)
    halves = bits.view(torch.int16)[:n].view(out.shape)  # uniform on [-2^15, 2^15)
    return torch.add(halves, 32768.5, out=out).mul_(1.0 / 65536.0)


def sample_bernoulli_(
    p: torch.Tensor, uniform: torch.Tensor, generator, bits: torch.Tensor | None = None
) -> torch.Tensor:
    """Replace probabilities ``p`` by Bernoulli(``p``) samples in place (``uniform``
    and ``bits`` are scratch space for :func:`uniform_`); returns ``p``."""
    return torch.lt(uniform_(uniform, generator, bits), p, out=p)


class ContrastiveDivergence:
    """CD-k updates of one :class:`~mixmiss.rbm.model.RBM`, in place.

    Parameters
    ----------
    model : RBM or LowRankRBM
        Updated in place by :meth:`step`.
    method : {"lm", "zeroed"}
    learning_rate : float
        ``eta`` of Algorithm 1 (the step is summed over the batch).
    lam : tensor (n,), optional
        ``lambda``, the per-unit observation probability of the training data
        (:func:`~mixmiss.rbm.mask.observation_probability`); needed by ``"lm"``.
    k : int
        Gibbs steps of CD-k (Algorithm 1 is CD-1).
    generator : torch.Generator
        Source of every random draw.
    """

    def __init__(
        self,
        model: RBM,
        method: str,
        learning_rate: float,
        lam: torch.Tensor | None = None,
        k: int = 1,
        generator: torch.Generator | None = None,
    ):
        self.model = model
        self.method = check_method(method)
        self.learning_rate = float(learning_rate)
        if self.method == "lm" and lam is None:
            raise InputError("the 'lm' method needs lam, the per-unit observation probability.")
        self.lam = lam
        self.k = int(k)
        self.generator = generator
        self._buffers: dict[int, dict[str, torch.Tensor]] = {}

    def _buffers_for(self, batch: int) -> dict[str, torch.Tensor]:
        if batch not in self._buffers:
            n, m = self.model.n_visible, self.model.n_hidden
            like = self.model.b
            empty = lambda *shape: torch.empty(shape, dtype=like.dtype, device=like.device)  # noqa: E731
            words = lambda count: torch.empty(-(-count // 4), dtype=torch.int64, device=like.device)  # noqa: E731
            self._buffers[batch] = {
                "X": empty(2 * batch, n),  # [x_pos; -x_neg], rows of the weight update
                "Y": empty(2 * batch, m),  # [h; h']
                "u_h": empty(batch, m),  # uniforms for the hidden samples
                "u_v": empty(batch, n),  # uniforms for the visible samples
                "bits_h": words(batch * m),  # random bits behind them
                "bits_v": words(batch * n),
                "x": empty(batch, n),  # input of the negative hidden conditional
                "b_m": empty(batch, n),  # lm: sigma(b) * m
                "dh": empty(batch, m),  # lm: h - h'
                "W_dh": empty(batch, n),  # lm: W (h - h')
            }
        return self._buffers[batch]

    def step(self, v_obs: torch.Tensor, observed: torch.Tensor) -> None:
        """One Algorithm 1 update from a minibatch.

        Parameters
        ----------
        v_obs : tensor (B, n) in [0, 1], missing entries already zeroed
            (``v * (1 - m)``); grayscale values act as probabilities.
        observed : tensor (B, n), 1 = observed (the project's convention)
        """
        model, eta, g = self.model, self.learning_rate, self.generator
        nb = v_obs.shape[0]
        buf = self._buffers_for(nb)
        X, Y, x = buf["X"], buf["Y"], buf["x"]
        x_pos, v_neg, h, h_neg = X[:nb], X[nb:], Y[:nb], Y[nb:]
        lm = self.method == "lm"

        if lm:
            sigma_b = torch.sigmoid(model.b)
            b_m = missing_indicator(observed, out=buf["b_m"]).mul_(sigma_b)  # b_m = sigma(b) m
            torch.add(v_obs, b_m, out=x_pos)
        else:
            x_pos.copy_(v_obs)

        # line 3: h ~ sigma((v * (1 - m) + b_m) W + c)
        model.hidden_input(x_pos, out=h).sigmoid_()
        sample_bernoulli_(h, buf["u_h"], g, buf["bits_h"])
        h_chain = h
        for _ in range(self.k):
            # line 4: v' ~ sigma(W h + b)
            model.visible_input(h_chain, out=v_neg).sigmoid_()
            sample_bernoulli_(v_neg, buf["u_v"], g, buf["bits_v"]).mul_(observed)  # v' (1 - m)
            # line 5: h' ~ sigma((v' * (1 - m) + b_m) W + c)
            x_neg = torch.add(v_neg, b_m, out=x) if lm else v_neg
            model.hidden_input(x_neg, out=h_neg).sigmoid_()
            sample_bernoulli_(h_neg, buf["u_h"], g, buf["bits_h"])
            h_chain = h_neg

        if lm:
            # line 8: sum_i lambda * b_m,i * (1 - sigma(b)) * (W (h_i - h'_i)), before W moves
            dh = torch.sub(h, h_neg, out=buf["dh"])
            W_dh = model.visible_input(dh, out=buf["W_dh"], bias=False)  # (B, n)
            line8 = W_dh.mul_(b_m).sum(dim=0).mul_(self.lam * (1.0 - sigma_b))
            # line 9 folded into line 7: rows x + lambda * b_m on both sides
            lam_b_m = b_m.mul_(self.lam)
            torch.add(v_obs, lam_b_m, out=x_pos)
            v_neg.add_(lam_b_m)
        v_neg.neg_()  # X = [x_pos; -x_neg]

        # line 6: c += eta sum(h - h'); b += eta sum((v - v') * (1 - m)) (+ line 8)
        model.c.add_(h.sum(dim=0).sub_(h_neg.sum(dim=0)), alpha=eta)
        model.b.add_(X.sum(dim=0), alpha=eta)  # the lambda * b_m terms cancel here
        if lm:
            model.b.add_(line8, alpha=eta)
        # lines 7 (+ 9): W += eta [x_pos; -x_neg]^T [h; h']
        model.add_weight_update(X, Y, eta)
