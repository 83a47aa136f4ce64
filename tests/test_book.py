"""The book: strict build, placeholders for chapters not yet written, failing chapters, glue.

Builds a test project once (tests/bookkit.py): chapter 8 works, chapter 9 fails on purpose,
chapters 7 and 10 have no notebook yet.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import nbformat
import pandas as pd
import pytest
import yaml

from bookkit import built_project, make_project
from wagk import book, paths, published, report


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return built_project(tmp_path_factory)


def test_toc_lists_the_four_chapters_and_the_pages():
    files = book.toc_files(paths.ROOT / "_toc.yml")
    assert book.chapter_stems(paths.ROOT / "_toc.yml") == ["ch07_monitor", "ch08_clients", "ch09_officers", "ch10_dyads"]
    for stem in book.REPORT_PAGES:
        assert f"build/executed/{stem}" in files
        assert (paths.NOTEBOOKS / f"{stem}.py").exists()
    for page in ("book/intro", "book/glossary", "book/references"):
        assert page in files and (paths.ROOT / f"{page}.md").exists()


def test_strict_build_flags():
    cfg = yaml.safe_load((paths.ROOT / "_config.yml").read_text())
    assert cfg["execute"]["execute_notebooks"] == "off"
    assert cfg["only_build_toc_files"] is True


def test_run_records_the_failing_chapter(built):
    assert built.run.returncode == 1, built.run.stderr
    status = json.loads((built.root / "build" / "results" / "run_status.json").read_text())
    ch = status["chapters"]
    assert ch["ch08_clients"]["status"] == "ok"
    assert ch["ch09_officers"]["status"] == "failed"
    assert "deliberate failure" in ch["ch09_officers"]["error"]


def test_book_is_built_but_fails_for_the_failing_chapter(built):
    assert built.book.returncode == 1
    err = built.book.stderr
    assert "ch09_officers failed" in err
    # the build itself (sphinx, strict) passed: no warnings, only the chapter failure is reported
    assert "jupyter-book build failed" not in err, built.book.stdout[-3000:] + err
    for page in ("book/intro", "build/executed/ch08_clients", "build/executed/ch09_officers",
                 "build/executed/report_reproduction", "build/executed/report_stability", "build/executed/report_audit",
                 "build/executed/report_data", "build/executed/report_colophon", "book/glossary"):
        assert (built.html / f"{page}.html").exists(), page


def test_failing_chapter_keeps_its_traceback(built):
    page = (built.html / "build/executed/ch09_officers.html").read_text(encoding="utf-8")
    assert "deliberate failure of the test chapter" in page
    assert "RuntimeError" in page


def test_placeholders_for_chapters_not_written(built):
    for stem in ("ch07_monitor", "ch10_dyads"):
        nb = nbformat.read(built.root / "build" / "executed" / f"{stem}.ipynb", as_version=4)
        assert nb.metadata.get(book.PLACEHOLDER_KEY)
        page = (built.html / f"build/executed/{stem}.html").read_text(encoding="utf-8")
        assert "has not been written yet" in page


def test_parameter_cells_hidden_and_code_folded(built):
    nb = nbformat.read(built.root / "build" / "executed" / "ch08_clients.ipynb", as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            assert "remove-cell" in tags
    page = (built.html / "build/executed/ch08_clients.html").read_text(encoding="utf-8")
    assert "results_dir =" not in page  # neither parameters cell is rendered
    assert "tag_hide-input" in page      # code is folded


def test_figure_is_captioned_and_named(built):
    page = (built.html / "build/executed/ch08_clients.html").read_text(encoding="utf-8")
    assert 'id="fig-ch08-trust"' in page
    assert "Trust scores of the test dataset." in page


def test_front_page_glues_the_headline(built):
    rep = pd.read_csv(built.root / "build" / "results" / "reproduction.csv", dtype=str, keep_default_na=False)
    rep["diff"] = pd.to_numeric(rep["diff"].replace("", None))
    shares = report.scope_shares(rep)
    page = (built.html / "book/intro.html").read_text(encoding="utf-8")
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', page)
    assert report.share_text(shares.loc["overall", "share_within"]) in pasted
    assert f"{int(shares.loc['overall', 'published']):,}" in pasted
    assert "8: ok, 9: failed" in pasted  # run status
    # the glued text of the chapter page too
    ch8 = (built.html / "build/executed/ch08_clients.html").read_text(encoding="utf-8")
    assert re.search(r'<span class="pasted-text">\d\.\d\d</span>', ch8)


def test_reproduction_report_has_every_table_and_the_csv(built):
    page = (built.html / "build/executed/report_reproduction.html").read_text(encoding="utf-8")
    pub = published.load()
    scope = pub[pub["chapter"].isin(report.SCOPE) & (pub["analysis"] != "model_spec")]
    for ref in sorted(set(scope["ref"])):
        assert f'"{ref}"' in page, ref  # every reference is in the embedded rows
    assert re.search(r'href="[^"]*_downloads/[^"]*/reproduction.csv"', page)
    csv = next((built.html / "_downloads").rglob("reproduction.csv"))
    assert len(pd.read_csv(csv)) >= len(scope)


def test_audit_page_and_csv(built):
    page = (built.html / "build/executed/report_audit.html").read_text(encoding="utf-8")
    assert "inconsistent" in page and 'id="aud-all"' in page
    assert next((built.html / "_downloads").rglob("audit.csv"))


def test_a_chapter_that_was_not_run_fails_the_book(tmp_path):
    """notebooks/chNN_*.py present but never executed: a placeholder page and a problem reported."""
    root = make_project(tmp_path / "proj", {"ch08_clients": "ch08_clients.py"})
    code = "from wagk import book, paths; print(*book.prepare_chapters(paths.RESULTS), sep='\\n')"
    env = dict(os.environ, WAGK_ROOT=str(root), PYTHONPATH=str(paths.ROOT / "src"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert "ch08_clients: notebooks/ch08_clients.py exists but was not executed" in out.stdout
    assert "ch07_monitor" not in out.stdout  # not written yet: a placeholder, not a problem
    nb = nbformat.read(root / "build" / "executed" / "ch08_clients.ipynb", as_version=4)
    assert "has not been executed" in nb.cells[0].source
