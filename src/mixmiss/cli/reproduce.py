"""``mixmiss reproduce table1|table2|splits|curve``: the papers' experiments, our split
study and the learning curves of MisGAN and the RBMs, one command each (thin layer)."""

from __future__ import annotations

import argparse
import shlex

from ..data import MECHANISMS
from ..device import DEVICE_CHOICES
from ..experiments.executors import DEFAULT_MAX_RETRIES, EXECUTOR_NAMES, make_executor
from ..experiments.imputation import PAPER_TEST, PAPER_TRAIN
from ..experiments.learning_curve import CURVE_METHODS, run_learning_curve
from ..experiments.plan import format_plan
from ..presets import OPTIONAL_PRESET_NAMES, PRESET_NAMES
from ._common import add_dir_options, context_from, print_json, seed_option

_TABLES = {
    "table1": "the LM-RBM paper's Table 1 and Fig. 1 (MNIST imputation study)",
    "table2": "the MMGAN paper's Table 2 and Figs. 2-4",
    "splits": "MMGAN on random label splits: dropped classes, coverage over training (#22)",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "reproduce", help="reproduce a paper's table (cached, resumable)"
    )
    tables = parser.add_subparsers(dest="table", metavar="TABLE", required=True)
    for name, description in _TABLES.items():
        table = tables.add_parser(name, help=description, description=description)
        # Table 1 also has the `standard` preset (one workstation, one night; #17)
        choices = (*PRESET_NAMES, *OPTIONAL_PRESET_NAMES) if name == "table1" else PRESET_NAMES
        table.add_argument("--preset", choices=choices, default="quick")
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
        _add_cluster_options(table)
        if name == "table1":
            table.add_argument(
                "--dataset", default=None, help="run the study on another registered dataset"
            )
            table.add_argument(
                "--readouts",
                choices=("default", "all"),
                default="default",
                help="all: the stochastic methods' cells score their whole read-out family "
                "(the P-D figure's curves; each read-out costs an imputation of 50,000 images); "
                "default: each method's default read-out, and the RBMs' sampled h beside it",
            )
            table.add_argument(
                "--mechanisms",
                default=None,
                type=lambda text: [s.strip() for s in text.split(",") if s.strip()],
                metavar="MECH,...",
                help="compute and report only these rows, e.g. im (default: the preset's: "
                "im,so,pm); the cells of the others stay cached",
            )
            table.add_argument(
                "--select",
                action="store_true",
                help="then choose each stochastic cell's read-out without ground truth: hold "
                "out 10%% of each test image's observed pixels, pick the read-out of least "
                "held-out RMSE, report its true RMSE's gap to the best (cached in selection/)",
            )
        if name == "splits":
            _add_splits_options(table)
        add_dir_options(table)
        table.set_defaults(func=run_reproduce)
    _register_curve(tables)


def _register_curve(tables) -> None:
    description = (
        "train one MisGAN, RBM [5] or LM-RBM in stretches with a snapshot every N epochs, score "
        "every snapshot (paper RMSE, LeNet FID, accuracy) and draw the curve against the other "
        "Table 1 methods (#17); Ctrl-C leaves a run that the same command continues"
    )
    curve = tables.add_parser("curve", aliases=["misgan-curve"], description=description,
                              help="a learning curve: MisGAN's, the RBMs' (#17)")  # fmt: skip
    curve.add_argument("--method", choices=CURVE_METHODS, default="misgan",
                       help="whose curve (default misgan)")  # fmt: skip
    curve.add_argument("--rate", type=float, default=0.6, help="missing rate (default 0.6)")
    curve.add_argument("--mechanism", choices=sorted(MECHANISMS), default="im")
    curve.add_argument("--preset", choices=PRESET_NAMES, default="paper")
    curve.add_argument("--out", required=True, help="study directory (run, evals, curve.*)")
    curve.add_argument("--snapshot-every-epochs", type=int, default=2, metavar="N",
                       help="epochs per training stretch and snapshot (default 2)")  # fmt: skip
    curve.add_argument("--epochs", type=int, default=None,
                       help="train up to this many epochs (default: the preset's; paper 500)")  # fmt: skip
    curve.add_argument("--evaluate-only", action="store_true",
                       help="train nothing: score the snapshots there are and render")  # fmt: skip
    curve.add_argument("--seed", type=seed_option, default=0,
                       help="seeds the masks and the model")  # fmt: skip
    curve.add_argument("--max-train", type=int, default=PAPER_TRAIN)
    curve.add_argument("--max-test", type=int, default=PAPER_TEST)
    curve.add_argument("--references", default="results/table1/quick/cells",
                       help="a Table 1 study's cells/ with the other methods' lines")  # fmt: skip
    curve.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    curve.add_argument("--no-progress", action="store_true")
    add_dir_options(curve)
    curve.set_defaults(func=run_curve_command)


def run_curve_command(args: argparse.Namespace) -> int:
    paths = run_learning_curve(
        args.out, method=args.method, rate=args.rate, mechanism=args.mechanism,
        preset=args.preset, snapshot_every=args.snapshot_every_epochs, epochs=args.epochs,
        evaluate_only=args.evaluate_only, seed=args.seed, max_train=args.max_train,
        max_test=args.max_test, references=args.references, context=context_from(args),
        command=args.invocation,
    )  # fmt: skip
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def _add_cluster_options(table: argparse.ArgumentParser) -> None:
    table.add_argument(
        "--executor",
        choices=EXECUTOR_NAMES,
        default="local",
        help="where cells run: local processes (--workers) or Ray tasks on a cluster "
        "(pip install 'mixmiss[ray]')",
    )
    table.add_argument(
        "--ray-address",
        default=None,
        help="the Ray cluster: auto or HOST:PORT of its head (default: $RAY_ADDRESS, "
        "else a cluster on this node, else a new local one)",
    )
    table.add_argument(
        "--max-retries",
        type=int,
        default=DEFAULT_MAX_RETRIES,
        help="Ray: retries of a cell whose worker died (it resumes from its checkpoint)",
    )
    table.add_argument(
        "--plan",
        action="store_true",
        help="compute nothing: print the pending cells, their projected hours and Ray resources",
    )
    table.add_argument("--json", action="store_true", help="with --plan: print it as JSON")


def _add_splits_options(table: argparse.ArgumentParser) -> None:
    table.add_argument(
        "--seed", type=seed_option, default=0, help="draws the splits and seeds every training"
    )
    table.add_argument(
        "--remedy",
        action="append",
        metavar="KNOB=VALUE",
        help="change one of the paper's knobs for every cell (iters, ema_decay, lam, "
        "batch_size), e.g. lam=1.0; repeatable. Off by default",
    )
    table.add_argument(
        "--only",
        default=None,
        type=lambda text: [s.strip() for s in text.split(",") if s.strip()],
        metavar="DATASET-splitJ,...",
        help="compute only these cells, e.g. mnist-split2,fashion-mnist-split5",
    )


def run_reproduce(args: argparse.Namespace) -> int:
    command = args.invocation
    if args.table == "table1":
        from ..experiments import table1 as study

        extra = {"dataset": args.dataset, "readouts": args.readouts, "mechanisms": args.mechanisms}
        run_extra, report_extra = {"select": args.select}, {}
    elif args.table == "splits":
        from ..experiments import splits as study

        extra = {"seed": args.seed, "remedy": args.remedy, "only": args.only}
        run_extra, report_extra = {}, {"command": command}  # its report has provenance
    else:
        from ..experiments import table2 as study

        extra = run_extra = report_extra = {}
    if args.plan:
        plan = getattr(study, f"plan_{args.table}")(
            args.preset, args.out, device=args.device, **extra
        )
        print_json(plan) if args.json else print(format_plan(plan))
        return 0
    if args.report_only:
        report = getattr(study, f"write_{args.table}_report")
        paths = report(args.preset, args.out, **extra, **report_extra)
    else:
        executor = make_executor(args.executor, args.workers, args.ray_address, args.max_retries)
        reproduce = getattr(study, f"reproduce_{args.table}")
        paths = reproduce(
            args.preset,
            args.out,
            context=context_from(args),
            command=command,
            executor=executor,
            **extra,
            **run_extra,
        )
    for name, path in paths.items():
        print(f"{name}: {path}")
    print(f"({shlex.join(command)})")
    return 0
