"""``mixmiss bench rbm``: seconds per CD-1 epoch, against the GEMM peak and BernoulliRBM.

The configuration of the paper: the first 50,000 MNIST training images under
I.M. missingness at rate 0.6, 4096 hidden units, batch 128 (391 batches per
epoch). Each variant runs :data:`TIMED_BATCHES` minibatches after a warm-up
and the time is extrapolated to an epoch; scikit-learn's ``BernoulliRBM``
(``n_components=4096, batch_size=128``, one epoch of ``fit`` on
:data:`SKLEARN_BATCHES` batches of the same zero-filled images) is the peer.
``peak_fraction`` is the GEMM work of a step (five ``128 x 784 x 4096``
products for ``zeroed``, six for ``lm``; the low-rank variants' work is
:func:`~mixmiss.rbm.products.step_flops` through rank r) over its time,
divided by the measured GEMM peak of the precision timed.

``--precision`` (default ``auto``) is the precision of today's keys; the
``"precision"`` section times the four variants in fp32 and in bf16 in the
same run, beside each precision's GEMM peak
(:func:`~mixmiss.benchmarking.precision_section`). ``lowrank_speedup`` is
the dense step's time over the low-rank one's, at the precision timed.
"""

from __future__ import annotations

import argparse
import math
import time

import torch
from sklearn.neural_network import BernoulliRBM

from ..benchmarking import (
    gemm_peak_gflops,
    precision_peaks,
    precision_section,
    time_per_call,
    timed_precisions,
)
from ..data import load_dataset, make_mask
from ..device import resolve_device
from ..precision import check_precision, resolve_precision
from .cd import ContrastiveDivergence
from .mask import expected_observed_units, observation_probability
from .model import RBM
from .products import step_flops

N_IMAGES, N_HIDDEN, BATCH, RATE = 50_000, 4096, 128, 0.6
TIMED_BATCHES, WARMUP_BATCHES, SKLEARN_BATCHES = 200, 5, 40
GEMMS_PER_STEP = {"zeroed": 5, "lm": 6}  # dense products of the batch against W


VARIANTS = ("zeroed", "lm", "zeroed_lowrank", "lm_lowrank")


def _seconds_per_batch(v_obs, observed, lam, method, rank, device, precision) -> float:
    generator = torch.Generator(device=device).manual_seed(0)
    model = RBM.initialise(v_obs, observed, N_HIDDEN, generator, rank)
    cd = ContrastiveDivergence(model, method, 1e-4, lam, 1, generator, precision)
    order = torch.randperm(v_obs.shape[0], generator=generator, device=device)
    batches = [order[i * BATCH : (i + 1) * BATCH] for i in range(TIMED_BATCHES + WARMUP_BATCHES)]
    position = iter(batches)

    def one_step():
        rows = next(position)
        cd.step(v_obs[rows], observed[rows])

    return time_per_call(one_step, TIMED_BATCHES, warmup=WARMUP_BATCHES, device=device)


def _sklearn_seconds_per_batch(v_obs: torch.Tensor) -> float:
    x = v_obs[: SKLEARN_BATCHES * BATCH].cpu().numpy()
    rbm = BernoulliRBM(n_components=N_HIDDEN, batch_size=BATCH, n_iter=1, random_state=0)
    start = time.perf_counter()
    rbm.fit(x)
    return (time.perf_counter() - start) / SKLEARN_BATCHES


def _time_variants(v_obs, observed, lam, rank, device, precision) -> dict[str, float]:
    """Seconds per batch of the four variants at ``precision``."""
    per_batch = {}
    for variant in VARIANTS:
        method, _, low = variant.partition("_")
        per_batch[variant] = _seconds_per_batch(
            v_obs, observed, lam, method, rank if low else None, device, precision
        )
    return per_batch


def run_bench(args: argparse.Namespace) -> dict:
    """Time CD-1 epochs of every variant; returns the JSON report (see the module docstring)."""
    device = resolve_device(getattr(args, "device", "cpu"))
    precision = check_precision(getattr(args, "precision", None) or "auto")
    resolved = resolve_precision(precision, device)
    data_dir = getattr(args, "data_dir", None)
    start = time.perf_counter()
    x = load_dataset("mnist", "train", data_dir, limit=N_IMAGES).images.flatten(1)
    mask = make_mask("im", x.shape[0], (28, 28), RATE, torch.Generator().manual_seed(0))
    observed = mask.flatten(1)
    v_obs, observed = (x * observed).to(device), observed.to(device)
    lam = observation_probability(observed)
    rank = expected_observed_units(observed)
    batches_per_epoch = math.ceil(x.shape[0] / BATCH)
    n = x.shape[1]

    peak = gemm_peak_gflops(device=device)
    peaks = precision_peaks(device)
    timed, skipped = timed_precisions(device, precision)
    by_precision = {resolved: _time_variants(v_obs, observed, lam, rank, device, resolved)}
    for other in timed:
        if other not in by_precision:
            by_precision[other] = _time_variants(v_obs, observed, lam, rank, device, other)
    per_batch = {**by_precision[resolved], "sklearn_bernoulli": _sklearn_seconds_per_batch(v_obs)}
    seconds = {name: s * batches_per_epoch for name, s in per_batch.items()}
    flops = {
        variant: step_flops(
            variant.partition("_")[0], n, N_HIDDEN, BATCH, rank if "_" in variant else None
        )
        for variant in VARIANTS
    }
    achieved = {v: flops[v] / per_batch[v] / 1e9 for v in VARIANTS}
    main_peak = peaks[resolved] if resolved == "bf16" else peak
    return {
        "seconds_per_epoch": seconds,
        "gemm_peak_gflops": peak,
        "achieved_gflops": achieved,
        "peak_fraction": {v: achieved[v] / main_peak for v in achieved},
        "speedup_vs_sklearn": {
            m: seconds["sklearn_bernoulli"] / seconds[m] for m in ("zeroed", "lm")
        },
        "lowrank_speedup": {m: per_batch[m] / per_batch[f"{m}_lowrank"] for m in ("zeroed", "lm")},
        "precision": precision_section(
            device,
            precision,
            {
                name: None
                if name not in by_precision
                else {v: s * batches_per_epoch for v, s in by_precision[name].items()}
                for name in ("fp32", "bf16")
            },
            peaks,
            gflop={v: flops[v] * batches_per_epoch / 1e9 for v in VARIANTS},
            skipped=skipped,
        ),
        "config": {
            "images": x.shape[0],
            "visible": n,
            "hidden": N_HIDDEN,
            "batch_size": BATCH,
            "batches_per_epoch": batches_per_epoch,
            "timed_batches": TIMED_BATCHES,
            "sklearn_timed_batches": SKLEARN_BATCHES,
            "mechanism": "im",
            "rate": RATE,
            "lowrank_rank": rank,
            "gemms_per_step": GEMMS_PER_STEP,
            "flops_per_step": flops,
            "precision": resolved,
            "device": str(device),
            "torch_threads": torch.get_num_threads(),
            "torch": torch.__version__,
        },
        "wall_seconds": time.perf_counter() - start,
    }
