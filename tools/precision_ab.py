"""Side-by-side timings of a base revision's training steps against this checkout's.

    PYTHONPATH=src python tools/precision_ab.py --base-src /tmp/base/src [--json OUT]

``--base-src`` is the ``src`` directory of another checkout (e.g. ``git archive
5c556b2 src | tar -x -C /tmp/base``); its ``mixmiss`` package is imported under
the name ``mixmiss_base`` so both versions run in one process. For each
trainer (the RBM's CD-1 step, dense and ``W = A B``; MisGAN's step; MMGAN's
step) the two versions are timed in alternating rounds (ABBA order), several
calls per round, and the median over rounds of the seconds per call is kept:
on a shared machine other jobs add noise to both sides alike. This
checkout's steps run at ``--precision`` (default ``auto``).

Sizes are the benches': 50,000 MNIST images under I.M. 0.6, 4096 hidden
units, batch 128 and rank 314 for the RBM; the paper configuration for
MisGAN (batch 64) and the quick and paper presets for MMGAN.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch


def import_base(src: Path):
    """The package ``mixmiss`` of ``src``, imported as ``mixmiss_base``."""
    where = Path(tempfile.mkdtemp(prefix="mixmiss-base-"))
    atexit.register(shutil.rmtree, where, True)
    shutil.copytree(src / "mixmiss", where / "mixmiss_base")
    sys.path.insert(0, str(where))
    return importlib.import_module("mixmiss_base")


def alternate(steps: dict, rounds: int, calls: int) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds per call of each step, timed in alternating rounds.

    CPU time (``time.process_time``) is what a loaded machine distorts least: other
    jobs take cores away (wall time) but not the work a step does; with one torch
    thread it is the step's own work.
    """
    names = list(steps)
    wall = {name: [] for name in names}
    cpu = {name: [] for name in names}
    for name in names:  # warm-up
        steps[name]()
    for r in range(rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                steps[name]()
            wall[name].append((time.perf_counter() - start) / calls)
            cpu[name].append((time.process_time() - start_cpu) / calls)
    return {
        "wall": {name: statistics.median(v) for name, v in wall.items()},
        "cpu": {name: statistics.median(v) for name, v in cpu.items()},
    }


def rbm_steps(mixmiss, base, precision: str) -> dict:
    from mixmiss.data import load_dataset, make_mask
    from mixmiss.rbm.mask import expected_observed_units, observation_probability

    x = load_dataset("mnist", "train", None, limit=50_000).images.flatten(1)
    observed = make_mask("im", x.shape[0], (28, 28), 0.6, torch.Generator().manual_seed(0))
    observed = observed.flatten(1)
    v_obs = x * observed
    lam = observation_probability(observed)
    rank = expected_observed_units(observed)
    order = torch.randperm(v_obs.shape[0], generator=torch.Generator().manual_seed(1))
    batches = order[: 128 * 390].view(390, 128)

    def step_of(package, method, low, **kwargs):
        generator = torch.Generator().manual_seed(0)
        model = package.rbm.model.RBM.initialise(
            v_obs, observed, 4096, generator, rank if low else None
        )
        cd = package.rbm.cd.ContrastiveDivergence(model, method, 1e-4, lam, 1, generator, **kwargs)
        position = {"i": 0}

        def step():
            rows = batches[position["i"] % len(batches)]
            position["i"] += 1
            cd.step(v_obs[rows], observed[rows])

        return step

    steps = {}
    for method in ("zeroed", "lm"):
        for low in (False, True):
            name = method + ("_lowrank" if low else "")
            steps[f"base {name}"] = step_of(base, method, low)
            steps[f"new {name}"] = step_of(mixmiss, method, low, precision=precision)
    return steps, {"rank": rank}


def misgan_steps(mixmiss, base, precision: str) -> dict:
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 28, 28, generator=g)
    m = (torch.rand(64, 1, 28, 28, generator=g) > 0.6).float()
    x = x * m

    def step_of(package, **kwargs):
        imputer = package.misgan.MisGANImputer(random_state=0, device="cpu")
        nets = imputer.build_networks(0, torch.device("cpu"))
        trainer = package.misgan.training.MisGANTrainer(
            nets, imputer.hyperparameters(), torch.Generator().manual_seed(1), **kwargs
        )

        def cycle():  # n_critic = 5 steps: four critic steps and one with the generators
            for _ in range(5):
                trainer.train_step(x, m)

        return cycle

    return {
        "base misgan (5 steps)": step_of(base),
        "new misgan (5 steps)": step_of(mixmiss, precision=precision),
    }, {}


def mmgan_steps(mixmiss, base, precision: str) -> dict:
    steps = {}
    for preset in ("quick", "paper"):
        for label, package, extra in (
            ("base", base, {}),
            ("new", mixmiss, {"precision": precision}),
        ):
            config = package.mmgan.config.make_config(preset, **extra)
            g = torch.Generator().manual_seed(0)
            with package.rng.isolated_seed(0):
                model = package.mmgan.model.MixedMembershipGAN(
                    config, 28, 2, 3, torch.zeros(2, 3), learn_omega=True
                )
            real = torch.rand(2, config.batch_size, 1, 28, 28, generator=g) * 2 - 1
            z = torch.randn(config.batch_size, config.z_dim, generator=g)
            steps[f"{label} mmgan {preset}"] = lambda m=model, r=real, zz=z: m.train_step(r, zz)
    return steps, {}


TRAINERS = {"rbm": (rbm_steps, 7, 4), "misgan": (misgan_steps, 5, 1), "mmgan": (mmgan_steps, 5, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-src", type=Path, required=True)
    parser.add_argument("--precision", default="auto")
    parser.add_argument("--trainers", nargs="+", default=list(TRAINERS), choices=list(TRAINERS))
    parser.add_argument("--rounds", type=int, default=None, help="override the rounds")
    parser.add_argument("--calls", type=int, default=None, help="override the calls per round")
    parser.add_argument(
        "--only", nargs="+", default=None, help="time only the steps named exactly so (no base/new)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (1: CPU time is the step's work)"
    )
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import mixmiss
    from mixmiss.precision import describe, resolve_precision

    base = import_base(args.base_src)
    for module in ("rbm.model", "rbm.cd", "misgan", "misgan.training", "mmgan.config",
                   "mmgan.model", "rng"):  # fmt: skip
        importlib.import_module(f"mixmiss_base.{module}")
        importlib.import_module(f"mixmiss.{module}")
    start = time.perf_counter()
    report = {
        "command": " ".join(sys.argv),
        "revision": subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip(),
        "base_src": str(args.base_src),
        "precision": args.precision,
        "resolved": resolve_precision(args.precision, "cpu"),
        "policy": describe("cpu"),
        "threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "torch": torch.__version__,
        "seconds_per_call": {"wall": {}, "cpu": {}},
        "new_over_base_speed": {"wall": {}, "cpu": {}},
    }
    for trainer in args.trainers:
        make, rounds, calls = TRAINERS[trainer]
        steps, extra = make(mixmiss, base, args.precision)
        report.update({f"{trainer}_{k}": v for k, v in extra.items()})
        if args.only:
            steps = {k: v for k, v in steps.items() if k.split(" ", 1)[1] in args.only}
        medians = alternate(steps, args.rounds or rounds, args.calls or calls)
        for clock, times in medians.items():
            report["seconds_per_call"][clock].update(times)
            for name, seconds in times.items():
                if name.startswith("new "):
                    speed = times["base " + name[4:]] / seconds
                    report["new_over_base_speed"][clock][name[4:]] = speed
        print(json.dumps({c: {k: round(v, 4) for k, v in t.items()} for c, t in medians.items()}))
    if "rbm" in args.trainers and not args.only:
        report["lowrank_over_dense_speed"] = {
            clock: {
                f"{side} {method}": per_call[f"{side} {method}"]
                / per_call[f"{side} {method}_lowrank"]
                for side in ("base", "new")
                for method in ("zeroed", "lm")
            }
            for clock, per_call in report["seconds_per_call"].items()
        }
    report["load_average_at_end"] = os.getloadavg()
    report["wall_seconds"] = time.perf_counter() - start
    text = json.dumps(report, indent=2, sort_keys=True)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
