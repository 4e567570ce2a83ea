"""What each component of a shapes run draws, snapshot by snapshot, with its weights.

    python tools/shapes_trace.py RUN_DIR [--n 300] [--out FILE.md]

For an MMGAN run on ``mixmiss data make-shapes`` collections trained with
``--snapshot-every``: at every stored snapshot, each component's weight in
every distribution (alpha) and the three classes the shapes' pixel rule
(:func:`mixmiss.data.shapes.classify_shapes`) names most often among ``--n``
EMA samples of it ("none": no shape the rule accepts). It shows when the
components specialise and when a shared one is lost (issue #20): the
``results/mmgan/shapes-*`` READMEs quote its tables.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import torch

from mixmiss.atomic import atomic_write_text
from mixmiss.data.shapes import classify_shapes
from mixmiss.experiments.formatting import markdown_table
from mixmiss.mmgan.sampling import generate
from mixmiss.mmgan.snapshots import load_snapshot, snapshot_steps
from mixmiss.rng import make_generator


def trace_table(run_dir: str, n: int, seed: int = 0) -> str | None:
    """A markdown table, a row per snapshot: step, then per component its weights and top
    classes; None when the run has no snapshots."""
    rows, k_count = [], 0
    for step in snapshot_steps(run_dir):
        model = load_snapshot(run_dir, step)
        k_count = model.num_components
        components = torch.arange(k_count).repeat_interleave(n)
        names = classify_shapes(generate(model, components, make_generator(seed)))
        alpha = model.alpha.detach().numpy()
        cells = []
        for k in range(k_count):
            top = Counter(names[k * n : (k + 1) * n]).most_common(3)
            weights = "/".join(f"{w:.2f}" for w in alpha[:, k])
            cells.append(f"[{weights}] " + ", ".join(f"{c} {m / n:.2f}" for c, m in top))
        rows.append([str(step), *cells])
    if not rows:
        return None
    return markdown_table(["step", *(f"G{k + 1} [weights] classes" for k in range(k_count))], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_dir")
    parser.add_argument("--n", type=int, default=300, help="EMA samples per component")
    parser.add_argument("--out", help="write the markdown table here (default: print it)")
    args = parser.parse_args()
    table = trace_table(args.run_dir, args.n)
    if table is None:
        raise SystemExit(f"{args.run_dir} has no snapshots: train it with --snapshot-every N.")
    if args.out:
        atomic_write_text(Path(args.out), table)
    else:
        print(table, end="")


if __name__ == "__main__":
    main()
