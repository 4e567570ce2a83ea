"""Evaluating runs on image folders: labelled folders, collections, the known answer."""

import json

import numpy as np
import pytest

from mixmiss.data.folders import write_class_folders, write_collections
from mixmiss.data.shapes import make_shapes
from mixmiss.errors import InputError
from mixmiss.mmgan import evaluate_run, make_config, train
from mixmiss.mmgan.folder_evaluation import _labelled_scores, evaluate_folder_run, read_truth


@pytest.fixture(scope="module")
def shapes_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    dataset = make_shapes(4, 32, seed=0)
    write_class_folders(dataset, root / "classes")
    write_collections(dataset, {"reds": "red-*", "circles": "*-circle"}, root / "coll")
    return root


def _train(out, **settings):
    config = make_config("smoke", iters=2, **settings)
    return train(config, out, progress=False)


def test_labelled_folder_run_reports_roles_grids_fid_and_scores(tmp_path, shapes_root):
    run = _train(tmp_path / "f", dataset="folder", folder=str(shapes_root / "classes"),
                 sets="red-*;*-circle")  # fmt: skip
    report = evaluate_folder_run(run, n_per_component=8, n_fid=8)
    assert report["distributions"] == ["S1", "S2"] and len(report["components"]) == 3
    assert len(report["fid"]) == 2 and all(f >= 0 for f in report["fid"])
    assert set(report["accuracy"]) == {"r1", "r2", "r3"} and "region_weight_error" in report
    assert report["regions"]["r3"] == ["red-circle"]
    assert json.loads((run / "eval.json").read_text()) == report
    assert sorted(p.name for p in (run / "components").iterdir()) == ["G1.png", "G2.png", "G3.png"]
    with pytest.raises(InputError, match="trained on image folders"):
        evaluate_run(run)


def test_collections_run_without_and_with_the_truth(tmp_path, shapes_root):
    coll = shapes_root / "coll"
    run = _train(tmp_path / "c", dataset="collections", sets="",
                 collections=(str(coll / "reds"), str(coll / "circles")), num_components=4)  # fmt: skip
    plain = evaluate_folder_run(run, n_per_component=8, n_fid=8, write=False)
    assert plain["distributions"] == ["reds", "circles"] and "accuracy" not in plain
    known = evaluate_folder_run(run, n_per_component=8, n_fid=8, truth=coll / "truth.json")
    assert known["true_priors"] == [[0.8, 0.0, 0.2], [0.0, 0.8, 0.2]] and "draws" in known
    (tmp_path / "other.json").write_text(json.dumps({"collections": {"a": [], "b": []},
                                                     "regions": {}, "true_priors": []}))  # fmt: skip
    with pytest.raises(InputError, match="describes the collections"):
        evaluate_folder_run(run, n_per_component=8, n_fid=8, truth=tmp_path / "other.json")
    with pytest.raises(InputError, match="cannot read"):
        read_truth(tmp_path / "missing.json", ["a"])


def test_labelled_scores_of_a_model_that_draws_each_region_exactly():
    """Generated pixels named by the rule: G1 draws red circles 19 of 20 times (95 %)."""
    known = {
        "region_classes": {"r1": ["red-square", "red-triangle"], "r2": ["green-circle"],
                           "r3": ["red-circle"]},
        "true_priors": [[0.8, 0.0, 0.2], [0.0, 0.8, 0.2]],
    }  # fmt: skip
    names = ["red-circle"] * 19 + ["none"]  # G1
    names += ["red-square"] * 10 + ["red-triangle"] * 10  # G2
    names += ["green-circle"] * 20  # G3
    alpha = np.array([[0.2, 0.8, 0.0], [0.2, 0.0, 0.8]])
    scores = _labelled_scores(names, 3, 20, known, alpha, "learned")
    assert scores["draws"][0] == {"red-circle": 0.95}
    assert scores["assignment"] == {"r1": 1, "r2": 2, "r3": 0}
    assert scores["accuracy"] == {"r1": 100.0, "r2": 100.0, "r3": 95.0}
    assert scores["weight_recovery_error"] == 0.0 and scores["region_weight_error"] == 0.0
