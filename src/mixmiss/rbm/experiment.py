"""The RMSE of the RBM imputers on MNIST, as one row of Table 1 of the LM-RBM paper.

Protocol (paper, Sec. 4): the first 50,000 MNIST training images masked by a
mechanism at a missing rate, the 10,000 test images masked with another seed;
the imputer is trained on the masked training images and the paper's RMSE
(:func:`mixmiss.metrics.rmse_missing`) measured on the completed test images,
next to mean imputation (each pixel's observed training mean).

Run: ``python -m mixmiss.rbm.experiment --method lm-rbm --preset quick --out results/rbm/lm.json``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

from ..atomic import atomic_write_json
from ..data import load_dataset, make_mask
from ..impute import make_imputer
from ..metrics import rmse_all, rmse_missing
from ..provenance import git_revision

N_TRAIN = 50_000


def masked_mnist(mechanism: str, rate: float, seed: int, data_dir=None):
    """(train images, train mask, test images, test mask); test mask drawn with seed + 1."""
    train = load_dataset("mnist", "train", data_dir=data_dir).images[:N_TRAIN]
    test = load_dataset("mnist", "test", data_dir=data_dir).images
    shape = tuple(train.shape[2:])
    train_mask = make_mask(mechanism, len(train), shape, rate, torch.Generator().manual_seed(seed))
    test_mask = make_mask(
        mechanism, len(test), shape, rate, torch.Generator().manual_seed(seed + 1)
    )
    return train, train_mask, test, test_mask


def run(
    method: str,
    preset: str,
    mechanism: str = "im",
    rate: float = 0.6,
    seed: int = 0,
    data_dir=None,
    device: str = "auto",
    checkpoint_dir: Path | None = None,
    resume: bool = False,
    **overrides,
) -> dict:
    """Train ``method`` at ``preset`` and return the RMSE report (a JSON-able dict)."""
    train, train_mask, test, test_mask = masked_mnist(mechanism, rate, seed, data_dir)
    imputer = make_imputer(method, preset, random_state=seed, device=device, **overrides)
    start = time.perf_counter()
    imputer.fit(train, train_mask, checkpoint_dir=checkpoint_dir, resume=resume)
    train_seconds = time.perf_counter() - start
    config = imputer.get_config()
    filled = imputer.impute(test, test_mask)
    imputer.hidden = "mean"  # mean-field variant: P(h | v_o) instead of a sample
    mean_field = imputer.impute(test, test_mask)
    pixel_mean = (train * train_mask).sum(0) / train_mask.sum(0).clamp_min(1.0)
    mean_filled = torch.where(test_mask.bool(), test, pixel_mean.expand_as(test))
    return {
        "method": method,
        "preset": preset,
        "config": config,
        "mechanism": mechanism,
        "rate": rate,
        "seed": seed,
        "rmse": rmse_missing(filled, test, test_mask),
        "rmse_all": rmse_all(filled, test),
        "rmse_mean_field": rmse_missing(mean_field, test, test_mask),
        "reconstruction_error_per_epoch": imputer.history,
        "rmse_mean_imputation": rmse_missing(mean_filled, test, test_mask),
        "train_seconds": train_seconds,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=["rbm", "lm-rbm"], required=True)
    parser.add_argument("--preset", choices=["smoke", "quick", "paper"], default="quick")
    parser.add_argument("--mechanism", choices=["im", "so", "pm"], default="im")
    parser.add_argument("--rate", type=float, default=0.6)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--out", required=True, help="JSON report path")
    args = parser.parse_args(argv)
    revision = os.environ.get("MIXMISS_GIT_REVISION") or git_revision()
    start = time.perf_counter()
    report = run(args.method, args.preset, args.mechanism, args.rate, args.seed, args.data_dir,
                 args.device)  # fmt: skip
    report["git_revision"] = revision
    report["wall_seconds"] = time.perf_counter() - start
    report["command"] = "python -m mixmiss.rbm.experiment " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    atomic_write_json(args.out, report)
    print(f"{args.method} {args.preset}: rmse {report['rmse']:.4f} "
          f"(mean imputation {report['rmse_mean_imputation']:.4f})")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
