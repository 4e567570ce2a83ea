"""Setting up an MMGAN run: K per mode, omega at step 0, the stored RunInfo (digits, no training)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from mixmiss.data import load_dataset, venn_split
from mixmiss.errors import CacheError, InputError
from mixmiss.mmgan.run import (
    CONFIG_FILE,
    RunInfo,
    build_model,
    describe_split,
    initial_omega,
    make_split,
    priors_array,
    read_info,
)
from mixmiss.rng import make_generator

from .conftest import smoke_config

MODES = {"learned": {}, "fixed": {"fixed_priors": True}, "naive": {"naive": True}}


@pytest.fixture(scope="module")
def digits_train():
    return load_dataset("digits", "train")


@pytest.fixture(scope="module")
def splits(digits_train):
    return {case: venn_split(digits_train, case, make_generator(0)) for case in "ABC"}


def info_for(splits, case, mode="learned", **overrides):
    config = smoke_config(sets=case, **MODES[mode], **overrides)
    return describe_split(config, splits[case])


@pytest.mark.parametrize(
    "case, mode, k",
    [
        # learned weights: 2^n - 1 components (paper), whatever the number of regions
        ("A", "learned", 3),
        ("B", "learned", 7),
        ("C", "learned", 7),
        # fixed priors: one component per non-empty region (case C: r1, r6, r7)
        ("A", "fixed", 3),
        ("B", "fixed", 7),
        ("C", "fixed", 3),
        # naive: one generator per distribution
        ("A", "naive", 2),
        ("B", "naive", 3),
        ("C", "naive", 3),
    ],
)
def test_number_of_components_per_mode(splits, case, mode, k):
    assert info_for(splits, case, mode).num_components == k


def test_learned_mode_takes_any_k(splits):
    assert info_for(splits, "A", num_components=5).num_components == 5
    assert info_for(splits, "C", num_components=1).num_components == 1


def test_fixed_priors_and_naive_accept_their_own_k_only(splits):
    assert info_for(splits, "C", "fixed", num_components=3).num_components == 3
    assert info_for(splits, "B", "naive", num_components=3).num_components == 3
    with pytest.raises(
        InputError, match=r"one component per non-empty region \(3 here\); num_components=7"
    ):
        info_for(splits, "C", "fixed", num_components=7)
    with pytest.raises(InputError, match=r"one generator per distribution \(2\); got K=3"):
        info_for(splits, "A", "naive", num_components=3)


def test_run_info_describes_the_split(splits):
    info = info_for(splits, "C")
    split = splits["C"]
    assert info.image_size == 8 and info.num_distributions == 3
    assert list(info.regions) == ["r1", "r6", "r7"]
    assert info.regions["r7"] == "S1∩S2∩S3"
    assert info.region_labels == {"r1": [0, 1, 2], "r6": [3, 4, 5], "r7": [6, 7, 8, 9]}
    np.testing.assert_array_equal(priors_array(info), split.priors)
    assert priors_array(info).dtype == np.float64
    np.testing.assert_allclose(priors_array(info).sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert info.config.sets == "C"


def test_run_info_round_trips_through_json(splits):
    info = info_for(splits, "B", "fixed")
    restored = RunInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    assert restored == info
    assert restored.config.fixed_priors and restored.num_components == 7


def test_initial_omega_learned_is_zero_and_trained(splits):
    omega, learn = initial_omega(info_for(splits, "B"))
    assert learn is True
    assert torch.equal(omega, torch.zeros(3, 7))  # uniform alpha


@pytest.mark.parametrize("case", ["A", "C"])
def test_initial_omega_fixed_gives_the_true_priors_and_is_frozen(splits, case):
    info = info_for(splits, case, "fixed")
    omega, learn = initial_omega(info)
    assert learn is False and omega.shape == (info.num_distributions, info.num_components)
    priors = torch.tensor(info.true_priors, dtype=torch.float32)
    torch.testing.assert_close(torch.softmax(omega, dim=1), priors, rtol=0, atol=1e-6)
    # a zero prior is a -inf logit, so alpha is exactly 0 there (case C has zeros)
    assert torch.equal(
        torch.softmax(omega, dim=1)[priors == 0], torch.zeros(int((priors == 0).sum()))
    )
    if case == "C":
        assert bool((priors == 0).any())


def test_initial_omega_naive_is_the_identity_and_frozen(splits):
    omega, learn = initial_omega(info_for(splits, "B", "naive"))
    assert learn is False
    assert torch.equal(torch.softmax(omega, dim=1), torch.eye(3))


def test_build_model_is_seeded_and_leaves_the_global_rng_alone(splits):
    info = info_for(splits, "A")
    torch.manual_seed(5)
    expected_draw = torch.rand(3)
    torch.manual_seed(5)
    a = build_model(info, torch.device("cpu"))
    assert torch.equal(torch.rand(3), expected_draw)
    b = build_model(info, torch.device("cpu"))
    for (name, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(x, y), name
    other = build_model(info_for(splits, "A", seed=1), torch.device("cpu"))
    assert not torch.equal(next(other.generator.parameters()), next(a.generator.parameters()))


def test_build_model_per_mode(splits):
    learned = build_model(info_for(splits, "A"), torch.device("cpu"))
    assert learned.omega.requires_grad and learned.opt_omega is not None
    assert learned.config.lam == 0.5

    fixed_info = info_for(splits, "C", "fixed")
    fixed = build_model(fixed_info, torch.device("cpu"))
    assert not fixed.omega.requires_grad and fixed.opt_omega is None
    torch.testing.assert_close(
        fixed.alpha, torch.tensor(fixed_info.true_priors, dtype=torch.float32), rtol=0, atol=1e-6
    )

    naive_info = info_for(splits, "A", "naive")
    naive = build_model(naive_info, torch.device("cpu"))
    assert naive.config.lam == 0.0  # Eq. 4: no classifier term
    assert naive_info.config.lam == 0.5  # the stored config is left as given
    assert naive.num_components == 2 and torch.equal(naive.alpha, torch.eye(2))


def test_make_split_is_seeded_by_the_config():
    a = make_split(smoke_config(seed=3))
    b = make_split(smoke_config(seed=3))
    c = make_split(smoke_config(seed=4))
    assert a.sets == ((0, 1, 2, 3, 4, 5, 6), (3, 4, 5, 6, 7, 8, 9))
    assert torch.equal(a.distributions[0].images, b.distributions[0].images)
    assert not torch.equal(a.distributions[0].images, c.distributions[0].images)


# -- read_info -------------------------------------------------------------------------------


def write_run(directory, record) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = record if isinstance(record, str) else json.dumps(record)
    (directory / CONFIG_FILE).write_text(text)


def test_read_info_returns_what_the_trainer_stored(splits, tmp_path):
    info = info_for(splits, "B", "naive")
    write_run(tmp_path / "run", {"run": info.to_dict(), "command": "test", "resumes": []})
    assert read_info(tmp_path / "run") == info
    assert read_info(str(tmp_path / "run")) == info


@pytest.mark.parametrize("exists", [False, True])
def test_read_info_without_config_says_how_to_make_a_run(tmp_path, exists):
    run = tmp_path / "run"
    if exists:
        run.mkdir()
    with pytest.raises(CacheError, match=r"is not an MMGAN run directory \(no config.json\)"):
        read_info(run)


DAMAGES = [
    "empty file",
    "truncated JSON",
    "no run record",
    "run is null",
    "top level is a list",
    "missing num_components",
    "invalid config value",
    "unknown config key",
    "config is a string",
    "region_labels is a list",
]


def _damaged_records(info: RunInfo) -> dict:
    good = info.to_dict()
    without_k = {k: v for k, v in good.items() if k != "num_components"}
    bad_config = {**good, "config": {**good["config"], "iters": 0}}
    unknown_key = {**good, "config": {**good["config"], "colour": "red"}}
    records = {
        "empty file": "",
        "truncated JSON": json.dumps({"run": good})[:-20],
        "no run record": {"command": "x"},
        "run is null": {"run": None},
        "top level is a list": [1, 2],
        "missing num_components": {"run": without_k},
        "invalid config value": {"run": bad_config},
        "unknown config key": {"run": unknown_key},
        "config is a string": {"run": {**good, "config": "mnist"}},
        "region_labels is a list": {"run": {**good, "region_labels": [[0, 1, 2]]}},
    }
    assert list(records) == DAMAGES
    return records


@pytest.mark.parametrize("damage", DAMAGES)
def test_read_info_on_a_damaged_config_is_a_cache_error(tmp_path, splits, damage):
    record = _damaged_records(info_for(splits, "A"))[damage]
    write_run(tmp_path / "run", record)
    with pytest.raises(
        CacheError, match=r"cannot read .*config.json: .*the run directory is damaged"
    ):
        read_info(tmp_path / "run")


def test_default_components_follow_the_paper_up_to_three_then_pairs():
    from mixmiss.mmgan.run import default_components

    assert [default_components(n) for n in range(1, 7)] == [1, 3, 7, 10, 15, 21]
