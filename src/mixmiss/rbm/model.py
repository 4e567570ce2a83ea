"""The binary-binary RBM: parameters and the linear maps between its layers.

Energy (paper, Sec. 3)::

    E(v, h) = -b^T v - v^T W h - c^T h,   v in {0,1}^n, h in {0,1}^m

with ``W`` either a dense (n, m) matrix (:class:`RBM`) or the low-rank
factorisation ``W = A B`` of Salakhutdinov et al. 2007, Eq. 14
(:class:`LowRankRBM`, ``A`` (n, r), ``B`` (r, m)). The classes own the
parameters and the three products every sampler and update needs:
``x W + c``, ``h W^T + b`` and the rank-2B weight update ``W += alpha X^T Y``.
Rows are samples throughout: ``v`` is (N, n), ``h`` is (N, m).

Initialisation (the paper gives none; these follow Hinton 2010, "A practical
guide to training RBMs", Sec. 8): ``W`` entries ~ N(0, 0.01^2) (for the
low-rank model ``A`` and ``B`` are drawn so that the entries of ``A B`` have
that standard deviation), ``c = 0``, and ``b_j = log(p_j / (1 - p_j))`` with
``p_j`` the mean of unit ``j`` over the entries where it is observed,
clipped to [1e-3, 1 - 1e-3].
"""

from __future__ import annotations

import math

import torch

from ..errors import CacheError


class RBM:
    """A dense binary-binary RBM with visible bias ``b`` (n,), hidden bias ``c``
    (m,) and weights ``W`` (n, m).

    Parameters
    ----------
    b : tensor (n,)
    c : tensor (m,)
    W : tensor (n, m)
    """

    def __init__(self, b: torch.Tensor, c: torch.Tensor, W: torch.Tensor):
        self.b, self.c, self.W = b, c, W

    # -- construction --------------------------------------------------------------
    @classmethod
    def initialise(
        cls,
        v_obs: torch.Tensor,
        observed: torch.Tensor,
        n_hidden: int,
        generator: torch.Generator,
        rank: int | None = None,
        init_std: float = 0.01,
    ) -> RBM:
        """A new RBM for data ``v_obs`` (N, n) with mask ``observed`` (N, n), 1 = observed;
        ``rank`` set gives a :class:`LowRankRBM` (see the module docstring)."""
        n = v_obs.shape[1]
        device, dtype = v_obs.device, v_obs.dtype
        counts = observed.sum(dim=0)
        p = (v_obs * observed).sum(dim=0) / counts.clamp_min(1.0)
        p = p.clamp(1e-3, 1.0 - 1e-3)
        b = torch.log(p / (1.0 - p)).to(dtype)
        c = torch.zeros(n_hidden, device=device, dtype=dtype)
        if rank is None:
            W = torch.randn(n, n_hidden, generator=generator, device=device, dtype=dtype)
            return RBM(b, c, W.mul_(init_std))
        # entries of A B are sums of r products: std(A) std(B) sqrt(r) = init_std
        factor_std = math.sqrt(init_std / math.sqrt(rank))
        A = torch.randn(n, rank, generator=generator, device=device, dtype=dtype)
        B = torch.randn(rank, n_hidden, generator=generator, device=device, dtype=dtype)
        return LowRankRBM(b, c, A.mul_(factor_std), B.mul_(factor_std))

    @property
    def n_visible(self) -> int:
        return self.b.shape[0]

    @property
    def n_hidden(self) -> int:
        return self.c.shape[0]

    @property
    def rank(self) -> int | None:
        """The rank of the factorisation, ``None`` for a dense ``W``."""
        return None

    def weight(self) -> torch.Tensor:
        """``W`` (n, m)."""
        return self.W

    # -- the products ----------------------------------------------------------------
    def hidden_input(self, x: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        """``x W + c`` for rows ``x`` (N, n); (N, m)."""
        return torch.addmm(self.c, x, self.W, out=out)

    def visible_input(
        self, h: torch.Tensor, out: torch.Tensor | None = None, bias: bool = True
    ) -> torch.Tensor:
        """``h W^T + b`` (or ``h W^T`` with ``bias=False``) for rows ``h`` (N, m); (N, n)."""
        if bias:
            return torch.addmm(self.b, h, self.W.T, out=out)
        return torch.mm(h, self.W.T, out=out)

    def add_weight_update(self, X: torch.Tensor, Y: torch.Tensor, alpha: float) -> None:
        """``W += alpha X^T Y`` in place, for ``X`` (K, n) and ``Y`` (K, m): the whole
        minibatch's positive and negative statistics in one GEMM."""
        self.W.addmm_(X.T, Y, alpha=alpha)

    # -- persistence -------------------------------------------------------------------
    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"b": self.b, "c": self.c, "W": self.W}

    @staticmethod
    def from_state_dict(state: dict[str, torch.Tensor]) -> RBM:
        """Rebuild a :class:`RBM` or :class:`LowRankRBM` from :meth:`state_dict`."""
        try:
            if "W" in state:
                return RBM(state["b"], state["c"], state["W"])
            return LowRankRBM(state["b"], state["c"], state["A"], state["B"])
        except KeyError as exc:
            raise CacheError(
                f"an RBM state needs b, c and W (or A and B); {exc} is missing."
            ) from None

    def to(self, device: torch.device) -> RBM:
        return RBM.from_state_dict({k: v.to(device) for k, v in self.state_dict().items()})


class LowRankRBM(RBM):
    """An RBM with ``W = A B`` (Salakhutdinov et al. 2007, Eq. 14).

    Parameters
    ----------
    b : tensor (n,)
    c : tensor (m,)
    A : tensor (n, r)
    B : tensor (r, m)

    Notes
    -----
    The CD update of ``W`` is mapped onto the factors by the chain rule,
    ``Delta A = Delta W B^T`` and ``Delta B = A^T Delta W``, both from the
    parameters before the step; ``Delta W`` itself is never formed.
    """

    def __init__(self, b: torch.Tensor, c: torch.Tensor, A: torch.Tensor, B: torch.Tensor):
        self.b, self.c, self.A, self.B = b, c, A, B

    @property
    def rank(self) -> int:
        return self.A.shape[1]

    def weight(self) -> torch.Tensor:
        return self.A @ self.B

    def hidden_input(self, x: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        return torch.addmm(self.c, x @ self.A, self.B, out=out)

    def visible_input(
        self, h: torch.Tensor, out: torch.Tensor | None = None, bias: bool = True
    ) -> torch.Tensor:
        hB = h @ self.B.T
        if bias:
            return torch.addmm(self.b, hB, self.A.T, out=out)
        return torch.mm(hB, self.A.T, out=out)

    def add_weight_update(self, X: torch.Tensor, Y: torch.Tensor, alpha: float) -> None:
        XA = X @ self.A  # (K, r), from the old A
        YBt = Y @ self.B.T  # (K, r), from the old B
        self.A.addmm_(X.T, YBt, alpha=alpha)  # A += alpha X^T Y B^T
        self.B.addmm_(XA.T, Y, alpha=alpha)  # B += alpha A^T X^T Y

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"b": self.b, "c": self.c, "A": self.A, "B": self.B}
