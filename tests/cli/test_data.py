"""`mixmiss data check`."""

import json

import pytest


@pytest.mark.real_data
def test_data_check_json_on_the_real_directory(capsys, mnist_dir, run):
    code, out, _ = run("data", "check", "--data-dir", str(mnist_dir), "--json")
    reports = {r["dataset"]: r for r in json.loads(out)}
    assert code == 0
    assert reports["mnist"]["ok"] and reports["fashion-mnist"]["ok"] and reports["digits"]["ok"]


def test_data_check_reports_missing_files(capsys, tmp_path, run):
    code, out, _ = run("data", "check", "--data-dir", str(tmp_path), "--json")
    reports = {r["dataset"]: r for r in json.loads(out)}
    assert code == 1
    assert (
        reports["mnist"]["ok"] is False and "train-images-idx3-ubyte" in reports["mnist"]["reason"]
    )
    assert reports["digits"]["ok"] is True
