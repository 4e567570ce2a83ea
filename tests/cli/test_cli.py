import pytest

from mixmiss.cli import main


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "data" in out and "evaluator" in out


def test_errors_are_one_line_without_traceback(capsys, run):
    code, out, err = run("evaluator", "show", "--dataset", "mnist")
    assert code == 2 and out == ""
    assert err.startswith("mixmiss: error: no trained evaluator for mnist")
    assert "Traceback" not in err


def test_unknown_dataset_is_rejected_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["evaluator", "train", "--dataset", "cifar"])
    assert info.value.code == 2
    assert "invalid choice: 'cifar'" in capsys.readouterr().err
