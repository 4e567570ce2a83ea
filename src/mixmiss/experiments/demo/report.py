"""Rendering the demo: the imputation figure and ``report.md`` from the numbers in ``demo.json``.

Rendering only; :mod:`.demo` computes. The MMGAN figure is
:func:`mixmiss.mmgan.component_figure`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from matplotlib.colors import to_rgb

from ...mmgan.config import PRESETS, MMGANConfig
from ...plotting import image_grid_figure, save_figure
from ...rbm.imputer import PAPER as PAPER_RBM
from ..formatting import markdown_table
from ..imputation import PAPER_TEST, PAPER_TRAIN

#: Colour of the missing pixels in the "masked" row.
MISSING_COLOUR = "tab:red"


def imputation_figure(
    path: str | os.PathLike,
    examples: dict[str, torch.Tensor],
    methods: Sequence[str],
    scale: int = 2,
) -> Path:
    """Write a PNG with one row per image kind: original, masked, then one per method.

    ``examples`` holds ``original`` and ``mask`` (N, 1, H, W) and the completion
    of each method in ``methods``; missing pixels of the masked row are drawn in
    :data:`MISSING_COLOUR`. Images are drawn pixel for pixel, each pixel a
    ``scale`` x ``scale`` block (:func:`mixmiss.plotting.image_grid_figure`).
    """
    original, mask = examples["original"][:, 0].numpy(), examples["mask"][:, 0].numpy()
    gray = np.repeat(original[..., None], 3, axis=3)
    masked = np.where(mask[..., None] < 0.5, np.array(to_rgb(MISSING_COLOUR)), gray)
    rows = [("original", list(original)), ("masked", list(masked))]
    rows += [(m, list(examples[m][:, 0].numpy())) for m in methods]
    fig = image_grid_figure(
        [images for _, images in rows],
        scale=scale,
        row_labels=[name for name, _ in rows],
        gap=4,
    )
    return save_figure(fig, path, tight=False)


def _labels_text(labels: Sequence[int]) -> str:
    """(3, 4, 5, 6) -> "3, 4, 5 or 6"."""
    words = [str(label) for label in labels]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def range_text(labels: Sequence[int]) -> str:
    """(0, 1, ..., 6) -> "0-6"; a set that is not a run of three or more as a list."""
    labels = sorted(labels)
    if len(labels) > 2 and labels == list(range(labels[0], labels[-1] + 1)):
        return f"{labels[0]}-{labels[-1]}"
    return ", ".join(str(label) for label in labels)


def shared_component_line(mmgan: dict) -> str:
    """ "G3 (shared, r3 = S1∩S2): 91.2 % of its samples are 3, 4, 5 or 6"."""
    shared = next(c for c in mmgan["components"] if c["shared"])
    return (
        f"{shared['component']} (shared, {shared['region']} = {shared['operation']}): "
        f"{shared['accuracy']:.1f} % of its samples are {_labels_text(shared['labels'])}"
    )


def _top_labels(shares: Sequence[float], count: int = 4) -> str:
    """The ``count`` most frequent labels with their shares, those of at least 0.5 %."""
    order = [label for label in np.argsort(shares)[::-1][:count] if shares[label] >= 0.005]
    return ", ".join(f"{label} ({100 * shares[label]:.0f} %)" for label in order)


def _mmgan_section(record: dict) -> list[str]:
    mmgan, dataset = record["mmgan"], record["dataset"]
    sets = " and ".join(
        f"S{i} = digits {range_text(s)}" for i, s in enumerate(mmgan["sets"], start=1)
    )
    config = mmgan["config"]
    rows = [
        (
            c["component"] + (" (shared)" if c["shared"] else ""),
            f"{c['region']} = {c['operation']}",
            range_text(c["labels"]),
            f"{c['accuracy']:.1f} %",
            _top_labels(c["label_shares"]),
        )
        for c in mmgan["components"]
    ]
    fid = ", ".join(f"S{i} {value:.2f}" for i, value in enumerate(mmgan["fid"], start=1))
    return [
        "## 1. MMGAN: the shared component takes the shared digits",
        "",
        f"Two overlapping distributions from the {dataset} training set, case "
        f"{mmgan['case']} of the MMGAN paper: {sets}, no image used in both. MMGAN models each "
        "as a mixture of shared generator components; here the mixture weights are fixed to "
        "the true priors (the paper's quantitative protocol), so component k stands for Venn "
        f"region r_k. Trained for {mmgan['iterations']} iterations (generator width "
        f"{config['base_width']}, z of {config['z_dim']} dimensions, Adam lr {config['lr']:g}, "
        f"EMA {config['ema_decay']}) in {mmgan['train_seconds']:.0f} s. Each panel below shows "
        "one component's samples with its weight in each distribution (d1, d2).",
        "",
        f"![MMGAN components]({record['files']['mmgan_figure']})",
        "",
        f"**{shared_component_line(mmgan)}** (the labels that the {dataset} evaluator, a small "
        f"CNN of {100 * record['evaluator_accuracy']:.1f} % test accuracy, gives "
        f"{mmgan['n_per_component']:,} samples of each component).",
        "",
        markdown_table(
            ("component", "region", "its digits", "samples in them", "most frequent digits"),
            rows,
        ).rstrip(),
        "",
        f"Average accuracy {mmgan['avg']:.1f} % (the paper's random baseline: "
        f"{100 * mmgan['random']:.0f} %). FID per distribution ({mmgan['n_fid']:,} samples "
        f"against the first {mmgan['n_fid']:,} real images of S_i, evaluator features): {fid}.",
    ]


def _ordering_notes(methods: dict) -> list[str]:
    """Sentences that compare the methods, true to the numbers."""
    rmse = {m: r["rmse"] for m, r in methods.items()}
    notes = []
    beaten = [m for m in ("rbm", "lm-rbm") if rmse[m] < rmse["mean"]]
    if len(beaten) == 2:
        notes.append("Both RBMs beat mean imputation.")
    else:
        failed = sorted({"rbm", "lm-rbm"} - set(beaten))
        notes.append(f"{' and '.join(failed)} did not beat mean imputation at these settings.")
    if rmse["lm-rbm"] < rmse["rbm"]:
        notes.append("LM-RBM beats the RBM of [5] (Salakhutdinov et al.), as in the paper.")
    else:
        notes.append("LM-RBM does not beat the RBM of [5] in this run, unlike the paper's Table 1.")
    if rmse["inpaint"] < min(rmse["rbm"], rmse["lm-rbm"]):
        notes.append(
            "Inpainting beats both RBMs in this short run; in the paper (4,096 hidden units, "
            "500 epochs on 50,000 images) LM-RBM edges ahead of it (0.152 vs 0.155 at I.M. 0.6)."
        )
    if rmse["inpaint"] > rmse["mean"]:
        notes.append(
            "Inpainting is worse than the mean here: on small images a missing pixel's "
            "neighbours are often missing or belong to another stroke (on 28x28 MNIST the "
            "paper has inpainting far ahead of the mean)."
        )
    return notes


def _imputation_section(record: dict) -> list[str]:
    imputation = record["imputation"]
    methods = imputation["methods"]
    ranked = sorted(methods, key=lambda m: methods[m]["rmse"])
    first = methods[ranked[0]]

    def percent(value):
        return "-" if value is None else f"{100 * value:.1f} %"

    rows = [
        (
            str(rank),
            method,
            f"{methods[method]['rmse']:.4f}",
            f"{methods[method]['fid']:.2f}",
            percent(methods[method]["accuracy"]),
            percent(methods[method]["accuracy_hidden"]),
            f"{methods[method]['train_seconds']:.1f}",
        )
        for rank, method in enumerate(ranked, start=1)
    ]
    ordering = " < ".join(f"{m} ({methods[m]['rmse']:.4f})" for m in ranked)
    rbm = ", ".join(f"{k} {v:g}" for k, v in methods["lm-rbm"]["overrides"].items())
    return [
        "## 2. Imputation at 50 % independent missingness",
        "",
        f"Every pixel of the first {first['n_train']:,} {record['dataset']} training images is "
        f"missing with probability {imputation['rate']:g}; each method is fitted on those "
        f"masked images and completes the first {first['n_test']:,} test images, masked the "
        "same way with another seed. RMSE is the LM-RBM paper's: per image over the missing "
        "pixels, averaged over images (lower is better). `mean` and `inpaint` are the paper's "
        f"untrained baselines; both RBMs have {rbm} (CD-1, dense W), hidden units "
        "sampled when imputing, as in the paper.",
        "",
        markdown_table(
            ("rank", "method", "RMSE", "FID", "accuracy", "accuracy (hidden)", "train s"),
            rows,
        ).rstrip(),
        "",
        f"**RMSE ordering: {ordering}.** " + " ".join(_ordering_notes(methods)),
        "",
        "Accuracy: a logistic regression fitted on the completed training images, scored on "
        "the completed test images (for the RBMs also on their hidden features). One seed and "
        "one train/test pair: the paper's standard errors come from 30.",
        "",
        f"![example imputations]({record['files']['imputation_figure']})",
        "",
        "Rows: the original test image, the masked one (missing pixels in red), then each "
        "method's completion.",
    ]


def _timings_section(record: dict) -> list[str]:
    names = {
        "evaluator": "1. evaluator",
        "mmgan": "2. MMGAN (train, evaluate, figure)",
        "imputation": "3. imputation (train and score 4 methods)",
        "report": "4. figures and report",
        "total": "total (without the package import)",
    }
    timings = record["timings"]
    rows = [(names[key], f"{timings[key]:.1f}") for key in names if key in timings]
    prov = record["provenance"]
    return [
        "## Timings",
        "",
        markdown_table(("stage", "seconds"), rows).rstrip(),
        "",
        f"On {prov['machine']}, {record['threads']} CPU thread(s) for torch and BLAS, torch "
        f"{prov['torch']}, mixmiss {prov['mixmiss']} (git {prov['git_revision'] or 'unknown'}), "
        f"{prov['time']}.",
    ]


def _further_section(record: dict) -> list[str]:
    out = record["out"]
    lines = [
        "## Going further",
        "",
        "- The paper-sized experiments: `mixmiss reproduce table1` (LM-RBM paper, Table 1) and "
        "`mixmiss reproduce table2` (MMGAN paper, Table 2).",
        f"- The runs are kept: `mixmiss mmgan eval {out}/mmgan`, `mixmiss mmgan figure "
        f"{out}/mmgan`, `mixmiss impute eval {out}/impute/lm-rbm`.",
        "- Other settings: `mixmiss mmgan train --help`, `mixmiss impute train --help`.",
    ]
    if record["dataset"] == "digits":
        lines.append(
            "- The same demo on MNIST: `mixmiss demo --dataset mnist` with the MNIST IDX files "
            "under `--data-dir` or `$MIXMISS_DATA_DIR` (several minutes, more the first time, "
            "when the MNIST evaluator is trained)."
        )
    return lines


def _scaled_note(record: dict) -> list[str]:
    """What the MNIST demo leaves out of the paper-sized runs."""
    if record["dataset"] != "mnist":
        return []
    s = record["settings"]
    quick, paper = PRESETS["quick"], MMGANConfig()
    return [
        f"Scaled to run in minutes: MMGAN trains a network of width {s['mmgan']['base_width']} for "
        f"{s['mmgan']['iters']:,} iterations (the quick preset: width {quick['base_width']} for "
        f"{quick['iters']:,}; the paper: width {paper.base_width} for {paper.iters:,}); the "
        f"imputers see the first {s['max_train']:,} training images (the paper: "
        f"{PAPER_TRAIN:,}), the RBMs have {s['rbm']['n_hidden']:,} hidden units and train for "
        f"{s['rbm']['epochs']} epochs (the paper: {PAPER_RBM['n_hidden']:,} and "
        f"{PAPER_RBM['epochs']}), and every method is scored on {s['max_test']:,} test images "
        f"(the paper: {PAPER_TEST:,}).",
        "",
    ]


def render_report(record: dict) -> str:
    """``report.md`` for the demo's ``demo.json`` record."""
    lines = [
        f"# mixmiss demo on {record['dataset']}",
        "",
        f"`{record['provenance']['command']}`: the two papers' main results in "
        f"{record['timings']['total']:.0f} s. The numbers are in `demo.json`, "
        "the runs in `mmgan/` and `impute/`.",
        "",
        *_scaled_note(record),
        *_mmgan_section(record),
        "",
        *_imputation_section(record),
        "",
        *_timings_section(record),
        "",
        *_further_section(record),
    ]
    return "\n".join(lines) + "\n"
