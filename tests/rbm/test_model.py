"""The RBM parameters: initialisation, the three linear maps, low rank W = A B, persistence."""

from __future__ import annotations

import io
import math

import pytest
import torch

from mixmiss.device import torch_threads
from mixmiss.errors import CacheError
from mixmiss.rbm.model import RBM, LowRankRBM

from .conftest import random_batch, random_rbm


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny networks run fastest on one thread, above all on a busy machine."""
    with torch_threads(1):
        yield


def random_low_rank(n=6, m=5, r=2, seed=0, dtype=torch.float64, scale=0.5) -> LowRankRBM:
    g = torch.Generator().manual_seed(seed)
    return LowRankRBM(
        torch.randn(n, generator=g, dtype=dtype) * scale,
        torch.randn(m, generator=g, dtype=dtype) * scale,
        torch.randn(n, r, generator=g, dtype=dtype) * scale,
        torch.randn(r, m, generator=g, dtype=dtype) * scale,
    )


def dense_copy(model: RBM) -> RBM:
    """The same RBM with W materialised."""
    return RBM(model.b.clone(), model.c.clone(), model.weight().clone())


# -- initialisation ------------------------------------------------------------------


def test_initialise_biases_follow_the_observed_means():
    # column 0: observed 1, 1, 0 -> p = 2/3; column 1: never observed -> p clipped to 1e-3;
    # column 2: always observed and always 1 -> p clipped to 1 - 1e-3
    v = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    observed = torch.tensor([[1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    model = RBM.initialise(v * observed, observed, 4, torch.Generator().manual_seed(0))
    p = torch.tensor([2 / 3, 1e-3, 1 - 1e-3])
    torch.testing.assert_close(model.b, torch.log(p / (1 - p)), rtol=0, atol=1e-5)
    assert torch.equal(model.c, torch.zeros(4))
    assert (model.n_visible, model.n_hidden, model.rank) == (3, 4, None)
    assert model.W.shape == (3, 4) and model.weight() is model.W


@pytest.mark.parametrize("rank", [None, 8])
def test_initial_weights_have_the_stated_spread_and_are_seeded(rank):
    v, observed = random_batch(batch=20, n=300, seed=3, dtype=torch.float32)
    make = lambda seed: RBM.initialise(  # noqa: E731
        v, observed, 200, torch.Generator().manual_seed(seed), rank=rank, init_std=0.02
    )
    model = make(0)
    assert type(model) is (RBM if rank is None else LowRankRBM)
    assert model.rank == rank
    W = model.weight()
    assert W.shape == (300, 200) and W.dtype == torch.float32
    # 60,000 entries: the sample std is within a few % of 0.02 (low rank: entries correlated)
    assert float(W.std()) == pytest.approx(0.02, rel=0.1)
    assert abs(float(W.mean())) < 0.002
    assert torch.equal(make(0).weight(), W)
    assert not torch.equal(make(1).weight(), W)


def test_low_rank_initialise_shapes_and_dtype_follow_the_data():
    v, observed = random_batch(batch=5, n=7, seed=2)  # float64
    model = RBM.initialise(v, observed, 4, torch.Generator().manual_seed(0), rank=3)
    assert isinstance(model, LowRankRBM)
    assert model.A.shape == (7, 3) and model.B.shape == (3, 4)
    assert model.b.dtype == model.c.dtype == model.A.dtype == torch.float64
    assert (model.n_visible, model.n_hidden, model.rank) == (7, 4, 3)


# -- the linear maps -----------------------------------------------------------------------


def test_dense_products_match_their_definitions():
    model = random_rbm(n=6, m=5, seed=1)
    x, _ = random_batch(batch=4, n=6, seed=2)
    h = torch.rand(4, 5, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    torch.testing.assert_close(model.hidden_input(x), x @ model.W + model.c, rtol=0, atol=1e-12)
    torch.testing.assert_close(model.visible_input(h), h @ model.W.T + model.b, rtol=0, atol=1e-12)
    torch.testing.assert_close(
        model.visible_input(h, bias=False), h @ model.W.T, rtol=0, atol=1e-12
    )


@pytest.mark.parametrize("low_rank", [False, True])
def test_products_write_into_out(low_rank):
    model = random_low_rank(seed=4) if low_rank else random_rbm(seed=4)
    x, _ = random_batch(batch=3, n=6, seed=5)
    h = torch.rand(3, 5, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    for fn, arg, shape, kwargs in [
        (model.hidden_input, x, (3, 5), {}),
        (model.visible_input, h, (3, 6), {}),
        (model.visible_input, h, (3, 6), {"bias": False}),
    ]:
        out = torch.full(shape, float("nan"), dtype=torch.float64)
        result = fn(arg, out=out, **kwargs)
        assert result.data_ptr() == out.data_ptr()
        torch.testing.assert_close(out, fn(arg, **kwargs), rtol=0, atol=1e-12)


def test_low_rank_products_equal_dense_with_w_materialised():
    low = random_low_rank(n=7, m=5, r=3, seed=7)
    dense = dense_copy(low)
    torch.testing.assert_close(low.weight(), low.A @ low.B, rtol=0, atol=0)
    x, _ = random_batch(batch=6, n=7, seed=8)
    h = torch.rand(6, 5, generator=torch.Generator().manual_seed(9), dtype=torch.float64)
    torch.testing.assert_close(low.hidden_input(x), dense.hidden_input(x), rtol=0, atol=1e-12)
    torch.testing.assert_close(low.visible_input(h), dense.visible_input(h), rtol=0, atol=1e-12)
    torch.testing.assert_close(
        low.visible_input(h, bias=False), dense.visible_input(h, bias=False), rtol=0, atol=1e-12
    )


# -- the weight update ---------------------------------------------------------------------


def test_dense_weight_update_adds_alpha_xt_y():
    model = random_rbm(seed=2)
    before = model.W.clone()
    X = torch.randn(8, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    Y = torch.randn(8, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    model.add_weight_update(X, Y, 0.3)
    torch.testing.assert_close(model.W, before + 0.3 * X.T @ Y, rtol=0, atol=1e-12)


def test_low_rank_update_is_the_chain_rule_from_the_old_factors():
    """Delta A = alpha G B^T, Delta B = alpha A^T G with G = X^T Y, both from the factors
    before the step: i.e. the gradients of <W, G> = <A B, G> w.r.t. A and B (autograd)."""
    model = random_low_rank(n=6, m=5, r=2, seed=3)
    A0, B0 = model.A.clone(), model.B.clone()
    X = torch.randn(8, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    Y = torch.randn(8, 5, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    G = X.T @ Y
    A, B = A0.clone().requires_grad_(), B0.clone().requires_grad_()
    ((A @ B) * G).sum().backward()
    alpha = 0.05
    model.add_weight_update(X, Y, alpha)
    torch.testing.assert_close(model.A, A0 + alpha * A.grad, rtol=0, atol=1e-12)
    torch.testing.assert_close(model.B, B0 + alpha * B.grad, rtol=0, atol=1e-12)
    # the new W, expanded exactly: A0 B0 + alpha (G B0^T B0 + A0 A0^T G) + alpha^2 G B0^T A0^T G;
    # so the low-rank step is not W += alpha G
    expected = A0 @ B0 + alpha * (G @ B0.T @ B0 + A0 @ A0.T @ G) + alpha**2 * G @ B0.T @ A0.T @ G
    torch.testing.assert_close(model.weight(), expected, rtol=0, atol=1e-10)
    assert not torch.allclose(model.weight(), A0 @ B0 + alpha * G, atol=1e-3)


# -- persistence -----------------------------------------------------------------------------


@pytest.mark.parametrize("low_rank", [False, True])
def test_state_dict_round_trip_through_a_weights_only_file(low_rank):
    model = random_low_rank(seed=5) if low_rank else random_rbm(seed=5)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    buffer.seek(0)
    loaded = RBM.from_state_dict(torch.load(buffer, weights_only=True))
    assert type(loaded) is type(model)
    assert set(loaded.state_dict()) == ({"b", "c", "A", "B"} if low_rank else {"b", "c", "W"})
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    assert loaded.rank == model.rank


@pytest.mark.parametrize("low_rank", [False, True])
def test_to_keeps_the_class_and_the_values(low_rank):
    model = random_low_rank(seed=6) if low_rank else random_rbm(seed=6)
    moved = model.to(torch.device("cpu"))
    assert type(moved) is type(model)
    torch.testing.assert_close(moved.weight(), model.weight(), rtol=0, atol=0)
    assert torch.equal(moved.b, model.b) and torch.equal(moved.c, model.c)


@pytest.mark.parametrize(
    "keys, missing",
    [({"b", "c"}, "'A'"), ({"c", "W"}, "'b'"), ({"b", "c", "A"}, "'B'"), ({"b", "W"}, "'c'")],
)
def test_incomplete_state_is_a_cache_error_naming_the_key(keys, missing):
    full = {**random_rbm().state_dict(), **random_low_rank().state_dict()}
    with pytest.raises(CacheError, match=f"needs b, c and W.*{missing} is missing"):
        RBM.from_state_dict({k: full[k] for k in keys})


def test_default_init_std_is_hintons_001():
    v, observed = random_batch(batch=10, n=200, seed=1, dtype=torch.float32)
    model = RBM.initialise(v, observed, 300, torch.Generator().manual_seed(0))
    assert float(model.W.std()) == pytest.approx(0.01, rel=0.05)
    low = RBM.initialise(v, observed, 300, torch.Generator().manual_seed(0), rank=16)
    # factor std = sqrt(0.01 / sqrt(16)) = 0.05
    assert float(low.A.std()) == pytest.approx(math.sqrt(0.01 / 4), rel=0.05)
