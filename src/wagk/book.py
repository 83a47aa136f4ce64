"""Build the Jupyter Book (1.x) at the repository root: strict, from the executed notebooks.

``wagk book`` does three things, in order:

1. **Chapters.** ``_toc.yml`` lists the four chapter notebooks as ``build/executed/chNN_*``. A
   chapter that ``wagk run`` executed is used as it is: a chapter that failed keeps its executed
   notebook, so its page shows the traceback. A chapter whose executed notebook is missing gets a
   placeholder page saying so, which keeps the table of contents fixed (chapters drop in when
   their notebooks exist, with no change to ``_toc.yml``). A missing chapter counts as a failure
   when its source ``notebooks/chNN_*.py`` exists (it should have been run), not when the source
   has not been written yet.
2. **Computing pages.** The report notebooks ``notebooks/report_*.py`` (reproduction report,
   stability page, audit, data page, colophon) are executed with papermill into ``build/executed/``, after
   ``wagk compare`` has written ``<results>/reproduction.csv`` (run here when that file is missing
   or older than a ledger).
3. **Build.** ``jupyter-book build --all`` with warnings as errors (``-W -n --keep-going``): every
   page is built afresh, and any warning fails the build.

The exit status is non-zero when the build fails, when a computing page fails, or when a chapter
failed or was not run (``<results>/run_status.json``, written by ``wagk run``): the book is still
built, with the failures visible in it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import yaml

from wagk import paths

REPORT_PAGES = ("report_data", "report_reproduction", "report_stability", "report_audit", "report_colophon")
PLACEHOLDER_KEY = "wagk_placeholder"


def toc_files(toc: Path | None = None) -> list[str]:
    """Every ``file`` entry of ``_toc.yml`` (root included), in order."""
    toc = toc or paths.ROOT / "_toc.yml"
    spec = yaml.safe_load(toc.read_text(encoding="utf-8"))
    out = [spec["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in spec.items() if k != "root"})
    return out


def chapter_stems(toc: Path | None = None) -> list[str]:
    """The chapter notebooks the book expects: ``build/executed/chNN_*`` entries of the toc."""
    executed = paths.EXECUTED.relative_to(paths.ROOT).as_posix()
    return [Path(f).name for f in toc_files(toc)
            if f.startswith(executed + "/") and Path(f).name.startswith("ch")]


def write_placeholder(stem: str, reason: str, executed: Path = paths.EXECUTED) -> Path:
    """A stand-in page for a chapter whose executed notebook does not exist."""
    import nbformat

    number = int(stem[2:4])
    nb = nbformat.v4.new_notebook()
    nb.metadata[PLACEHOLDER_KEY] = True
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(
        f"# Chapter {number}\n\n```{{note}}\n{reason}\n```\n")]
    executed.mkdir(parents=True, exist_ok=True)
    path = executed / f"{stem}.ipynb"
    nbformat.write(nb, path)
    return path


def is_placeholder(path: Path) -> bool:
    import nbformat

    return bool(nbformat.read(path, as_version=4).metadata.get(PLACEHOLDER_KEY))


def prepare_chapters(results_dir: Path, executed: Path = paths.EXECUTED) -> list[str]:
    """Placeholders for chapters without an executed notebook; returns the problems found."""
    from wagk import runner

    status = runner.read_status(results_dir)["chapters"]
    problems = []
    expected = chapter_stems()
    for stem in expected:
        nb = executed / f"{stem}.ipynb"
        source = paths.NOTEBOOKS / f"{stem}.py"
        if nb.exists() and not is_placeholder(nb):
            st = status.get(stem)
            if st and st.get("status") == "failed":
                problems.append(f"chapter {stem} failed in `wagk run`: {st.get('error')} (traceback on its page)")
            continue
        if source.exists():
            write_placeholder(stem, f"The notebook `notebooks/{stem}.py` has not been executed: run `wagk run` "
                                    "before `wagk book`.", executed)
            problems.append(f"chapter {stem}: notebooks/{stem}.py exists but was not executed (run `wagk run`)")
        else:
            write_placeholder(stem, f"This chapter's notebook (`notebooks/{stem}.py`) has not been written yet. "
                                    "Its published numbers are counted as not computed in the reproduction report.",
                              executed)
    stray = sorted(p.stem for p in executed.glob("ch[0-9][0-9]_*.ipynb") if p.stem not in expected)
    for stem in stray:
        problems.append(f"build/executed/{stem}.ipynb is not in _toc.yml (chapter notebooks must be named as the toc says)")
    return problems


def ensure_reproduction(results_dir: Path) -> str | None:
    """Run ``wagk compare`` when reproduction.csv is missing or older than a ledger."""
    from wagk import compare

    out = Path(results_dir) / "reproduction.csv"
    ledgers = list(paths.ledger_dir(results_dir).glob("*.csv"))
    if out.exists() and all(l.stat().st_mtime <= out.stat().st_mtime for l in ledgers):
        return None
    compare.run(results_dir, out)
    return f"wrote {out} (compare)"


def execute_pages(results_dir: Path, data_dir: Path, real_data: bool, executed: Path = paths.EXECUTED,
                  jobs: int = 2) -> list[str]:
    """Execute the computing pages with papermill, ``jobs`` at a time (they only read the
    results and the dataset, not each other); returns the problems (failed pages)."""
    from concurrent.futures import ThreadPoolExecutor

    from wagk import runner

    params = dict(results_dir=str(Path(results_dir).resolve()), data_dir=str(Path(data_dir).resolve()),
                  real_data=bool(real_data))
    problems = [f"page {stem}: notebooks/{stem}.py missing" for stem in REPORT_PAGES
                if not (paths.NOTEBOOKS / f"{stem}.py").exists()]
    stems = [stem for stem in REPORT_PAGES if (paths.NOTEBOOKS / f"{stem}.py").exists()]

    def one(stem: str) -> tuple[str, str | None, float]:
        start = time.perf_counter()
        _, error = runner.execute(paths.NOTEBOOKS / f"{stem}.py", params, executed)
        return stem, error, time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        for stem, error, seconds in pool.map(one, stems):
            print(f"page {stem}: {'FAILED: ' + error if error else 'done'} ({seconds:.1f} s)", flush=True)
            if error:
                problems.append(f"page {stem} failed: {error} (traceback on its page)")
    return problems


def jupyter_book(strict: bool = True) -> int:
    """``jupyter-book build`` of the repository root; with -W -n --keep-going when strict."""
    # --all: a fresh build every time. Glued numbers cross pages (the front page shows the
    # reproduction report's headline), and an incremental build would not rewrite a page whose
    # own source is unchanged.
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(paths.ROOT), "--path-output",
           str(paths.ROOT), "--all"]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    print(" ".join(cmd), flush=True)
    return subprocess.call(cmd, cwd=paths.ROOT)


def build(strict: bool = True, results_dir: Path | str = paths.RESULTS, data_dir: Path | str | None = None) -> int:
    """Prepare the chapters, execute the computing pages, build the book; 0 when all is well."""
    from wagk import runner

    results_dir = Path(results_dir)
    status = runner.read_status(results_dir)
    data_dir = Path(data_dir or status.get("data_dir") or paths.SYNTHETIC)
    real_data = bool(status.get("real_data", False))
    problems = prepare_chapters(results_dir)
    note = ensure_reproduction(results_dir)
    if note:
        print(note)
    problems += execute_pages(results_dir, data_dir, real_data)
    rc = jupyter_book(strict)
    if rc != 0:
        problems.append(f"jupyter-book build failed (exit status {rc}); see the warnings above")
    if problems:
        print("wagk book: the book was built, with problems:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(f"book: {paths.BOOK_HTML / 'index.html'}")
    return 0
