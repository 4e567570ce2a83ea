import json

import pytest

from mixmiss.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "data" in out and "evaluator" in out


@pytest.mark.real_data
def test_data_check_json_on_the_real_directory(capsys, mnist_dir):
    code, out, _ = run(capsys, "data", "check", "--data-dir", str(mnist_dir), "--json")
    reports = {r["dataset"]: r for r in json.loads(out)}
    assert code == 0
    assert reports["mnist"]["ok"] and reports["fashion-mnist"]["ok"] and reports["digits"]["ok"]


def test_data_check_reports_missing_files(capsys, tmp_path):
    code, out, _ = run(capsys, "data", "check", "--data-dir", str(tmp_path), "--json")
    reports = {r["dataset"]: r for r in json.loads(out)}
    assert code == 1
    assert reports["mnist"]["ok"] is False and "train-images-idx3-ubyte" in reports["mnist"]["reason"]
    assert reports["digits"]["ok"] is True


def test_evaluator_train_then_show(capsys):
    code, out, _ = run(capsys, "evaluator", "train", "--dataset", "digits", "--epochs", "3", "--json")
    assert code == 0
    trained = json.loads(out)
    code, out, _ = run(capsys, "evaluator", "show", "--dataset", "digits", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["dataset"] == "digits"
    assert shown["test_accuracy"] == trained["test_accuracy"]


def test_errors_are_one_line_without_traceback(capsys):
    code, out, err = run(capsys, "evaluator", "show", "--dataset", "mnist")
    assert code == 2 and out == ""
    assert err.startswith("mixmiss: error: no trained evaluator for mnist")
    assert "Traceback" not in err


def test_unknown_dataset_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["evaluator", "train", "--dataset", "cifar"])
    assert info.value.code == 2
    assert "invalid choice: 'cifar'" in capsys.readouterr().err
