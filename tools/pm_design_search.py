"""Search the P.M. design against the paper's Mean column (RMSE, LeNet FID, accuracy).

    PYTHONPATH=src python tools/pm_design_search.py --out results/table1/pm-design-search \
        [--counts 4,8,16,32,64] [--finalists 3] [--data-dir D] [--cache-dir C]

Writes ``<out>/rows.json`` after every measurement (a killed search resumes
from it: rerun the same command) and, at the end, ``<out>/search.md`` and
``<out>/search.png``; see :mod:`mixmiss.experiments.table1.pm_search`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from mixmiss.atomic import atomic_write_json, atomic_write_text
from mixmiss.context import Context
from mixmiss.evaluators import get_lenet
from mixmiss.experiments.table1.pm_search import design_grid, search, search_markdown
from mixmiss.experiments.table1.pm_search_figure import plot_search
from mixmiss.provenance import provenance


def _design(text: str) -> dict:
    count, sides, placement = text.split(",")
    return {"count": int(count), "sides": sides, "placement": placement}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="directory of the search's files")
    parser.add_argument("--counts", default="1,2,4,8,16,32,64,128", help="rectangles per image")
    parser.add_argument("--finalists", type=int, default=6)
    parser.add_argument(
        "--accuracy-for",
        nargs="*",
        default=[],
        metavar="COUNT,SIDES,PLACEMENT",
        help="designs whose accuracy stage 2 measures as well, e.g. 32,fixed,overhang",
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    out = Path(args.out)
    rows_path = out / "rows.json"
    done = json.loads(rows_path.read_text())["rows"] if rows_path.is_file() else []
    context = Context(data_dir=args.data_dir, cache_dir=args.cache_dir, device=args.device)
    lenet = get_lenet("mnist", context.data_dir, context.cache_dir, device=context.device)
    record = provenance(["python", "tools/pm_design_search.py", *argv])
    start = time.perf_counter()
    designs = design_grid(int(c) for c in args.counts.split(","))
    rows = search(
        designs,
        lenet,
        context,
        done=done,
        save=lambda rows: atomic_write_json(rows_path, {"rows": rows, "provenance": record}),
        finalists=args.finalists,
        also=[_design(text) for text in args.accuracy_for],
    )
    wall = time.perf_counter() - start
    atomic_write_json(rows_path, {"rows": rows, "provenance": record, "wall_seconds": wall})
    markdown = search_markdown(rows, record, wall)
    atomic_write_text(out / "search.md", markdown)
    plot_search(rows, out / "search.png")
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
