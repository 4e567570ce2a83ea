"""Options and output helpers shared by the command modules."""

from __future__ import annotations

import argparse
import json
import sys

from ..context import Context
from ..data import DATASETS


def add_dataset_option(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument(
        "--dataset", choices=sorted(DATASETS), required=required, help="registered dataset name"
    )


def add_dir_options(parser: argparse.ArgumentParser, cache: bool = True) -> None:
    parser.add_argument(
        "--data-dir",
        default=None,
        help="dataset directory (default: $MIXMISS_DATA_DIR, else ~/.cache/mixmiss)",
    )
    if cache:
        parser.add_argument(
            "--cache-dir",
            default=None,
            help="cache directory for evaluators and FID statistics "
            "(default: $MIXMISS_CACHE_DIR, else ~/.cache/mixmiss)",
        )


def context_from(args: argparse.Namespace) -> Context:
    """The :class:`~mixmiss.context.Context` of a command's ``--data-dir``, ``--cache-dir``,
    ``--device`` and ``--no-progress`` options (defaults where a command lacks one)."""
    return Context(
        data_dir=getattr(args, "data_dir", None),
        cache_dir=getattr(args, "cache_dir", None),
        device=getattr(args, "device", "auto"),
        progress=not getattr(args, "no_progress", False),
    )


def seed_option(text: str) -> int:
    """``--seed``: an integer from 0 to 2**63 - 1 (what numpy and torch both accept)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, got {value}")
    return value


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
