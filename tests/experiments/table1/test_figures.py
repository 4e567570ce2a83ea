import matplotlib.colors as mcolors
import matplotlib.pyplot as plt

from mixmiss.experiments.table1 import Table1Preset, cell_id, summarise
from mixmiss.experiments.table1.boundary import method_curve
from mixmiss.experiments.table1.figures import draw_fig1, perception_distortion_figure

PRESET = Table1Preset("mnist", ("im", "so"), (0.3, 0.9), ("mean", "misgan", "rbm"), "smoke",
                      (0,), (0,), 10, 10)  # fmt: skip


def test_a_method_keeps_its_colour_in_panels_where_another_is_pending():
    records = {}
    for mechanism in PRESET.mechanisms:
        for rate in PRESET.rates:
            for method in PRESET.methods:
                if method == "misgan" and mechanism == "so":
                    continue  # MisGAN pending at S.O.: RBM must not take its colour there
                evals = [{"rmse": 0.2, "fid": 10.0, "accuracy": 0.9, "accuracy_hidden": None}]
                records[cell_id(mechanism, rate, method, 0)] = {
                    "metrics": {"train_seconds": 1.0, "evals": evals},
                    "wall_seconds": 1.0,
                }
    fig = draw_fig1(summarise(PRESET, records), PRESET)
    colours = {}
    for ax in fig.axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            colours.setdefault(label, set()).add(mcolors.to_hex(handle.lines[0].get_color()))
    plt.close(fig)
    assert set(colours) == {"Mean", "MisGAN", "RBM [5]"}
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len(set().union(*colours.values())) == 3


def test_each_method_is_a_curve_through_its_scored_read_outs(tmp_path):
    from mixmiss.experiments.table1.grid import get_preset

    base = {"rmse": 0.2, "fid": 10.0, "fid_lenet": 40.0, "accuracy": 0.9, "accuracy_hidden": None}
    family = {"rbm": {"rmse_sampled_h_v": 0.3, "fid_lenet_sampled_h_v": 20.0,
                      "rmse_sampled_h": 0.25, "fid_lenet_sampled_h": 30.0},
              "misgan": {"rmse_k64": 0.22, "fid_lenet_k64": 60.0}}  # fmt: skip
    records = {}
    for mechanism in PRESET.mechanisms:
        for rate in PRESET.rates:
            for method in PRESET.methods:
                evals = [{**base, **family.get(method, {})}]
                records[cell_id(mechanism, rate, method, 0)] = {
                    "metrics": {"train_seconds": 1.0, "evals": evals},
                    "wall_seconds": 1.0,
                }
    rows = summarise(PRESET, records)
    rbm = next(r for r in rows if r["method"] == "rbm")
    # perception end first, the mean-field default last; unscored read-outs are left out
    assert method_curve(rbm, "rbm", "fid_lenet") == [
        (0.3, 20.0, "sampled_h_v"), (0.25, 30.0, "sampled_h"), (0.2, 40.0, "mean_field")]  # fmt: skip
    misgan = next(r for r in rows if r["method"] == "misgan")
    assert [p[2] for p in method_curve(misgan, "misgan", "fid_lenet")] == ["k1", "k64"]
    mean = next(r for r in rows if r["method"] == "mean")
    assert method_curve(mean, "mean", "fid_lenet") == [(0.2, 40.0, "")]
    assert method_curve(rbm, "rbm", "fid") == [(0.2, 10.0, "")]  # our FID: defaults only
    path = perception_distortion_figure(rows, PRESET, tmp_path / "pd.png")
    assert path.is_file()
    assert get_preset("smoke", readouts="all").readouts == "all"
