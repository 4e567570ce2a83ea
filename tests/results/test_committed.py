"""The committed quick results are what the commands produce, and the README shows them.

``results/*/quick/summary.md`` must equal the summary rendered now from the
committed cell records (so no hand edit or stale file slips in), and each
README block that embeds one must equal it (``tools/sync_readme.py``).
Table 2's per-component label histograms, which the README quotes, are in
each run's committed ``eval.json``, the report the cell's metrics came from.

These checks read committed files under ``results/``, not the code's behaviour, so
they carry the ``committed_results`` marker and the default run (``make test``)
leaves them out: a changed default must not break unrelated unit tests. Run them
with ``make test-results`` (``pytest -m committed_results``), a separate CI step.
"""

import importlib.util
import json
from pathlib import Path

import pytest

from mixmiss.experiments.cells import finished_cells
from mixmiss.experiments.table1 import get_preset, summarise, summary_markdown, table1_cells
from mixmiss.experiments.table2 import summary_markdown as table2_summary
from mixmiss.experiments.table2 import table2_groups

pytestmark = pytest.mark.committed_results

ROOT = Path(__file__).resolve().parents[2]
TABLE1 = ROOT / "results" / "table1" / "quick"
TABLE2 = ROOT / "results" / "table2" / "quick"


def _sync_readme():
    spec = importlib.util.spec_from_file_location("sync_readme", ROOT / "tools" / "sync_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table1_summary_is_rendered_from_the_committed_cells():
    preset = get_preset("quick")
    cells = table1_cells(preset)
    records = finished_cells(cells, TABLE1)
    assert records, "no finished table1 cell is committed"
    pending = [cell.id for cell in cells if cell.id not in records]
    expected = summary_markdown(preset, summarise(preset, records), pending)
    assert (TABLE1 / "summary.md").read_text() == expected


@pytest.fixture(scope="module")
def table2():
    groups = table2_groups("quick", TABLE2)
    assert any(group.records for group in groups), "no finished table2 cell is committed"
    return groups


def test_table2_summary_is_rendered_from_the_committed_cells(table2):
    assert (TABLE2 / "summary.md").read_text() == table2_summary(table2)


def test_table2_cells_have_the_eval_report_they_were_taken_from(table2):
    for record in (record for group in table2 for record in group.records):
        path = TABLE2 / "runs" / record["id"] / "eval.json"
        assert path.is_file(), f"{path} is not committed"
        report = json.loads(path.read_text())
        assert "label_histogram" in report
        for key, value in record["metrics"].items():
            if key in report:
                assert report[key] == value, f"{record['id']}: {key} differs from {path}"


@pytest.mark.parametrize("summary", [TABLE1 / "summary.md", TABLE2 / "summary.md"])
def test_readme_embeds_the_summary_verbatim(summary):
    readme = (ROOT / "README.md").read_text()
    relative = summary.relative_to(ROOT).as_posix()
    begin, end = f"<!-- BEGIN {relative} -->\n", f"<!-- END {relative} -->"
    assert begin in readme and end in readme, f"README.md has no block for {relative}"
    assert readme.split(begin, 1)[1].split(end, 1)[0] == summary.read_text()
    assert _sync_readme().synced(readme, ROOT) == readme
