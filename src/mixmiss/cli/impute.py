"""``mixmiss impute train|eval``: fit an imputation method on masked data and score it."""

from __future__ import annotations

import argparse
import json

from ..data import MECHANISMS
from ..device import DEVICE_CHOICES
from ..errors import InputError
from ..experiments.imputation import PAPER_TEST, PAPER_TRAIN, evaluate_imputer, train_imputer
from ..presets import PRESET_NAMES
from ..registry import IMPUTERS
from ._common import add_dataset_option, add_dir_options, context_from, print_json, seed_option


def _setting(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def register(subparsers) -> None:
    parser = subparsers.add_parser("impute", help="train and evaluate imputation methods")
    commands = parser.add_subparsers(dest="impute_command", metavar="ACTION", required=True)

    train = commands.add_parser("train", help="fit a method on a masked training set")
    add_dataset_option(train)
    train.add_argument("--method", required=True, choices=sorted(IMPUTERS))
    train.add_argument("--mechanism", required=True, choices=sorted(MECHANISMS))
    train.add_argument("--rate", required=True, type=float, help="missing rate in (0, 1)")
    train.add_argument("--preset", choices=PRESET_NAMES, default="quick")
    train.add_argument("--seed", type=seed_option, default=0, help="seeds the masks and the method")
    train.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    train.add_argument("--out", required=True, help="run directory")
    train.add_argument("--resume", action="store_true", help="continue the run in --out")
    train.add_argument(
        "--max-train", type=int, default=PAPER_TRAIN, help="use the first N training images"
    )
    train.add_argument(
        "--set",
        dest="overrides",
        action="append",
        type=_setting,
        default=[],
        metavar="KEY=VALUE",
        help="override a preset setting (JSON value), e.g. --set epochs=3",
    )
    train.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    add_dir_options(train, cache=False)
    train.set_defaults(func=run_train)

    evaluate = commands.add_parser("eval", help="score a trained run on a masked test set")
    evaluate.add_argument("directory", help="run directory written by `impute train`")
    evaluate.add_argument("--seed", type=seed_option, default=0, help="seeds the test masks")
    evaluate.add_argument("--max-train", type=int, default=None, help="training images to use")
    evaluate.add_argument("--max-test", type=int, default=PAPER_TEST, help="test images to use")
    evaluate.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    evaluate.add_argument("--json", action="store_true", help="print the full JSON report")
    evaluate.add_argument("--no-progress", action="store_true")
    evaluate.add_argument(
        "--no-paper-fid",
        action="store_true",
        help="skip the paper's FID (fid_lenet: the reference LeNet, trained on first use)",
    )
    add_dir_options(evaluate)
    evaluate.set_defaults(func=run_eval)


def run_train(args: argparse.Namespace) -> int:
    overrides = dict(args.overrides)
    for reserved in ("random_state", "device"):
        if reserved in overrides:
            raise InputError(
                f"set {reserved} with --{'seed' if reserved == 'random_state' else 'device'}."
            )
    train_imputer(
        args.out,
        args.dataset,
        args.method,
        args.mechanism,
        args.rate,
        preset=args.preset,
        seed=args.seed,
        resume=args.resume,
        max_train=args.max_train,
        overrides=overrides,
        context=context_from(args),
        command=args.invocation,
    )
    print(f"saved the {args.method} imputer in {args.out}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    report = evaluate_imputer(
        args.directory,
        seed=args.seed,
        max_train=args.max_train,
        max_test=args.max_test,
        context=context_from(args),
        paper_fid=not args.no_paper_fid,
    )
    if args.json:
        print_json(report)
    else:
        keys = ("rmse", "rmse_all", "fid_lenet", "fid_lenet_test", "fid", "accuracy",
                "accuracy_hidden")  # fmt: skip
        for key in keys:
            print(f"{key:>16}: {report[key]}")
    return 0
