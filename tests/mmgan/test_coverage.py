"""Coverage: a component that drops one of its region's classes is seen, a balanced one is not."""

from __future__ import annotations

import numpy as np
import pytest

from mixmiss.errors import InputError
from mixmiss.mmgan.coverage import coverage_from_report, region_coverage, region_labels_of

# Case A on 10 classes: r1 = 0-2 (G1), r2 = 7-9 (G2), r3 = 3-6 (G3, shared).
LABELS = {"r1": [0, 1, 2], "r2": [7, 8, 9], "r3": [3, 4, 5, 6]}
ASSIGNMENT = {"r1": 0, "r2": 1, "r3": 2}


def _balanced():
    histogram = np.zeros((3, 10))
    for k, labels in enumerate(LABELS.values()):
        histogram[k, labels] = 100
    return histogram


def test_a_balanced_run_covers_every_class():
    cover = region_coverage(_balanced(), ASSIGNMENT, LABELS)
    assert cover["min_coverage"] == 1.0 and cover["max_divergence"] == 0.0
    assert all(not r["dropped"] and not r["misplaced"] for r in cover["regions"].values())


def test_a_dropped_class_is_seen_where_accuracy_is_blind():
    histogram = _balanced()
    histogram[0, 1] = 0  # G1 never draws a 1 ...
    histogram[2, 1] = 40  # ... the shared component does
    cover = region_coverage(histogram, ASSIGNMENT, LABELS)
    r1 = cover["regions"]["r1"]
    assert r1["coverage"] == pytest.approx(2 / 3, abs=1e-4) and r1["dropped"] == [1]
    assert r1["divergence"] == pytest.approx(1 / 3, abs=1e-4)  # TV of (1/2, 0, 1/2) vs thirds
    assert r1["misplaced"] == [
        {"class": 1, "component": 2, "share": round(40 / 440, 4), "held_elsewhere": 1.0}
    ]
    assert cover["min_coverage"] == r1["coverage"]
    # Table 2's accuracy would still be 100 % for G1: all its samples are 0s and 2s.
    assert histogram[0, LABELS["r1"]].sum() == histogram[0].sum()


def test_a_class_drawn_rarely_but_above_a_quarter_of_its_share_counts():
    histogram = _balanced()
    histogram[0, 1] = 30  # 30 of 230: 13 % where a third is expected, above 25 % of it
    assert region_coverage(histogram, ASSIGNMENT, LABELS)["regions"]["r1"]["coverage"] == 1.0
    histogram[0, 1] = 10  # 10 of 210: 4.8 %, below a quarter of a third
    assert region_coverage(histogram, ASSIGNMENT, LABELS)["regions"]["r1"]["dropped"] == [1]


def test_expected_shares_follow_the_class_counts():
    histogram = _balanced()
    counts = np.ones(10)
    counts[0] = 8  # class 0 is 80 % of r1's real images: an even split is off by 0.47
    cover = region_coverage(histogram, ASSIGNMENT, LABELS, counts)
    assert cover["regions"]["r1"]["expected"]["0"] == 0.8
    assert cover["regions"]["r1"]["divergence"] == pytest.approx(0.8 - 1 / 3, abs=1e-4)
    assert cover["expected_from"] == "class counts"


def test_edge_cases():
    histogram = _balanced()
    histogram[1] = 0  # G2 drew nothing classified at all
    cover = region_coverage(histogram, ASSIGNMENT, LABELS)
    assert cover["regions"]["r2"]["coverage"] == 0.0 and cover["regions"]["r2"]["divergence"] == 1.0
    one = region_coverage(np.array([[0, 5.0]]), {"r1": 0}, {"r1": [1]})
    assert one["regions"]["r1"]["coverage"] == 1.0
    unmatched = region_coverage(_balanced(), {"r1": -1, "r2": 1, "r3": 2}, LABELS)
    assert unmatched["regions"]["r1"]["coverage"] == 0.0


@pytest.mark.parametrize(
    ("histogram", "assignment", "labels", "message"),
    [
        (np.zeros(10), ASSIGNMENT, LABELS, "must be a \\(components, classes\\) array"),
        (-_balanced(), ASSIGNMENT, LABELS, "counts >= 0"),
        (_balanced(), {"r1": 7, "r2": 1, "r3": 2}, LABELS, "outside 0..2"),
        (_balanced(), ASSIGNMENT, {"r1": [0, 12]}, "outside 0..9"),
    ],
)
def test_bad_input_is_a_one_line_error(histogram, assignment, labels, message):
    with pytest.raises(InputError, match=message) as info:
        region_coverage(histogram, assignment, labels)
    assert "\n" not in str(info.value)


def test_a_stored_report_is_re_reported_from_its_case():
    assert region_labels_of("A", 10) == LABELS
    report = {"case": "A", "label_histogram": _balanced().tolist(), "assignment": ASSIGNMENT}
    assert coverage_from_report(report)["min_coverage"] == 1.0
    with pytest.raises(InputError, match="lacks what coverage needs"):
        coverage_from_report({"case": "A"})


def test_the_evaluators_confusion_is_not_a_misplaced_class():
    histogram = _balanced()
    histogram[2, 1] = 30  # the shared component draws some 1s (30 of 430: 7 %) ...
    cover = region_coverage(histogram, ASSIGNMENT, LABELS)
    assert cover["regions"]["r1"]["misplaced"] == []  # ... but G1 holds most of them
    histogram[0, 1] = 0  # a class dropped everywhere is not "found" in a 0.5 % confusion
    histogram[2, 1] = 2
    cover = region_coverage(histogram, ASSIGNMENT, LABELS)
    assert cover["regions"]["r1"]["dropped"] == [1] and cover["regions"]["r1"]["misplaced"] == []


def test_a_class_of_a_shared_region_is_entitled_to_every_component_that_holds_it():
    labels = {"r1": [0, 1], "r2": [1, 2]}  # overlapping label sets (hand-made)
    histogram = np.array([[50, 50, 0], [0, 90, 10]], dtype=float)
    cover = region_coverage(histogram, {"r1": 0, "r2": 1}, labels)
    assert cover["regions"]["r2"]["misplaced"] == [] and cover["regions"]["r1"]["misplaced"] == []
