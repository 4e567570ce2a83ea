"""The matrix products of a CD step, dense or ``W = A B``, in float32 or bfloat16.

:class:`~mixmiss.rbm.cd.ContrastiveDivergence` runs Algorithm 1 and asks the
objects here for its products against ``W``: the hidden conditionals'
``x W + c``, the visible conditional's ``h W^T + b``, line 8's ``W (h - h')``
and the weight update ``W += eta X^T Y`` with ``X = [x; -x']`` (2B, n) and
``Y = [h; h']`` (2B, m). Rows are samples; ``rows`` selects the positive
(``"pos"``, rows ``0..B-1`` of ``X`` and ``Y``) or negative (``"neg"``) half.

Precision (:mod:`mixmiss.precision`). The model's tensors are the master
parameters: every update is added to them in their own dtype (float32), so
steps far below bfloat16's resolution (``eta = 1e-4`` against entries of
``W`` near 0.01) are not lost. With ``bf16`` the products read bfloat16 copies
of the weights, refreshed after each update, and bfloat16 left operands: the
sampled 0/1 states (and line 8's ``h - h'`` in {-1, 0, 1}) are exact in
bfloat16; grayscale pixels and ``b_m`` are rounded to 8 significant bits
(relative error at most 2^-9). A product comes back rounded to bfloat16
(torch's bfloat16 GEMM accumulates in float32 and rounds its output); what
follows it runs in float32: the bias, the sigmoid, the Bernoulli draw, the
sums over the batch and the update of the master parameters. The update
statistic ``X^T Y`` (its entries sums of at most 2B terms) is thus rounded
once, relatively by at most 2^-9, before ``eta`` scales it. The price of
float32 masters for a dense ``W``: beyond the GEMMs, two passes over the
(n, m) matrix per step (adding the bf16 statistic to the master, copying the
master to the products' bf16 copy), about 50 MB of memory traffic at
784 x 4096 (torch's CPU GEMM cannot write a bf16 product into float32).

Low rank. ``W`` is never formed and every product goes through the rank-r
intermediate; the intermediates the conditionals compute anyway are kept
for the update (chain rule, from the parameters before the step:
``Delta A = eta X^T (Y B^T)``, ``Delta B = eta (X A)^T Y``):

- the hidden conditionals compute ``x A`` and ``x' A`` (B, r) on the way to
  ``(x A) B``; for ``zeroed`` the update rows are exactly those inputs, so
  ``X A = [x A; -x' A]`` costs nothing more;
- the first visible conditional computes ``h B^T`` on the way to
  ``(h B^T) A^T``: the first half of ``Y B^T``; the second half, ``h' B^T``,
  is the one product the update adds;
- ``lm``'s line 8 is ``(h B^T - h' B^T) A^T``: a (B, r) x (r, n) product
  instead of a dense (B, m) x (m, n) one.

At the paper's size (B = 128, n = 784, m = 4096, r = 314) a ``zeroed`` step
does 2.29 GFLOP against the dense 4.11 (1.80x fewer), ``lm`` 2.48 against
4.93 (1.99x fewer; its update rows ``x + lambda b_m`` are not the
conditionals' inputs, so ``X A`` is recomputed).
"""

from __future__ import annotations

import torch

from .model import RBM, LowRankRBM


def _rows(half: str, batch: int) -> slice:
    return slice(0, batch) if half == "pos" else slice(batch, 2 * batch)


def _contiguous(view: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """``view`` (a transpose) copied into the contiguous ``out``.

    For the bf16 weight updates ``X^T Y`` and ``(X A)^T Y``, whose outputs are
    4096 wide at the paper's size: with the transposed view as its left operand
    torch's CPU GEMM took 1.24 ms (dense) and 0.61 ms (low rank) where a
    contiguous copy plus the GEMM took 0.78 and 0.45 ms (2 threads, AMX
    Xeon, 2026-12-07). Not for the narrow ``X^T (Y B^T)``, where it was slower.
    """
    return out.copy_(view)


class DenseProducts:
    """The products of a dense :class:`~mixmiss.rbm.model.RBM` (see the module docstring).

    Parameters
    ----------
    model : RBM
        Its tensors are the master parameters, updated in place.
    dtype : torch.dtype
        Where the products run: the parameters' dtype, or ``torch.bfloat16``.
    """

    def __init__(self, model: RBM, dtype: torch.dtype):
        self.model = model
        self.dtype = dtype
        self.mixed = dtype != model.W.dtype
        self.W = model.W.to(dtype) if self.mixed else model.W  # the products' copy
        if self.mixed:
            self.G = torch.empty_like(self.W)  # bf16 X^T Y, before eta scales it into W
        self._scratch: dict[int, dict[str, torch.Tensor]] = {}
        self.batch = 0

    # -- buffers ---------------------------------------------------------------------------
    def _empty(self, *shape: int, dtype: torch.dtype | None = None) -> torch.Tensor:
        return torch.empty(shape, dtype=dtype or self.dtype, device=self.model.b.device)

    def _allocate(self, batch: int) -> dict[str, torch.Tensor]:
        n, m = self.model.n_visible, self.model.n_hidden
        buf = {"dh": self._empty(batch, m)}  # lm: h - h'
        if self.mixed:
            buf |= {
                "pre_h": self._empty(batch, m),  # bf16 x W, before the bias
                "pre_v": self._empty(batch, n),  # bf16 h W^T
                "XT": self._empty(n, 2 * batch),  # X^T, laid out for the update's GEMM
            }
        return buf

    def begin(self, batch: int) -> None:
        """Select the scratch space of a minibatch of ``batch`` rows (allocated once)."""
        if batch not in self._scratch:
            self._scratch[batch] = self._allocate(batch)
        self.buf = self._scratch[batch]
        self.batch = batch

    def refresh(self) -> None:
        """Copy the master weights into the products' copy (after an update)."""
        if self.mixed:
            self.W.copy_(self.model.W)

    # -- the products ------------------------------------------------------------------------
    def hidden_input(self, x: torch.Tensor, half: str, out: torch.Tensor) -> torch.Tensor:
        """``out = x W + c`` for rows ``x`` (B, n) of the products' dtype; ``out`` (B, m)."""
        if not self.mixed:
            return torch.addmm(self.model.c, x, self.W, out=out)
        pre = torch.mm(x, self.W, out=self.buf["pre_h"])
        return torch.add(pre, self.model.c, out=out)

    def visible_input(self, h: torch.Tensor, keep: bool, out: torch.Tensor) -> torch.Tensor:
        """``out = h W^T + b`` for rows ``h`` (B, m); ``keep`` marks the positive ``h``."""
        if not self.mixed:
            return torch.addmm(self.model.b, h, self.W.T, out=out)
        pre = torch.mm(h, self.W.T, out=self.buf["pre_v"])
        return torch.add(pre, self.model.b, out=out)

    def missing_term(self, Y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        """Line 8's ``W (h - h')`` (B, n) into ``out`` (master dtype), ``Y = [h; h']``."""
        nb = self.batch
        dh = torch.sub(Y[:nb], Y[nb:], out=self.buf["dh"])  # in {-1, 0, 1}: exact in bf16
        if not self.mixed:
            return torch.mm(dh, self.W.T, out=out)
        return out.copy_(torch.mm(dh, self.W.T, out=self.buf["pre_v"]))

    def add_weight_update(self, X: torch.Tensor, Y: torch.Tensor, eta: float, reuse: bool) -> None:
        """``W += eta X^T Y`` (master precision), then refresh the products' copy.

        ``X`` (2B, n) and ``Y`` (2B, m) in the products' dtype; ``reuse`` is
        for the low-rank model (whether ``X`` rows are the conditionals' inputs).
        """
        if not self.mixed:
            self.model.W.addmm_(X.T, Y, alpha=eta)
            return
        G = torch.mm(_contiguous(X.T, self.buf["XT"]), Y, out=self.G)
        self.model.W.add_(G, alpha=eta)
        self.refresh()


class LowRankProducts(DenseProducts):
    """The products of a :class:`~mixmiss.rbm.model.LowRankRBM`, through rank r (module docstring)."""

    def __init__(self, model: LowRankRBM, dtype: torch.dtype):
        self.model = model
        self.dtype = dtype
        self.mixed = dtype != model.A.dtype
        self.A = model.A.to(dtype) if self.mixed else model.A
        self.B = model.B.to(dtype) if self.mixed else model.B
        if self.mixed:  # bf16 X^T (Y B^T) and (X A)^T Y, before eta scales them in
            self.dA, self.dB = torch.empty_like(self.A), torch.empty_like(self.B)
        self._scratch = {}
        self.batch = 0

    def _allocate(self, batch: int) -> dict[str, torch.Tensor]:
        n, m, r = self.model.n_visible, self.model.n_hidden, self.model.rank
        buf = {
            "XA": self._empty(2 * batch, r),  # [x A; x' A], then X A of the update
            "YB": self._empty(2 * batch, r),  # [h B^T; h' B^T] = Y B^T
            "chain": self._empty(batch, r),  # h B^T of a CD-k chain's later steps
            "dhB": self._empty(batch, r),  # lm: (h - h') B^T
        }
        if self.mixed:
            buf |= {
                "pre_h": self._empty(batch, m),
                "pre_v": self._empty(batch, n),
                "XAT": self._empty(r, 2 * batch),  # (X A)^T, laid out for the update's GEMM
            }
        return buf

    def begin(self, batch: int) -> None:
        super().begin(batch)
        self.have_neg_YB = False  # h' B^T computed (by missing_term) in this step

    def refresh(self) -> None:
        if self.mixed:
            self.A.copy_(self.model.A)
            self.B.copy_(self.model.B)

    def hidden_input(self, x: torch.Tensor, half: str, out: torch.Tensor) -> torch.Tensor:
        xA = torch.mm(x, self.A, out=self.buf["XA"][_rows(half, self.batch)])
        if not self.mixed:
            return torch.addmm(self.model.c, xA, self.B, out=out)
        return torch.add(torch.mm(xA, self.B, out=self.buf["pre_h"]), self.model.c, out=out)

    def visible_input(self, h: torch.Tensor, keep: bool, out: torch.Tensor) -> torch.Tensor:
        hB = self.buf["YB"][: self.batch] if keep else self.buf["chain"]
        torch.mm(h, self.B.T, out=hB)
        if not self.mixed:
            return torch.addmm(self.model.b, hB, self.A.T, out=out)
        return torch.add(torch.mm(hB, self.A.T, out=self.buf["pre_v"]), self.model.b, out=out)

    def _negative_YB(self, Y: torch.Tensor) -> torch.Tensor:
        nb, YB = self.batch, self.buf["YB"]
        if not self.have_neg_YB:
            torch.mm(Y[nb:], self.B.T, out=YB[nb:])
            self.have_neg_YB = True
        return YB

    def missing_term(self, Y: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
        nb, YB = self.batch, self._negative_YB(Y)
        dB = torch.sub(YB[:nb], YB[nb:], out=self.buf["dhB"])  # (h - h') B^T
        if not self.mixed:
            return torch.mm(dB, self.A.T, out=out)
        return out.copy_(torch.mm(dB, self.A.T, out=self.buf["pre_v"]))

    def add_weight_update(self, X: torch.Tensor, Y: torch.Tensor, eta: float, reuse: bool) -> None:
        """``A += eta X^T (Y B^T)``, ``B += eta (X A)^T Y``, both from the old factors.

        ``reuse``: the rows of ``X`` are ``[x; -x']`` with ``x``, ``x'`` the last
        hidden conditionals' inputs, so ``X A`` is those conditionals' ``x A``
        with the negative half negated; otherwise ``X A`` is recomputed.
        """
        nb, XA, YB = self.batch, self.buf["XA"], self._negative_YB(Y)
        if reuse:
            XA[nb:].neg_()
        else:
            torch.mm(X, self.A, out=XA)
        model = self.model
        if not self.mixed:
            model.A.addmm_(X.T, YB, alpha=eta)
            model.B.addmm_(XA.T, Y, alpha=eta)
            return
        model.A.add_(torch.mm(X.T, YB, out=self.dA), alpha=eta)
        model.B.add_(torch.mm(_contiguous(XA.T, self.buf["XAT"]), Y, out=self.dB), alpha=eta)
        self.refresh()


def products_for(model: RBM, dtype: torch.dtype) -> DenseProducts:
    """The products object of ``model`` (dense or low rank) computing in ``dtype``."""
    if isinstance(model, LowRankRBM):
        return LowRankProducts(model, dtype)
    return DenseProducts(model, dtype)


def step_flops(method: str, n: int, m: int, batch: int, rank: int | None = None) -> int:
    """FLOPs (2 per multiply-add) of the products of one CD-1 step, as computed here.

    Dense: three conditionals and the update (2B rows) are five (B, n, m)
    GEMMs, ``lm`` adds line 8's sixth. Low rank: each conditional goes through
    rank r (``B (n r + r m)`` multiply-adds), the update's two products take
    2B rows (``2B (n r + r m)``) plus ``h' B^T`` (``B m r``); ``lm`` adds line
    8's ``(B, r) x (r, n)`` and the recomputed ``X A`` (``2B n r``).
    """
    lm = method == "lm"
    if rank is None:
        return 2 * batch * n * m * (6 if lm else 5)
    through_rank = n * rank + rank * m
    macs = 3 * batch * through_rank + 2 * batch * through_rank + batch * m * rank
    if lm:
        macs += batch * rank * n + 2 * batch * n * rank
    return 2 * macs
