"""``mixmiss bench NAME --json``: speed of the hot loops (and, for ``imputers``, the
imputation error of RBMImputer against scikit-learn's imputers), measured in one run.

Each method family provides ``run_bench(args) -> dict`` in its own module
(and, optionally, ``render_markdown(report) -> str``, printed without
``--json``); this table maps the command names to them (imported on use).
"""

from __future__ import annotations

import argparse
import importlib
import json

from ..device import DEVICE_CHOICES
from ..precision import PRECISIONS
from ._common import print_json

BENCHES: dict[str, str] = {
    "mmgan": "mixmiss.mmgan.bench:run_bench",
    "rbm": "mixmiss.rbm.bench:run_bench",
    "misgan": "mixmiss.misgan.bench:run_bench",
    "imputers": "mixmiss.rbm.imputer_bench:run_bench",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("bench", help="measure training speed and imputation error")
    parser.add_argument("name", choices=sorted(BENCHES), help="what to measure")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="cpu")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="precision of the main timings (the 'precision' section times fp32 and bf16)",
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--json", action="store_true", help="print the full JSON report")
    parser.add_argument("--out", default=None, help="also write the JSON report to this file")
    imputers = parser.add_argument_group("imputers only")
    imputers.add_argument(
        "--quick", action="store_true", help="tiny subsets, one seed (a smoke run)"
    )
    imputers.add_argument(
        "--datasets", default=None, help="comma-separated dataset names (default: all)"
    )
    imputers.add_argument(
        "--mechanisms", default=None, help="comma-separated mechanisms (default: all)"
    )
    imputers.add_argument("--seeds", type=int, default=None, help="number of seeds (default 3)")
    imputers.add_argument("--markdown", default=None, help="also write a markdown report here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    module, _, function = BENCHES[args.name].partition(":")
    module = importlib.import_module(module)
    report = getattr(module, function)(args)
    if args.out:
        from ..atomic import atomic_write_json

        atomic_write_json(args.out, report)
    if args.json:
        print_json(report)
    elif hasattr(module, "render_markdown"):  # a bench with a readable report of its own
        print(module.render_markdown(report))
    else:
        for key, value in report.items():
            print(f"{key}: {json.dumps(value)}")
    return 0
