import math

from mixmiss.experiments.table1 import Table1Preset, cell_id, summarise
from mixmiss.experiments.table1.boundary import (
    boundary_markdown,
    boundary_rows,
    curves_cross,
    labelled_front,
    pareto_front,
    relation,
)

PRESET = Table1Preset("mnist", ("im",), (0.3, 0.6), ("mean", "misgan", "rbm", "lm-rbm"), "smoke",
                      (0,), (0,), 10, 10)  # fmt: skip


def curve(*points):
    return [(rmse, fid, f"r{i}") for i, (rmse, fid) in enumerate(points)]


def test_the_pareto_front_keeps_the_points_nothing_beats_on_both_axes():
    points = [(0.30, 5.0), (0.15, 50.0), (0.20, 20.0), (0.25, 30.0), (0.35, 6.0), (0.15, 60.0)]
    assert pareto_front(points) == [(0.15, 50.0), (0.20, 20.0), (0.30, 5.0)]


def test_curves_that_swap_sides_cross_and_parallel_ones_do_not():
    # a falls steeply in FID as RMSE grows, b is flat: a starts above b and ends below it
    a = curve((0.10, 100.0), (0.30, 1.0))
    b = curve((0.10, 10.0), (0.30, 10.0))
    assert curves_cross(a, b) and curves_cross(b, a)
    below = curve((0.10, 5.0), (0.30, 0.5))  # everywhere under b
    assert not curves_cross(below, b)
    assert curves_cross(curve((0.1, 10.0), (0.2, 5.0)), curve((0.2, 5.0), (0.3, 50.0)))  # touch
    assert not curves_cross(curve((0.1, 10.0)), b)  # a single point has no segment


def test_relation_tells_crossing_dominance_and_trade_off_apart():
    flat = curve((0.10, 10.0), (0.30, 10.0))
    assert relation(curve((0.10, 100.0), (0.30, 1.0)), flat) == "cross"
    assert relation(curve((0.09, 5.0), (0.29, 4.0)), flat) == "a dominates"
    assert relation(flat, curve((0.09, 5.0), (0.29, 4.0))) == "b dominates"
    # a wins on RMSE everywhere, b on FID everywhere: neither dominates, no crossing
    assert relation(curve((0.10, 50.0), (0.12, 40.0)), curve((0.30, 3.0), (0.35, 2.0))) == (
        "trade-off"
    )


def test_the_labelled_front_names_each_points_method_and_read_out():
    curves = {"lm-rbm": curve((0.20, 10.0), (0.15, 30.0)), "misgan": curve((0.35, 3.0)),
              "mean": [(0.26, 80.0, "")]}  # fmt: skip
    front = labelled_front(curves)
    assert [(m, r) for *_, m, r in front] == [("lm-rbm", "r1"), ("lm-rbm", "r0"), ("misgan", "r0")]
    assert [p[:2] for p in front] == [(0.15, 30.0), (0.20, 10.0), (0.35, 3.0)]


def test_the_report_says_which_methods_make_the_boundary_and_whether_curves_cross():
    lenet = {
        "rbm": {"sampled_h_v": (0.30, 6.0), "sampled_h": (0.25, 9.0), "": (0.18, 12.0)},
        "lm-rbm": {"sampled_h_v": (0.28, 5.0), "sampled_h": (0.22, 8.0), "": (0.15, 10.0)},
        "misgan": {"": (0.35, 2.0), "k64": (0.20, 40.0)},
        "mean": {"": (0.26, 80.0)},
    }
    records = {}
    for rate in PRESET.rates:
        for method, readouts in lenet.items():
            e = {"rmse": math.nan, "fid": 1.0, "accuracy": 0.9, "accuracy_hidden": None}
            for name, (rmse, fid) in readouts.items():
                key = f"_{name}" if name else ""
                e[f"rmse{key}"], e[f"fid_lenet{key}"] = rmse, fid
            records[cell_id("im", rate, method, 0)] = {
                "metrics": {"train_seconds": 1.0, "evals": [e]},
                "wall_seconds": 1.0,
            }
    rows = summarise(PRESET, records)
    cells = boundary_rows(PRESET, rows, "fid_lenet")
    assert len(cells) == 2
    # LM-RBM beats RBM [5] everywhere; MisGAN's k1 holds the perception end
    assert [m for *_, m, _ in cells[0]["front"]] == ["lm-rbm", "lm-rbm", "lm-rbm", "misgan"]
    # MisGAN's k1 -> k64 segment starts under RBM [5]'s curve (FID 5.4 < 6 at RMSE 0.30)
    # and ends above it; it stays above LM-RBM's, which wins on RMSE, MisGAN on FID
    assert cells[0]["pairs"] == {("rbm", "misgan"): "cross", ("lm-rbm", "misgan"): "trade-off"}
    text = boundary_markdown(PRESET, rows, "fid_lenet")
    assert "LM-RBM (mean_field … sampled_h_v), MisGAN (k1)" in text
    assert text.count("| cross | trade-off |") == 2
