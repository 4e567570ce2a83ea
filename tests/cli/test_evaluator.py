"""`mixmiss evaluator train|show`."""

import json

import pytest


def test_evaluator_train_then_show(capsys, run):
    code, out, _ = run("evaluator", "train", "--dataset", "digits", "--epochs", "3", "--json")
    assert code == 0
    trained = json.loads(out)
    code, out, _ = run("evaluator", "show", "--dataset", "digits", "--json")
    shown = json.loads(out)
    assert code == 0 and shown["dataset"] == "digits"
    assert shown["test_accuracy"] == trained["test_accuracy"]


def test_lenet_show_before_train_names_the_lenet_command(run):
    code, _, err = run("evaluator", "show", "--network", "lenet", "--dataset", "mnist")
    assert code != 0
    assert "no trained LeNet for mnist" in err
    assert "mixmiss evaluator train --network lenet --dataset mnist" in err


def test_lenet_refuses_a_dataset_it_cannot_take(run):
    code, _, err = run("evaluator", "train", "--network", "lenet", "--dataset", "digits")
    assert code != 0 and "28x28 images" in err


@pytest.mark.real_data
def test_lenet_train_then_show(run, mnist_dir, monkeypatch):
    from mixmiss.evaluators import training  # the LeNet's data come through training_data

    real_load = training.load_dataset
    monkeypatch.setattr(
        training,
        "load_dataset",
        lambda name, split, *a, **k: real_load(name, split, *a, limit=500),
    )
    code, out, _ = run("evaluator", "train", "--network", "lenet", "--dataset", "mnist",
                       "--data-dir", mnist_dir, "--epochs", "1", "--json")  # fmt: skip
    trained = json.loads(out)
    assert code == 0 and trained["seed"] == 1 and trained["recipe"]["epochs"] == 1
    code, out, _ = run("evaluator", "show", "--network", "lenet", "--dataset", "mnist", "--json")
    assert code == 0 and json.loads(out)["checksum"] == trained["checksum"]
