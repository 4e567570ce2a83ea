"""The imputer registry: every family by its CLI name, above the families it names."""

import json

import pytest

from mixmiss.errors import InputError
from mixmiss.registry import IMPUTERS, imputer_class, make_imputer

OUR_METHODS = sorted(IMPUTERS)


def test_registry_lists_the_methods_and_rejects_unknown_names():
    assert set(OUR_METHODS) <= set(IMPUTERS)
    with pytest.raises(InputError, match="unknown imputation method 'gain'"):
        imputer_class("gain")
    with pytest.raises(InputError, match="unknown preset 'huge'"):
        make_imputer("mean", "huge")
    with pytest.raises(InputError, match="unknown setting.*epochz.*takes.*epochs"):
        make_imputer("misgan", "smoke", epochz=3)


@pytest.mark.parametrize("name", OUR_METHODS)
def test_every_method_has_the_presets_and_rebuilds_from_its_config(name):
    cls = imputer_class(name)
    assert cls.method == name
    assert set(cls.PRESETS) == {"smoke", "quick", "paper"}
    for preset in cls.PRESETS:
        imputer = make_imputer(name, preset, random_state=3, device="cpu")
        config = imputer.get_config()
        assert config["random_state"] == 3 and config["device"] == "cpu"
        assert json.loads(json.dumps(config)) == config  # JSON-able
        assert cls(**config).get_config() == config


def test_a_saved_imputer_loads_on_another_device(tmp_path):
    import torch

    from mixmiss.errors import MixmissError
    from mixmiss.registry import load_imputer

    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 6, 6, generator=g)
    mask = (torch.rand(64, 1, 6, 6, generator=g) > 0.4).float()
    imputer = make_imputer("lm-rbm", "smoke", random_state=0, device="cpu", n_hidden=8)
    imputer.fit(x, mask, progress=False).save(tmp_path)
    saved = json.loads((tmp_path / "imputer.json").read_text())
    saved["config"]["device"] = "cuda:7"  # as if fitted on a GPU this machine lacks
    (tmp_path / "imputer.json").write_text(json.dumps(saved))
    with pytest.raises(MixmissError, match="cuda"):
        load_imputer(tmp_path)
    moved = load_imputer(tmp_path, device="cpu")
    assert moved.device == "cpu"
    assert torch.equal(moved.impute(x, mask), imputer.impute(x, mask))
    assert load_imputer(tmp_path, device="cpu").method == "lm-rbm"
    mean = tmp_path / "mean"
    make_imputer("mean", "smoke").fit(x, mask, progress=False).save(mean)
    assert load_imputer(mean, device="cpu").method == "mean"  # no device: nothing to replace
