"""The ``mixmiss`` command line: a thin layer that parses, calls one library function, prints.

Each command group lives in its own module with a ``register(subparsers)``
function; errors raised on purpose (:class:`~mixmiss.errors.MixmissError`)
are printed as one message, without a traceback, with exit status 2. A
training stopped by a signal prints one line naming the command that
resumes it and exits with status 130.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import MixmissError
from ..training import TrainingInterrupted
from . import bench, data, demo, evaluator, impute, mmgan, reproduce

#: Exit status after an interrupt (128 + SIGINT, the shell's convention), whichever
#: signal stopped a training: the message says how to resume.
INTERRUPTED = 130

COMMAND_GROUPS = (demo, data, evaluator, mmgan, impute, reproduce, bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mixmiss",
        description=(
            "Generative models that learn from imperfect image collections: "
            "MMGAN (mixed-membership GANs) and LM-RBM imputation with its baselines."
        ),
    )
    parser.add_argument("--version", action="version", version=f"mixmiss {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


#: Options whose value may start with "-" (label sets such as "-1-3;3-9" are an input
#: error to report, not an unknown option); argparse needs them as ``--sets=VALUE``.
_DASH_VALUE_OPTIONS = ("--sets",)


def _attach_dash_values(argv: list[str]) -> list[str]:
    out, i = [], 0
    while i < len(argv):
        if argv[i] in _DASH_VALUE_OPTIONS and i + 1 < len(argv) and argv[i + 1].startswith("-"):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_attach_dash_values(argv))
    args.invocation = ["mixmiss", *argv]  # the command, for every result that records it
    try:
        return int(args.func(args) or 0)
    except TrainingInterrupted as exc:
        print(f"mixmiss: interrupted: {exc}", file=sys.stderr)
        return INTERRUPTED
    except MixmissError as exc:
        print(f"mixmiss: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mixmiss: interrupted", file=sys.stderr)
        return INTERRUPTED
