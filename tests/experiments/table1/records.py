"""Hand-made Table 1 settings and cell records for the table1 tests."""

from mixmiss.experiments.table1 import Table1Preset, cell_id, summarise

SMALL = Table1Preset(
    dataset="mnist", mechanisms=("im", "so"), rates=(0.3, 0.9),
    methods=("misgan", "rbm", "lm-rbm"), method_preset="smoke", train_seeds=(0, 1),
    test_seeds=(0, 1), max_train=10, max_test=10,
)  # fmt: skip


def one_cell(methods=("mean", "rbm")) -> Table1Preset:
    """I.M. 0.6 only, one training and one test set."""
    return Table1Preset(
        dataset="mnist", mechanisms=("im",), rates=(0.6,), methods=methods,
        method_preset="smoke", train_seeds=(0,), test_seeds=(0,), max_train=10, max_test=10,
    )  # fmt: skip


def record(evals, wall=1.0):
    return {"metrics": {"train_seconds": 2.0, "evals": evals}, "wall_seconds": wall}


def evaluation(rmse, fid, accuracy, hidden=None, fid_lenet=None):
    """One test set's metrics; ``fid_lenet`` (the paper's FID) only when given, as in
    cells computed before the protocol had it."""
    found = {"rmse": rmse, "fid": fid, "accuracy": accuracy, "accuracy_hidden": hidden}
    if fid_lenet is not None:
        found.update(fid_lenet=fid_lenet, fid_lenet_test=fid_lenet + 1.0)
    return found


def rows(values):
    """Rows of SMALL from {(mechanism, rate, method): (rmse, fid)}; every cell finished."""
    records = {}
    for (mechanism, rate, method), (rmse, fid) in values.items():
        for seed in SMALL.train_seeds:
            records[cell_id(mechanism, rate, method, seed)] = record([evaluation(rmse, fid, 0.9)])
    return summarise(SMALL, records)
