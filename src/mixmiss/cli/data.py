"""``mixmiss data check|make-shapes``: are the datasets present and verified; a generated collection."""

from __future__ import annotations

import argparse

from ..data import DATASETS, check_dataset
from ..errors import InputError
from ._common import add_dir_options, print_json, seed_option


def register(subparsers) -> None:
    parser = subparsers.add_parser("data", help="inspect the datasets")
    commands = parser.add_subparsers(dest="data_command", metavar="ACTION", required=True)
    check = commands.add_parser("check", help="verify every dataset's files (no download)")
    add_dir_options(check, cache=False)
    check.add_argument("--json", action="store_true", help="print a JSON list")
    check.set_defaults(func=run_check)

    shapes = commands.add_parser(
        "make-shapes", help="write coloured shapes as PNG folders (per class, or as collections)"
    )
    shapes.add_argument("--out", required=True, help="new folder to write")
    shapes.add_argument("--seed", type=seed_option, default=0)
    shapes.add_argument(
        "--per-class",
        type=int,
        default=2000,
        help="images per class (default 2000: with 500, collections of ~1,250 images, MMGAN "
        "lost the shared component; results/mmgan/shapes-red-circles-quick)",
    )
    shapes.add_argument("--size", type=int, default=64, help="image side in pixels")
    shapes.add_argument(
        "--collections",
        nargs="+",
        metavar="NAME=CLASSES",
        default=None,
        help="write collections instead of class folders, e.g. 'red=red-*' 'circles=*-circle' "
        "(a class in several collections is split among them: no image in two)",
    )
    shapes.set_defaults(func=run_make_shapes)


def run_check(args: argparse.Namespace) -> int:
    reports = [check_dataset(name, args.data_dir) for name in DATASETS]
    if args.json:
        print_json(reports)
    else:
        for report in reports:
            status = "ok " if report["ok"] else "-- " if report["optional"] else "BAD"
            optional = " (optional: downloaded on first use)" if report["optional"] else ""
            print(
                f"{status} {report['dataset']:<14} {report['reason']}{optional * (not report['ok'])}"
            )
    return 0 if all(r["ok"] or r["optional"] for r in reports) else 1


def run_make_shapes(args: argparse.Namespace) -> int:
    from ..data.folders import write_class_folders, write_collections
    from ..data.shapes import make_shapes
    from ..rng import make_generator

    collections = None
    if args.collections is not None:
        collections = {}
        for item in args.collections:
            name, sep, patterns = item.partition("=")
            if not sep or not name.strip() or not patterns.strip():
                raise InputError(f"--collections {item!r}: write NAME=CLASSES, e.g. 'red=red-*'.")
            if name.strip() in collections:
                raise InputError(f"--collections names {name.strip()!r} twice; name each once.")
            collections[name.strip()] = patterns.strip()
    dataset = make_shapes(args.per_class, args.size, args.seed)
    if collections is None:
        write_class_folders(dataset, args.out)
    else:
        write_collections(dataset, collections, args.out, make_generator(args.seed))
    print(f"{len(dataset)} shapes written to {args.out}")
    return 0
