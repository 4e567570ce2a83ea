"""Embed the studies' ``summary.md`` files into README.md, between their markers.

    python tools/sync_readme.py          # rewrite README.md's blocks
    python tools/sync_readme.py --check  # exit 1 if a block differs from its file

A block is::

    <!-- BEGIN results/table1/quick/summary.md -->
    ...the file's text...
    <!-- END results/table1/quick/summary.md -->

``mixmiss reproduce table1|table2 ... --report-only`` writes the files from
the cached cells; this script copies them verbatim, so the README's tables
are exactly what the commands produce (``tests/results/test_committed.py`` checks it).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN (?P<path>\S+) -->\n).*?(?P<end><!-- END (?P=path) -->)", re.S
)


def synced(readme: str, root: Path) -> str:
    """``readme`` with each block's body replaced by the current text of its file."""

    def body(match: re.Match) -> str:
        path = root / match["path"]
        if not path.is_file():
            sys.exit(f"README.md embeds {match['path']}, which does not exist: run the study's "
                     "`mixmiss reproduce ... --report-only` first.")  # fmt: skip
        return match["begin"] + path.read_text() + match["end"]

    return BLOCK.sub(body, readme)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report differences")
    args = parser.parse_args()
    readme_path = ROOT / "README.md"
    readme = readme_path.read_text()
    new = synced(readme, ROOT)
    if args.check:
        if new != readme:
            print("README.md's result blocks differ from their files: run tools/sync_readme.py")
            return 1
        return 0
    readme_path.write_text(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
