"""``mixmiss evaluator train|show``: the classifiers behind accuracy and FID.

``--network cnn`` (default) is the project's evaluator CNN; ``--network
lenet`` the reference LeNet of MisGAN's FID (:mod:`mixmiss.evaluators.lenet`),
trained with the reference's recipe (100 epochs unless ``--epochs``).
"""

from __future__ import annotations

import argparse

from ..device import DEVICE_CHOICES
from ..errors import InputError
from ..evaluators import evaluator_info, lenet_info, train_evaluator, train_lenet
from ..evaluators.lenet import SEED as LENET_SEED
from ..training import TrainingInterrupted
from ._common import add_dataset_option, add_dir_options, print_json, seed_option

_SHOWN = ("dataset", "test_accuracy", "train_seconds", "seed", "checksum", "created")
NETWORKS = ("cnn", "lenet")


def _add_network_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--network",
        choices=NETWORKS,
        default="cnn",
        help="cnn: the project's evaluator; lenet: the reference LeNet of the paper's FID",
    )


def register(subparsers) -> None:
    parser = subparsers.add_parser("evaluator", help="train or inspect the evaluator classifiers")
    commands = parser.add_subparsers(dest="evaluator_command", metavar="ACTION", required=True)

    train = commands.add_parser("train", help="train a dataset's evaluator and cache it")
    add_dataset_option(train)
    add_dir_options(train)
    _add_network_option(train)
    train.add_argument(
        "--seed", type=seed_option, default=None, help=f"default: 0 (cnn), {LENET_SEED} (lenet)"
    )
    train.add_argument("--epochs", type=int, default=None, help="override the recipe's epochs")
    train.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    train.add_argument(
        "--resume",
        action="store_true",
        help="lenet: continue the interrupted training in the cache (checkpointed every epoch)",
    )
    train.add_argument("--json", action="store_true", help="print the metadata as JSON")
    train.set_defaults(func=run_train)

    show = commands.add_parser("show", help="print a cached evaluator's metadata")
    add_dataset_option(show)
    _add_network_option(show)
    show.add_argument("--cache-dir", default=None)
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)


def _print(metadata: dict, as_json: bool) -> None:
    if as_json:
        print_json(metadata)
    else:
        for key in _SHOWN:
            print(f"{key:>14}: {metadata.get(key)}")


def run_train(args: argparse.Namespace) -> int:
    if args.network == "lenet":
        try:
            evaluator = train_lenet(
                args.dataset,
                args.data_dir,
                args.cache_dir,
                seed=LENET_SEED if args.seed is None else args.seed,
                **({} if args.epochs is None else {"epochs": args.epochs}),
                device=args.device,
                resume=args.resume,
            )
        except TrainingInterrupted as stop:
            argv = list(args.invocation)
            raise stop.with_resume_command(
                argv + ([] if "--resume" in argv else ["--resume"])
            ) from None
    else:
        if args.resume:
            raise InputError("--resume is for --network lenet; the CNN trains in minutes.")
        evaluator = train_evaluator(
            args.dataset,
            args.data_dir,
            args.cache_dir,
            seed=0 if args.seed is None else args.seed,
            epochs=args.epochs,
            device=args.device,
        )
    _print(evaluator.metadata, args.json)
    return 0


def run_show(args: argparse.Namespace) -> int:
    info = lenet_info if args.network == "lenet" else evaluator_info
    _print(info(args.dataset, args.cache_dir), args.json)
    return 0
