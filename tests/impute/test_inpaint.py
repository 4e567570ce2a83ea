"""Oliveira inpainting: invariants and the diffusion itself."""

from __future__ import annotations

import pytest
import torch

from mixmiss.errors import InputError
from mixmiss.experiments.imputation import masked_split
from mixmiss.impute.inpaint import KERNELS, InpaintImputer, diffuse
from mixmiss.metrics import rmse_missing


def _fitted(**kwargs):
    x = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    return InpaintImputer(**kwargs).fit(x, torch.ones_like(x), progress=False)


def test_kernels_have_a_zero_centre_and_sum_to_one():
    for weights in KERNELS.values():
        k = torch.tensor(weights, dtype=torch.float64)
        assert k[1, 1] == 0
        assert float(k.sum()) == pytest.approx(1.0, abs=1e-6)
    assert torch.all(torch.tensor(KERNELS["second"]).flatten()[[0, 1, 2, 3, 5, 6, 7, 8]] == 0.125)


def test_observed_pixels_never_change():
    g = torch.Generator().manual_seed(1)
    x = torch.rand(16, 1, 28, 28, generator=g)
    mask = (torch.rand(16, 1, 28, 28, generator=g) > 0.7).float()
    out = _fitted().impute(x, mask)
    assert torch.equal(out[mask.bool()], x[mask.bool()])
    assert not torch.equal(out, x)


@pytest.mark.parametrize("value", [0.0, 0.3, 0.77, 1.0])
def test_a_constant_image_stays_constant(value):
    g = torch.Generator().manual_seed(2)
    x = torch.full((8, 1, 28, 28), value)
    mask = (torch.rand(8, 1, 28, 28, generator=g) > 0.9).float()
    mask[0] = 0.0
    mask[0, 0, 20, 20] = 1.0  # one observed pixel: a 783-pixel hole, borders included
    out = _fitted(fill="mean").impute(x, mask)
    torch.testing.assert_close(out, x, atol=1e-6, rtol=0)


def test_a_single_hole_becomes_the_mean_of_its_eight_neighbours():
    x = torch.rand(1, 1, 5, 5, generator=torch.Generator().manual_seed(3))
    mask = torch.ones_like(x)
    mask[0, 0, 2, 2] = 0
    out = _fitted().impute(x, mask)
    neighbours = x[0, 0, 1:4, 1:4].sum() - x[0, 0, 2, 2]
    assert out[0, 0, 2, 2] == pytest.approx(float(neighbours / 8), abs=1e-6)


def test_a_hole_in_a_linear_ramp_is_filled_with_the_ramp():
    """Diffusion converges to the harmonic interpolant; a linear ramp is harmonic."""
    ramp = torch.linspace(0, 1, 16).view(1, 1, 1, 16).expand(1, 1, 16, 16).contiguous()
    mask = torch.ones_like(ramp)
    mask[..., 6:10, 5:11] = 0
    out = _fitted(fill="mean").impute(ramp, mask)
    torch.testing.assert_close(out, ramp, atol=1e-4, rtol=0)


def test_exactly_the_requested_number_of_iterations():
    x = torch.zeros(1, 1, 1, 5)
    x[..., 0] = 1.0
    mask = torch.zeros_like(x)
    mask[..., 0] = 1.0
    kernel = torch.tensor(KERNELS["second"]).view(1, 1, 3, 3)
    init = torch.zeros(1, 1, 1, 1)
    # In a one-row image the replicate padding makes each step average the row above
    # and below (copies of the row itself), so information moves one pixel per step.
    after = [diffuse(x, mask, init, kernel, t)[0, 0, 0] for t in (1, 2, 3)]
    assert after[0][2] == 0 and after[1][2] > 0
    assert after[1][3] == 0 and after[2][3] > 0
    assert InpaintImputer().iterations == 200


def test_results_do_not_depend_on_the_batch_size():
    g = torch.Generator().manual_seed(4)
    x = torch.rand(10, 1, 12, 12, generator=g)
    mask = (torch.rand(10, 1, 12, 12, generator=g) > 0.5).float()
    assert torch.equal(_fitted(batch_size=3).impute(x, mask), _fitted().impute(x, mask))


def test_an_empty_image_gets_the_training_mean():
    imputer = _fitted(fill="mean")
    x = torch.rand(2, 1, 8, 8)
    mask = torch.ones_like(x)
    mask[1] = 0
    out = imputer.impute(x, mask)
    torch.testing.assert_close(out[1], torch.full_like(out[1], imputer.global_mean_))


def test_bad_settings_are_refused():
    x = torch.rand(2, 1, 8, 8)
    with pytest.raises(InputError, match="unknown inpainting kernel"):
        InpaintImputer(kernel="third").fit(x, torch.ones_like(x), progress=False)
    with pytest.raises(InputError, match="unknown fill 'white'"):
        InpaintImputer(fill="white").fit(x, torch.ones_like(x), progress=False)
    with pytest.raises(InputError, match="iterations"):
        InpaintImputer(iterations=0).fit(x, torch.ones_like(x), progress=False)


def test_black_fill_frames_the_image_in_black_and_mean_fill_replicates_it():
    x = torch.ones(1, 1, 6, 6)
    mask = torch.ones_like(x)
    mask[0, 0, 0, 0] = 0  # a corner: 3 neighbours inside the image, 5 beyond the border
    black = _fitted(fill="black", iterations=1).impute(x, mask)
    assert black[0, 0, 0, 0] == pytest.approx(3 / 8)
    assert _fitted(fill="mean", iterations=1).impute(x, mask)[0, 0, 0, 0] == pytest.approx(1.0)


@pytest.mark.real_data
def test_black_fill_reproduces_the_papers_square_observation_column(mnist_dir):
    """The paper's Inpaint RMSE at S.O. 0.3 / 0.6 is 0.067 / 0.175; mean fill gives ~0.10 / 0.25."""
    split = masked_split("mnist", "test", "so", 0.3, 0, 2000, mnist_dir)
    imputer = InpaintImputer().fit(split.images, split.mask, progress=False)
    rmse = rmse_missing(imputer.impute(split.images, split.mask), split.images, split.mask)
    assert rmse == pytest.approx(0.067, abs=0.006)
