import numpy as np
import pytest
import torch

from mixmiss.data import (
    CASES,
    ImageDataset,
    load_dataset,
    parse_label_sets,
    venn_regions,
    venn_split,
)
from mixmiss.errors import InputError


def balanced(per_class=60, classes=10) -> ImageDataset:
    """Images whose single pixel encodes their own index, so duplicates can be detected."""
    n = per_class * classes
    images = (torch.arange(n, dtype=torch.float32) / n).view(n, 1, 1, 1)
    labels = torch.arange(n) % classes
    return ImageDataset(images, labels, "toy", "train", tuple(str(c) for c in range(classes)))


def test_case_regions_in_paper_order():
    assert [(r.name, r.operation, r.labels) for r in venn_regions(CASES["A"])] == [
        ("r1", "S1\\S2", (0, 1, 2)),
        ("r2", "S2\\S1", (7, 8, 9)),
        ("r3", "S1∩S2", (3, 4, 5, 6)),
    ]
    b = venn_regions(CASES["B"])
    assert [r.operation for r in b] == [
        "S1\\(S2∪S3)",
        "S2\\(S1∪S3)",
        "S3\\(S1∪S2)",
        "(S1∩S3)\\S2",
        "(S2∩S3)\\S1",
        "(S1∩S2)\\S3",
        "S1∩S2∩S3",
    ]
    assert [r.labels for r in b] == [(0,), (1,), (2,), (3,), (4,), (5,), (6,)]
    c = venn_regions(CASES["C"])
    assert [(r.name, r.labels) for r in c] == [
        ("r1", (0, 1, 2)),
        ("r6", (3, 4, 5)),
        ("r7", (6, 7, 8, 9)),
    ]


@pytest.mark.parametrize("case", ["A", "B", "C"])
def test_no_image_is_used_twice_and_every_shared_image_is_used(case):
    data = balanced()
    split = venn_split(data, case, torch.Generator().manual_seed(1))
    ids = torch.cat([d.images.flatten() for d in split.distributions])
    assert ids.unique().numel() == ids.numel()
    used = set().union(*CASES[case])
    assert ids.numel() == sum(int((data.labels == c).sum()) for c in used)
    for dist, labels in zip(split.distributions, CASES[case], strict=True):
        assert set(dist.labels.tolist()) == set(labels)


def test_shared_class_is_split_into_equal_parts():
    split = venn_split(balanced(per_class=61), "A")
    s1, s2 = split.distributions
    for label in (3, 4, 5, 6):  # shared by 2: 61 -> 31 + 30
        assert int((s1.labels == label).sum()) == 31 and int((s2.labels == label).sum()) == 30
    assert int((s1.labels == 0).sum()) == 61


def test_true_priors_from_counts():
    split = venn_split(balanced(), "A")
    # S1 = {0,1,2} whole (180) + half of {3,4,5,6} (120): prior of r1 = 0.6, not 3/7.
    np.testing.assert_allclose(split.priors, [[0.6, 0.0, 0.4], [0.0, 0.6, 0.4]])
    c = venn_split(balanced(), "C")
    np.testing.assert_allclose(c.priors.sum(axis=1), 1.0)
    np.testing.assert_allclose(c.priors[2], [0.0, 0.0, 1.0])


def test_random_baseline_matches_paper():
    data = balanced()
    assert venn_split(data, "A").random_baseline == pytest.approx(0.5)
    assert venn_split(data, "B").random_baseline == pytest.approx(0.25)
    assert venn_split(data, "C").random_baseline == pytest.approx(0.611, abs=1e-3)


def test_split_is_reproducible_and_seeded():
    data = balanced()
    a = venn_split(data, "A", torch.Generator().manual_seed(3))
    b = venn_split(data, "A", torch.Generator().manual_seed(3))
    c = venn_split(data, "A", torch.Generator().manual_seed(4))
    assert torch.equal(a.distributions[0].images, b.distributions[0].images)
    assert not torch.equal(a.distributions[0].images, c.distributions[0].images)


def test_custom_sets_and_region_lookup():
    split = venn_split(load_dataset("digits"), "0-6;3-9")
    assert [r.labels for r in split.regions] == [r.labels for r in venn_regions(CASES["A"])]
    table = split.region_of_label(10)
    assert table.tolist() == [0, 0, 0, 2, 2, 2, 2, 1, 1, 1]
    four = venn_split(balanced(), [[0, 1], [1, 2], [2, 3], [3, 0]])
    # n = 4 follows (cardinality, lexicographic) order: r5 is the first pair cell.
    assert [(r.name, r.operation) for r in four.regions][:2] == [
        ("r5", "(S1∩S2)\\(S3∪S4)"),
        ("r7", "(S1∩S4)\\(S2∪S3)"),
    ]


def test_parse_label_sets():
    assert parse_label_sets("0-6;3-9") == (tuple(range(7)), tuple(range(3, 10)))
    assert parse_label_sets("0,3,5-6; 1,4") == ((0, 3, 5, 6), (1, 4))


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        ("D", "unknown case 'D'"),
        ("0-6;", "set 2 is empty"),
        ("0-6;x", "cannot read 'x'"),
        ("6-0;3-9", "runs backwards"),
        ("0,1,1;3-9", r"set 1 lists labels \[1\] more than once"),
        ("0-6;0-6", "sets 1 and 2 are identical"),
        ("0-6;3-12", r"labels \[10, 11, 12\] outside 0..9"),
        ([], "no label sets"),
    ],
)
def test_bad_label_sets_are_clear_errors(sets, message):
    with pytest.raises(InputError, match=message):
        venn_split(balanced(), sets)
