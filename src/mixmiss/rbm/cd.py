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
The products themselves, dense or through the rank-r factors of
``W = A B``, in float32 or bfloat16, are :mod:`~mixmiss.rbm.products`'s;
everything else here (sigmoids, Bernoulli draws, bias updates) runs in the
parameters' dtype. Buffers are allocated once per batch size; nothing syncs
with the host.
"""

from __future__ import annotations

import torch

from ..errors import InputError
from ..precision import compute_dtype, resolve_precision
from .mask import missing_indicator
from .model import RBM
from .products import products_for

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
        Updated in place by :meth:`step`; its tensors stay the master
        parameters whatever the precision.
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
    precision : {"auto", "fp32", "bf16"}
        Where the products run (:mod:`mixmiss.precision`; ``"fp32"`` means the
        parameters' own dtype, :mod:`~mixmiss.rbm.products` says what bf16 does).
    """

    def __init__(
        self,
        model: RBM,
        method: str,
        learning_rate: float,
        lam: torch.Tensor | None = None,
        k: int = 1,
        generator: torch.Generator | None = None,
        precision: str = "auto",
    ):
        self.model = model
        self.method = check_method(method)
        self.learning_rate = float(learning_rate)
        if self.method == "lm" and lam is None:
            raise InputError("the 'lm' method needs lam, the per-unit observation probability.")
        self.lam = lam
        self.k = int(k)
        self.generator = generator
        self.precision = resolve_precision(precision, model.b.device, model.b.dtype)
        self.products = products_for(model, compute_dtype(self.precision, model.b.dtype))
        self._buffers: dict[int, dict[str, torch.Tensor]] = {}

    def _buffers_for(self, batch: int) -> dict[str, torch.Tensor]:
        if batch not in self._buffers:
            n, m = self.model.n_visible, self.model.n_hidden
            like, dtype = self.model.b, self.products.dtype
            empty = lambda *shape: torch.empty(shape, dtype=like.dtype, device=like.device)  # noqa: E731
            words = lambda count: torch.empty(-(-count // 4), dtype=torch.int64, device=like.device)  # noqa: E731
            buf = {
                "X": empty(2 * batch, n),  # [x_pos; -x_neg], rows of the weight update
                "u_h": empty(batch, m),  # uniforms for the hidden samples
                "u_v": empty(batch, n),  # uniforms for the visible samples
                "bits_h": words(batch * m),  # random bits behind them
                "bits_v": words(batch * n),
                "x": empty(batch, n),  # input of the negative hidden conditional
                "b_m": empty(batch, n),  # lm: sigma(b) * m
                "W_dh": empty(batch, n),  # lm: W (h - h')
            }
            if self.products.mixed:  # products' operands, and float32 hidden probabilities
                mixed = lambda *shape: torch.empty(shape, dtype=dtype, device=like.device)  # noqa: E731
                buf |= {"Xc": mixed(2 * batch, n), "Y": mixed(2 * batch, m), "x_c": mixed(batch, n)}
                buf["p_h"] = empty(batch, m)
            else:  # the products read the buffers themselves; h is sampled in place
                buf["Y"] = empty(2 * batch, m)  # [h; h']
                buf["Xc"], buf["x_c"] = buf["X"], buf["x"]
            self._buffers[batch] = buf
        return self._buffers[batch]

    def _sample_hidden(self, x: torch.Tensor, half: str, buf: dict) -> torch.Tensor:
        """Rows ``half`` of ``Y`` <- h ~ sigma(x W + c), for ``x`` in the products' dtype."""
        nb = x.shape[0]
        h = buf["Y"][:nb] if half == "pos" else buf["Y"][nb:]
        p = buf.get("p_h", h)  # float32 probabilities, drawn into the products' dtype
        self.products.hidden_input(x, half, out=p).sigmoid_()
        return torch.lt(uniform_(buf["u_h"], self.generator, buf["bits_h"]), p, out=h)

    def step(self, v_obs: torch.Tensor, observed: torch.Tensor) -> None:
        """One Algorithm 1 update from a minibatch.

        Parameters
        ----------
        v_obs : tensor (B, n) in [0, 1], missing entries already zeroed
            (``v * (1 - m)``); grayscale values act as probabilities.
        observed : tensor (B, n), 1 = observed (the project's convention)
        """
        model, eta, g, products = self.model, self.learning_rate, self.generator, self.products
        nb = v_obs.shape[0]
        buf = self._buffers_for(nb)
        products.begin(nb)
        X, Xc, Y = buf["X"], buf["Xc"], buf["Y"]
        x_pos, v_neg, h, h_neg = X[:nb], X[nb:], Y[:nb], Y[nb:]
        lm = self.method == "lm"

        if lm:
            sigma_b = torch.sigmoid(model.b)
            b_m = missing_indicator(observed, out=buf["b_m"]).mul_(sigma_b)  # b_m = sigma(b) m
            torch.add(v_obs, b_m, out=Xc[:nb])
        else:
            Xc[:nb].copy_(v_obs)

        # line 3: h ~ sigma((v * (1 - m) + b_m) W + c)
        self._sample_hidden(Xc[:nb], "pos", buf)
        h_chain = h
        for gibbs in range(self.k):
            # line 4: v' ~ sigma(W h + b)
            products.visible_input(h_chain, keep=gibbs == 0, out=v_neg).sigmoid_()
            sample_bernoulli_(v_neg, buf["u_v"], g, buf["bits_v"]).mul_(observed)  # v' (1 - m)
            # line 5: h' ~ sigma((v' * (1 - m) + b_m) W + c)
            if lm:
                x_neg = torch.add(v_neg, b_m, out=buf["x_c"])
            else:
                x_neg = v_neg if Xc is X else Xc[nb:].copy_(v_neg)
            self._sample_hidden(x_neg, "neg", buf)
            h_chain = h_neg

        if lm:
            # line 8: sum_i lambda * b_m,i * (1 - sigma(b)) * (W (h_i - h'_i)), before W moves
            W_dh = products.missing_term(Y, out=buf["W_dh"])  # (B, n)
            line8 = W_dh.mul_(b_m).sum(dim=0).mul_(self.lam * (1.0 - sigma_b))
            # line 9 folded into line 7: rows x + lambda * b_m on both sides
            lam_b_m = b_m.mul_(self.lam)
            torch.add(v_obs, lam_b_m, out=x_pos)
            v_neg.add_(lam_b_m)
        elif X is not Xc:
            x_pos.copy_(v_obs)
        v_neg.neg_()  # X = [x_pos; -x_neg]
        if Xc is not X:
            Xc.copy_(X)

        # line 6: c += eta sum(h - h'); b += eta sum((v - v') * (1 - m)) (+ line 8)
        dtype = model.c.dtype  # the sums of 0/1 states are accumulated in the parameters' dtype
        model.c.add_(h.sum(dim=0, dtype=dtype).sub_(h_neg.sum(dim=0, dtype=dtype)), alpha=eta)
        model.b.add_(X.sum(dim=0), alpha=eta)  # the lambda * b_m terms cancel here
        if lm:
            model.b.add_(line8, alpha=eta)
        # lines 7 (+ 9): W += eta [x_pos; -x_neg]^T [h; h']; for zeroed the rows of X are
        # the hidden conditionals' inputs (what the low-rank products reuse)
        products.add_weight_update(Xc, Y, eta, reuse=not lm)
