"""Measure the Mean column's paper FID (reference LeNet) at Table 1's nine quick cells.

    PYTHONPATH=src python tools/lenet_fid_mean.py --out results/table1 [--data-dir D]
        [--cache-dir C] [--device cpu]

Writes ``<out>/lenet-fid-mean.json`` (the measurement, the check against the
paper, provenance, wall time) and ``<out>/lenet-fid-mean.md``; see
:mod:`mixmiss.experiments.table1.mean_fid`. The reference LeNet is taken from
the cache (trained there first, 100 epochs, when absent).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mixmiss.atomic import atomic_write_json, atomic_write_text
from mixmiss.context import Context
from mixmiss.experiments.table1.mean_fid import mean_fid_markdown, measure_mean_fid
from mixmiss.provenance import provenance


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory of the two output files")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    context = Context(data_dir=args.data_dir, cache_dir=args.cache_dir, device=args.device)
    result = measure_mean_fid(context=context)
    wall = time.perf_counter() - start
    record = provenance(["python", "tools/lenet_fid_mean.py", *argv])
    out = Path(args.out)
    atomic_write_json(
        out / "lenet-fid-mean.json",
        {**result, "provenance": record, "wall_seconds": round(wall, 1)},
    )
    markdown = mean_fid_markdown(result, record, wall)
    atomic_write_text(out / "lenet-fid-mean.md", markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
