"""A sweep of bad inputs through the CLI and the Python API (issue #21).

Every input here is wrong in one way. Each outcome is classified:

- ``error``: a :class:`mixmiss.errors.MixmissError` (API), or exit status 2 with
  one ``mixmiss: error:`` line or argparse's usage error (CLI);
- ``traceback``: any other exception;
- ``accepted``: it ran (listed for review: a silent result unless the input was
  legitimately fine).

Usage: ``python tools/hostile_sweep.py OUT_DIR`` (needs MIXMISS_DATA_DIR for the
MNIST cases); writes ``OUT_DIR/sweep.json`` and ``OUT_DIR/sweep.md``.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from sklearn.exceptions import NotFittedError

from mixmiss.atomic import atomic_write_json, atomic_write_text
from mixmiss.cli import main
from mixmiss.context import Context
from mixmiss.data import ImageDataset, load_dataset, make_mask, venn_split
from mixmiss.errors import MixmissError
from mixmiss.mmgan import MMGANConfig, make_config
from mixmiss.provenance import provenance
from mixmiss.rbm import RBMImputer
from mixmiss.registry import load_imputer, make_imputer


def cli_cases(tmp: Path) -> list[tuple[str, list[str]]]:
    run = tmp / "mean-run"
    assert main(["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism", "im",
                 "--rate", "0.5", "--preset", "smoke", "--max-train", "40", "--out", str(run),
                 "--no-progress"]) == 0  # fmt: skip
    mm = tmp / "mmgan-run"
    assert main(["mmgan", "train", "--dataset", "digits", "--case", "A", "--preset", "smoke",
                 "--out", str(mm), "--no-progress"]) == 0  # fmt: skip
    afile = tmp / "a-file"
    afile.write_text("x")
    imp = ["impute", "train", "--dataset", "digits", "--method", "mean", "--mechanism", "im",
           "--rate", "0.5", "--preset", "smoke", "--max-train", "40", "--no-progress"]  # fmt: skip
    cases = []

    def with_option(base, option, values, out=True):
        for value in values:
            argv = [a for a in base]
            if option in argv:
                i = argv.index(option)
                argv[i + 1] = value
            else:
                argv += [option, value]
            if out:
                argv += ["--out", str(tmp / f"o{len(cases)}")]
            cases.append((f"impute train {option}", argv))

    with_option(imp, "--rate", ["-1", "0", "1", "2", "nan", "inf", "abc", "", "1e-300x"])
    with_option(imp, "--mechanism", ["xx", "", "IM", "i m"])
    with_option(imp, "--method", ["gain", "", "MEAN"])
    with_option(imp, "--seed", ["-1", "1.5", "abc", str(2**70), ""])
    with_option(imp, "--max-train", ["0", "-5", "abc", "1.5"])
    with_option(imp, "--set", ["novalue", "=3", "random_state=1", "device=cuda", "unknown=1",
                               "fill=1"])  # fmt: skip
    with_option(imp, "--device", ["tpu", "cuda:99", ""])
    with_option(imp, "--preset", ["fast", ""])
    with_option(imp, "--dataset", ["svhn", "", "MNIST"])
    for out in (afile, afile / "sub", run):
        cases.append(("impute train --out", [*imp, "--out", str(out)]))
    cases.append(("impute train --so hides nothing", [*imp, "--mechanism", "so", "--rate", "0.05",
                                                      "--out", str(tmp / "so")]))  # fmt: skip
    cases.append(("impute train --resume", [*imp, "--out", str(mm), "--resume"]))
    cases.append(("impute train --resume", [*imp, "--out", str(tmp / "nothing"), "--resume"]))
    cases.append(("impute train --resume", [*imp, "--rate", "0.7", "--out", str(run), "--resume"]))
    ev = ["impute", "eval", str(run), "--no-progress"]
    for option, values in {
        "--seed": ["-1", "x"], "--max-test": ["0", "-1", "x"], "--max-train": ["0", "-3"],
        "--device": ["tpu"], "--cache-dir": [str(afile)],
    }.items():  # fmt: skip
        for value in values:
            cases.append((f"impute eval {option}", [*ev, option, value]))
    for directory in (tmp / "nothing", mm, afile, tmp):
        cases.append(("impute eval DIR", ["impute", "eval", str(directory), "--no-progress"]))

    mmt = ["mmgan", "train", "--dataset", "digits", "--preset", "smoke", "--no-progress"]
    for sets in ["Z", "0-6;x", "0-6;0-6", "0-12;3-9", "-1-3;3-9", "", ";", "0-6", "3-0;1",
                 "0,1;;2", "a-b;c", "0-6;3-9;", "1;1;1;1;1;1;1;1;1;1;1", "0-6;3-9;4-2"]:  # fmt: skip
        cases.append(("mmgan train --sets", [*mmt, "--sets", sets, "--out", str(tmp / "m")]))
    for option, values in {"--case": ["Z", "", "AB"], "--iters": ["0", "-1", "x", "1.5"],
                           "--seed": ["-1", "x"], "--device": ["tpu"]}.items():  # fmt: skip
        for value in values:
            argv = [*mmt, "--case", "A", option, value, "--out", str(tmp / "m")]
            if option == "--case":
                argv = [*mmt, option, value, "--out", str(tmp / "m")]
            cases.append((f"mmgan train {option}", argv))
    cases.append(("mmgan train", [*mmt, "--out", str(tmp / "m")]))  # no case
    cases.append(("mmgan train", [*mmt, "--case", "A", "--fixed-priors", "--naive",
                                  "--out", str(tmp / "m")]))  # fmt: skip
    cases.append(("mmgan train --out", [*mmt, "--case", "A", "--out", str(mm)]))
    cases.append(("mmgan train --out", [*mmt, "--case", "A", "--out", str(afile / "x")]))
    for extra in (["--iters", "3"], ["--dataset", "mnist"], ["--case", "B"], ["--seed", "7"],
                  ["--preset", "quick"]):  # fmt: skip
        cases.append(("mmgan train --resume", ["mmgan", "train", "--out", str(mm), "--resume",
                                               "--no-progress", *extra]))  # fmt: skip
    cases.append(("mmgan train --resume", ["mmgan", "train", "--out", str(tmp / "no"), "--resume"]))
    for dist in ("0", "3", "-1", "x"):
        cases.append(("mmgan sample --distribution", ["mmgan", "sample", str(mm), "--distribution",
                                                      dist, "--out", str(tmp / "s.png")]))  # fmt: skip
    for n in ("0", "-1", "x"):
        cases.append(("mmgan sample --n", ["mmgan", "sample", str(mm), "--distribution", "1",
                                           "--n", n, "--out", str(tmp / "s.png")]))  # fmt: skip
    for out in (tmp, afile / "x.png"):
        cases.append(("mmgan sample --out", ["mmgan", "sample", str(mm), "--distribution", "1",
                                             "--out", str(out)]))  # fmt: skip
    for directory in (tmp / "no", run, afile):
        for action in ("sample", "figure", "eval"):
            extra = (
                ["--distribution", "1", "--out", str(tmp / "s.png")] if action == "sample" else []
            )
            cases.append((f"mmgan {action} RUN", ["mmgan", action, str(directory), *extra]))
    for option, value in (("--n", "0"), ("--n-fid", "1"), ("--n", "-4"), ("--seed", "-2")):
        cases.append((f"mmgan eval {option}", ["mmgan", "eval", str(mm), option, value]))
    cases.append(("mmgan figure --out", ["mmgan", "figure", str(mm), "--out", str(tmp)]))

    for dataset in ("svhn", ""):
        cases.append(("evaluator train", ["evaluator", "train", "--dataset", dataset]))
    cases.append(("evaluator train --seed", ["evaluator", "train", "--dataset", "digits",
                                             "--seed", "-1"]))  # fmt: skip
    cases.append(("evaluator show", ["evaluator", "show", "--dataset", "digits", "--cache-dir",
                                     str(tmp / "empty-cache")]))  # fmt: skip
    cases.append(("evaluator show", ["evaluator", "show", "--dataset", "digits", "--cache-dir",
                                     str(afile)]))  # fmt: skip
    for data_dir in (tmp / "no-data", afile):
        cases.append(("data check --data-dir", ["data", "check", "--data-dir", str(data_dir)]))
    rep = ["reproduce", "table2", "--no-progress"]
    for extra in (["--preset", "huge", "--out", str(tmp / "r")],
                  ["--preset", "smoke", "--out", str(afile)],
                  ["--preset", "smoke", "--out", str(afile / "x")],
                  ["--preset", "smoke", "--workers", "0", "--out", str(tmp / "r")],
                  ["--preset", "smoke", "--workers", "-2", "--out", str(tmp / "r")],
                  ["--preset", "smoke", "--workers", "x", "--out", str(tmp / "r")]):  # fmt: skip
        cases.append(("reproduce table2", [*rep, *extra]))
    for dataset in ("digits", "svhn"):
        cases.append(("reproduce table1 --dataset", ["reproduce", "table1", "--preset", "smoke",
                                                     "--dataset", dataset, "--out",
                                                     str(tmp / "t1")]))  # fmt: skip
    cases.append(("reproduce table3", ["reproduce", "table3", "--out", str(tmp / "t3")]))
    for extra in (["--dataset", "fashion-mnist"], ["--out", str(afile)],
                  ["--out", str(afile / "x")], ["--seed", "-1"], ["--out", str(run)]):  # fmt: skip
        cases.append(("demo", ["demo", "--no-progress", *extra]))
    for name in ("gpu", "", "rbm --epochs x"):
        cases.append(("bench", ["bench", *name.split()] if name else ["bench"]))
    cases.append(("no command", []))
    cases.append(("unknown command", ["train"]))
    return cases


RNG = np.random.default_rng(0)


def api_cases() -> list[tuple[str, object]]:
    g = torch.Generator().manual_seed(0)
    digits = load_dataset("digits")
    x = torch.rand(6, 1, 8, 8)
    m = (torch.rand(6, 1, 8, 8) > 0.5).float()
    fitted = make_imputer("mean").fit(x, m, progress=False)
    cases = [
        ("make_mask", lambda: make_mask("im", 4, 8, 0.5, g)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8), 0.5, 42)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8), 0.5, np.random.default_rng(0))),
        ("make_mask", lambda: make_mask("xx", 4, (8, 8), 0.5, g)),
        ("make_mask", lambda: make_mask("im", 0, (8, 8), 0.5, g)),
        ("make_mask", lambda: make_mask("im", -1, (8, 8), 0.5, g)),
        ("make_mask", lambda: make_mask("im", 2.5, (8, 8), 0.5, g)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8), 1.5, g)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8), float("nan"), g)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8), "0.5", g)),
        ("make_mask", lambda: make_mask("im", 4, (0, 8), 0.5, g)),
        ("make_mask", lambda: make_mask("im", 4, (8, 8, 1), 0.5, g)),
        ("make_mask", lambda: make_mask("im", 4, None, 0.5, g)),
        ("make_mask", lambda: make_mask("so", 4, (8, 8), 0.05, g)),
        ("make_mask", lambda: make_mask("so", 4, (1, 1), 0.5, g)),
        ("make_mask", lambda: make_mask("pm", 4, (8.0, 8), 0.5, g)),
        ("venn_split", lambda: venn_split(digits, None)),
        ("venn_split", lambda: venn_split(digits, 5)),
        ("venn_split", lambda: venn_split(digits.images, "A", g)),
        ("venn_split", lambda: venn_split(digits, "A", 3)),
        ("venn_split", lambda: venn_split(digits, "Q")),
        ("venn_split", lambda: venn_split(digits, "0-6;0-6")),
        ("venn_split", lambda: venn_split(digits, [[0, 1], []])),
        ("venn_split", lambda: venn_split(digits, [[0, 11]])),
        ("venn_split", lambda: venn_split(digits, [["a"]])),
        ("venn_split", lambda: venn_split(digits, [])),
        ("load_dataset", lambda: load_dataset("svhn")),
        ("load_dataset", lambda: load_dataset("digits", "valid")),
        ("load_dataset", lambda: load_dataset("digits", limit=0)),
        ("load_dataset", lambda: load_dataset("digits", limit=-3)),
        ("load_dataset", lambda: load_dataset("digits", limit="5")),
        ("ImageDataset", lambda: ImageDataset(x, torch.zeros(3), "d", "train", ("a",))),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x, m[:3], progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x[:, 0], m[:, 0], progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x * 5, m, progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x - 1, m, progress=False)),
        (
            "Imputer.fit",
            lambda: make_imputer("mean").fit(
                x.fill_(float("nan")) if False else torch.full_like(x, float("nan")),
                m,
                progress=False,
            ),
        ),  # fmt: skip
        ("Imputer.fit", lambda: make_imputer("mean").fit(x, m.to(torch.complex64), progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x, m * 2, progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit("images", m, progress=False)),
        ("Imputer.fit", lambda: make_imputer("mean").fit(x[:0], m[:0], progress=False)),
        ("Imputer.impute", lambda: make_imputer("mean").impute(x, m)),
        ("Imputer.impute", lambda: fitted.impute(torch.rand(2, 1, 4, 4), torch.ones(2, 1, 4, 4))),
        ("Imputer.impute", lambda: fitted.impute(x, m[:2])),
        ("make_imputer", lambda: make_imputer("gain")),
        ("make_imputer", lambda: make_imputer("mean", "fast")),
        ("make_imputer", lambda: make_imputer("rbm", "smoke", epochs=0).fit(x, m, progress=False)),
        (
            "make_imputer",
            lambda: make_imputer("rbm", "smoke", learning_rate=-1).fit(x, m, progress=False),
        ),
        ("make_imputer", lambda: make_imputer("misgan", "smoke").fit(x, m, progress=False)),
        ("make_imputer", lambda: make_imputer("inpaint", nonsense=3)),
        ("load_imputer", lambda: load_imputer("/nonexistent/dir")),
        ("RBMImputer", lambda: RBMImputer(n_components=0).fit(RNG.uniform(size=(20, 5)))),
        ("RBMImputer", lambda: RBMImputer(method="x").fit(RNG.uniform(size=(20, 5)))),
        ("RBMImputer", lambda: RBMImputer().fit(np.full((10, 3), np.nan))),
        ("RBMImputer", lambda: RBMImputer().transform(RNG.uniform(size=(3, 3)))),
        ("make_config", lambda: make_config("quick", itres=5)),
        ("make_config", lambda: make_config("quick", dataset="svhn", sets="A")),
        ("make_config", lambda: make_config("quick", iters=0, dataset="digits", sets="A")),
        ("make_config", lambda: make_config("huge")),
        ("MMGANConfig", lambda: MMGANConfig(lam=float("nan"))),
        ("MMGANConfig", lambda: MMGANConfig(num_components=True)),
        ("MMGANConfig", lambda: MMGANConfig(lr=-1.0)),
        ("MMGANConfig.from_dict", lambda: MMGANConfig.from_dict("abc")),
        ("Context", lambda: Context(device="tpu").device and make_imputer("mean", device="tpu")),
    ]
    return cases


def classify_api(fn) -> tuple[str, str]:
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            fn()
    except (MixmissError, NotFittedError) as exc:  # NotFittedError: scikit-learn's contract
        one_line = "\n" not in str(exc)
        return ("error" if one_line else "multi-line error"), str(exc)[:160]
    except Exception as exc:  # noqa: BLE001 - the point of the sweep
        return "traceback", f"{type(exc).__name__}: {str(exc)[:140]}"
    return "accepted", ""


def classify_cli(argv: list[str]) -> tuple[str, str]:
    err = io.StringIO()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
    except SystemExit as exc:
        code = exc.code
        text = err.getvalue()
        return ("error" if code == 2 and "error:" in text else "traceback"), text.strip()[-160:]
    except Exception as exc:  # noqa: BLE001
        return "traceback", f"{type(exc).__name__}: {str(exc)[:140]}"
    text = err.getvalue().strip()
    if code == 0:
        return "accepted", ""
    if argv[:2] == ["data", "check"] and code == 1:
        return "error", "reported: the check's JSON says ok: false, exit status 1"
    lines = [line for line in text.splitlines() if line.startswith("mixmiss:")]
    ok = code == 2 and len(lines) == 1 and lines[0].startswith("mixmiss: error: ")
    return ("error" if ok else "traceback"), (lines[-1] if lines else text)[:160]


def main_sweep(out: Path) -> None:
    start = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for category, argv in cli_cases(Path(tmp)):
            outcome, message = classify_cli(argv)
            results.append({"kind": "cli", "category": category, "input": " ".join(argv)
                            .replace(tmp, "$TMP"), "outcome": outcome,
                            "message": message.replace(tmp, "$TMP")})  # fmt: skip
    for category, fn in api_cases():
        outcome, message = classify_api(fn)
        results.append({"kind": "api", "category": category, "outcome": outcome,
                        "message": message})  # fmt: skip
    seconds = round(time.perf_counter() - start, 1)
    counts = Counter(r["outcome"] for r in results)
    by_category = Counter((r["kind"], r["category"].split(" --")[0], r["outcome"]) for r in results)
    record = {"provenance": provenance(["python", "tools/hostile_sweep.py", str(out)]),
              "wall_seconds": seconds, "counts": dict(counts), "results": results}  # fmt: skip
    atomic_write_json(out / "sweep.json", record)
    rows = "\n".join(f"| {k} | {c} | {o} | {n} |" for (k, c, o), n in sorted(by_category.items()))
    flagged = "\n".join(f"- {r['kind']} {r['category']}: `{r.get('input', '')}` -> {r['outcome']}: "
                        f"{r['message']}" for r in results if r["outcome"] != "error")  # fmt: skip
    atomic_write_text(
        out / "sweep.md",
        f"""# Hostile sweep: {len(results)} bad inputs

`python tools/hostile_sweep.py {out}` at git revision {record["provenance"]["git_revision"]},
{record["provenance"]["machine"]}, {seconds} s. Outcomes: {dict(counts)}.

| kind | command or function | outcome | inputs |
|---|---|---|---|
{rows}

## Not a one-line error (reviewed in the closing note)

{flagged or "None."}
""",
    )
    print(json.dumps(dict(counts)))


if __name__ == "__main__":
    main_sweep(Path(sys.argv[1]))
