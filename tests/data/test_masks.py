import pytest
import torch

from mixmiss.data import PATCH_COUNT, load_dataset, make_mask
from mixmiss.data.masks import patch_mask, patch_mean_side, square_side
from mixmiss.errors import InputError
from mixmiss.metrics import rmse_missing


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("mechanism", ["im", "so", "pm"])
def test_masks_are_binary_float_and_seeded(mechanism):
    a = make_mask(mechanism, 64, (28, 28), 0.6, gen(1))
    b = make_mask(mechanism, 64, (28, 28), 0.6, gen(1))
    c = make_mask(mechanism, 64, (28, 28), 0.6, gen(2))
    assert a.shape == (64, 1, 28, 28) and a.dtype == torch.float32
    assert set(a.unique().tolist()) <= {0.0, 1.0}
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("mechanism", ["im", "pm"])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_expected_missing_fraction_is_the_rate(mechanism, rate):
    mask = make_mask(mechanism, 4000, (28, 28), rate, gen())
    assert float(1 - mask.mean()) == pytest.approx(rate, abs=0.01)


def test_square_observation_keeps_one_square_inside_the_image():
    rate = 0.6
    side = square_side((28, 28), rate)
    assert side == round(((1 - rate) * 784) ** 0.5) == 18
    mask = make_mask("so", 500, (28, 28), rate, gen())
    assert torch.all(mask.sum(dim=(1, 2, 3)) == side * side)
    rows = mask.amax(dim=3).squeeze(1)  # (n, H): which rows hold observed pixels
    assert torch.all(rows.sum(dim=1) == side)
    # Every top-left position is reachable: the first observed row covers 0..28-L.
    first = rows.argmax(dim=1)
    assert int(first.min()) == 0 and int(first.max()) == 28 - side


def test_patches_are_rectangles_of_the_solved_size():
    mean_side = patch_mean_side((28, 28), 0.3)
    mask = make_mask("pm", 1, (28, 28), 0.3, gen())[0, 0]
    assert 2 < mean_side < 4 and PATCH_COUNT == 32
    assert 0 < float((1 - mask).sum()) <= PATCH_COUNT * (int(mean_side) + 1) ** 2


@pytest.mark.parametrize("count", [8, 32])
@pytest.mark.parametrize("sides", ["fixed", "uniform"])
@pytest.mark.parametrize("placement", ["centre", "inside", "overhang", "corner"])
def test_every_patch_design_removes_the_rate_on_average(count, sides, placement):
    mask = patch_mask(3000, (28, 28), 0.6, gen(), count, sides, placement)
    assert float(1 - mask.mean()) == pytest.approx(0.6, abs=0.015)


def test_a_design_that_cannot_reach_the_rate_is_refused():
    # two rectangles hanging over the border cannot cover 60 % of the image on average
    with pytest.raises(InputError, match=r"remove at most 39\.0%.*use more rectangles"):
        patch_mask(10, (28, 28), 0.6, gen(), 2, "uniform", "overhang")


def test_inside_patches_never_cross_the_border_and_uniform_sides_vary():
    mask = patch_mask(400, (28, 28), 0.3, gen(), count=1, sides="uniform", placement="inside")
    missing = 1 - mask[:, 0]
    rows, cols = missing.amax(dim=2), missing.amax(dim=1)  # (n, H), (n, W): rows/cols touched
    heights, widths = rows.sum(dim=1), cols.sum(dim=1)
    # one rectangle: its pixel count is height x width, whole rows and columns inside
    assert torch.equal(missing.sum(dim=(1, 2)), heights * widths)
    assert len(heights.unique()) > 5  # sides drawn uniformly, not floor(t) or floor(t) + 1
    fixed = patch_mask(400, (28, 28), 0.3, gen(), count=1, sides="fixed", placement="inside")
    fixed_heights = (1 - fixed[:, 0]).amax(dim=2).sum(dim=1)
    assert len(fixed_heights.unique()) <= 2


def test_unknown_patch_design_is_one_line():
    with pytest.raises(InputError, match="sides must be one of fixed, uniform"):
        patch_mask(2, (28, 28), 0.3, gen(), sides="normal")
    with pytest.raises(
        InputError, match="placement must be one of centre, inside, overhang, corner"
    ):
        patch_mask(2, (28, 28), 0.3, gen(), placement="edge")


def test_masks_work_on_other_image_sizes():
    for mechanism in ("im", "so", "pm"):
        assert make_mask(mechanism, 3, (8, 8), 0.5, gen()).shape == (3, 1, 8, 8)


@pytest.mark.parametrize("rate", [0, 1, -0.1, 1.5, "0.5", None, True])
def test_rate_outside_open_unit_interval(rate):
    with pytest.raises(InputError, match="rate"):
        make_mask("im", 4, (28, 28), rate)


def test_unknown_mechanism_and_bad_sizes():
    with pytest.raises(InputError, match="unknown missingness mechanism 'blocks'.*im, so, pm"):
        make_mask("blocks", 4, (28, 28), 0.5)
    with pytest.raises(InputError, match="n must be a positive integer"):
        make_mask("im", 0, (28, 28), 0.5)
    with pytest.raises(InputError, match="image_shape"):
        make_mask("im", 2, (28,), 0.5)


# The calibration of ../shared/reference/paper-tables.md: mean imputation with the
# per-pixel mean of the first 50,000 MNIST training images, scored on the 10,000
# test images with the paper's RMSE, must reproduce the paper's Mean column.
PAPER_MEAN_RMSE = {
    ("im", 0.3): 0.257,
    ("im", 0.6): 0.257,
    ("im", 0.9): 0.257,
    ("so", 0.3): 0.058,
    ("so", 0.6): 0.169,
    ("so", 0.9): 0.247,
    ("pm", 0.3): 0.262,
    ("pm", 0.6): 0.264,
    ("pm", 0.9): 0.262,
}


@pytest.mark.real_data
def test_mean_imputation_reproduces_the_paper_mean_column(mnist_dir):
    train = load_dataset("mnist", "train", mnist_dir, download=False)
    test = load_dataset("mnist", "test", mnist_dir, download=False)
    pixel_mean = train.images[:50000].mean(dim=0, keepdim=True)
    for (mechanism, rate), paper in PAPER_MEAN_RMSE.items():
        mask = make_mask(mechanism, len(test), (28, 28), rate, gen(2024))
        imputed = test.images * mask + pixel_mean * (1 - mask)
        measured = rmse_missing(imputed, test.images, mask)
        assert measured == pytest.approx(paper, abs=0.003), (mechanism, rate, measured)
