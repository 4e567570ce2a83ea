"""A generated RGB collection with a known answer: coloured shapes.

Nine classes, ``{colour}-{shape}`` for colour in red / green / blue and shape
in circle / square / triangle. Each image is a ``size`` x ``size`` RGB picture:
a grey background with Gaussian noise (std 0.08 around 0.5) and one filled
shape at a random position and size (its extent 35-65 % of the side), in a
saturated colour whose channels jitter by up to 0.1. Everything is drawn from
one ``numpy.random.Generator`` seeded by the caller, so the same seed gives
the same pixels.

Collections are overlapping subsets of the classes ("red things" =
``red-*``, "circles" = ``*-circle``) split as the Venn splits do
(:func:`mixmiss.data.venn_split`): a class in k collections is divided into k
disjoint parts, so "red things" and "circles" share exactly the red circles
and no image is in two collections.

:func:`classify_shapes` is the rule on pixels that names what an image
shows (used to judge generated samples: "does component k draw red
circles?"): foreground = pixels whose channel range (max - min) exceeds 0.3
(the background is grey, so its range is noise only), its largest
connected blob with holes filled; colour = the channel with the highest mean
over the blob; shape = the circle, square or triangle with the blob's area
and centroid that overlaps it best (intersection over union), which ragged
or blurred edges hardly change. An image whose blob covers under
2 % of the pixels is ``"none"``.
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
from scipy import ndimage

from ..errors import InputError
from .datasets import ImageDataset

COLOURS = {"red": (0.9, 0.1, 0.1), "green": (0.1, 0.8, 0.1), "blue": (0.15, 0.2, 0.95)}
SHAPES = ("circle", "square", "triangle")
#: The nine class names in label order: red-circle, red-square, ..., blue-triangle.
CLASS_NAMES = tuple(f"{c}-{s}" for c, s in itertools.product(COLOURS, SHAPES))

_SATURATION = 0.3  # channel range that separates a coloured shape from the grey background
_MIN_AREA = 0.02  # smallest blob (fraction of the image) that counts as a shape


def shape_mask(shape: str, size: int, cy: float, cx: float, extent: float) -> np.ndarray:
    """A boolean (size, size) mask: ``shape`` of height and width ``extent`` centred at (cy, cx).

    The triangle is upright and isosceles (apex on top, base as wide as it is tall).
    """
    y, x = np.mgrid[0:size, 0:size] + 0.5
    half = extent / 2
    if shape == "circle":
        return (y - cy) ** 2 + (x - cx) ** 2 <= half**2
    if shape == "square":
        return (np.abs(y - cy) <= half) & (np.abs(x - cx) <= half)
    top = cy - half
    return (y >= top) & (y <= cy + half) & (np.abs(x - cx) <= (y - top) / extent * half)


def _fitted_masks(blob: np.ndarray) -> dict[str, np.ndarray]:
    """Each shape with the blob's area and centroid (the triangle's centroid is 2/3 down)."""
    rows, cols = np.nonzero(blob)
    area, cy, cx = len(rows), rows.mean() + 0.5, cols.mean() + 0.5
    size = blob.shape[0]
    triangle = np.sqrt(2 * area)
    return {
        "circle": shape_mask("circle", size, cy, cx, 2 * np.sqrt(area / np.pi)),
        "square": shape_mask("square", size, cy, cx, np.sqrt(area)),
        "triangle": shape_mask("triangle", size, cy - triangle / 6, cx, triangle),
    }


def draw_shape(label: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """One image of class ``label`` (see :data:`CLASS_NAMES`): (size, size, 3) float in [0, 1]."""
    colour_name, shape = CLASS_NAMES[label].split("-")
    image = np.clip(0.5 + 0.08 * rng.standard_normal((size, size, 3)), 0.0, 1.0)
    image[:] = image.mean(axis=2, keepdims=True)  # grey noise: no hue in the background
    colour = np.clip(np.array(COLOURS[colour_name]) + rng.uniform(-0.1, 0.1, size=3), 0.0, 1.0)
    extent = rng.uniform(0.35, 0.65) * size
    cy, cx = rng.uniform(extent / 2, size - extent / 2, size=2)
    image[shape_mask(shape, size, cy, cx, extent)] = colour
    return image


def make_shapes(per_class: int = 200, size: int = 32, seed: int = 0) -> ImageDataset:
    """``per_class`` images of each of the nine classes as an RGB :class:`ImageDataset`.

    Parameters
    ----------
    per_class : int
        Images per class.
    size : int
        Side in pixels (at least 8).
    seed : int
        Seeds the only random source, ``numpy.random.default_rng(seed)``.

    Returns
    -------
    ImageDataset
        images (9 * per_class, 3, size, size) in [0, 1], labels by class, class names
        :data:`CLASS_NAMES`, name ``"shapes"``.
    """
    for name, value, low in (("per_class", per_class, 1), ("size", size, 8)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InputError(f"{name} must be a whole number >= {low}, got {value!r}.")
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(CLASS_NAMES)), per_class)
    images = np.stack([draw_shape(int(label), size, rng) for label in labels])
    return ImageDataset(
        torch.from_numpy(images.astype(np.float32)).permute(0, 3, 1, 2).contiguous(),
        torch.from_numpy(labels.astype(np.int64)),
        "shapes",
        "train",
        CLASS_NAMES,
    )


def classify_shapes(images: torch.Tensor) -> list[str]:
    """What each RGB image (N, 3, H, W) in [0, 1] shows, by the rule of the module docstring.

    Returns one name per image: a class of :data:`CLASS_NAMES`, or ``"none"``.
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or images.shape[1] != 3:
        raise InputError(
            "classify_shapes takes RGB images of shape (N, 3, H, W), got "
            f"{tuple(getattr(images, 'shape', ())) or type(images).__name__}."
        )
    pixels = images.detach().cpu().double().numpy()
    names = []
    colours = list(COLOURS)
    for image in pixels:
        foreground = image.max(axis=0) - image.min(axis=0) > _SATURATION
        blobs, count = ndimage.label(foreground)
        sizes = np.bincount(blobs.ravel())[1:]
        if count == 0 or sizes.max() < _MIN_AREA * blobs.size:
            names.append("none")
            continue
        blob = ndimage.binary_fill_holes(blobs == 1 + int(np.argmax(sizes)))
        fits = {
            name: (mask & blob).sum() / (mask | blob).sum()
            for name, mask in _fitted_masks(blob).items()
        }
        shape = max(fits, key=fits.get)
        colour = colours[int(np.argmax(image[:, blob].mean(axis=1)))]
        names.append(f"{colour}-{shape}")
    return names


def class_fractions(images: torch.Tensor) -> dict[str, float]:
    """The fraction of ``images`` that :func:`classify_shapes` puts in each class (and "none")."""
    names = classify_shapes(images)
    return {
        name: names.count(name) / len(names) for name in (*CLASS_NAMES, "none") if names.count(name)
    }
