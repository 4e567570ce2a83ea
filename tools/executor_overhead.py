"""Wall time of a smoke study on the local pool and on Ray, back to back, from clean caches.

Runs ``mixmiss reproduce table2 --preset smoke`` (the bundled 8x8 digits:
no data files) with ``--workers 2`` and with ``--executor ray`` (a local Ray
started by the command, on this machine's cores; bound to 127.0.0.1),
alternating, twice each, in two settings:

- ``clean``: an empty cache and output directory (the command also trains
  the digits evaluator, on the driver, the same way in both);
- ``warm_evaluator``: an empty output directory and a cache holding only
  the digits evaluator (trained once here first), so the difference is the
  executor: starting processes or Ray, and computing the six cells.

Prints a JSON report (``--out`` also writes it): every run's wall seconds,
the sum of its cells' wall seconds, and whether the Ray cells' metrics equal
the local ones (timings aside). Usage::

    python tools/executor_overhead.py --out results/cluster/overhead.json
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXECUTORS = {"local": ["--workers", "2"], "ray": ["--executor", "ray"]}
TIMINGS = ("train_seconds", "eval_seconds", "started_at_step")


def run(argv: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - start, 2)


def cells(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted((out / "cells").glob("*.json"))}


def metrics_without_timings(record: dict) -> dict:
    return {k: v for k, v in record["metrics"].items() if k not in TIMINGS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None, help="also write the JSON report here")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="executor-overhead-"))
    env = {**os.environ, "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}  # Ray on loopback only
    mixmiss = [sys.executable, "-m", "mixmiss"]
    evaluator_cache = root / "evaluator-cache"
    evaluator_seconds = run(
        [*mixmiss, "evaluator", "train", "--dataset", "digits", "--device", "cpu"],
        {**env, "MIXMISS_CACHE_DIR": str(evaluator_cache)},
    )
    runs = []
    for setting in ("clean", "warm_evaluator"):
        for round_ in range(args.rounds):
            for name, options in EXECUTORS.items():
                tag = f"{setting}-{round_}-{name}"
                cache, out = root / f"cache-{tag}", root / f"out-{tag}"
                if setting == "warm_evaluator":
                    shutil.copytree(evaluator_cache, cache)
                command = ["reproduce", "table2", "--preset", "smoke", "--out", str(out),
                           "--device", "cpu", "--no-progress", *options]  # fmt: skip
                seconds = run([*mixmiss, *command], {**env, "MIXMISS_CACHE_DIR": str(cache)})
                records = cells(out)
                runs.append({
                    "setting": setting, "round": round_, "executor": name,
                    "command": "mixmiss " + " ".join(command).replace(str(root), "$TMP"),
                    "wall_seconds": seconds, "cells": len(records),
                    "cells_wall_seconds": round(sum(r["wall_seconds"] for r in records.values()), 2),
                    "out": out,
                })  # fmt: skip
    equal = True
    for entry in runs:
        if entry["executor"] == "ray":
            twin = next(r for r in runs if r["executor"] == "local"
                        and (r["setting"], r["round"]) == (entry["setting"], entry["round"]))  # fmt: skip
            ours, theirs = cells(entry["out"]), cells(twin["out"])
            equal &= ours.keys() == theirs.keys() and all(
                metrics_without_timings(ours[k]) == metrics_without_timings(theirs[k]) for k in ours
            )
    for entry in runs:
        entry.pop("out")
    report = {
        "evaluator_train_seconds": evaluator_seconds,
        "runs": runs,
        "ray_metrics_equal_local": equal,
        "cpus": os.cpu_count(),
    }
    for setting in ("clean", "warm_evaluator"):
        for name in EXECUTORS:
            chosen = [r for r in runs if (r["setting"], r["executor"]) == (setting, name)]
            walls = [r["wall_seconds"] for r in chosen]
            report[f"{setting}_{name}_min_wall_seconds"] = min(walls)
    text = json.dumps(report, indent=2, sort_keys=True) + "\n"
    if args.out:
        from mixmiss.atomic import atomic_write_text

        atomic_write_text(args.out, text)
    print(text, end="")
    shutil.rmtree(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
