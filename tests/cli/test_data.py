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


def test_make_shapes_writes_class_folders_and_collections(tmp_path, run):
    code, out, _ = run(
        "data", "make-shapes", "--out", tmp_path / "a", "--per-class", 2, "--size", 16
    )
    assert code == 0 and "18 shapes" in out
    assert len(list((tmp_path / "a" / "red-circle").glob("*.png"))) == 2
    code, _, _ = run(
        "data", "make-shapes", "--out", tmp_path / "b", "--per-class", 2, "--size", 16,
        "--collections", "reds=red-*", "circles=*-circle",
    )  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["circles", "reds", "truth.json"]


def test_make_shapes_bad_collection_is_a_clear_error(tmp_path, run):
    code, _, err = run("data", "make-shapes", "--out", tmp_path / "a", "--collections", "reds")
    assert code != 0 and "NAME=CLASSES" in err and not (tmp_path / "a").exists()
