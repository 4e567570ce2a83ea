"""Region-level weight recovery on hand-made cases."""

import numpy as np
import pytest

from mixmiss.errors import InputError
from mixmiss.mmgan.recovery import (
    attribute_components,
    region_counts,
    region_recovery,
    region_recovery_from_report,
)


def test_two_components_on_one_region_cost_nothing_when_their_weights_add_up():
    # Classes 0..3; regions r1 = {0, 1}, r2 = {2, 3}. G1 and G2 both draw r1, G3 draws r2,
    # G4 draws nothing in any region (class 4 is outside both).
    histogram = np.array(
        [[90, 10, 0, 0, 0], [60, 30, 10, 0, 0], [0, 5, 45, 50, 0], [0, 0, 0, 0, 9]]
    )
    alpha = np.array([[0.3, 0.3, 0.4, 0.0], [0.0, 0.1, 0.8, 0.1]])
    priors = np.array([[0.6, 0.4], [0.1, 0.9]])
    result = region_recovery(alpha, priors, histogram, [(0, 1), (2, 3)])
    assert result["region_of_component"] == [0, 0, 1, -1]
    np.testing.assert_allclose(result["region_weights"], [[0.6, 0.4], [0.1, 0.8]])
    # d2 puts 0.1 on G4, which draws no region: r2 misses it.
    assert result["region_weight_error"] == pytest.approx(0.1, abs=1e-9)


def test_counts_and_attribution():
    counts = region_counts(np.array([[1, 2, 3], [0, 0, 0]]), [(0,), (1, 2)])
    np.testing.assert_array_equal(counts, [[1, 5], [0, 0]])
    assert attribute_components(counts).tolist() == [1, -1]


def test_from_a_stored_report_uses_the_case_regions():
    report = {
        "case": "0-1;1-2",  # r1 = {0}, r2 = {2}, r3 = {1}
        "regions": {"r1": "S1\\S2", "r2": "S2\\S1", "r3": "S1∩S2"},
        "alpha": [[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]],
        "true_priors": [[0.5, 0.0, 0.5], [0.0, 0.5, 0.5]],
        "label_histogram": [[10, 0, 0], [0, 0, 10], [0, 10, 0]],
    }
    result = region_recovery_from_report(report)
    assert result["region_of_component"] == [0, 1, 2] and result["region_weight_error"] == 0.0
    with pytest.raises(InputError, match="evaluate the run again"):
        region_recovery_from_report({"case": "A"})
    with pytest.raises(InputError, match="do not fit"):
        region_recovery(np.ones((2, 3)) / 3, np.ones((2, 2)), np.ones((3, 4)), [(0,), (1,), (2,)])
