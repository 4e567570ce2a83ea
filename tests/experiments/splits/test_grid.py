"""The split study's cells: ids, params, remedies, --only."""

import json

import pytest

from mixmiss.errors import InputError
from mixmiss.experiments.splits import (
    PRESETS,
    draw_splits,
    parse_remedy,
    sets_text,
    splits_cells,
)
from mixmiss.mmgan import MMGANConfig, make_config


def test_quick_cells_are_every_split_on_both_datasets_with_fixed_priors():
    cells = splits_cells("quick")
    assert len(cells) == 12
    assert [c.id for c in cells[:2]] == ["quick-mnist-seed0-split1", "quick-mnist-seed0-split2"]
    assert cells[6].id == "quick-fashion-mnist-seed0-split1"
    splits = draw_splits(0, PRESETS["quick"]["sizes"])
    for cell in cells:
        config = MMGANConfig.from_dict(cell.params["config"])
        sets = sets_text(splits[cell.params["split"] - 1])
        assert cell.params["sets"] == config.sets == sets
        assert config == make_config("quick", dataset=config.dataset, sets=sets,
                                     fixed_priors=True, seed=0)  # fmt: skip
        assert cell.params["trace"] == {"snapshot_every": 500, "n_per_component": 1000}
        assert json.loads(json.dumps(cell.params)) == cell.params  # params are the cache key
    assert [len(c.params["sets"].split(";")) for c in cells[:6]] == [2, 2, 2, 3, 3, 3]


def test_the_seed_draws_other_splits_under_other_ids():
    first, other = splits_cells("quick")[0], splits_cells("quick", seed=3)[0]
    assert other.id == "quick-mnist-seed3-split1"
    assert other.params["sets"] != first.params["sets"]
    assert MMGANConfig.from_dict(other.params["config"]).seed == 3


def test_a_remedy_changes_the_config_and_the_id():
    (cell,) = splits_cells("quick", remedy=["lam=1.0", "ema_decay=0.999"], only=["mnist-split2"])
    assert cell.id == "quick-mnist-seed0-split2-ema_decay=0.999-lam=1.0"
    config = MMGANConfig.from_dict(cell.params["config"])
    assert (config.lam, config.ema_decay, config.iters) == (1.0, 0.999, 8000)
    assert cell.params["remedy"] == {"ema_decay": 0.999, "lam": 1.0}


def test_parse_remedy():
    assert parse_remedy(None) == {} == parse_remedy([])
    assert parse_remedy(["iters=16000", "batch_size = 64"]) == {"batch_size": 64, "iters": 16000}
    assert parse_remedy({"lam": 2}) == {"lam": 2.0}


@pytest.mark.parametrize(
    ("remedy", "message"),
    [
        (["lr=1e-3"], "not one of the paper's knobs; choose among iters, ema_decay, lam"),
        (["lam"], "write KNOB=VALUE"),
        (["iters=many"], r"iters='many': expected a number \(int\)"),
        (["lam=-1"], "lam .lambda of Eq. 11. must be a number >= 0"),
    ],
)
def test_bad_remedies_are_clear_errors(remedy, message):
    with pytest.raises(InputError, match=message):
        splits_cells("quick", remedy=remedy)


def test_only_names_existing_cells():
    assert [c.id for c in splits_cells("smoke", only=["digits-split2"])] == [
        "smoke-digits-seed0-split2"
    ]
    with pytest.raises(InputError, match=r"no such cells; choose among \['digits-split1'"):
        splits_cells("smoke", only=["mnist-split1"])
