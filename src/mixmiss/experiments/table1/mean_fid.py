"""The Mean column's FID as the paper computes it, at Table 1's rates, against the paper's.

Mean imputation needs no training, so its FID calibrates the paper's FID
instrument (:mod:`mixmiss.evaluators.lenet`) the way its RMSE calibrates the
masks. For each (mechanism, rate): the first 50,000 MNIST training images
masked with the quick cells' training masks (train seed 0), completed by the
Mean imputer fitted on them, scored with the reference LeNet's FID against
all 60,000 training images -- the paper's ``fid_lenet``, what MisGAN's code
scores -- and, for comparison, the 10,000 test images masked with test seed 0
(``fid_lenet_test``).

The check (:func:`check_against_paper`): each value within a factor
:data:`FACTOR` of the paper's (a paper value below 1, S.O. 0.3's 0.1, within
:data:`SMALL_ABSOLUTE` instead: a ratio of near-zero FIDs means nothing), and
the values ranked as the paper's across the nine cells.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from tqdm.auto import tqdm

from ...context import DEFAULT_CONTEXT, Context
from ...registry import make_imputer
from ..formatting import markdown_table
from ..imputation import PAPER_TEST, PAPER_TRAIN, masked_split
from .paper import MECHANISM_NAMES, paper_value

#: Our value must lie within [paper / FACTOR, paper * FACTOR].
FACTOR = 1.5
#: ... or, for a paper value below 1, within this distance of it.
SMALL_ABSOLUTE = 0.5


def measure_mean_fid(
    mechanisms: Sequence[str] = ("im", "so", "pm"),
    rates: Sequence[float] = (0.3, 0.6, 0.9),
    context: Context = DEFAULT_CONTEXT,
    train_seed: int = 0,
    test_seed: int = 0,
    max_train: int = PAPER_TRAIN,
    max_test: int = PAPER_TEST,
) -> dict:
    """The Mean imputer's paper FID at every (mechanism, rate) (see the module docstring).

    Returns
    -------
    dict
        ``rows``: one dict per cell with ``mechanism``, ``rate``,
        ``fid_lenet`` (completed training images), ``fid_lenet_test``,
        ``paper`` (the paper's FID) and ``seconds``; ``lenet``: the LeNet's
        checksum, test accuracy and epochs; the settings.
    """
    from ...evaluators import fid_score, get_lenet

    data_dir, cache_dir = context.data_dir, context.cache_dir
    lenet = get_lenet(
        "mnist", data_dir, cache_dir, device=context.device, progress=context.progress
    )
    rows = []
    cells = [(m, r) for m in mechanisms for r in rates]
    for mechanism, rate in tqdm(cells, desc="Mean FID", unit="cell", disable=not context.progress):
        start = time.perf_counter()
        train = masked_split("mnist", "train", mechanism, rate, train_seed, max_train, data_dir)
        imputer = make_imputer("mean", "quick").fit(train.images, train.mask, progress=False)
        fid_train = fid_score(imputer.impute(train.images, train.mask), lenet, data_dir, cache_dir)
        test = masked_split("mnist", "test", mechanism, rate, test_seed, max_test, data_dir)
        fid_test = fid_score(imputer.impute(test.images, test.mask), lenet, data_dir, cache_dir)
        paper = paper_value(mechanism, rate, "fid", "mean")
        rows.append(
            {
                "mechanism": mechanism,
                "rate": rate,
                "fid_lenet": fid_train,
                "fid_lenet_test": fid_test,
                "paper": None if paper is None else paper[0],
                "seconds": round(time.perf_counter() - start, 2),
            }
        )
    meta = lenet.metadata
    return {
        "rows": rows,
        "check": check_against_paper(rows),
        "lenet": {
            "checksum": meta["checksum"],
            "test_accuracy": meta["test_accuracy"],
            "epochs": meta["recipe"]["epochs"],
            "train_images": meta["train_images"],
        },
        "settings": {
            "train_seed": train_seed,
            "test_seed": test_seed,
            "max_train": max_train,
            "max_test": max_test,
        },  # fmt: skip
    }


def within_tolerance(ours: float, paper: float) -> bool:
    """Within a factor :data:`FACTOR` of ``paper``; within :data:`SMALL_ABSOLUTE` below 1."""
    if paper < 1.0:
        return abs(ours - paper) <= SMALL_ABSOLUTE
    return paper / FACTOR <= ours <= paper * FACTOR


def check_against_paper(rows: list[dict], metric: str = "fid_lenet") -> dict:
    """Each row within tolerance of the paper's value, and the rows ranked as the paper's.

    Returns ``{"within": [bool per row], "all_within": bool, "same_ranking": bool,
    "spearman": float}`` over the rows that have a paper value.
    """
    compared = [r for r in rows if r.get("paper") is not None]
    within = [within_tolerance(r[metric], r["paper"]) for r in compared]
    ours = np.array([r[metric] for r in compared])
    paper = np.array([r["paper"] for r in compared])
    ranks_ours, ranks_paper = ours.argsort().argsort(), paper.argsort().argsort()
    spearman = float(np.corrcoef(ranks_ours, ranks_paper)[0, 1]) if len(compared) > 1 else 1.0
    return {
        "within": within,
        "all_within": bool(all(within)) and bool(compared),
        "same_ranking": bool((ranks_ours == ranks_paper).all()),
        "spearman": round(spearman, 4),
    }


def mean_fid_markdown(result: dict, provenance: dict, wall_seconds: float) -> str:
    """``lenet-fid-mean.md``: the table, the verdicts, how it was produced."""
    check = result["check"]
    body = []
    for row, ok in zip(result["rows"], check["within"], strict=True):
        ratio = row["fid_lenet"] / row["paper"] if row["paper"] else float("nan")
        body.append(
            [
                MECHANISM_NAMES[row["mechanism"]],
                f"{row['rate']:g}",
                f"{row['fid_lenet']:.2f}",
                f"{row['paper']:g}",
                f"{ratio:.2f}",
                "yes" if ok else "**no**",
                f"{row['fid_lenet_test']:.2f}",
            ]
        )
    lenet = result["lenet"]
    settings = result["settings"]
    return "\n".join(
        [
            "# The Mean column's FID as the paper computes it\n",
            "FID of mean-imputed MNIST with MisGAN's code's FID network (the reference LeNet, "
            "`mixmiss.evaluators.lenet`: fc1 features before the ReLU of unnormalised images, "
            "reference statistics over all 60,000 training images), at Table 1's nine cells. "
            f"`fid_lenet`: the first {settings['max_train']:,} training images masked with the "
            f"quick cells' training masks (train seed {settings['train_seed']}), completed "
            "by the Mean imputer fitted on them (what the paper's FID scores); "
            f"`fid_lenet_test`: the {settings['max_test']:,} test images masked with test "
            f"seed {settings['test_seed']}.\n",
            markdown_table(
                [
                    "mech",
                    "rate",
                    "fid_lenet",
                    "paper",
                    "ours / paper",
                    f"within x{FACTOR:g}",
                    "fid_lenet_test",
                ],  # fmt: skip
                body,
            ),
            f"- Within a factor {FACTOR:g} of the paper's value at every cell (the paper's "
            f"values below 1 within {SMALL_ABSOLUTE:g}): "
            f"**{'yes' if check['all_within'] else 'no'}** "
            f"({sum(check['within'])}/{len(check['within'])} cells).",
            f"- Ranked as the paper's across the nine cells: "
            f"**{'yes' if check['same_ranking'] else 'no'}** "
            f"(Spearman rank correlation {check['spearman']:.3f}).\n",
            f"LeNet: {lenet['epochs']} epochs on {lenet['train_images']:,} images, test "
            f"accuracy {100 * lenet['test_accuracy']:.2f} %, weights SHA-256 "
            f"`{lenet['checksum']}`.\n",
            f"Command: `{provenance['command']}`; git revision `{provenance['git_revision']}`; "
            f"machine: {provenance['machine']}; torch {provenance['torch']}; "
            f"wall time {wall_seconds:.0f} s (the LeNet already cached); {provenance['time']}.\n",
        ]
    )
