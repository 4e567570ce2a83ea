"""Choosing a read-out on held-out observed pixels, never on a missing pixel's value."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.experiments.operating_point import hold_out, select_readout
from mixmiss.registry import make_imputer


@pytest.fixture(scope="module")
def fitted():
    """A smoke RBM on 96 seeded 8x8 images with stripes, half their pixels missing."""
    g = torch.Generator().manual_seed(0)
    rows = (torch.rand(96, 1, 8, 1, generator=g) > 0.5).float()
    x = (0.8 * rows.expand(96, 1, 8, 8) + 0.1 * torch.rand(96, 1, 8, 8, generator=g)).clamp(0, 1)
    mask = (torch.rand(96, 1, 8, 8, generator=g) > 0.5).float()
    imputer = make_imputer("rbm", "smoke", random_state=0, device="cpu")
    return imputer.fit(x, mask, progress=False), x, mask


def test_held_out_pixels_are_a_fraction_of_the_observed_ones():
    mask = (torch.rand(50, 1, 20, 20, generator=torch.Generator().manual_seed(1)) > 0.4).float()
    kept, held = hold_out(mask, 0.25, torch.Generator().manual_seed(2))
    assert torch.equal(kept + held, mask)  # a partition of the observed pixels
    assert float(held.sum() / mask.sum()) == pytest.approx(0.25, abs=0.01)
    with pytest.raises(InputError, match=r"in \(0, 1\)"):
        hold_out(mask, 1.0, torch.Generator())


@pytest.mark.parametrize("poison", [float("nan"), 1e6, -3.0])
def test_the_choice_never_reads_a_missing_pixels_value(fitted, poison):
    imputer, x, mask = fitted
    clean = select_readout(imputer, x, mask, fraction=0.2, seed=3)
    poisoned = x.clone()
    poisoned[~mask.bool()] = poison
    assert select_readout(imputer, poisoned, mask, fraction=0.2, seed=3) == clean
    assert set(clean["scores"]) == set(imputer.READOUTS)
    assert clean["scores"][clean["chosen"]]["score"] == pytest.approx(1.0)
    assert clean["chosen"] == min(clean["scores"], key=lambda n: clean["scores"][n]["heldout_rmse"])


def test_a_weight_on_the_fid_moves_the_choice(fitted):
    imputer, x, mask = fitted
    # a stand-in FID that prefers the first candidate by a factor of 100
    candidates = ["sampled_h_v", "mean_field"]
    fid = {"n": 0}

    def fake_fid(images):
        fid["n"] += 1
        return 1.0 if fid["n"] == 1 else 100.0

    chosen = select_readout(imputer, x, mask, candidates, weight=1.0, fid=fake_fid)
    assert chosen["chosen"] == "sampled_h_v"
    assert chosen["scores"]["mean_field"]["fid"] == 100.0
    with pytest.raises(InputError, match="needs an fid function"):
        select_readout(imputer, x, mask, weight=1.0)
    with pytest.raises(InputError, match="single read-out"):
        select_readout(make_imputer("mean").fit(x, mask), x, mask)
