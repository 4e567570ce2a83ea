"""The measurements behind RBMImputer's defaults: settings x datasets x missing rates.

Each run masks a dataset of ``mixmiss bench imputers`` (same loaders, masks and
RMSE on [0, 1]-scaled features), fits ``RBMImputer(**setting, random_state=seed)``
and appends one JSON line (RMSE, mean imputation's RMSE, seconds, epochs) to
``--out``, so that an interrupted sweep keeps what it measured.

    PYTHONPATH=src MIXMISS_DATA_DIR=/work/shared/data python tools/rbm_imputer_sweep.py \\
        --datasets digits,wine --settings defaults,lr1e-3 --mechanisms mcar-50 \\
        --out results/rbm/imputer-defaults.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from sklearn.impute import SimpleImputer

from mixmiss.provenance import git_revision, machine
from mixmiss.rbm import RBMImputer
from mixmiss.rbm.imputer_bench import DATASETS, _fashion_mnist, make_missing, score

#: the bench's datasets, and all 60,000 Fashion-MNIST training images
LOADERS = {**DATASETS, "fashion-mnist-60k": lambda data_dir: _fashion_mnist(data_dir, 60_000)}

#: name -> RBMImputer keyword arguments (on top of the defaults)
SETTINGS = {
    "defaults": {},
    "lr1e-3": {"learning_rate": 1e-3},
    "lr6e-3": {"learning_rate": 6e-3},
    "lr1e-2": {"learning_rate": 1e-2},
    "lowrank-lr1e-3": {"low_rank": True, "learning_rate": 1e-3},
    "lowrank-lr3e-4": {"low_rank": True, "learning_rate": 3e-4},
    "h64": {"n_components": 64},
    "h128": {"n_components": 128},
    "h1024": {"n_components": 1024},
    "zeroed": {"method": "zeroed"},
    "no-early-stopping-50": {"early_stopping": False, "n_iter": 50},
    "hidden-sample": {"hidden": "sample"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="digits,breast-cancer,wine,diabetes")
    parser.add_argument("--settings", default="defaults")
    parser.add_argument("--mechanisms", default="mcar-50")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--rows", type=int, default=None, help="first ROWS rows only")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    data_dir = os.environ.get("MIXMISS_DATA_DIR")
    for name in args.datasets.split(","):
        X, scale = LOADERS[name](data_dir)
        X = X[: args.rows] if args.rows else X
        for mechanism in args.mechanisms.split(","):
            for seed in map(int, args.seeds.split(",")):
                missing = make_missing(X, mechanism, seed)
                masked = np.where(missing, np.nan, X)
                mean = score(SimpleImputer().fit_transform(masked), X, missing, scale)
                for setting in args.settings.split(","):
                    est = RBMImputer(**SETTINGS[setting], random_state=seed)
                    start = time.perf_counter()
                    filled = est.fit_transform(masked)
                    seconds = time.perf_counter() - start
                    rmse = score(filled, X, missing, scale)
                    line = {
                        "dataset": name,
                        "rows": X.shape[0],
                        "mechanism": mechanism,
                        "seed": seed,
                        "setting": setting,
                        "rmse": round(rmse, 5),
                        "mean_rmse": round(mean, 5),
                        "ratio": round(rmse / mean, 4),
                        "seconds": round(seconds, 2),
                        "epochs": est.n_iter_,
                        "best_epoch": est.best_iter_,
                        "git": git_revision(),
                        "machine": machine(),
                        "load": os.getloadavg()[0],
                    }
                    print(json.dumps(line), flush=True)
                    with open(args.out, "a") as f:
                        f.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
