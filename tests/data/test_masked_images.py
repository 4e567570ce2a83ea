"""Reading a user's masked images (PNG folders, arrays) and writing their completions."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from mixmiss.data.masked_images import COMPLETED_ARRAY, read_masked_images, write_completed
from mixmiss.errors import InputError
from tests.masked_pngs import read_png, write_masked_pngs


def _save(path, array, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path, **options)
    return path


def test_a_folder_of_rgba_pngs_reads_alpha_zero_as_missing(tmp_path):
    pixels, observed = write_masked_pngs(tmp_path / "x", n=4, size=(5, 7))
    (tmp_path / "x" / "notes.txt").write_text("not an image")  # other files are not read
    images = read_masked_images(tmp_path / "x")
    assert images.names == tuple(f"img{i:02d}.png" for i in range(4))
    assert images.values.shape == (4, 3, 5, 7) and images.values.dtype == np.float32
    np.testing.assert_array_equal(images.mask, np.broadcast_to(observed[:, None], pixels.shape))
    np.testing.assert_array_equal(images.pixels, pixels)
    np.testing.assert_array_equal(images.values, pixels.astype(np.float32) / np.float32(255))
    assert images.describe() == "RGB 5x7"


def test_grayscale_modes_and_transparency_marks(tmp_path):
    gray = np.array([[0, 10], [20, 255]], np.uint8)
    _save(tmp_path / "x" / "a.png", gray, transparency=10)  # tRNS: value 10 is transparent
    _save(tmp_path / "x" / "b.png", gray > 15)  # 1-bit: read as 0 / 255
    images = read_masked_images(tmp_path / "x")
    assert images.shape == (1, 2, 2)
    np.testing.assert_array_equal(images.mask[0, 0], [[True, False], [True, True]])
    assert images.mask[1].all()
    np.testing.assert_array_equal(images.pixels[1, 0], [[0, 0], [255, 255]])


def test_mask_pngs_and_alpha_both_mark_missing_pixels(tmp_path):
    pixels, observed = write_masked_pngs(tmp_path / "x", n=2, size=(3, 4), channels=1)
    extra = np.full((3, 4), 255, np.uint8)
    extra[1, 1] = 0
    for name in ("img00.png", "img01.png"):
        _save(tmp_path / "m" / name, extra)
    images = read_masked_images(tmp_path / "x", tmp_path / "m")
    expected = observed.copy()
    expected[:, 1, 1] = False
    np.testing.assert_array_equal(images.mask[:, 0], expected)


def test_arrays_with_nan_keep_their_shape_dtype_and_per_channel_gaps(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((3, 3, 4, 5))
    x[0, 1, 2, 3] = np.nan  # missing in one channel only
    np.save(tmp_path / "x.npy", x)
    images = read_masked_images(tmp_path / "x.npy")
    assert images.values.dtype == np.float64 and images.array_shape == (3, 3, 4, 5)
    assert images.pixels is None and images.names[0] == "00000.png"
    assert (~images.mask).sum() == 1 and not images.mask[0, 1, 2, 3]
    assert images.values[0, 1, 2, 3] == 0

    gray = rng.random((2, 4, 5)).astype(np.float32)
    mask = np.ones_like(gray, dtype=bool)
    mask[1, 0, 0] = False
    np.savez(tmp_path / "g.npz", images=gray, other=gray)
    np.save(tmp_path / "m.npy", mask)
    images = read_masked_images(tmp_path / "g.npz", tmp_path / "m.npy")
    assert images.shape == (1, 4, 5) and images.array_shape == (2, 4, 5)
    assert not images.mask[1, 0, 0, 0] and images.mask.sum() == mask.sum()


def test_completions_keep_the_observed_pixels_bit_for_bit(tmp_path):
    pixels, observed = write_masked_pngs(tmp_path / "x", n=3, size=(4, 6))
    images = read_masked_images(tmp_path / "x")
    completed = np.full(images.values.shape, 0.5, np.float32) + 1e-4  # observed ones too
    write_completed(tmp_path / "out", images, completed)
    array = np.load(tmp_path / "out" / COMPLETED_ARRAY)
    assert array.dtype == np.float32 and array.shape == (3, 3, 4, 6)
    np.testing.assert_array_equal(array[images.mask], images.values[images.mask])
    assert (array[~images.mask] == np.float32(0.5001)).all()
    for i, name in enumerate(images.names):
        png = read_png(tmp_path / "out" / name)
        assert png.shape == (3, 4, 6)  # RGB, the alpha is gone
        np.testing.assert_array_equal(png[:, observed[i]], pixels[i][:, observed[i]])
        assert (png[:, ~observed[i]] == 128).all()


def test_array_completions_come_back_in_the_input_shape_and_dtype(tmp_path):
    x = np.linspace(0, 1, 2 * 3 * 3, dtype=np.float64).reshape(2, 3, 3) / 3.0
    x[1, 2, 2] = np.nan
    np.save(tmp_path / "x.npy", x)
    images = read_masked_images(tmp_path / "x.npy")
    write_completed(tmp_path / "out", images, np.full(images.values.shape, 0.25))
    array = np.load(tmp_path / "out" / COMPLETED_ARRAY)
    assert array.dtype == np.float64 and array.shape == (2, 3, 3)
    assert array.tobytes() == np.where(np.isnan(x), 0.25, x).tobytes()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "00000.png", "00001.png", COMPLETED_ARRAY,
    ]  # fmt: skip


def test_non_finite_completions_are_refused(tmp_path):
    write_masked_pngs(tmp_path / "x", n=2, size=(3, 3))
    images = read_masked_images(tmp_path / "x")
    with pytest.raises(InputError, match="diverged"):
        write_completed(tmp_path / "out", images, np.full(images.values.shape, np.nan))


def _png_bytes(array) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _mixed_sizes(d):
    write_masked_pngs(d / "x", n=2, size=(4, 4))
    _save(d / "x" / "z.png", np.zeros((5, 4, 3), np.uint8))
    return d / "x", None, "z.png is RGB 5x4 but"


def _mixed_channels(d):
    write_masked_pngs(d / "x", n=2, size=(4, 4))
    _save(d / "x" / "z.png", np.zeros((4, 4), np.uint8))
    return d / "x", None, "z.png is grayscale 4x4"


def _mask_of_another_size(d):
    write_masked_pngs(d / "x", n=1, size=(4, 4))
    _save(d / "m" / "img00.png", np.zeros((4, 5), np.uint8))
    return d / "x", d / "m", "img00.png is 4x5 but its image is 4x4"


def _gray_mask_values(d):
    write_masked_pngs(d / "x", n=1, size=(4, 4))
    _save(d / "m" / "img00.png", np.full((4, 4), 128, np.uint8))
    return d / "x", d / "m", "values other than 0 (missing) and 255"


def _missing_mask(d):
    write_masked_pngs(d / "x", n=2, size=(4, 4))
    _save(d / "m" / "img00.png", np.full((4, 4), 255, np.uint8))
    return d / "x", d / "m", "img01.png has no mask"


def _mask_without_image(d):
    write_masked_pngs(d / "x", n=1, size=(4, 4))
    for name in ("img00.png", "other.png"):
        _save(d / "m" / name, np.full((4, 4), 255, np.uint8))
    return d / "x", d / "m", "other.png has no image of the same name"


def _nothing_observed(d):
    write_masked_pngs(d / "x", n=2, size=(4, 4), missing=1.0)
    return d / "x", None, "has no observed pixel"


def _corrupt_png(d):
    write_masked_pngs(d / "x", n=1, size=(4, 4))
    (d / "x" / "bad.png").write_bytes(_png_bytes(np.zeros((4, 4), np.uint8))[:40])
    return d / "x", None, "cannot read"


def _jpeg_named_png(d):
    (d / "x").mkdir()
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(d / "x" / "a.png", format="JPEG")
    return d / "x", None, "a.png is not a PNG file"


def _sixteen_bit(d):
    (d / "x").mkdir()
    (d / "x" / "a.png").write_bytes(_png_bytes(np.zeros((4, 4), np.uint16)))
    return d / "x", None, "a.png is a 16-bit PNG"


def _empty_folder(d):
    (d / "x").mkdir()
    return d / "x", None, "holds no .png file"


def _integer_array(d):
    np.save(d / "x.npy", np.zeros((2, 4, 4), np.uint8))
    return d / "x.npy", None, "holds uint8 values"


def _channels_last(d):
    np.save(d / "x.npy", np.zeros((2, 4, 4, 3)))
    return d / "x.npy", None, "np.moveaxis"


def _out_of_range(d):
    np.save(d / "x.npy", np.full((2, 4, 4), 2.0))
    return d / "x.npy", None, "outside [0, 1]"


def _ambiguous_npz(d):
    np.savez(d / "x.npz", a=np.zeros((2, 4, 4)), b=np.zeros((2, 4, 4)))
    return d / "x.npz", None, "holds the arrays a, b"


def _array_mask_of_another_shape(d):
    np.save(d / "x.npy", np.zeros((2, 4, 4)))
    np.save(d / "m.npy", np.ones((2, 4, 5)))
    return d / "x.npy", d / "m.npy", "m.npy has shape (2, 4, 5)"


def _truncated_npy(d):
    (d / "x.npy").write_bytes(b"\x93NUMPY garbage")
    return d / "x.npy", None, "cannot read"


def _no_such_path(d):
    return d / "nowhere", None, "does not exist"


BAD_INPUTS = [
    _mixed_sizes, _mixed_channels, _mask_of_another_size, _gray_mask_values, _missing_mask,
    _mask_without_image, _nothing_observed, _corrupt_png, _jpeg_named_png, _sixteen_bit,
    _empty_folder, _integer_array, _channels_last, _out_of_range, _ambiguous_npz,
    _array_mask_of_another_shape, _truncated_npy, _no_such_path,
]  # fmt: skip


@pytest.mark.parametrize("make", BAD_INPUTS, ids=lambda f: f.__name__.strip("_"))
def test_bad_input_is_one_clear_error_naming_the_file(tmp_path, make):
    images, masks, expected = make(tmp_path)
    with pytest.raises(InputError) as info:
        read_masked_images(images, masks)
    message = str(info.value)
    assert expected in message and str(tmp_path) in message and "\n" not in message
