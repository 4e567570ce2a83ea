"""Missingness mechanisms of the LM-RBM study, as observation masks.

A mask has the images' shape (N, 1, H, W), dtype float32, with 1 = observed
and 0 = missing (MisGAN's convention). Each mechanism is parameterised by the
missing rate, the expected fraction of missing pixels, and draws all of its
randomness from an explicit ``torch.Generator``; masks for a whole batch are
built with tensor operations, no per-image Python loop.

- I.M. (independent): each pixel is missing with probability ``rate``.
- S.O. (square observation, as in MisGAN): everything is missing except one
  L x L square, L = round(sqrt((1 - rate) * H * W)), placed uniformly inside
  the image (top-left corner uniform in [0, H - L] x [0, W - L]).
- P.M. (patch missingness, the LM-RBM paper's own mechanism; the paper gives
  no design, this one is ours): :data:`PATCH_COUNT` = 32 rectangles are
  missing in every image. Their centres are uniform over the pixel grid and
  they are clipped at the border; each side is ``floor(t)`` or ``floor(t) + 1``
  (independently per side and patch, ``floor(t) + 1`` with probability
  ``t - floor(t)``), where the mean side ``t`` is solved so that the expected
  missing fraction equals ``rate`` exactly, overlaps included. This design
  reproduces the paper's mean-imputation RMSE on MNIST (0.262 / 0.264 / 0.262
  at rates 0.3 / 0.6 / 0.9) within 0.002 (``tests/data/test_masks.py``) and
  its Mean FID with the paper's network within a factor 1.5 (23 / 64 / 129
  against 18 / 58 / 111), but not its Mean accuracy at high rates (86.3 / 71.8
  / 31.8 % against 85.4 / 74.6 / 44.2 %). A search over 64 designs (1-128
  rectangles; sides fixed or uniform; centres uniform, rectangles inside the
  image, hanging over the border, or corner-anchored) found none that meets
  all three columns (``results/table1/pm-design-search/``): designs that cover
  every pixel equally ("overhang") match the FID best (21 / 55 / 111) but put
  the RMSE at the I.M. value (0.256) and still reach only 37.5 % at 0.9; more
  rectangles raise the accuracy at 0.9 (64: 39.0 %) and overshoot it at 0.3
  (88.0 %). So this design is kept; the other designs are selectable
  (:func:`patch_mask`'s ``count``, ``sides``, ``placement``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch

from ..errors import InputError
from ..validation import check_generator, check_image_shape, check_positive_int, check_rate

#: Number of missing rectangles per image in the P.M. mechanism.
PATCH_COUNT = 32
#: How the sides of the P.M. rectangles can be drawn, and the default design's way.
PATCH_SIDES = ("fixed", "uniform")
PATCH_SIDE_DRAW = "fixed"
#: Where the P.M. rectangles can go, and the default design's placement.
PATCH_PLACEMENTS = ("centre", "inside", "overhang", "corner")
PATCH_PLACEMENT = "centre"

MaskFn = Callable[[int, tuple[int, int], float, torch.Generator | None], torch.Tensor]


def _grid(image_shape: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
    height, width = image_shape
    return torch.arange(height), torch.arange(width)


def independent_mask(
    n: int, image_shape: tuple[int, int], rate: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """I.M.: every pixel missing independently with probability ``rate``."""
    height, width = image_shape
    uniform = torch.rand((n, 1, height, width), generator=generator)
    return (uniform >= rate).float()


def square_side(image_shape: tuple[int, int], rate: float) -> int:
    """Side L of the S.O. square: round(sqrt((1 - rate) H W)), kept within [1, min(H, W)]."""
    height, width = image_shape
    side = round(math.sqrt((1.0 - rate) * height * width))
    return int(min(max(side, 1), height, width))


def square_observation_mask(
    n: int, image_shape: tuple[int, int], rate: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """S.O.: only a uniformly placed L x L square is observed (MisGAN's ``BlockMaskedMNIST``)."""
    height, width = image_shape
    side = square_side(image_shape, rate)
    top = torch.randint(0, height - side + 1, (n, 1), generator=generator)
    left = torch.randint(0, width - side + 1, (n, 1), generator=generator)
    rows, cols = _grid(image_shape)
    in_rows = (rows >= top) & (rows < top + side)  # (n, H)
    in_cols = (cols >= left) & (cols < left + side)  # (n, W)
    return (in_rows[:, :, None] & in_cols[:, None, :]).unsqueeze(1).float()


def _check_design(sides: str, placement: str) -> None:
    if sides not in PATCH_SIDES:
        raise InputError(f"sides must be one of {', '.join(PATCH_SIDES)}, got {sides!r}.")
    if placement not in PATCH_PLACEMENTS:
        raise InputError(
            f"placement must be one of {', '.join(PATCH_PLACEMENTS)}, got {placement!r}."
        )


def _axis_coverage(side: int, length: int, placement: str = "centre") -> np.ndarray:
    """P(a patch of this side, placed at random on the axis, covers each position).

    ``"centre"``: the centre is uniform over the positions (the patch clipped at
    the border); ``"inside"``: the start is uniform over [0, length - side];
    ``"overhang"``: the start is uniform over [1 - side, length - 1] (clipped),
    so that every position is covered equally often; ``"corner"``: the start
    (top-left corner) is uniform over the positions, the patch clipped at the
    far border (``mask[r:r + h, c:c + w] = 0`` with r, c uniform).
    """
    positions = np.arange(length)
    if placement == "centre":
        starts = positions - side // 2
    elif placement == "corner":
        starts = positions
    elif placement == "overhang":
        starts = np.arange(1 - side, length) if side > 0 else positions
    else:
        side = min(side, length)
        starts = np.arange(length - side + 1)
    covered = (positions[None, :] >= starts[:, None]) & (
        positions[None, :] < starts[:, None] + side
    )
    return covered.mean(axis=0)


def _side_probabilities(scale: float, sides: str) -> dict[int, float]:
    """P(side = s) of one side of a patch for the size parameter ``scale``.

    ``"fixed"``: ``floor(t)`` or ``floor(t) + 1`` with mean ``t = scale``;
    ``"uniform"``: uniform on {1, ..., S}, ``S`` = ``floor(scale)`` or ``floor(scale) + 1``
    (``floor(scale) + 1`` with probability ``scale - floor(scale)``).
    """
    low = math.floor(scale)
    frac = scale - low
    if sides == "fixed":
        return {low: 1 - frac, low + 1: frac}
    found: dict[int, float] = {}
    for top, weight in ((low, 1 - frac), (low + 1, frac)):
        if top == 0:
            found[0] = found.get(0, 0.0) + weight
            continue
        for side in range(1, top + 1):
            found[side] = found.get(side, 0.0) + weight / top
    return found


def _expected_patch_missing(
    scale: float,
    image_shape: tuple[int, int],
    count: int,
    sides: str = PATCH_SIDE_DRAW,
    placement: str = PATCH_PLACEMENT,
) -> float:
    # Rows and columns of a patch (side and position) are drawn independently, and the
    # patches independently of each other, so one patch's coverage is an outer product.
    probabilities = _side_probabilities(scale, sides)
    per_axis = [
        sum(p * _axis_coverage(side, length, placement) for side, p in probabilities.items())
        for length in image_shape
    ]
    one_patch = np.outer(*per_axis)
    return float(np.mean(1.0 - (1.0 - one_patch) ** count))


def patch_mean_side(
    image_shape: tuple[int, int],
    rate: float,
    count: int = PATCH_COUNT,
    sides: str = PATCH_SIDE_DRAW,
    placement: str = PATCH_PLACEMENT,
) -> float:
    """Size parameter ``t`` whose expected missing fraction is ``rate`` (bisection).

    With the default design, ``t`` is the mean side of a patch.
    """
    _check_design(sides, placement)
    low, high = 0.0, 2.0 * max(image_shape) + 1.0
    most = _expected_patch_missing(high, image_shape, count, sides, placement)
    if most < rate:
        raise InputError(
            f"{count} rectangle(s) with {sides} sides, placed {placement!r}, remove at most "
            f"{most:.1%} of the pixels on average, less than the rate {rate:g}; use more "
            "rectangles or another design."
        )
    for _ in range(60):
        mid = 0.5 * (low + high)
        if _expected_patch_missing(mid, image_shape, count, sides, placement) < rate:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def patch_mask(
    n: int,
    image_shape: tuple[int, int],
    rate: float,
    generator: torch.Generator | None = None,
    count: int = PATCH_COUNT,
    sides: str = PATCH_SIDE_DRAW,
    placement: str = PATCH_PLACEMENT,
) -> torch.Tensor:
    """P.M.: ``count`` randomly placed rectangles are missing (design in the module docstring).

    ``count``, ``sides`` and ``placement`` select other designs (for the design
    search of ``results/table1/pm-design-search.md``): ``sides="uniform"`` draws
    each side uniformly on {1, ..., S}; ``placement="inside"`` keeps every
    rectangle inside the image; ``placement="overhang"`` lets it hang over the
    border so that every pixel is covered equally often; ``placement="corner"``
    draws the top-left corner uniformly and clips at the far border. The
    expected missing fraction is ``rate`` for each of them.
    """
    mean_side = patch_mean_side(image_shape, rate, count, sides, placement)
    low = math.floor(mean_side)
    frac = mean_side - low
    sides_drawn = low + (torch.rand((2, n, count, 1), generator=generator) < frac).long()
    if sides == "uniform":  # the side is uniform on {1, ..., S}, S drawn as above
        uniform = torch.rand((2, n, count, 1), generator=generator)
        sides_drawn = torch.where(
            sides_drawn > 0, (uniform * sides_drawn).long() + 1, torch.zeros_like(sides_drawn)
        )
    if placement in ("centre", "corner"):
        centres = torch.stack(
            [torch.randint(0, length, (n, count, 1), generator=generator) for length in image_shape]
        )
        starts = centres - sides_drawn // 2 if placement == "centre" else centres
    elif placement == "overhang":
        lengths = torch.tensor(image_shape).view(2, 1, 1, 1)
        uniform = torch.rand((2, n, count, 1), generator=generator)
        reach = (lengths + sides_drawn - 1).clamp(min=1)
        starts = (uniform * reach).long() - (sides_drawn - 1).clamp(min=0)
    else:
        lengths = torch.tensor(image_shape).view(2, 1, 1, 1)
        sides_drawn = torch.minimum(sides_drawn, lengths)
        uniform = torch.rand((2, n, count, 1), generator=generator)
        starts = (uniform * (lengths - sides_drawn + 1)).long()
    rows, cols = _grid(image_shape)
    in_rows = ((rows >= starts[0]) & (rows < starts[0] + sides_drawn[0])).float()  # (n, count, H)
    in_cols = ((cols >= starts[1]) & (cols < starts[1] + sides_drawn[1])).float()  # (n, count, W)
    # Pixel (r, c) is covered by patch p iff in_rows[p, r] and in_cols[p, c]; a batched
    # matmul counts the covering patches without an (n, count, H, W) intermediate.
    covering = torch.bmm(in_rows.transpose(1, 2), in_cols)
    return (covering == 0).unsqueeze(1).float()


#: Registry of mechanisms by their CLI name.
MECHANISMS: dict[str, MaskFn] = {
    "im": independent_mask,
    "so": square_observation_mask,
    "pm": patch_mask,
}

#: The papers' abbreviations.
MECHANISM_LABELS = {"im": "I.M.", "so": "S.O.", "pm": "P.M."}


def mask_design(mechanism: str) -> dict:
    """The design of ``mechanism``'s masks beyond its rate (P.M.: the rectangles' count,
    side draw and placement; the others have none), as a study's cells record it so
    that a change of design invalidates them."""
    if mechanism != "pm":
        return {}
    return {"count": PATCH_COUNT, "sides": PATCH_SIDE_DRAW, "placement": PATCH_PLACEMENT}


def make_mask(
    mechanism: str,
    n: int,
    image_shape: tuple[int, int],
    rate: float,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Draw ``n`` observation masks (1 = observed) of one mechanism.

    Parameters
    ----------
    mechanism : {"im", "so", "pm"}
    n : int
        Number of masks.
    image_shape : (H, W)
    rate : float in (0, 1)
        Missing rate: expected fraction of missing pixels.
    generator : torch.Generator, optional
        Source of randomness; pass a seeded one for reproducible masks.

    Returns
    -------
    torch.Tensor, float32, shape (n, 1, H, W)

    Examples
    --------
    >>> g = torch.Generator().manual_seed(0)
    >>> m = make_mask("im", 4, (28, 28), 0.6, g)
    >>> m.shape, float(m.mean()) > 0.3
    (torch.Size([4, 1, 28, 28]), True)
    """
    if mechanism not in MECHANISMS:
        raise InputError(
            f"unknown missingness mechanism {mechanism!r}; choose one of "
            f"{', '.join(MECHANISMS)} (I.M., S.O., P.M.)."
        )
    n = check_positive_int(n, "n")
    rate = check_rate(rate)
    shape = check_image_shape(image_shape)
    generator = check_generator(generator)
    if mechanism == "so" and square_side(shape, rate) ** 2 == shape[0] * shape[1]:
        raise InputError(
            f"at rate {rate:g} the S.O. square covers the whole {shape[0]}x{shape[1]} image, "
            "so no pixel would be missing; use a higher rate or larger images."
        )
    return MECHANISMS[mechanism](n, shape, rate, generator)
