import matplotlib.colors as mcolors
import matplotlib.pyplot as plt

from mixmiss.experiments.table1 import Table1Preset, cell_id, summarise
from mixmiss.experiments.table1.figures import draw_fig1

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
