"""``mixmiss data check``: are the datasets present and verified?"""

from __future__ import annotations

import argparse

from ..data import DATASETS, check_dataset
from ._common import add_dir_options, print_json


def register(subparsers) -> None:
    parser = subparsers.add_parser("data", help="inspect the datasets")
    commands = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="verify every dataset's files (no download)")
    add_dir_options(check, cache=False)
    check.add_argument("--json", action="store_true", help="print a JSON list")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    reports = [check_dataset(name, args.data_dir) for name in DATASETS]
    if args.json:
        print_json(reports)
    else:
        for report in reports:
            status = "ok " if report["ok"] else "BAD"
            print(f"{status} {report['dataset']:<14} {report['reason']}")
    return 0 if all(r["ok"] for r in reports) else 1
