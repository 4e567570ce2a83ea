"""``mixmiss impute train|eval|fit|complete``: fit an imputation method on masked data and
score it (train, eval), or complete a user's own masked images (fit, complete)."""

from __future__ import annotations

import argparse
import inspect
import json

from ..data import MECHANISMS
from ..device import DEVICE_CHOICES
from ..errors import InputError
from ..experiments.completion import complete_images, fit_on_images, method_support
from ..experiments.imputation import PAPER_TEST, PAPER_TRAIN, evaluate_imputer, train_imputer
from ..experiments.learning_curve import CURVE_METHODS
from ..experiments.operating_point import HOLDOUT_FRACTION, select_on_run
from ..precision import PRECISIONS
from ..presets import PRESET_NAMES
from ..registry import IMPUTERS, imputer_class
from ._common import add_dataset_option, add_dir_options, context_from, print_json, seed_option


def _setting(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def _readouts(text: str) -> str | list[str]:
    return "all" if text == "all" else [name.strip() for name in text.split(",") if name.strip()]


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
        "--snapshot-every-epochs",
        type=int,
        default=None,
        metavar="N",
        help="misgan, rbm, lm-rbm: also keep the model every N epochs "
        "(OUT/checkpoints/snapshots/, for a learning curve: `mixmiss reproduce curve`)",
    )
    _add_settings_options(train)
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
    evaluate.add_argument(
        "--readout",
        default=None,
        metavar="NAME",
        help="impute with this read-out of a stochastic method (rbm, lm-rbm: sampled_h_v, "
        "sampled_h, sampled_h_k2..k64, mean_field (default); misgan: k1 (default)..k64)",
    )
    evaluate.add_argument(
        "--k", type=int, default=None, help="average K reconstructions (with --readout or alone)"
    )
    evaluate.add_argument(
        "--readouts",
        default=None,
        type=_readouts,
        metavar="all|NAME,...",
        help="other read-outs scored beside it (rmse_NAME, fid_lenet_NAME); each costs an "
        "imputation of the training set (default: rbm, lm-rbm: sampled_h; misgan: none)",
    )
    add_dir_options(evaluate)
    evaluate.set_defaults(func=run_eval)

    select = commands.add_parser(
        "select",
        help="choose a read-out without ground truth: held-out observed pixels (#17)",
        description="Hold out a fraction of each test image's observed pixels, score every "
        "read-out of the run's method on them, choose the least held-out RMSE (+ weight x FID); "
        "then report each read-out's true RMSE and the choice's gap to the best.",
    )
    select.add_argument("directory", help="run directory written by `impute train`")
    select.add_argument(
        "--seed", type=seed_option, default=0, help="test masks and held-out pixels"
    )
    select.add_argument("--max-test", type=int, default=PAPER_TEST, help="test images to use")
    select.add_argument("--fraction", type=float, default=HOLDOUT_FRACTION,
                        help="share of observed pixels held out")  # fmt: skip
    select.add_argument("--weight", type=float, default=0.0,
                        help="weight of the paper's FID against held-out RMSE (both / best)")  # fmt: skip
    select.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    select.add_argument("--no-progress", action="store_true")
    add_dir_options(select)
    select.set_defaults(func=run_select)

    supported = "; ".join(f"{name}: {method_support(name)}" for name in sorted(IMPUTERS))
    fit = commands.add_parser(
        "fit",
        help="fit a method on your own images with missing pixels (no ground truth needed)",
        description="Fit an imputation method on your own images. " + _IMAGES_HELP,
    )
    fit.add_argument(
        "--method", required=True, choices=sorted(IMPUTERS), help=f"what each takes: {supported}"
    )
    _add_image_options(fit)
    fit.add_argument("--preset", choices=PRESET_NAMES, default="quick")
    fit.add_argument("--seed", type=seed_option, default=0, help="seeds the method")
    fit.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    fit.add_argument("--out", required=True, help="new directory for the fitted imputer")
    _add_settings_options(fit)
    fit.set_defaults(func=run_fit)

    complete = commands.add_parser(
        "complete",
        help="fill in the missing pixels of your images with a fitted imputer",
        description="Complete images with an imputer from `impute fit`: one PNG per image "
        "(same names) and completed.npy (floats in [0, 1]); observed pixels are copied "
        "unchanged. " + _IMAGES_HELP,
    )
    complete.add_argument("directory", help="directory written by `impute fit`")
    _add_image_options(complete)
    complete.add_argument("--out", required=True, help="new directory for the completed images")
    complete.add_argument(
        "--device",
        choices=DEVICE_CHOICES,
        default=None,
        help="where to complete (default: the device the imputer was fitted on)",
    )
    complete.set_defaults(func=run_complete)


_IMAGES_HELP = (
    "Images: a folder of 8-bit PNGs (missing where alpha is 0, or where the --masks PNG of "
    "the same name is 0) or a .npy/.npz array of floats in [0, 1], shape (N, H, W) or "
    "(N, C, H, W), NaN where missing. All images of a set share one size."
)


def _add_image_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--images", required=True, help="a folder of PNG files, or a .npy/.npz array file"
    )
    parser.add_argument(
        "--masks",
        default=None,
        help="mask PNGs of the same names (255 = observed, 0 = missing), or for an array an "
        "array of its shape (1 = observed)",
    )


def _add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        type=_setting,
        default=[],
        metavar="KEY=VALUE",
        help="override a preset setting (JSON value), e.g. --set epochs=3",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="rbm, lm-rbm, misgan: where the training's products run (auto, the default: bf16 "
        "where the CPU/GPU has native bf16, else fp32)",
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _overrides(args: argparse.Namespace) -> dict:
    overrides = dict(args.overrides)
    for reserved in ("random_state", "device"):
        if reserved in overrides:
            raise InputError(
                f"set {reserved} with --{'seed' if reserved == 'random_state' else 'device'}."
            )
    if args.precision is not None:
        if "precision" in overrides:
            raise InputError("precision is given twice (--precision and --set); keep one.")
        if "precision" not in inspect.signature(imputer_class(args.method)).parameters:
            raise InputError(
                f"--precision: the {args.method!r} method trains no network; leave it out."
            )
        overrides["precision"] = args.precision
    return overrides


def run_train(args: argparse.Namespace) -> int:
    overrides = _overrides(args)
    if args.snapshot_every_epochs is not None:
        if args.method not in CURVE_METHODS:
            raise InputError(
                f"--snapshot-every-epochs: the {args.method!r} method keeps no snapshots; it is for "
                f"{', '.join(CURVE_METHODS)}."
            )
        overrides["snapshot_every"] = args.snapshot_every_epochs
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
        readout=args.readout,
        k=args.k,
        readouts=args.readouts,
    )
    if args.json:
        print_json(report)
    else:
        keys = ("readout", "rmse", "rmse_all", "fid_lenet", "fid_lenet_test", "fid", "accuracy",
                "accuracy_hidden")  # fmt: skip
        keys += tuple(k for k in report if k.startswith(("rmse_", "fid_lenet_")) and k not in keys)
        for key in keys:
            print(f"{key:>16}: {report[key]}")
    return 0


def run_select(args: argparse.Namespace) -> int:
    choice = select_on_run(args.directory, seed=args.seed, max_test=args.max_test,
                           fraction=args.fraction, weight=args.weight,
                           context=context_from(args))  # fmt: skip
    print_json(choice)
    return 0


def run_fit(args: argparse.Namespace) -> int:
    fit_on_images(
        args.out,
        args.images,
        args.method,
        masks=args.masks,
        preset=args.preset,
        seed=args.seed,
        overrides=_overrides(args),
        context=context_from(args),
        command=args.invocation,
    )
    print(f"saved the {args.method} imputer fitted on {args.images} in {args.out}")
    return 0


def run_complete(args: argparse.Namespace) -> int:
    out = complete_images(
        args.directory,
        args.images,
        args.out,
        masks=args.masks,
        command=args.invocation,
        device=args.device,
    )
    print(f"wrote the completed images to {out}")
    return 0
