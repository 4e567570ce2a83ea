"""``mixmiss reproduce table1|table2``: the papers' experiments, one command each (thin layer)."""

from __future__ import annotations

import argparse
import shlex

from ..device import DEVICE_CHOICES
from ..presets import PRESET_NAMES
from ._common import add_dir_options, context_from

_TABLES = {
    "table1": "the LM-RBM paper's Table 1 and Fig. 1 (MNIST imputation study)",
    "table2": "the MMGAN paper's Table 2 and Figs. 2-4",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reproduce", help="reproduce a paper's table (cached, resumable)"
    )
    tables = parser.add_subparsers(dest="table", metavar="TABLE", required=True)
    for name, description in _TABLES.items():
        table = tables.add_parser(name, help=description, description=description)
        table.add_argument("--preset", choices=PRESET_NAMES, default="quick")
        table.add_argument("--out", required=True, help="study directory (cells are cached here)")
        table.add_argument(
            "--workers", type=int, default=1, help="cells computed in parallel processes"
        )
        table.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
        table.add_argument(
            "--report-only",
            action="store_true",
            help="compute nothing: write the outputs from the cells finished so far",
        )
        table.add_argument("--no-progress", action="store_true")
        if name == "table1":
            table.add_argument(
                "--dataset", default=None, help="run the study on another registered dataset"
            )
        add_dir_options(table)
        table.set_defaults(func=run_reproduce)


def run_reproduce(args: argparse.Namespace) -> int:
    if args.table == "table1":
        from ..experiments import table1 as study

        extra = {"dataset": args.dataset}
    else:
        from ..experiments import table2 as study

        extra = {}
    command = args.invocation
    if args.report_only:
        report = getattr(study, f"write_{args.table}_report")
        paths = report(args.preset, args.out, **extra)
    else:
        reproduce = getattr(study, f"reproduce_{args.table}")
        paths = reproduce(
            args.preset,
            args.out,
            workers=args.workers,
            context=context_from(args),
            command=command,
            **extra,
        )
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"({shlex.join(command)})")
    return 0
