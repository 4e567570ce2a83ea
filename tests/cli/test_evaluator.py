"""`mixmiss evaluator train|show`."""

import json


def test_evaluator_train_then_show(capsys, run):
    code, out, _ = run("evaluator", "train", "--dataset", "digits", "--epochs", "3", "--json")
    assert code == 0
    trained = json.loads(out)
    code, out, _ = run("evaluator", "show", "--dataset", "digits", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["dataset"] == "digits"
    assert shown["test_accuracy"] == trained["test_accuracy"]
