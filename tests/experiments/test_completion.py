"""Fitting on a user's own images and completing them (the library side of `impute fit|complete`)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mixmiss.context import Context
from mixmiss.data.masked_images import COMPLETED_ARRAY
from mixmiss.errors import CacheError, InputError
from mixmiss.experiments.completion import (
    COMPLETION_FILE,
    FIT_FILE,
    complete_images,
    fit_on_images,
    method_support,
    read_fit,
)
from tests.masked_pngs import write_masked_pngs

QUIET = Context(progress=False)


def test_what_each_method_takes():
    assert method_support("mean") == "grayscale or RGB, any size"
    assert method_support("inpaint") == "grayscale or RGB, any size"
    assert method_support("lm-rbm") == "grayscale or RGB, any size"
    assert method_support("misgan") == "28x28 grayscale only"


def test_fit_records_the_images_settings_and_provenance(tmp_path):
    write_masked_pngs(tmp_path / "x", n=4, size=(5, 6))
    fit_on_images(tmp_path / "fit", tmp_path / "x", "mean", preset="smoke", seed=7,
                  context=QUIET, command=["mixmiss", "impute", "fit"])  # fmt: skip
    record = read_fit(tmp_path / "fit")
    assert record["method"] == "mean" and record["preset"] == "smoke" and record["seed"] == 7
    assert record["config"]["random_state"] == 7 and record["colour"] == "joint"
    assert {k: record["images"][k] for k in ("n_images", "channels", "height", "width")} == {
        "n_images": 4, "channels": 3, "height": 5, "width": 6,
    }  # fmt: skip
    assert 0.5 < record["images"]["observed_fraction"] < 0.9
    assert record["provenance"]["command"] == "mixmiss impute fit"
    assert sorted(p.name for p in (tmp_path / "fit").iterdir()) == [
        FIT_FILE, "imputer.json", "state.pt",
    ]  # fmt: skip


def test_complete_fills_the_missing_pixels_from_what_fit_learned(tmp_path):
    pixels, observed = write_masked_pngs(tmp_path / "x", n=5, size=(4, 4), channels=1)
    imputer = fit_on_images(tmp_path / "fit", tmp_path / "x", "mean", context=QUIET)
    complete_images(tmp_path / "fit", tmp_path / "x", tmp_path / "out")
    array = np.load(tmp_path / "out" / COMPLETED_ARRAY)
    means = imputer.pixel_mean_[0].numpy()  # (1, 4, 4)
    missing = ~np.broadcast_to(observed[:, None], array.shape)
    np.testing.assert_allclose(array[missing], np.broadcast_to(means, array.shape)[missing])
    record = json.loads((tmp_path / "out" / COMPLETION_FILE).read_text())
    assert record["method"] == "mean" and record["images"]["n_images"] == 5


def test_images_of_another_size_or_channels_than_fitted_are_refused(tmp_path):
    write_masked_pngs(tmp_path / "x", n=3, size=(4, 4))
    write_masked_pngs(tmp_path / "gray", n=3, size=(4, 4), channels=1)
    write_masked_pngs(tmp_path / "big", n=3, size=(5, 4))
    fit_on_images(tmp_path / "fit", tmp_path / "x", "mean", context=QUIET)
    for name in ("gray", "big"):
        with pytest.raises(InputError, match="fitted on RGB 4x4 images"):
            complete_images(tmp_path / "fit", tmp_path / name, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_misgan_refuses_colour_and_other_sizes_before_training(tmp_path):
    write_masked_pngs(tmp_path / "rgb", n=2, size=(28, 28))
    write_masked_pngs(tmp_path / "small", n=2, size=(8, 8), channels=1)
    with pytest.raises(InputError, match="grayscale images only .* use one of mean, inpaint"):
        fit_on_images(tmp_path / "a", tmp_path / "rgb", "misgan", preset="smoke", context=QUIET)
    with pytest.raises(InputError, match="takes only 28x28 images .* holds 8x8 images"):
        fit_on_images(tmp_path / "a", tmp_path / "small", "misgan", preset="smoke", context=QUIET)
    assert not (tmp_path / "a").exists()


def test_an_output_in_use_or_a_directory_without_a_fit_is_refused(tmp_path):
    write_masked_pngs(tmp_path / "x", n=2, size=(3, 3))
    with pytest.raises(CacheError, match="already exists and is not empty"):
        fit_on_images(tmp_path, tmp_path / "x", "mean", context=QUIET)
    with pytest.raises(CacheError, match="fit.json is missing"):
        complete_images(tmp_path / "x", tmp_path / "x", tmp_path / "out")
