"""The bench figures the compute plan projects from are the committed ones, and so is the plan.

``mixmiss.experiments.plan.BENCH_FIGURES`` copies values of
``results/bench/*.json`` into the package (an installed package has no
``results/``); these checks keep the copy equal to the files, and the
committed ``results/cluster/plan.json`` equal to what the plan says now.
"""

import json
from pathlib import Path

import pytest

from mixmiss.experiments.plan import BENCH_FIGURES
from mixmiss.experiments.table1 import plan_table1
from mixmiss.experiments.table2 import plan_table2

pytestmark = pytest.mark.committed_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(BENCH_FIGURES))
def test_each_bench_figure_is_the_committed_value(name):
    figure = BENCH_FIGURES[name]
    value = json.loads((ROOT / figure.source).read_text())
    for key in figure.key.split("."):
        value = value[key]
    assert figure.seconds == pytest.approx(value * figure.scale, rel=1e-12)


def test_the_committed_plans_are_what_the_plan_says_now(tmp_path):
    committed = json.loads((ROOT / "results" / "cluster" / "plan.json").read_text())
    for name, plan in (("table1", plan_table1("paper", tmp_path)),
                       ("table2", plan_table2("paper", tmp_path))):  # fmt: skip
        stored = committed[name]
        assert stored["groups"] == plan["groups"], name
        assert stored["total"] == plan["total"], name
