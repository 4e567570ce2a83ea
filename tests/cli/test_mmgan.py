import json

import numpy as np
import pytest

from mixmiss.evaluators import train_evaluator


def _train_smoke(run, out, *extra, dataset="digits", data_dir=None):
    args = [
        "mmgan",
        "train",
        "--dataset",
        dataset,
        "--case",
        "A",
        "--preset",
        "smoke",
        "--out",
        out,
        "--no-progress",
        *extra,
    ]
    if data_dir is not None:
        args += ["--data-dir", data_dir]
    return run(*args)


def _eval_json(run, run_dir, cache, data_dir=None):
    args = [
        "mmgan",
        "eval",
        run_dir,
        "--n",
        "200",
        "--n-fid",
        "200",
        "--no-full-train-fid",
        "--json",
        "--cache-dir",
        cache,
    ]
    if data_dir is not None:
        args += ["--data-dir", data_dir]
    code, out, err = run(*args)
    assert code == 0, err
    return json.loads(out)


def test_train_sample_figure_eval_on_digits(capsys, tmp_path, private_cache, run):
    out = tmp_path / "run"
    code, _, err = _train_smoke(run, out, "--fixed-priors", "--iters", "4", "--seed", "3")
    assert code == 0, err
    config = json.loads((out / "config.json").read_text())
    assert config["run"]["config"]["iters"] == 4 and config["run"]["config"]["seed"] == 3
    assert config["provenance"]["command"].startswith("mixmiss mmgan train")

    code, _, err = run(
        "mmgan",
        "sample",
        out,
        "--distribution",
        "2",
        "--n",
        "10",
        "--out",
        tmp_path / "s.png",
    )
    assert code == 0, err and (tmp_path / "s.png").read_bytes()[:4] == b"\x89PNG"
    code, _, err = run("mmgan", "figure", out)
    assert code == 0 and (out / "components.png").is_file()

    train_evaluator("digits", epochs=3, progress=False)
    report = _eval_json(run, out, private_cache)
    assert report["dataset"] == "digits" and report["case"] == "A"
    assert report["regions"] == {"r1": "S1\\S2", "r2": "S2\\S1", "r3": "S1∩S2"}
    assert set(report["accuracy"]) == {"r1", "r2", "r3"} and report["random"] == 0.5
    assert np.allclose(report["alpha"], report["true_priors"], atol=1e-4)

    code, _, err = run("mmgan", "train", "--out", out, "--resume", "--iters", "6", "--no-progress",
                       "--snapshot-every", "1")  # fmt: skip
    assert code == 0, err
    assert json.loads((out / "config.json").read_text())["resumes"][0]["step"] == 4
    assert sorted(p.name for p in (out / "snapshots").iterdir()) == [
        "step-0000005.pt", "step-0000006.pt"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["mmgan", "train", "--dataset", "digits", "--case", "Q", "--preset", "smoke"],
            "unknown case",
        ),
        (
            ["mmgan", "train", "--dataset", "digits", "--sets", "0-6;;", "--preset", "smoke"],
            "empty",
        ),
        (["mmgan", "train", "--preset", "smoke"], "give --dataset"),
        (["mmgan", "train", "--resume"], "not an MMGAN run directory"),
        (
            [
                "mmgan",
                "train",
                "--dataset",
                "digits",
                "--case",
                "A",
                "--preset",
                "smoke",
                "--fixed-priors",
                "--naive",
            ],
            "exclude each other",
        ),
    ],
)
def test_bad_train_arguments_give_one_line_errors(capsys, tmp_path, argv, message, run):
    code, _, err = run(*argv, "--out", tmp_path / "x", "--no-progress")
    assert code == 2
    assert message in err and err.startswith("mixmiss: error:") and err.count("\n") == 1


def test_bad_distribution_and_missing_run(tmp_path, run):
    out = tmp_path / "run"
    assert _train_smoke(run, out, "--iters", "1")[0] == 0
    code, _, err = run("mmgan", "sample", out, "--distribution", "5", "--out", tmp_path / "x.png")
    assert code == 2 and "distributions 1..2" in err
    code, _, err = run("mmgan", "eval", tmp_path / "missing", "--json")
    assert code == 2 and "not an MMGAN run directory" in err


@pytest.mark.real_data
def test_smoke_on_real_mnist_trains_resumes_samples_draws_and_evaluates(
    run, tmp_path, mnist_dir, private_cache
):
    out = tmp_path / "mnist"
    code, _, err = _train_smoke(
        run, out, "--iters", "2", "--fixed-priors", dataset="mnist", data_dir=mnist_dir
    )
    assert code == 0, err
    code, _, err = run(
        "mmgan",
        "train",
        "--out",
        out,
        "--resume",
        "--iters",
        "3",
        "--no-progress",
        "--data-dir",
        mnist_dir,
    )
    assert code == 0, err
    code, _, err = run(
        "mmgan",
        "sample",
        out,
        "--distribution",
        "1",
        "--n",
        "16",
        "--out",
        tmp_path / "s.png",
    )
    assert code == 0, err
    assert run("mmgan", "figure", out)[0] == 0
    train_evaluator("mnist", data_dir=mnist_dir, epochs=1, max_train=2000, progress=False)
    report = _eval_json(run, out, private_cache, mnist_dir)
    assert report["dataset"] == "mnist" and report["step"] == 3
    assert report["true_priors"][0][0] == pytest.approx(0.6, abs=0.03)  # {0,1,2} part of S1
    assert len(report["fid"]) == 2


@pytest.fixture(scope="module")
def shape_folders(tmp_path_factory):
    """Tiny shapes: class folders and the collections "reds" / "circles" (24 px, 4 per class)."""
    from mixmiss.data.folders import write_class_folders, write_collections
    from mixmiss.data.shapes import make_shapes

    root = tmp_path_factory.mktemp("shapes")
    dataset = make_shapes(4, 24, seed=0)
    write_class_folders(dataset, root / "classes")
    write_collections(dataset, {"reds": "red-*", "circles": "*-circle"}, root / "coll")
    return root


def test_train_on_a_labelled_folder_and_on_collections(tmp_path, shape_folders, run):
    classes, coll = shape_folders / "classes", shape_folders / "coll"
    common = ("--preset", "smoke", "--no-progress", "--iters", "2")
    code, _, err = run(
        "mmgan", "train", "--data", classes, "--sets", "red-*;*-circle", "--out", tmp_path / "f",
        *common,
    )  # fmt: skip
    assert code == 0, err
    info = json.loads((tmp_path / "f" / "config.json").read_text())["run"]
    assert info["channels"] == 3 and info["image_size"] == 32 and info["num_components"] == 3
    assert info["true_priors"] == [[0.8, 0.0, 0.2], [0.0, 0.8, 0.2]]
    code, _, err = run(
        "mmgan", "train", "--collections", coll / "reds", coll / "circles", "--resolution", 64,
        "--channels", 1, "--components", 5, "--out", tmp_path / "c", *common,
    )  # fmt: skip
    assert code == 0, err
    info = json.loads((tmp_path / "c" / "config.json").read_text())["run"]
    assert info["image_size"] == 64 and "channels" not in info and info["num_components"] == 5
    assert info["regions"] == {} and info["true_priors"] == [[], []]
    code, _, err = run("mmgan", "train", "--out", tmp_path / "c", "--resume", "--iters", 3)
    assert code == 0, err
    code, _, err = run(
        "mmgan", "train", "--out", tmp_path / "c", "--resume", "--components", 4, "--iters", 4
    )
    assert code == 2 and "--components 4 (the run has 5)" in err
    code, _, err = run("mmgan", "figure", tmp_path / "f")
    assert code == 0 and (tmp_path / "f" / "components.png").is_file()
    code, out, err = run("mmgan", "eval", tmp_path / "c", "--n", 8, "--n-fid", 8)
    assert code == 0, err
    assert "G5" in out and "reds=" in out and (tmp_path / "c" / "components" / "G5.png").is_file()
    code, _, err = run("mmgan", "eval", tmp_path / "c", "--n", 8, "--truth", coll / "truth.json")
    assert code == 2 and "1 channel(s)" in err
    code, out, err = run("mmgan", "eval", tmp_path / "f", "--n", 8, "--n-fid", 8)
    assert code == 0 and "weight recovery error" in out and "accuracy" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--data", "{classes}"], "--data needs --sets"),
        (["--collections", "{reds}", "{reds}/../circles", "--case", "A"], "drop --case/--sets"),
        (["--collections", "{reds}"], "at least two collections"),
        (["--data", "{classes}", "--sets", "purple-*"], "'purple-*' names no class"),
        (["--dataset", "digits", "--case", "A", "--resolution", "32"], "its own size"),
    ],
)
def test_bad_folder_arguments_give_one_line_errors(tmp_path, shape_folders, extra, message, run):
    paths = {"classes": shape_folders / "classes", "reds": shape_folders / "coll" / "reds"}
    argv = [a.format(**paths) for a in extra]
    code, _, err = run("mmgan", "train", *argv, "--preset", "smoke", "--out", tmp_path / "x")
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "x").exists()


def test_an_unreadable_image_in_a_collection_is_named(tmp_path, shape_folders, run):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(shape_folders / "coll" / "reds", bad)
    (bad / "zz-broken.jpg").write_bytes(b"not a jpeg")
    code, _, err = run(
        "mmgan", "train", "--collections", bad, shape_folders / "coll" / "circles",
        "--preset", "smoke", "--out", tmp_path / "x",
    )  # fmt: skip
    assert code == 2 and "zz-broken.jpg" in err and not (tmp_path / "x").exists()
