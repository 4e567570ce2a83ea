"""`mixmiss demo`: a bad --out is a one-line error and nothing is written."""

from __future__ import annotations


def test_an_out_that_is_a_file_is_refused(run, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = run("demo", "--out", target, "--no-progress")
    assert code == 2 and err.startswith("mixmiss: error: --out") and "is a file" in err
    assert target.read_text() == "x"
