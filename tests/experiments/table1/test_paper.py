"""The paper's Table 1 as transcribed: printed precision, cells it does not print."""

from mixmiss.experiments.table1.paper import (
    MECHANISM_NAMES,
    PAPER_METHODS,
    PAPER_TABLE1,
    paper_value,
)


def test_paper_values_keep_their_printed_precision():
    assert paper_value("im", 0.6, "rmse", "lm-rbm") == (0.152, 0.001)
    assert paper_value("so", 0.9, "accuracy", "mean") == (47.0, 1.0)
    assert paper_value("pm", 0.3, "accuracy_hidden", "lm-rbm") == (95.0, 0.1)
    assert paper_value("im", 0.5, "rmse", "mean") is None
    assert paper_value("im", 0.3, "accuracy_hidden", "mean") is None
    assert len(PAPER_TABLE1) == 9


def test_known_cells_of_the_papers_table():
    assert paper_value("im", 0.9, "fid", "misgan") == (11.0, 1.0)
    assert paper_value("pm", 0.9, "rmse", "mean") == (0.262, 0.001)
    assert paper_value("so", 0.3, "fid", "lm-rbm") == (0.0, 0.1)
    assert PAPER_METHODS == ("mean", "inpaint", "misgan", "rbm", "lm-rbm")
    assert set(MECHANISM_NAMES) == {"im", "so", "pm"}
