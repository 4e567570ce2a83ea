"""An MMGAN run directory: setting a run up from its config, and reading a trained one back.

A run directory holds ``config.json`` (the resolved config, the command, the
split's regions and true priors, K, and the steps training was resumed at),
``checkpoint.pt`` (written atomically, loaded with ``weights_only=True``),
``log.jsonl`` (one line per logged step: losses, alpha, seconds since the
session started) and the figure. This module is the one place that knows
those names and formats: other code reads a run through its functions
(:func:`read_config`, :func:`read_info`, :func:`read_log`,
:func:`training_seconds`, :func:`has_checkpoint`, :func:`checkpoint_step`,
:func:`load_model`).

Components in the three modes:

- learned weights: K = 2^n - 1 (paper) for n <= 3 distributions, omega
  initialised to 0 (uniform alpha). Above 3 (our rule, :func:`default_components`)
  K = n(n+1)/2: one component per distribution's own part and one per pair
  of distributions; 2^n - 1 would give every higher-order overlap its own
  component (15 for n = 4, 31 for n = 5), most of them empty in real
  collections, at a cost linear in K per step. ``num_components`` (``--components``)
  sets any K; components whose learned weight ends below a threshold in every
  distribution are reported as dropped (:mod:`.components`);
- ``fixed_priors``: one component per non-empty Venn region, component k <->
  region r_k in the paper's order, omega = log(true priors) and frozen, so
  alpha = softmax(omega) = the priors (our reading of "we fix mixture weights
  with true priors"; for case C, whose regions are r1, r6, r7, K = 3);
- ``naive`` (Eq. 4): K = n, omega = log(identity), i.e. G_i serves D_i only,
  and lambda = 0 (no classifier term). The n generators share the
  conditional network's weights, as MMGAN's components do (paper, Sec. 4:
  "a single conditional generator ... due to efficiency").
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from ..atomic import load_checkpoint
from ..data import VennSplit, load_dataset, venn_split
from ..data.folders import collections_split, folder_split
from ..device import resolve_device
from ..errors import CacheError, InputError
from ..rng import isolated_seed, make_generator
from .config import MMGANConfig
from .model import MixedMembershipGAN

CONFIG_FILE = "config.json"
CHECKPOINT_FILE = "checkpoint.pt"
LOG_FILE = "log.jsonl"
FIGURE_FILE = "components.png"


@dataclass
class RunInfo:
    """What a run needs besides weights: its split summary and component count."""

    config: MMGANConfig
    image_size: int
    regions: dict[str, str]  # "r1" -> "S1\\S2"
    region_labels: dict[str, list[int]]
    true_priors: list[list[float]]  # (n, R); (n, 0) for collections: regions unknown
    num_components: int
    channels: int = 1

    @property
    def num_distributions(self) -> int:
        return len(self.true_priors)

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "image_size": self.image_size,
            "regions": self.regions,
            "region_labels": self.region_labels,
            "true_priors": self.true_priors,
            "num_components": self.num_components,
        } | ({} if self.channels == 1 else {"channels": self.channels})

    @classmethod
    def from_dict(cls, data: dict) -> RunInfo:
        return cls(
            MMGANConfig.from_dict(data["config"]),
            data["image_size"],
            data["regions"],
            {k: list(v) for k, v in data["region_labels"].items()},
            data["true_priors"],
            data["num_components"],
            data.get("channels", 1),
        )


def make_split(config: MMGANConfig, data_dir: str | os.PathLike | None = None) -> VennSplit:
    """The training split of the run: disjoint per-distribution data (seeded by ``config.seed``).

    A registered dataset or a labelled folder is Venn-split by ``config.sets``;
    collections are one distribution per folder with unknown regions.
    """
    if config.dataset == "collections":
        return collections_split(config.collections, *config.image_format)
    if config.dataset == "folder":
        return folder_split(
            config.folder, config.sets, *config.image_format, make_generator(config.seed)
        )
    train = load_dataset(config.dataset, "train", data_dir)
    return venn_split(train, config.sets, make_generator(config.seed))


def default_components(n: int) -> int:
    """K for n distributions with learned weights: 2^n - 1 up to n = 3, n(n+1)/2 above."""
    return 2**n - 1 if n <= 3 else n * (n + 1) // 2


def describe_split(config: MMGANConfig, split: VennSplit) -> RunInfo:
    """The :class:`RunInfo` of ``config`` on ``split`` (resolves K)."""
    n, num_regions = split.priors.shape
    if config.naive:
        default_k = n
    elif config.fixed_priors:
        default_k = num_regions
    else:
        default_k = default_components(n)
    k = config.num_components or default_k
    if config.fixed_priors and k != num_regions:
        raise InputError(
            f"--fixed-priors assigns one component per non-empty region ({num_regions} here); "
            f"num_components={k} does not match. Leave num_components unset."
        )
    if config.naive and k != n:
        raise InputError(f"the naive baseline has one generator per distribution ({n}); got K={k}.")
    return RunInfo(
        config=config,
        image_size=split.distributions[0].image_shape[0],
        regions={r.name: r.operation for r in split.regions},
        region_labels={r.name: list(r.labels) for r in split.regions},
        true_priors=split.priors.tolist(),
        num_components=k,
        channels=split.distributions[0].channels,
    )


def initial_omega(info: RunInfo) -> tuple[torch.Tensor, bool]:
    """omega at step 0 and whether it is learned (see the module docstring)."""
    n, k = info.num_distributions, info.num_components
    if info.config.naive:
        return torch.eye(n).log(), False
    if info.config.fixed_priors:
        return torch.tensor(info.true_priors, dtype=torch.float32).log(), False
    return torch.zeros(n, k), True


def build_model(info: RunInfo, device: torch.device) -> MixedMembershipGAN:
    """A freshly initialised model (initialisation seeded by ``config.seed``)."""
    omega, learn = initial_omega(info)
    config = info.config
    if config.naive:
        config = replace(config, lam=0.0)
    with isolated_seed(config.seed):
        model = MixedMembershipGAN(
            config,
            info.image_size,
            info.num_distributions,
            info.num_components,
            omega,
            learn,
            info.channels,
        )
    return model.to(device)


def read_config(run_dir: str | os.PathLike) -> dict:
    """The record in ``run_dir/config.json``: ``run`` (:class:`RunInfo`), ``command``, ``resumes``..."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise CacheError(
            f"{run_dir} is not an MMGAN run directory (no {CONFIG_FILE}); train one with "
            "`mixmiss mmgan train ... --out DIR`."
        )
    try:
        record = json.loads(path.read_text())
    except ValueError as exc:
        raise CacheError(f"cannot read {path}: {exc}; the run directory is damaged.") from exc
    if not isinstance(record, dict):
        raise CacheError(
            f"cannot read {path}: it holds no run record; the run directory is damaged."
        )
    return record


def read_info(run_dir: str | os.PathLike) -> RunInfo:
    """The :class:`RunInfo` stored in ``run_dir/config.json``."""
    record = read_config(run_dir)
    try:
        return RunInfo.from_dict(record["run"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        path = Path(run_dir) / CONFIG_FILE
        raise CacheError(f"cannot read {path}: {exc}; the run directory is damaged.") from exc


def read_log(run_dir: str | os.PathLike) -> list[dict] | None:
    """The records of ``run_dir/log.jsonl`` in file order; None when the run has no log.

    A line that is not a JSON record with a whole ``step`` (one torn by a kill
    during its write) is left out.
    """
    path = Path(run_dir) / LOG_FILE
    if not path.is_file():
        return None
    records = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("step"), int):
            records.append(record)
    return records


def training_seconds(run_dir: str | os.PathLike) -> float | None:
    """Training wall time of a run, read from its log; None without a log.

    Each training session (the first and every resume, whose steps are in
    ``config.json``'s ``resumes``) logs the seconds since it started; the
    total is the sum over sessions of their last logged value. Startup and
    the steps after a session's last log line are not counted, nor steps
    thrown away by a resume from an earlier checkpoint.
    """
    records = read_log(run_dir)
    if records is None:
        return None
    if not records:
        return 0.0
    starts = np.sort([r["step"] for r in read_config(run_dir).get("resumes", [])])
    steps = np.array([r["step"] for r in records])
    seconds = np.array([r["seconds"] for r in records], dtype=np.float64)
    session = np.searchsorted(starts, steps, side="left")  # resumes strictly before the step
    last = np.zeros(len(starts) + 1)
    np.maximum.at(last, session, seconds)
    return round(float(last.sum()), 2)


def has_checkpoint(run_dir: str | os.PathLike) -> bool:
    """Whether ``run_dir`` holds a checkpoint (a run that can be resumed or loaded)."""
    return (Path(run_dir) / CHECKPOINT_FILE).is_file()


def checkpoint_step(run_dir: str | os.PathLike) -> int:
    """The step the checkpoint of ``run_dir`` was written at."""
    return int(load_checkpoint(Path(run_dir) / CHECKPOINT_FILE)["step"])


def discard_unstarted(run_dir: str | os.PathLike) -> None:
    """Delete the ``config.json`` and log of a run killed before its first checkpoint.

    They hold nothing to continue, and :func:`~mixmiss.mmgan.train` refuses a
    directory with a config in it. A run with a checkpoint is left alone
    (raises :class:`~mixmiss.errors.InputError`).
    """
    if has_checkpoint(run_dir):
        raise InputError(f"{run_dir} holds a checkpoint; resume it instead of discarding it.")
    for name in (CONFIG_FILE, LOG_FILE):
        (Path(run_dir) / name).unlink(missing_ok=True)


def load_model(
    run_dir: str | os.PathLike, device: str | torch.device = "cpu"
) -> tuple[MixedMembershipGAN, RunInfo, int]:
    """The trained model of ``run_dir``, its info and the step it reached."""
    info = read_info(run_dir)
    torch_device = resolve_device(device)
    model = build_model(info, torch_device)
    checkpoint = load_checkpoint(Path(run_dir) / CHECKPOINT_FILE, map_location=torch_device)
    model.load_training_state(checkpoint["state"])
    model.eval()
    return model, info, int(checkpoint["step"])


def priors_array(info: RunInfo) -> np.ndarray:
    """True priors (n, R) as an array."""
    return np.asarray(info.true_priors, dtype=np.float64)
