"""Damage each file a run, a cache or a study holds, one at a time: the next command
repairs it (recomputes) or names it in a one-line error; never a traceback."""

from __future__ import annotations

import shutil

import pytest

from mixmiss.cli import main

DAMAGES = {
    "empty": lambda data: b"",
    "garbage": lambda data: b"\x00\xffnot what was here\x00",
    "half": lambda data: data[: len(data) // 2],
    "json of another shape": lambda data: b"[1, 2, 3]",
}


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """An MMGAN run, an LM-RBM run with its checkpoint, the cache they use and a study."""
    root = tmp_path_factory.mktemp("originals")
    cache = root / "cache"
    common = ["--no-progress"]
    assert main(["evaluator", "train", "--dataset", "digits", "--cache-dir", str(cache)]) == 0
    assert main(["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
                 "--out", str(root / "mmgan"), *common]) == 0  # fmt: skip
    assert main(["impute", "train", "--dataset", "digits", "--method", "lm-rbm", "--mechanism",
                 "im", "--rate", "0.5", "--preset", "smoke", "--max-train", "100",
                 "--out", str(root / "rbm"), *common]) == 0  # fmt: skip
    assert main(["impute", "eval", str(root / "rbm"), "--max-test", "20", "--cache-dir",
                 str(cache), *common]) == 0  # fmt: skip
    assert main(["reproduce", "table2", "--preset", "smoke", "--out", str(root / "study"),
                 "--cache-dir", str(cache), *common]) == 0  # fmt: skip
    return root


def _commands(root):
    cache = ["--cache-dir", str(root / "cache")]
    mmgan_eval = ["mmgan", "eval", str(root / "mmgan"), "--n", "40", "--n-fid", "40",
                  "--no-full-train-fid", *cache]  # fmt: skip
    rbm_eval = ["impute", "eval", str(root / "rbm"), "--max-test", "20", *cache, "--no-progress"]
    rbm_resume = ["impute", "train", "--dataset", "digits", "--method", "lm-rbm", "--mechanism",
                  "im", "--rate", "0.5", "--preset", "smoke", "--max-train", "100",
                  "--out", str(root / "rbm"), "--resume", "--no-progress"]  # fmt: skip
    return {
        "mmgan/config.json": mmgan_eval,
        "mmgan/checkpoint.pt": mmgan_eval,
        "mmgan/log.jsonl": ["mmgan", "train", "--out", str(root / "mmgan"), "--resume",
                            "--iters", "8", "--no-progress"],
        "rbm/run.json": rbm_eval,
        "rbm/imputer.json": rbm_eval,
        "rbm/state.pt": rbm_eval,
        "rbm/checkpoints/rbm_checkpoint.pt": rbm_resume,
        "cache/evaluators/digits.json": rbm_eval,
        "cache/evaluators/digits.pt": rbm_eval,
        "cache/fid": rbm_eval,  # the one statistics file in it
        "study/cells/smoke-digits-A-fixed-seed0.json": ["reproduce", "table2", "--preset",
                                                         "smoke", "--out", str(root / "study"),
                                                         "--report-only"],
    }  # fmt: skip


@pytest.mark.parametrize("damage", sorted(DAMAGES))
@pytest.mark.parametrize("target", sorted(_commands(__import__("pathlib").Path("/"))))
def test_a_damaged_file_is_repaired_or_named(target, damage, originals, tmp_path, capsys):
    root = tmp_path / "copy"
    shutil.copytree(originals, root)
    path = root / target
    if path.is_dir():
        (path,) = path.iterdir()
    if damage == "json of another shape" and path.suffix not in (".json", ".jsonl"):
        pytest.skip("only JSON files can hold JSON of another shape")
    path.write_bytes(DAMAGES[damage](path.read_bytes()))
    capsys.readouterr()
    code = main(_commands(root)[target])
    _, err = capsys.readouterr()
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("mixmiss: error: ") and err.count("\n") == 1, err
        assert path.name in err or path.parent.name in err, err
