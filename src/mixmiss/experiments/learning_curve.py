"""A learning curve: one imputer trained in stretches, every snapshot scored.

The LM-RBM paper puts MisGAN at the perception end of its plane (lowest
FID); our quick preset trains it for 0.4 % of the paper's steps. This study
trains one iterative imputer -- MisGAN (the default: MNIST, I.M. 0.6, the
paper preset's settings), the RBM [5] or the LM-RBM -- with a snapshot of
its model every ``snapshot_every`` epochs (:mod:`mixmiss.misgan.snapshots`,
:mod:`mixmiss.rbm.snapshots`) and scores each snapshot with the protocol's
measures (:func:`~.scoring.score_imputer`: the paper's RMSE, ``fid_lenet``
on the completed training images, ``fid_lenet_test``, the accuracy, our
``fid``), then renders the curve (:mod:`.learning_curve_report`). The
curves say how many epochs pay, which is what the ``standard`` preset of
Table 1 is chosen from.

Training and evaluation never run at the same time: the run trains one
stretch of ``snapshot_every`` epochs, scores the snapshots not yet scored,
trains the next stretch, and so on up to ``epochs``. Ctrl-C (or SIGTERM)
during training writes a checkpoint and stops; during an evaluation it
stops at once. Either way the same command continues: training resumes from
its checkpoint (bit-identically) and each snapshot's scores are cached in
``<out>/evals/epoch-<e>.json`` (atomically, keyed by what shapes them), so
only what is missing is computed. ``evaluate_only`` scores the snapshots
there are and renders, without training.

Layout of ``out``: ``run/`` (the :func:`~.imputation.train_imputer` run:
``run.json``, ``checkpoints/<method's checkpoint>``,
``checkpoints/snapshots/``), ``evals/``, and the report (``curve.json``,
``curve.md``, ``curve.png``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from ..atomic import atomic_write_json
from ..context import DEFAULT_CONTEXT, Context
from ..errors import InputError
from ..registry import make_imputer
from ..training import TrainingInterrupted, check_snapshot_every, snapshot_epochs
from .imputation import CHECKPOINT_DIR, PAPER_TEST, PAPER_TRAIN, RUN_FILE, read_run, train_imputer
from .learning_curve_report import write_curve_report
from .scoring import score_imputer

RUN_DIR = "run"
EVALS_DIR = "evals"
#: The methods that keep snapshots, hence have a learning curve.
CURVE_METHODS = ("misgan", "rbm", "lm-rbm")


def _settings(run: dict) -> dict:
    """What of a run's settings shapes a snapshot's scores (not its length)."""
    free = ("epochs", "snapshot_every", "log_every", "device")
    return {k: v for k, v in run["config"].items() if k not in free}


def trained_epochs(run_dir: Path) -> int:
    """Epochs of the run that are finished: all of a trained run, else its last snapshot's."""
    if (run_dir / RUN_FILE).is_file():
        run = read_run(run_dir)
        if run["status"] == "trained":
            return int(run["config"]["epochs"])
    epochs = snapshot_epochs(run_dir / CHECKPOINT_DIR)
    return epochs[-1] if epochs else 0


def evaluate_snapshots(
    out: Path, test_seeds: Sequence[int], max_test: int, context: Context
) -> list[dict]:
    """Score every snapshot not yet scored (cached in ``out/evals``); all scores by epoch."""
    run_dir = out / RUN_DIR
    if not (run_dir / RUN_FILE).is_file():
        return []
    run = read_run(run_dir)
    key = {"settings": _settings(run), "test_seeds": list(test_seeds), "max_test": max_test,
           "n_train": run["n_train"], "mechanism": run["mechanism"], "rate": run["rate"],
           "train_seed": run["seed"]}  # fmt: skip
    key = json.loads(json.dumps(key))
    base = make_imputer(run["method"], **{**run["config"], "device": context.device})
    points = []
    for epoch in snapshot_epochs(run_dir / CHECKPOINT_DIR):
        path = out / EVALS_DIR / f"epoch-{epoch:07d}.json"
        cached = json.loads(path.read_text()) if path.is_file() else None
        if cached is None or cached.get("key") != key:
            imputer = base.from_snapshot(run_dir / CHECKPOINT_DIR, epoch)
            reports = score_imputer(imputer, run, test_seeds, run["n_train"], max_test, context,
                                    readouts=(), hidden_accuracy=False)  # fmt: skip
            cached = {"epoch": epoch, "key": key, "reports": reports}
            atomic_write_json(path, cached)
        points.append(cached)
    return points


def _stored_method(run_dir: Path, method: str) -> None:
    """Refuse to continue a study directory that holds another method's run."""
    stored = read_run(run_dir)["method"] if (run_dir / RUN_FILE).is_file() else method
    if stored != method:
        raise InputError(
            f"{run_dir} holds a run of {stored}, not {method}; give --method {stored} or "
            "another --out."
        )


def run_learning_curve(
    out: str | os.PathLike,
    method: str = "misgan",
    rate: float = 0.6,
    mechanism: str = "im",
    preset: str = "paper",
    snapshot_every: int = 2,
    epochs: int | None = None,
    evaluate_only: bool = False,
    seed: int = 0,
    max_train: int = PAPER_TRAIN,
    max_test: int = PAPER_TEST,
    test_seeds: Sequence[int] = (0,),
    references: str | os.PathLike | None = "results/table1/quick/cells",
    context: Context = DEFAULT_CONTEXT,
    command: Sequence[str] | None = None,
) -> dict[str, Path]:
    """Train (or continue) the curve's imputer in ``out``, score its snapshots, render.

    Parameters
    ----------
    out : path
        The study's directory (see the module docstring for its layout).
    method : {"misgan", "rbm", "lm-rbm"}
        The imputer whose curve is drawn (:data:`CURVE_METHODS`).
    rate, mechanism : the masked training set (MNIST).
    preset : {"smoke", "quick", "paper"}
        The method's settings (the curves of #17: ``paper``, full width).
    snapshot_every : int
        Epochs between snapshots, i.e. the length of a training stretch.
    epochs : int, optional
        Train up to this many epochs (default: the preset's, 500 for ``paper``);
        a later call with more epochs extends the same run.
    evaluate_only : bool
        Train nothing: score the snapshots there are, render.
    seed : int
        Seeds the training masks and the imputer.
    max_train, max_test, test_seeds : the protocol's sizes and test sets.
    references : path, optional
        A Table 1 study's ``cells/`` folder; its cells of the other methods at the
        same (mechanism, rate) are drawn as horizontal lines when present.
    context : Context
    command : list of str, optional
        The command line; an interrupted training's message names it as the resume.
    """
    if method not in CURVE_METHODS:
        raise InputError(
            f"a learning curve needs a method that keeps snapshots; choose one of "
            f"{', '.join(CURVE_METHODS)}, got {method!r}."
        )
    out = Path(out)
    snapshot_every = check_snapshot_every(snapshot_every, "epochs", "snapshot_every")
    target = epochs if epochs is not None else make_imputer(method, preset).get_config()["epochs"]
    if isinstance(target, bool) or not isinstance(target, int) or target < 1:
        raise InputError(f"epochs must be a positive whole number, got {target!r}.")
    run_dir = out / RUN_DIR
    _stored_method(run_dir, method)
    while not evaluate_only:
        evaluate_snapshots(out, test_seeds, max_test, context)  # before each stretch
        done = trained_epochs(run_dir)
        if done >= target:
            break
        stretch_end = min(target, (done // snapshot_every + 1) * snapshot_every)
        try:
            train_imputer(
                run_dir, "mnist", method, mechanism, rate, preset=preset, seed=seed,
                resume=(run_dir / RUN_FILE).is_file(), max_train=max_train,
                overrides={"epochs": stretch_end, "snapshot_every": snapshot_every},
                context=context, command=command,
            )  # fmt: skip
        except TrainingInterrupted as stop:
            if command is not None:
                raise stop.with_resume_command(command) from None
            raise
    points = evaluate_snapshots(out, test_seeds, max_test, context)
    run = read_run(run_dir) if (run_dir / RUN_FILE).is_file() else None
    return write_curve_report(out, points, run, method, mechanism, rate, references, target)
