"""The "rbm" and "lm-rbm" methods on the project's imputer interface."""

from __future__ import annotations

import json

import pytest
import torch

from mixmiss.data import load_dataset, make_mask
from mixmiss.errors import InputError
from mixmiss.metrics import rmse_missing
from mixmiss.rbm.imputer import LMRBMImputer, ZeroedRBMImputer
from mixmiss.rbm.training import CHECKPOINT_FILE
from mixmiss.registry import load_imputer, make_imputer

SETTINGS = {
    "n_hidden": 64,
    "epochs": 30,
    "batch_size": 32,
    "learning_rate": 5e-3,
    "low_rank": False,
    "hidden": "mean",
}


@pytest.fixture(scope="module")
def digits():
    train = load_dataset("digits", "train").images
    test = load_dataset("digits", "test").images
    g = torch.Generator().manual_seed(0)
    return (
        train,
        make_mask("im", len(train), (8, 8), 0.5, g),
        test,
        make_mask("im", len(test), (8, 8), 0.5, g),
    )


@pytest.fixture(scope="module")
def fitted(digits):
    x, mask, _, _ = digits
    return {
        name: make_imputer(name, random_state=0, device="cpu", **SETTINGS).fit(
            x, mask, progress=False
        )
        for name in ("rbm", "lm-rbm")
    }


def test_registry_names_and_presets():
    assert isinstance(make_imputer("rbm", "smoke"), ZeroedRBMImputer)
    assert isinstance(make_imputer("lm-rbm", "smoke"), LMRBMImputer)
    paper = make_imputer("lm-rbm", "paper").get_config()
    assert {k: paper[k] for k in ("n_hidden", "epochs", "batch_size", "learning_rate", "k")} == {
        "n_hidden": 4096,
        "epochs": 500,
        "batch_size": 128,
        "learning_rate": 1e-4,
        "k": 1,
    }
    assert paper["low_rank"] is True and paper["rank"] is None  # the rule of thumb


@pytest.mark.parametrize("name", ["rbm", "lm-rbm"])
def test_imputes_missing_pixels_only_and_beats_the_mean(digits, fitted, name):
    x, mask, x_test, mask_test = digits
    filled = fitted[name].impute(x_test, mask_test)
    assert filled.shape == x_test.shape
    assert torch.equal(filled[mask_test.bool()], x_test[mask_test.bool()])
    assert 0.0 <= float(filled.min()) and float(filled.max()) <= 1.0
    pixel_mean = (x * mask).sum(0) / mask.sum(0)
    mean_filled = torch.where(mask_test.bool(), x_test, pixel_mean.expand_as(x_test))
    rbm_error = rmse_missing(filled, x_test, mask_test)
    mean_error = rmse_missing(mean_filled, x_test, mask_test)
    assert rbm_error < 0.95 * mean_error, (rbm_error, mean_error)


def test_hidden_features_are_probabilities(digits, fitted):
    _, _, x_test, mask_test = digits
    h = fitted["lm-rbm"].hidden_features(x_test, mask_test)
    assert h.shape == (len(x_test), 64)
    assert 0.0 <= float(h.min()) and float(h.max()) <= 1.0


def test_imputation_options(digits, fitted):
    _, _, x_test, mask_test = digits
    model = fitted["lm-rbm"]
    binary = LMRBMImputer(**{**model.get_config(), "visible": "sample"})
    binary.load_state_dict(model.state_dict())
    out = binary.impute(x_test, mask_test)[~mask_test.bool()]
    assert set(out.unique().tolist()) <= {0.0, 1.0}
    averaged = LMRBMImputer(**{**model.get_config(), "n_samples": 8, "hidden": "sample"})
    averaged.load_state_dict(model.state_dict())
    single = LMRBMImputer(**{**model.get_config(), "hidden": "sample"})
    single.load_state_dict(model.state_dict())
    one, eight = single.impute(x_test, mask_test), averaged.impute(x_test, mask_test)
    assert rmse_missing(eight, x_test, mask_test) < rmse_missing(one, x_test, mask_test)


def test_save_load_round_trip(tmp_path, digits, fitted):
    _, _, x_test, mask_test = digits
    fitted["rbm"].save(tmp_path)
    loaded = load_imputer(tmp_path)
    assert isinstance(loaded, ZeroedRBMImputer)
    assert torch.equal(loaded.impute(x_test, mask_test), fitted["rbm"].impute(x_test, mask_test))


def test_fit_checkpoints_each_epoch_and_resumes(tmp_path, digits):
    x, mask, x_test, mask_test = digits
    settings = {**SETTINGS, "n_hidden": 8, "epochs": 2}
    straight = make_imputer("lm-rbm", random_state=1, device="cpu", **settings)
    straight.fit(x[:200], mask[:200], progress=False)
    first = make_imputer("lm-rbm", random_state=1, device="cpu", **{**settings, "epochs": 1})
    first.fit(x[:200], mask[:200], checkpoint_dir=tmp_path, progress=False)
    assert (tmp_path / CHECKPOINT_FILE).is_file()
    resumed = make_imputer("lm-rbm", random_state=1, device="cpu", **settings)
    resumed.fit(x[:200], mask[:200], checkpoint_dir=tmp_path, resume=True, progress=False)
    for name, value in straight.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name


def test_clear_errors(digits, fitted):
    x, mask, _, _ = digits
    with pytest.raises(InputError, match="not fitted"):
        make_imputer("rbm", "smoke").impute(x, mask)
    with pytest.raises(InputError, match="64 pixels"):
        fitted["rbm"].impute(torch.rand(2, 1, 4, 4), torch.ones(2, 1, 4, 4))
    with pytest.raises(InputError, match="hidden"):
        make_imputer("rbm", "smoke", hidden="guess")
    with pytest.raises(InputError, match="n_samples"):
        make_imputer("rbm", "smoke", n_samples=0)
    with pytest.raises(InputError, match="unknown preset"):
        make_imputer("lm-rbm", "huge")


def test_precision_setting_and_configs_written_before_it(tmp_path, digits, fitted):
    # "auto" (the default) is left out of the config: cached study cells and saved
    # imputers from before the setting compare and load as before
    assert "precision" not in make_imputer("rbm", "quick").get_config()
    assert make_imputer("rbm", "smoke", precision="bf16").get_config()["precision"] == "bf16"
    with pytest.raises(InputError, match="unknown precision"):
        make_imputer("lm-rbm", "smoke", precision="fp64")
    fitted["rbm"].save(tmp_path)
    saved = json.loads((tmp_path / "imputer.json").read_text())
    assert "precision" not in saved["config"]
    assert load_imputer(tmp_path).training.precision == "auto"
    assert fitted["rbm"].precision_ in ("fp32", "bf16")


@pytest.mark.parametrize("preset", ["smoke", "quick", "paper"])
@pytest.mark.parametrize("method", ["rbm", "lm-rbm"])
def test_the_default_read_out_is_mean_field_h_then_the_visible_mean(method, preset):
    config = make_imputer(method, preset).get_config()
    assert config["hidden"] == "mean" and config["visible"] == "mean"


def test_the_default_imputation_is_the_mean_field_reconstruction(digits, fitted):
    _, _, x_test, mask_test = digits
    trained = fitted["lm-rbm"]
    config = {k: v for k, v in trained.get_config().items() if k != "hidden"}
    default = LMRBMImputer(**config)  # hidden left at its default
    default.load_state_dict(trained.state_dict())
    model = default.model
    x_obs = (x_test * mask_test).flatten(1)
    m = mask_test.flatten(1)
    # v_m = sigma(W P(h = 1 | v_o) + b)_m with b_m = sigma(b) on the missing units (LM)
    p_h = torch.sigmoid(model.hidden_input(x_obs + (1 - m) * torch.sigmoid(model.b)))
    expected = torch.where(m.bool(), x_obs, torch.sigmoid(model.visible_input(p_h)))
    out = default.impute(x_test, mask_test)
    torch.testing.assert_close(out.flatten(1), expected)
    other_seed = LMRBMImputer(**{**config, "random_state": 99})
    other_seed.load_state_dict(trained.state_dict())
    torch.testing.assert_close(other_seed.impute(x_test, mask_test), out)  # deterministic
