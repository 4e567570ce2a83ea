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
