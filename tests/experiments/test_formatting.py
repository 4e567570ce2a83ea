import math

import pytest

from mixmiss.experiments import format_with_error, markdown_table, mean_and_standard_error


@pytest.mark.parametrize(
    ("mean", "error", "decimals", "expected"),
    [
        (0.1523, 0.0012, 3, "0.152(1)"),
        (0.2571, 0.00002, 3, "0.257(0)"),
        (89.53, 0.31, 1, "89.5(3)"),
        (24.6, 1.7, 1, "25(2)"),
        (0.167, 0.0021, 3, "0.167(2)"),
        (5.3, 0.0, 1, "5.3(0)"),
        (0.4, 0.096, 3, "0.4(1)"),
    ],
)
def test_paper_notation(mean, error, decimals, expected):
    assert format_with_error(mean, error, decimals) == expected


def test_mean_and_standard_error():
    mean, se = mean_and_standard_error([1.0, 2.0, 3.0, 4.0])
    assert mean == 2.5 and se == pytest.approx(math.sqrt(5 / 3) / 2)
    assert mean_and_standard_error([7.0]) == (7.0, 0.0)
    assert all(math.isnan(v) for v in mean_and_standard_error([]))
    assert format_with_error(math.nan, 0.1) == "n/a"


def test_markdown_table():
    table = markdown_table(["a", "b"], [["1", "2"]])
    assert table == "| a | b |\n|---|---|\n| 1 | 2 |\n"
