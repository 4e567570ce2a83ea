"""Random label splits: deterministic from the seed, and valid by the documented rule."""

import pytest

from mixmiss.data import venn_regions
from mixmiss.data.venn import CASES, resolve_label_sets
from mixmiss.errors import InputError
from mixmiss.experiments.splits import draw, draw_splits, sets_text
from mixmiss.experiments.splits.draw import MAX_CLASSES, MIN_CLASSES

SIZES = (2, 2, 2, 3, 3, 3)


def test_the_same_seed_draws_the_same_splits_and_another_seed_others():
    first = draw_splits(0, SIZES)
    assert draw_splits(0, SIZES) == first
    assert draw_splits(1, SIZES) != first
    assert draw_splits(0, SIZES[:2]) == first[:2]  # a split does not depend on those after it


@pytest.mark.parametrize("seed", range(5))
def test_every_split_follows_the_rule(seed):
    splits = draw_splits(seed, SIZES)
    assert [len(s) for s in splits] == list(SIZES)
    keys = set()
    for sets in splits:
        n = len(sets)
        assert all(MIN_CLASSES <= len(s) <= MAX_CLASSES for s in sets)
        assert all(list(s) == sorted(s) for s in sets)
        assert len(venn_regions(sets)) == 2**n - 1  # every region holds a class
        key = frozenset(map(frozenset, sets))
        assert key not in {frozenset(map(frozenset, c)) for c in CASES.values()}
        keys.add(key)
        assert resolve_label_sets(sets_text(sets), 10) == sets  # round trip through --sets
    assert len(keys) == len(splits)  # no split twice


def test_sets_text_is_the_sets_option():
    assert sets_text(((0, 3, 5), (1, 3, 8))) == "0,3,5;1,3,8"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, (2,)), "seed must be a whole number"),
        ((0, (4,)), "2 or 3 distributions"),
        ((0, ()), "2 or 3 distributions"),
        ((0, (2, 3), 6), "6 classes cannot fill the 7 regions"),
    ],
)
def test_bad_arguments(args, message):
    with pytest.raises(InputError, match=message):
        draw_splits(*args)


def test_a_rule_too_strict_for_the_classes_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(draw, "MAX_TRIES", 1)  # 7 classes, 7 regions: 1 draw in 400 fits
    with pytest.raises(InputError, match="no split of 3 distributions .* among 7 classes"):
        draw_splits(0, (3,), 7)
