"""``mixmiss mmgan train|sample|figure|eval``: mixed-membership GANs (thin layer)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..device import DEVICE_CHOICES
from ..errors import InputError
from ..precision import PRECISIONS
from ..presets import PRESET_NAMES
from ._common import add_dataset_option, add_dir_options, print_json, seed_option


def register(subparsers) -> None:
    parser = subparsers.add_parser("mmgan", help="mixed-membership GANs (Yazici et al.)")
    commands = parser.add_subparsers(dest="mmgan_command", metavar="ACTION", required=True)

    train = commands.add_parser(
        "train", help="train MMGAN (or the naive baseline) on a Venn split or image collections"
    )
    source = train.add_mutually_exclusive_group()
    add_dataset_option(source, required=False)
    source.add_argument(
        "--data", metavar="DIR", help="labelled image folder (one subfolder per class); use --sets"
    )
    source.add_argument(
        "--collections",
        nargs="+",
        metavar="DIR",
        help="image folders, one distribution each (no labels)",
    )
    which = train.add_mutually_exclusive_group()
    which.add_argument("--case", help="Table 1 case: A, B or C")
    which.add_argument(
        "--sets",
        help="label sets, e.g. '0-6;3-9'; with --data class names/patterns: 'red-*;*-circle'",
    )
    train.add_argument(
        "--resolution", type=int, choices=(28, 32, 64), default=None, help="folders: side (32)"
    )
    train.add_argument(
        "--channels", type=int, choices=(1, 3), default=None, help="folders: 1 gray, 3 RGB (3)"
    )
    train.add_argument(
        "--components",
        type=int,
        default=None,
        help="K (default 2^n - 1 up to n = 3, n(n+1)/2 above)",
    )
    train.add_argument("--preset", choices=PRESET_NAMES, default=None, help="default: quick")
    train.add_argument("--iters", type=int, default=None, help="override the preset's iterations")
    train.add_argument("--fixed-priors", action="store_true", help="fix alpha to the true priors")
    train.add_argument("--naive", action="store_true", help="the baseline of Eq. 4")
    train.add_argument("--seed", type=seed_option, default=None)
    train.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    train.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="auto (default): bf16 where the CPU/GPU has native bf16, else fp32",
    )
    train.add_argument(
        "--snapshot-every",
        type=int,
        default=None,
        metavar="N",
        help="also keep the EMA generator every N steps (RUN/snapshots/, to follow coverage "
        "over training); --resume keeps the run's own period unless given another",
    )
    train.add_argument("--out", required=True, help="run directory")
    train.add_argument("--resume", action="store_true", help="continue the run in --out")
    train.add_argument("--no-progress", action="store_true")
    add_dir_options(train, cache=False)
    train.set_defaults(func=run_train)

    sample = commands.add_parser("sample", help="draw samples of one distribution (Section 3)")
    sample.add_argument("run_dir")
    sample.add_argument("--distribution", type=int, required=True, help="i, 1-based (S_i)")
    sample.add_argument("--n", type=int, default=64)
    sample.add_argument("--seed", type=seed_option, default=0)
    sample.add_argument("--out", required=True, help="PNG file")
    sample.set_defaults(func=run_sample)

    figure = commands.add_parser("figure", help="samples of every component with its weights")
    figure.add_argument("run_dir")
    figure.add_argument("--out", default=None, help="PNG file (default: RUN_DIR/components.png)")
    figure.add_argument("--seed", type=seed_option, default=0)
    figure.set_defaults(func=run_figure)

    evaluate = commands.add_parser("eval", help="Table 2 accuracy, weights and FID of a run")
    evaluate.add_argument("run_dir")
    evaluate.add_argument("--n", type=int, default=10_000, help="samples per component")
    evaluate.add_argument(
        "--n-fid", type=int, default=10_000, help="samples per distribution for FID"
    )
    evaluate.add_argument(
        "--no-full-train-fid", action="store_true", help="skip FID against the whole training set"
    )
    evaluate.add_argument("--seed", type=seed_option, default=0)
    evaluate.add_argument("--device", choices=DEVICE_CHOICES, default="auto")
    evaluate.add_argument("--json", action="store_true")
    evaluate.add_argument(
        "--truth",
        default=None,
        help="shapes collections: the truth.json of `mixmiss data make-shapes --collections`",
    )
    add_dir_options(evaluate)
    evaluate.set_defaults(func=run_eval)


def run_train(args: argparse.Namespace) -> int:
    from ..mmgan import make_config, resume_training, train

    command = args.invocation
    common = {"data_dir": args.data_dir, "device": args.device, "progress": not args.no_progress,
              "snapshot_every": args.snapshot_every}  # fmt: skip
    if args.resume:
        _check_resume_options(args)
        resume_training(
            args.out, iters=args.iters, precision=args.precision, command=command, **common
        )
    else:
        config = make_config(
            args.preset or "quick",
            **_source(args),
            iters=args.iters,
            fixed_priors=args.fixed_priors,
            naive=args.naive,
            seed=args.seed,
            precision=args.precision,
            resolution=args.resolution,
            channels=args.channels,
            num_components=args.components,
        )
        train(config, args.out, command=command, **common)
    print(f"run written to {args.out}")
    return 0


def _source(args: argparse.Namespace) -> dict:
    """The config settings naming the training data: a dataset, a labelled folder or collections."""
    sets = args.case or args.sets
    if args.collections is not None:
        if sets is not None:
            raise InputError(
                "--collections are the distributions themselves; drop --case/--sets "
                "(or use --data DIR --sets ... for a labelled folder)."
            )
        folders = tuple(str(Path(d).resolve()) for d in args.collections)  # resumable from anywhere
        return {"dataset": "collections", "collections": folders, "sets": ""}
    if args.data is not None:
        if args.sets is None:
            raise InputError(
                "--data needs --sets: the classes (subfolder names or patterns) of each "
                "distribution, e.g. --sets 'red-*;*-circle'."
            )
        return {"dataset": "folder", "folder": str(Path(args.data).resolve()), "sets": args.sets}
    if args.dataset is None or sets is None:
        raise InputError(
            "give --dataset and --case (or --sets), --data DIR --sets ..., or --collections "
            "DIR DIR ...; or --resume to continue a run."
        )
    return {"dataset": args.dataset, "sets": sets}


def _check_resume_options(args: argparse.Namespace) -> None:
    """--resume continues the stored run: options that would describe another run are an error."""
    from ..mmgan import read_info

    stored = read_info(args.out).config
    given = {
        "--dataset": (args.dataset, stored.dataset),
        "--case/--sets": (args.case or args.sets, stored.sets),
        "--seed": (args.seed, stored.seed),
        "--fixed-priors": (args.fixed_priors or None, stored.fixed_priors or None),
        "--naive": (args.naive or None, stored.naive or None),
        "--data": (None if args.data is None else str(Path(args.data).resolve()), stored.folder),
        "--collections": (
            None
            if args.collections is None
            else [str(Path(d).resolve()) for d in args.collections],
            list(stored.collections),
        ),
        "--resolution": (args.resolution, stored.resolution),
        "--channels": (args.channels, stored.channels),
        "--components": (args.components, stored.num_components),
    }
    clash = [
        f"{option} {mine} (the run has {theirs})"
        for option, (mine, theirs) in given.items()
        if mine is not None and str(mine).upper() != str(theirs).upper()
    ]
    if args.preset is not None:
        from ..mmgan import make_config

        same = ("dataset", "sets", "fixed_priors", "naive", "seed", "folder", "collections")
        same += ("resolution", "channels", "num_components")
        preset = make_config(args.preset, **{k: getattr(stored, k) for k in same})
        if {**preset.to_dict(), "iters": stored.iters} != stored.to_dict():
            clash.append(f"--preset {args.preset} (the run was trained with other settings)")
    if clash:
        raise InputError(
            f"--resume continues the run in {args.out} as configured, but {'; '.join(clash)}; "
            "drop those options, or train a new run into another --out."
        )


def run_sample(args: argparse.Namespace) -> int:
    from ..mmgan import load_model, sample_distribution, samples_figure

    model, _, _ = load_model(args.run_dir)
    images, _ = sample_distribution(model, args.distribution, args.n, seed=args.seed)
    samples_figure(images, args.out, title=f"S{args.distribution}")
    print(f"{args.n} samples of S{args.distribution} written to {args.out}")
    return 0


def run_figure(args: argparse.Namespace) -> int:
    from ..mmgan import component_figure, load_model

    model, info, step = load_model(args.run_dir)
    out = args.out or f"{args.run_dir}/components.png"
    component_figure(model, out, seed=args.seed, title=f"{info.config.title}, step {step}")
    print(f"figure written to {out}")
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from ..mmgan import evaluate_run, read_info
    from ..mmgan.config import FOLDER_SOURCES

    if read_info(args.run_dir).config.dataset in FOLDER_SOURCES:
        return _eval_folder_run(args)
    if args.truth is not None:
        raise InputError("--truth is for runs on shapes collections; this run has its own labels.")
    report = evaluate_run(
        args.run_dir,
        n_per_component=args.n,
        n_fid=args.n_fid,
        full_train_fid=not args.no_full_train_fid,
        seed=args.seed,
        data_dir=args.data_dir,
        cache_dir=args.cache_dir,
        device=args.device,
    )
    if args.json:
        print_json(report)
    else:
        for key in ("dataset", "case", "mode", "accuracy", "avg", "random", "fid"):
            print(f"{key:>9}: {report[key]}")
        if "region_weight_error" in report:
            print(f"{'weights':>9}: error {report['weight_recovery_error']} per component, "
                  f"{report['region_weight_error']} per region")  # fmt: skip
        for region, cover in report.get("coverage", {}).get("regions", {}).items():
            dropped = f", dropped classes {cover['dropped']}" if cover["dropped"] else ""
            print(f"{'coverage':>9}: {region} (G{cover['component'] + 1}) {cover['coverage']:.0%}, "
                  f"divergence {cover['divergence']:.2f}{dropped}")  # fmt: skip
    return 0


def _eval_folder_run(args: argparse.Namespace) -> int:
    from ..mmgan.folder_evaluation import evaluate_folder_run

    report = evaluate_folder_run(
        args.run_dir,
        n_per_component=args.n,
        n_fid=args.n_fid,
        seed=args.seed,
        truth=args.truth,
        device=args.device,
    )
    if args.json:
        print_json(report)
        return 0
    names = report["distributions"]
    for k, component in enumerate(report["components"]):
        weights = " ".join(f"{d}={w:.2f}" for d, w in zip(names, component["weights"], strict=True))
        draws = report.get("draws", [{}] * len(report["components"]))[k]
        top = ", ".join(f"{c} {s:.0%}" for c, s in sorted(draws.items(), key=lambda x: -x[1])[:2])
        print(f"G{k + 1:<3} {component['role']:<8} {weights}" + (f"  draws {top}" if top else ""))
    for pair in report["merge_candidates"]:
        k, j = pair["components"]
        print(f"merge candidates G{k + 1} and G{j + 1}: classifier confusion "
              f"{pair['confusion']}, feature ratio {pair['feature_ratio']}")  # fmt: skip
    print(f"FID per distribution (random-CNN features): {report['fid']}")
    if "accuracy" in report:
        print(f"accuracy (%): {report['accuracy']}")
    if "region_weight_error" in report:
        print(f"weight recovery error: {report['weight_recovery_error']} per component, "
              f"{report['region_weight_error']} per region")  # fmt: skip
    print(f"component grids in {args.run_dir}/components/")
    return 0
