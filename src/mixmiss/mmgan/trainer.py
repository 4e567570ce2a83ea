"""Training MMGAN: minibatches, the step, the JSONL log, checkpoint contents, resume.

The loop knows nothing about the GAN beyond ``model.train_step(real, z)``,
``model.training_state()`` and ``model.alpha``. A checkpoint holds the
model (generator, EMA, critic, omega), every optimiser, the step and every
RNG state (minibatch and noise generators, torch's global CPU and CUDA
states), so an interrupted run resumed from it ends with the same weights
as an uninterrupted run of the same seed on CPU (tested). The loop is the
shared :class:`~mixmiss.training.TrainingLoop`: a stop signal (Ctrl-C,
SIGTERM, SIGUSR1) finishes the current step, writes a checkpoint and raises
:class:`~mixmiss.training.TrainingInterrupted`, naming the command that resumes.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import torch

from .. import paths
from ..atomic import atomic_write_json, atomic_write_text
from ..data import VennSplit
from ..device import resolve_device, torch_threads
from ..errors import CacheError, InputError
from ..provenance import provenance
from ..rng import make_generator
from ..training import Checkpoint, TrainingInterrupted, TrainingLoop
from .config import MMGANConfig
from .model import MixedMembershipGAN
from .run import (
    CHECKPOINT_FILE,
    CONFIG_FILE,
    LOG_FILE,
    build_model,
    checkpoint_step,
    describe_split,
    discard_unstarted,
    make_split,
    read_config,
    read_info,
    read_log,
)
from .snapshots import check_snapshot_every, discard_snapshots_after, save_snapshot


class RealBatches:
    """Minibatches of the n distributions, drawn with replacement in one gather.

    Parameters
    ----------
    split : VennSplit
    device : torch.device
        Images are moved there once, rescaled to [-1, 1] (the generator's tanh range).
    """

    def __init__(self, split: VennSplit, device: torch.device):
        images = [d.images for d in split.distributions]
        self.images = torch.cat(images).to(device).mul_(2.0).sub_(1.0)
        self.lengths = torch.tensor([len(x) for x in images], dtype=torch.float64)
        self.offsets = torch.cumsum(self.lengths, 0).long() - self.lengths.long()
        self.device = device

    def sample(self, batch_size: int, generator: torch.Generator) -> torch.Tensor:
        """(n, B, C, H, W): B images of each distribution, indices from ``generator``."""
        u = torch.rand(len(self.lengths), batch_size, generator=generator, dtype=torch.float64)
        index = (u * self.lengths[:, None]).long() + self.offsets[:, None]
        return self.images[index.to(self.device)]


def _rng_state(generators: dict[str, torch.Generator]) -> dict:
    state = {name: g.get_state() for name, g in generators.items()}
    state["torch"] = torch.get_rng_state()
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(generators: dict[str, torch.Generator], state: dict) -> None:
    for name, g in generators.items():
        g.set_state(state[name])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _truncate_log(out: Path, step: int) -> None:
    """Keep the log lines up to the checkpoint being resumed from (and none torn by a kill)."""
    records = read_log(out)
    if records is not None:
        kept = "".join(json.dumps(r) + "\n" for r in records if r["step"] <= step)
        atomic_write_text(out / LOG_FILE, kept)


def _log_record(step: int, losses: dict, model: MixedMembershipGAN, seconds: float) -> dict:
    record = {"step": step, **{k: round(float(v), 6) for k, v in losses.items()}}
    record["alpha"] = [[round(a, 5) for a in row] for row in model.alpha.detach().cpu().tolist()]
    record["seconds"] = round(seconds, 2)
    return record


def train(
    config: MMGANConfig,
    out: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    device: str = "auto",
    resume: bool = False,
    progress: bool = True,
    command: str | None = None,
    on_step: Callable[[int], None] | None = None,
    snapshot_every: int | None = None,
) -> Path:
    """Train MMGAN (or the naive baseline) into the run directory ``out``.

    Parameters
    ----------
    config : MMGANConfig
        With ``resume``, the stored config is used and only ``iters`` is taken
        from this one (to extend a finished run).
    out : path
        Run directory; must not hold a run unless ``resume``.
    data_dir : path, optional
    device : {"auto", "cpu", "cuda"}
    resume : bool
        Continue from ``out/checkpoint.pt``.
    progress : bool
        Show a tqdm bar with losses and current weights.
    command : str, optional
        The command line, recorded in ``config.json``.
    on_step : callable, optional
        Called with the step number after each step (tests use it to send a signal).
    snapshot_every : int, optional
        Also keep the EMA generator after every this many steps
        (:mod:`.snapshots`; recorded in ``config.json``). Not part of the
        config: a resume may add or drop it.

    Returns
    -------
    pathlib.Path
        The run directory.

    Raises
    ------
    TrainingInterrupted
        On SIGINT/SIGTERM, after the checkpoint is written.
    """
    out = Path(out)
    snapshot_every = check_snapshot_every(snapshot_every)
    checkpoint_path = out / CHECKPOINT_FILE
    started = (out / CONFIG_FILE).is_file()
    if resume:
        if not started:
            raise CacheError(
                f"cannot resume: {out} holds no MMGAN run ({CONFIG_FILE} is missing). "
                "Train without --resume first."
            )
        stored = read_info(out).config
        config = MMGANConfig.from_dict({**stored.to_dict(), "iters": config.iters})
        done = checkpoint_step(out) if checkpoint_path.is_file() else 0
        if config.iters < done:
            raise InputError(
                f"the run in {out} is at step {done}; iters={config.iters} would end it "
                f"before that. Give at least {done} iterations, or omit them."
            )
        if config.iters > stored.iters and progress:
            print(
                f"extending the run in {out} from {stored.iters:,} to {config.iters:,} iterations"
            )
    elif checkpoint_path.exists():
        raise InputError(
            f"{out} already holds an MMGAN run; pass --resume to continue it or choose another --out."
        )
    torch_device = resolve_device(device)
    created = not out.exists()
    paths.ensure_writable_dir(out, "run directory", "--out")
    if not checkpoint_path.is_file():
        # A run killed before its first checkpoint holds nothing to continue: start it afresh
        # (with --resume, with its stored settings).
        resume = False
        discard_unstarted(out)
    with torch_threads(config.num_threads):
        try:
            return _train(
                config, out, data_dir, torch_device, resume, progress, command, on_step,
                snapshot_every,
            )  # fmt: skip
        except TrainingInterrupted as stop:
            raise stop.with_resume_command(resume_command(out, data_dir, snapshot_every)) from None
        except Exception:  # an error, not a kill: with nothing to continue, leave no trace
            if created and not checkpoint_path.exists():
                shutil.rmtree(out, ignore_errors=True)
            raise


def resume_command(
    out: str | os.PathLike,
    data_dir: str | os.PathLike | None = None,
    snapshot_every: int | None = None,
) -> list[str]:
    """The command that continues the run in ``out`` (keeping its snapshots, if any)."""
    argv = ["mixmiss", "mmgan", "train", "--out", str(out), "--resume"]
    argv += [] if data_dir is None else ["--data-dir", str(data_dir)]
    return argv + ([] if snapshot_every is None else ["--snapshot-every", str(snapshot_every)])


def _train(
    config, out, data_dir, torch_device, resume, progress, command, on_step, snapshot_every
) -> Path:
    split = make_split(config, data_dir)
    info = describe_split(config, split)
    model = build_model(info, torch_device).train()
    batches = RealBatches(split, torch_device)
    rngs = {"data": make_generator(config.seed + 1), "noise": make_generator(config.seed + 2)}
    loop = TrainingLoop(
        config.iters,
        lambda: {"state": model.training_state(), "rng": _rng_state(rngs)},
        Checkpoint(
            out / CHECKPOINT_FILE, config.to_dict(), may_change=("iters",), owns_directory=True
        ),
        every_steps=config.checkpoint_every,
        desc="mmgan",
        progress=progress,
    )
    if resume:
        checkpoint = loop.resume(torch_device)
        model.load_training_state(checkpoint["state"])
        _set_rng_state(rngs, checkpoint["rng"])
        _truncate_log(out, loop.step)
    discard_snapshots_after(out, loop.step)  # those of a stretch the resume throws away
    record = {
        "run": info.to_dict(),
        "provenance": provenance(command),
        "device": str(torch_device),
        "precision": model.precision_on(torch_device),  # what config.precision resolved to
        "threads": torch.get_num_threads(),
        "resumes": [],
        "snapshot_every": snapshot_every,
    }
    if resume:
        previous = read_config(out)
        record["provenance"] = previous.get("provenance", record["provenance"])
        resumed = {"step": loop.step, "provenance": provenance(command)}
        record["resumes"] = [*previous.get("resumes", []), resumed]
    atomic_write_json(out / CONFIG_FILE, record)

    with open(out / LOG_FILE, "a") as log:

        def step(index: int) -> dict | None:
            real = batches.sample(config.batch_size, rngs["data"])
            z = torch.randn(config.batch_size, config.z_dim, generator=rngs["noise"])
            losses = model.train_step(real, z.to(torch_device))
            done, postfix = index + 1, None
            if done % config.log_every == 0 or done == config.iters:
                entry = _log_record(done, losses, model, loop.stretch_seconds)
                log.write(json.dumps(entry) + "\n")
                log.flush()
                alpha = " ".join("/".join(f"{a:.2f}" for a in row) for row in entry["alpha"])
                postfix = {"d": entry["loss_d"], "g": entry["loss_g"], "alpha": alpha}
            if snapshot_every and done % snapshot_every == 0:
                save_snapshot(out, done, model)
            if on_step is not None:
                on_step(done)
            return postfix

        loop.run(step)
    return out


def resume_training(
    out: str | os.PathLike, iters: int | None = None, precision: str | None = None, **kwargs
) -> Path:
    """Continue the run in ``out`` from its last checkpoint (optionally to ``iters``).

    ``precision``, when given, must be the run's own (a run does not change
    precision half-way). Other keyword arguments are those of :func:`train`
    (``data_dir``, ``device``, ``progress``, ``command``, ``on_step``, ``snapshot_every``);
    without ``snapshot_every`` the run keeps snapshotting as it did.
    """
    stored = read_info(out).config
    if kwargs.get("snapshot_every") is None:
        kwargs["snapshot_every"] = read_config(out).get("snapshot_every")
    if precision is not None and precision != stored.precision:
        raise InputError(
            f"{out} was trained with precision {stored.precision!r}, not {precision!r}; "
            "resume it with the same precision (or without --precision)."
        )
    config = (
        stored if iters is None else MMGANConfig.from_dict({**stored.to_dict(), "iters": iters})
    )
    return train(config, out, resume=True, **kwargs)
