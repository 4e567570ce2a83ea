"""The shared imputer interface and the registry: contract, bad input, round trips."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from mixmiss.errors import CacheError, InputError
from mixmiss.impute import Imputer
from mixmiss.impute.mean import MeanImputer
from mixmiss.registry import imputer_class, load_imputer, make_imputer

OUR_METHODS = ("mean", "inpaint", "misgan")


class RecordingImputer(Imputer):
    """Fills everything with 2.0 (out of range on purpose) and records what it saw."""

    method = "recording"

    def __init__(self, random_state=None, device="auto"):
        self.random_state = random_state
        self.device = device

    def get_config(self):
        return {"random_state": self.random_state, "device": self.device}

    def _fit(self, x_obs, mask, checkpoint_dir, resume, progress):
        self.seen_fit_ = x_obs.clone()

    def _complete(self, x_obs, mask):
        self.seen_complete_ = x_obs.clone()
        return torch.full_like(x_obs, 2.0)


def _data(n=6, side=28, seed=0, rate=0.5):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, side, side, generator=g)
    mask = (torch.rand(n, 1, side, side, generator=g) >= rate).float()
    return x, mask


def test_base_hides_missing_values_and_restores_observed_ones():
    x, mask = _data()
    imputer = RecordingImputer().fit(x, mask, progress=False)
    assert torch.equal(imputer.seen_fit_, x * mask)  # missing pixels zeroed before _fit
    out = imputer.impute(x, mask)
    assert torch.equal(imputer.seen_complete_, x * mask)
    assert torch.equal(out[mask.bool()], x[mask.bool()])  # observed pixels exactly the inputs
    assert torch.all(out[~mask.bool()] == 1.0)  # filled values clamped to [0, 1]


def test_bool_integer_and_numpy_masks_are_accepted():
    x, mask = _data()
    imputer = MeanImputer().fit(x, mask, progress=False)
    reference = imputer.impute(x, mask)
    assert torch.equal(imputer.impute(x, mask.bool()), reference)
    assert torch.equal(imputer.impute(x, mask.to(torch.uint8)), reference)
    assert torch.equal(imputer.impute(x.numpy(), mask.numpy().astype(np.int64)), reference)


@pytest.mark.parametrize(
    "bad_mask, message",
    [
        (lambda m: m[:, :, :-1], "shape"),
        (lambda m: m[0], "shape"),
        (lambda m: m * 0.5, "only 0"),
        (lambda m: m - 1.0, "only 0"),
        (lambda m: m.to(torch.complex64), "dtype"),
        (lambda m: m.tolist(), "torch.Tensor or numpy"),
    ],
)
def test_bad_masks_get_clear_errors(bad_mask, message):
    x, mask = _data()
    imputer = MeanImputer().fit(x, mask, progress=False)
    with pytest.raises(InputError, match=message):
        imputer.fit(x, bad_mask(mask), progress=False)
    with pytest.raises(InputError, match=message):
        imputer.impute(x, bad_mask(mask))


@pytest.mark.parametrize(
    "bad_images, message",
    [
        (lambda x: x * 2.0, r"\[0, 1\]"),
        (lambda x: x - 0.5, r"\[0, 1\]"),
        (lambda x: x * float("nan"), "NaN"),
        (lambda x: (x * 255).to(torch.uint8), "floating-point"),
        (lambda x: x[:, 0], "shape"),
    ],
)
def test_bad_images_get_clear_errors(bad_images, message):
    x, mask = _data()
    with pytest.raises(InputError, match=message):
        MeanImputer().fit(bad_images(x), mask, progress=False)


@pytest.mark.parametrize("name", OUR_METHODS)
def test_impute_before_fit_is_an_error(name):
    x, mask = _data()
    with pytest.raises(InputError, match="not fitted"):
        make_imputer(name, "smoke").impute(x, mask)


@pytest.mark.parametrize("name", OUR_METHODS)
def test_round_trip_train_save_load_impute_is_identical(name, tmp_path):
    x, mask = _data(n=32)
    imputer = make_imputer(name, "smoke", random_state=0, device="cpu")
    imputer.fit(x, mask, progress=False)
    before = imputer.impute(x, mask)
    imputer.save(tmp_path / name)
    loaded = load_imputer(tmp_path / name)
    assert type(loaded) is type(imputer)
    assert loaded.get_config() == imputer.get_config()
    assert torch.equal(loaded.impute(x, mask), before)
    assert torch.equal(imputer_class(name).load(tmp_path / name).impute(x, mask), before)


@pytest.mark.parametrize("name", OUR_METHODS)
def test_an_image_with_no_observed_pixel_is_imputed_from_training(name):
    x, mask = _data(n=32)
    imputer = make_imputer(name, "smoke", random_state=0, device="cpu")
    imputer.fit(x, mask, progress=False)
    empty = mask.clone()
    empty[0] = 0.0
    out = imputer.impute(x, empty)
    assert out.shape == x.shape
    assert torch.isfinite(out).all() and out.min() >= 0 and out.max() <= 1
    assert torch.equal(out[1:][empty[1:].bool()], x[1:][empty[1:].bool()])


def test_loading_a_directory_of_another_method_is_refused(tmp_path):
    x, mask = _data()
    MeanImputer().fit(x, mask, progress=False).save(tmp_path)
    with pytest.raises(InputError, match="holds a 'mean' imputer, not 'inpaint'"):
        imputer_class("inpaint").load(tmp_path)


def test_loading_a_missing_or_corrupt_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CacheError, match="imputer.json is missing"):
        load_imputer(tmp_path)
    (tmp_path / "imputer.json").write_text("{not json")
    with pytest.raises(CacheError, match="cannot read"):
        load_imputer(tmp_path)
    (tmp_path / "imputer.json").write_text(json.dumps({"method": "nope", "config": {}}))
    with pytest.raises(InputError, match="unknown imputation method 'nope'"):
        load_imputer(tmp_path)


def test_read_outs_are_named_families_with_their_default_among_them():
    mean = MeanImputer()
    assert mean.readout() is mean
    with pytest.raises(InputError, match="single read-out"):
        mean.readout("sampled_h")
    with pytest.raises(InputError, match="single read-out"):
        mean.readout(k=4)
    for name in ("rbm", "lm-rbm", "misgan"):
        cls = imputer_class(name)
        assert cls.DEFAULT_READOUT in cls.READOUTS
        assert set(cls.SCORED_READOUTS) <= set(cls.READOUTS)
    rbm = make_imputer("rbm", "smoke")
    assert list(rbm.READOUTS)[0] == "sampled_h_v" and list(rbm.READOUTS)[-1] == "mean_field"
    averaged = rbm.readout("sampled_h", 8)
    assert (averaged.hidden, averaged.visible, averaged.n_samples) == ("sample", "mean", 8)
    assert (rbm.hidden, rbm.n_samples) == ("mean", 1)  # the original is unchanged
    with pytest.raises(InputError, match="unknown read-out 'k8' of 'rbm'"):
        rbm.readout("k8")
    assert make_imputer("misgan", "smoke").readout("k8").n_samples == 8
