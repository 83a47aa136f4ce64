"""Analysis code must compute from data: only the synthetic-data calibration (wagk/synth) and
the comparison, report and audit code (with the book's computing pages, notebooks/report_*.py)
may read the published numbers."""

import re
from pathlib import Path

from wagk import paths

ALLOWED = re.compile(r"src/wagk/(synth/|published\.py$|compare|report|audit|ledger\.py$|paths\.py$|book)|notebooks/report_")
PATTERN = re.compile(r"data/published|paths\.PUBLISHED|published\.(load|query)|from wagk(\.| import )published|import published")


def offenders(root: Path) -> list[str]:
    out = []
    for path in sorted(list((root / "src" / "wagk").rglob("*.py")) + list((root / "notebooks").glob("*.py"))):
        rel = path.relative_to(root).as_posix()
        if ALLOWED.search(rel):
            continue
        if PATTERN.search(path.read_text(encoding="utf-8")):
            out.append(rel)
    return out


def test_analysis_code_does_not_read_published():
    assert offenders(paths.ROOT) == []


def test_the_guard_catches_a_reader(tmp_path):
    (tmp_path / "src" / "wagk").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "src" / "wagk" / "descriptives.py").write_text("from wagk import published\n")
    (tmp_path / "notebooks" / "ch08_clients.py").write_text("x = 'data/published/ch08.csv'\n")
    (tmp_path / "src" / "wagk" / "compare.py").write_text("from wagk import published\n")
    assert offenders(tmp_path) == ["notebooks/ch08_clients.py", "src/wagk/descriptives.py"]
