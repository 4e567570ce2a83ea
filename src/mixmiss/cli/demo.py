"""``mixmiss demo``: MMGAN and the imputers on the bundled digits in a few minutes (thin layer)."""

from __future__ import annotations

import argparse

from ..device import DEVICE_CHOICES
from ._common import add_dir_options, context_from, seed_option

DEMO_DATASETS = ("digits", "mnist")


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="train a small MMGAN and four imputers, write report.md (digits: no files needed)",
    )
    parser.add_argument(
        "--dataset",
        choices=DEMO_DATASETS,
        default="digits",
        help="digits (bundled, at most 5 minutes on a 2-core CPU) or mnist (needs its files)",
    )
    parser.add_argument("--out", default="demo-output", help="output directory")
    parser.add_argument("--seed", type=seed_option, default=0)
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    add_dir_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..experiments.demo import run_demo

    report = run_demo(
        args.out,
        dataset=args.dataset,
        seed=args.seed,
        context=context_from(args),
        command=args.invocation,
    )
    print(f"report written to {report}")
    return 0
