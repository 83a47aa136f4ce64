"""A small project in a temporary folder, for the tests that build the book.

The project has the repository's book configuration, narrative pages, computing pages, codebook
and published numbers, a tiny dataset (tests/conftest.py), and test-fixture chapter notebooks
from tests/fixtures/book/ in place of the real chapters: ch08_clients (works) and ch09_officers
(fails on purpose); ch07 and ch10 are absent. ``wagk run``, ``wagk compare`` and ``wagk book`` run
in it as subprocesses with WAGK_ROOT pointing at it, so nothing is written into the repository.
The build happens once per test session (``built_project``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import tiny_tables, write_dataset

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "book"
COPY = ("_config.yml", "_toc.yml", "pyproject.toml", "book", "data/codebook", "data/published", "data/montecarlo")


def make_project(folder: Path, chapters: dict[str, str]) -> Path:
    """A project in ``folder``: the repository's book files plus fixture chapters (stem -> fixture file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for rel in COPY:
        src, dst = REPO / rel, folder / rel
        if not src.exists():
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    (folder / "notebooks").mkdir(exist_ok=True)
    for src in (REPO / "notebooks").glob("report_*.py"):
        shutil.copy2(src, folder / "notebooks" / src.name)
    for stem, fixture in chapters.items():
        shutil.copy2(FIXTURES / fixture, folder / "notebooks" / f"{stem}.py")
    write_dataset(folder / "data" / "synthetic", tiny_tables(n_clients=12))
    return folder


def wagk(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``wagk`` in the project ``root``."""
    env = dict(os.environ, WAGK_ROOT=str(root), PYTHONPATH=str(REPO / "src"), PYTHONHASHSEED="0")
    env.pop("MPLBACKEND", None)  # the kernels draw inline
    return subprocess.run([sys.executable, "-m", "wagk.cli", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class Built:
    root: Path
    run: subprocess.CompletedProcess
    compare: subprocess.CompletedProcess
    book: subprocess.CompletedProcess
    seconds: float

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"


_CACHE: dict[str, Built] = {}


def built_project(tmp_path_factory) -> Built:
    """The test project, run and built once per session."""
    if "book" not in _CACHE:
        root = make_project(tmp_path_factory.mktemp("bookproject"),
                            {"ch08_clients": "ch08_clients.py", "ch09_officers": "ch09_officers_fails.py"})
        start = time.perf_counter()
        run = wagk(root, "run")
        cmp = wagk(root, "compare")
        book = wagk(root, "book")
        _CACHE["book"] = Built(root, run, cmp, book, time.perf_counter() - start)
    return _CACHE["book"]
