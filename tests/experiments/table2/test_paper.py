"""The paper's Table 2 as transcribed, and which paper row each dataset is set beside."""

import numpy as np
import pytest

from mixmiss.experiments.table2.paper import CASES, PAPER_TABLE2, dataset_name, paper_row


def test_paper_table_rows_average_to_their_avg_column():
    for (dataset, case), (accuracy, avg, _) in PAPER_TABLE2.items():
        present = [a for a in accuracy if a is not None]
        assert np.mean(present) == pytest.approx(avg, abs=0.006), (dataset, case)
        assert len(present) == {"A": 3, "B": 7, "C": 3}[case]


def test_every_case_of_both_datasets_is_transcribed():
    assert set(PAPER_TABLE2) == {(d, c) for d in ("mnist", "fashion-mnist") for c in CASES}
    # the random baseline depends on the case only
    assert {case: PAPER_TABLE2["mnist", case][2] for case in CASES} == {
        case: PAPER_TABLE2["fashion-mnist", case][2] for case in CASES
    }


def test_digits_are_set_beside_the_paper_mnist_rows():
    assert paper_row("mnist", "B") == ("paper", PAPER_TABLE2["mnist", "B"])
    assert paper_row("digits", "C") == ("paper (MNIST)", PAPER_TABLE2["mnist", "C"])
    assert paper_row("kmnist", "A") is None
    assert dataset_name("fashion-mnist") == "F-MNIST" and dataset_name("kmnist") == "kmnist"
