"""Image folders in and out: round trips, odd inputs, unreadable files, splits."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from mixmiss.data import venn_split
from mixmiss.data.folders import (
    collections_split,
    folder_split,
    load_class_folders,
    load_image_folder,
    read_image,
    resolve_class_patterns,
    write_class_folders,
    write_collections,
)
from mixmiss.data.shapes import CLASS_NAMES, make_shapes
from mixmiss.errors import InputError
from mixmiss.rng import make_generator


@pytest.mark.parametrize("channels", [1, 3])
def test_round_trip_at_the_written_size_is_exact_to_one_grey_level(tmp_path, channels):
    dataset = make_shapes(2, 32, seed=0)
    if channels == 1:
        dataset = type(dataset)(
            dataset.images.mean(1, keepdim=True), dataset.labels, "g", "train", CLASS_NAMES
        )
    write_class_folders(dataset, tmp_path / "out")
    back = load_class_folders(tmp_path / "out", 32, channels)
    assert back.class_names == tuple(sorted(CLASS_NAMES))
    assert back.images.shape == (18, channels, 32, 32)
    for label, name in enumerate(back.class_names):
        original = dataset.images[dataset.labels == CLASS_NAMES.index(name)]
        assert torch.allclose(back.images[back.labels == label], original, atol=0.5 / 255 + 1e-6)


def test_odd_sizes_and_modes_are_cropped_to_the_centre_and_resized(tmp_path):
    # 90x30 RGBA: a red square in the middle third, green on the left, blue on the right.
    array = np.zeros((30, 90, 4), dtype=np.uint8)
    array[..., 3] = 255
    array[:, :30, 1] = 255
    array[:, 30:60, 0] = 255
    array[:, 60:, 2] = 255
    Image.fromarray(array, "RGBA").save(tmp_path / "wide.png")
    Image.fromarray(np.full((17, 41), 200, dtype=np.uint8), "L").save(tmp_path / "gray.jpg")
    Image.fromarray(np.full((5, 7), 30000, dtype=np.uint16)).save(tmp_path / "deep.tif")
    (tmp_path / "notes.txt").write_text("not an image: skipped")
    rgb = read_image(tmp_path / "wide.png", 28, 3)
    assert rgb.shape == (3, 28, 28) and rgb.dtype == np.float32
    assert np.allclose(rgb[:, 4:24, 4:24], np.array([1.0, 0, 0])[:, None, None])  # centre crop
    images = load_image_folder(tmp_path, 64, 1)
    assert images.shape == (3, 1, 64, 64)
    assert torch.allclose(images[1], torch.tensor(200 / 255), atol=2 / 255)  # deep, gray, wide
    assert torch.allclose(images[0], torch.tensor(1.0))  # 16-bit scaled to its maximum


def test_an_unreadable_file_is_named(tmp_path):
    Image.fromarray(np.zeros((8, 8), dtype=np.uint8)).save(tmp_path / "a.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(InputError, match=r"cannot read image .*broken\.png"):
        load_image_folder(tmp_path)


def test_empty_missing_and_bad_format_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="holds no images"):
        load_image_folder(tmp_path)
    with pytest.raises(InputError, match="not a folder"):
        load_image_folder(tmp_path / "nope")
    with pytest.raises(InputError, match="resolution"):
        load_image_folder(tmp_path, 48)
    with pytest.raises(InputError, match="channels"):
        load_image_folder(tmp_path, 32, 2)


def test_class_patterns():
    assert resolve_class_patterns("red-*;*-circle", CLASS_NAMES) == ((0, 1, 2), (0, 3, 6))
    assert resolve_class_patterns("red-circle, red-*", CLASS_NAMES) == ((0, 1, 2),)
    with pytest.raises(InputError, match="'purple-\\*' names no class"):
        resolve_class_patterns("purple-*", CLASS_NAMES)


def test_collections_share_exactly_the_red_circles_and_no_image(tmp_path):
    dataset = make_shapes(6, 16, seed=0)
    out = write_collections(
        dataset, {"red": "red-*", "circles": "*-circle"}, tmp_path / "c", make_generator(0)
    )
    truth = json.loads((out / "truth.json").read_text())
    assert truth["regions"]["r3"]["classes"] == ["red-circle"]
    assert truth["true_priors"] == [[0.8, 0.0, 0.2], [0.0, 0.8, 0.2]]
    split = collections_split([out / "red", out / "circles"], 28, 3)
    assert split.regions == () and split.priors.shape == (2, 0)
    red, circles = (d.images.flatten(1) for d in split.distributions)
    assert len(red) == 15 and len(circles) == 15  # 6 + 6 + 3 red circles each
    assert torch.cdist(red, circles).min() > 0  # no image in both
    with pytest.raises(InputError, match="not empty"):
        write_collections(dataset, {"red": "red-*"}, out)


def test_folder_split_is_the_venn_split_of_the_labelled_folder(tmp_path):
    write_class_folders(make_shapes(4, 32, seed=1), tmp_path / "d")
    split = folder_split(tmp_path / "d", "red-*;*-circle", 32, 3, make_generator(0))
    dataset = load_class_folders(tmp_path / "d", 32, 3)
    expected = venn_split(
        dataset, resolve_class_patterns("red-*;*-circle", dataset.class_names), make_generator(0)
    )
    assert np.array_equal(split.priors, expected.priors)
    for a, b in zip(split.distributions, expected.distributions, strict=True):
        assert torch.equal(a.images, b.images)


def test_collections_need_two_distinct_folders(tmp_path):
    with pytest.raises(InputError, match="at least two"):
        collections_split([tmp_path])
    with pytest.raises(InputError, match="twice"):
        collections_split([tmp_path, tmp_path])
