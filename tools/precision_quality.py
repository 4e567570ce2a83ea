"""Quality guard of the bf16 setting: the same seed trained in fp32 and in bf16, side by side.

    MIXMISS_DATA_DIR=... python tools/precision_quality.py --work DIR [--out results/bench/precision.quality]

Issue #16 asks that bf16 training be as good as fp32 training of the same
seed: RBM / LM-RBM paper-RMSE within 0.002 (quick preset, I.M. 0.6), MMGAN
average accuracy within 1 point (quick preset, case A), MisGAN losses and
RMSE that track fp32. This runs each pair through the command line, one
training at a time (never two on the cores at once):

- ``impute train --method rbm|lm-rbm --mechanism im --rate 0.6 --preset quick
  --seed 0 --precision fp32|bf16``, then ``impute eval --seed 0
  --no-paper-fid --json`` (the paper's RMSE on the test set's missing pixels);
- ``impute train --method misgan`` likewise, on the first 10,000 training
  images for 6 epochs (``--max-train 10000 --set epochs=6``) so that the
  per-epoch loss history has six points at the cost of ~1.2 quick epochs;
- ``mmgan train --case A --preset quick --seed 0 --precision fp32|bf16``, with
  learned weights and with ``--fixed-priors`` (Table 2's setting), then
  ``mmgan eval --json`` (Table 2's average accuracy).

``bf16`` is asked for explicitly, so on a CPU without native bf16 products
the bf16 runs are emulated and very slow: run this where ``auto`` resolves to
bf16. Each run directory is kept under ``--work``; a rerun skips what has
finished (a report that exists), so the guard can be stopped and resumed.
The report (JSON and markdown) gives each pair's figures, their difference,
the tolerance and the wall seconds of every command.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from mixmiss.atomic import load_checkpoint
from mixmiss.experiments.imputation import CHECKPOINT_DIR

PRECISIONS = ("fp32", "bf16")
IMPUTE = ("--dataset", "mnist", "--mechanism", "im", "--rate", "0.6", "--preset", "quick")
MISGAN_SUBSET = ("--max-train", "10000", "--set", "epochs=6")


def mixmiss(*args: str) -> list[str]:
    return [sys.executable, "-m", "mixmiss", *args]


def run_once(command: list[str], record: Path, report: bool = False) -> tuple[dict | None, float]:
    """Run ``command`` unless ``record`` holds its outcome; returns (its JSON report, when
    ``report`` says its stdout is one, and its wall seconds), kept in ``record`` (atomically)."""
    if record.exists():
        saved = json.loads(record.read_text())
        return saved["report"], saved["seconds"]
    print("+", " ".join(command[2:]), flush=True)
    start = time.perf_counter()
    done = subprocess.run(
        command, check=True, stdout=subprocess.PIPE if report else None, text=True
    )
    saved = {
        "report": json.loads(done.stdout) if report else None,
        "seconds": time.perf_counter() - start,
    }
    partial = record.with_suffix(".partial")
    partial.write_text(json.dumps(saved))
    partial.replace(record)
    return saved["report"], saved["seconds"]


def training_history(run_dir: Path) -> list | None:
    """The per-epoch history a run's checkpoint keeps (MisGAN: mean critic losses; the
    RBMs: reconstruction error), if it has one."""
    for path in sorted((run_dir / CHECKPOINT_DIR).glob("*.pt")):
        state = load_checkpoint(path)
        if "history" in state:
            return state["history"]
    return None


def imputer_pair(work: Path, method: str, extra: tuple[str, ...] = ()) -> dict:
    out = {}
    for precision in PRECISIONS:
        run_dir = work / f"{method}-{precision}"
        train = mixmiss(
            "impute", "train", *IMPUTE, *extra,
            *f"--method {method} --seed 0 --precision {precision} --no-progress".split(),
            "--out", str(run_dir),
        )  # fmt: skip
        _, train_seconds = run_once(train, work / f"{method}-{precision}.trained.json")
        evaluation = mixmiss(
            "impute", "eval", str(run_dir), *extra[:2],
            *"--seed 0 --no-paper-fid --json --no-progress".split(),
        )  # fmt: skip
        report, eval_seconds = run_once(evaluation, work / f"{method}-{precision}.eval.json", True)
        history = training_history(run_dir)
        out[precision] = {
            "rmse": report["rmse"],
            "accuracy": report.get("accuracy"),
            "train_seconds": round(train_seconds, 1),
            "eval_seconds": round(eval_seconds, 1),
            **({"history": history} if history is not None else {}),
        }
    return out


def mmgan_pair(work: Path, fixed: bool = False) -> dict:
    """Case A with learned weights (the runs of Fig. 2) or, ``fixed``, with the weights
    fixed to the true priors (Table 2's setting)."""
    out = {}
    for precision in PRECISIONS:
        name = f"mmgan-A{'-fixed' if fixed else ''}-{precision}"
        run_dir = work / name
        train = mixmiss(
            "mmgan", "train",
            *f"--dataset mnist --case A --preset quick --seed 0 --precision {precision}".split(),
            *(["--fixed-priors"] if fixed else []), "--no-progress", "--out", str(run_dir),
        )  # fmt: skip
        _, train_seconds = run_once(train, work / f"{name}.trained.json")
        evaluation = mixmiss("mmgan", "eval", str(run_dir), "--json")
        report, eval_seconds = run_once(evaluation, work / f"{name}.eval.json", True)
        out[precision] = {
            "average_accuracy": report["avg"],  # Table 2's average accuracy (percent)
            "train_seconds": round(train_seconds, 1),
            "eval_seconds": round(eval_seconds, 1),
        }
    return out


TOLERANCE = {
    "rbm": ("rmse", 0.002),
    "lm-rbm": ("rmse", 0.002),
    "mmgan": ("average_accuracy", 1.0),
    "mmgan-fixed": ("average_accuracy", 1.0),
}


def _losses(row: dict) -> str:
    return ", ".join(f"{row[f'{critic}_critic_loss']:.3f}" for critic in ("data", "mask", "impute"))


def markdown(pairs: dict) -> str:
    """The report: each pair's figure in fp32 and bf16, the difference, the tolerance."""
    lines = [
        "| run | figure | fp32 | bf16 | bf16 - fp32 | tolerance | train s fp32 / bf16 |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, pair in pairs.items():
        key, tolerance = TOLERANCE.get(name, ("rmse", None))
        a, b = pair["fp32"][key], pair["bf16"][key]
        verdict = (
            "" if tolerance is None else (" (within)" if abs(b - a) <= tolerance else " (OUT)")
        )
        lines.append(
            f"| {name} | {key} | {a:.4f} | {b:.4f} | {b - a:+.4f}{verdict} | "
            f"{'tracks' if tolerance is None else tolerance} | "
            f"{pair['fp32']['train_seconds']} / {pair['bf16']['train_seconds']} |"
        )
    if "misgan" in pairs:
        lines += ["", "MisGAN mean critic losses per epoch (data, mask, impute), fp32 | bf16:", ""]
        lines += ["| epoch | fp32 | bf16 |", "|---|---|---|"]
        fp32, bf16 = (pairs["misgan"][p].get("history") or [] for p in PRECISIONS)
        for epoch, (a, b) in enumerate(zip(fp32, bf16, strict=False), 1):
            lines.append(f"| {epoch} | {_losses(a)} | {_losses(b)} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="run directories (resumable)")
    parser.add_argument("--out", type=Path, default=Path("results/bench/precision.quality"))
    parser.add_argument(
        "--only", nargs="*", default=["rbm", "lm-rbm", "misgan", "mmgan", "mmgan-fixed"]
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    pairs = {}
    for name in args.only:
        if name in ("mmgan", "mmgan-fixed"):
            pairs[name] = mmgan_pair(args.work, fixed=name == "mmgan-fixed")
        else:
            pairs[name] = imputer_pair(args.work, name, MISGAN_SUBSET if name == "misgan" else ())
    Path(f"{args.out}.json").write_text(json.dumps(pairs, indent=1) + "\n")
    Path(f"{args.out}.table.md").write_text(markdown(pairs))
    print(json.dumps(pairs, indent=1))


if __name__ == "__main__":
    main()
