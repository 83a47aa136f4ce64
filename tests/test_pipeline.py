"""The chapter pipeline as a whole: fault isolation, determinism and the manifest, and the
canary test of real-data mode.

The tests run the chapter notebooks of notebooks/ when there are any, plus the fake chapters of
tests/chapters/ (ch98 fails on purpose, quoting an id; ch99 does what a chapter does on a small
scale). They need a Jupyter kernel named python3 (``make venv`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import tiny_tables, write_dataset
from wagk import ledger, manifest, paths, published, runner
from wagk.testing.canary import MARKER, find_marker, make_canary

FAKES = Path(__file__).parent / "chapters"
TABLE_SUFFIXES = (".csv", ".json")


def real_chapters() -> list[Path]:
    return sorted(paths.NOTEBOOKS.glob("ch[0-9][0-9]_*.py"))


def chapter_dir(folder: Path, *fakes: str) -> Path:
    """A notebooks folder with the real chapters (when present) and the named fake chapters."""
    folder.mkdir(parents=True, exist_ok=True)
    for src in real_chapters() + [FAKES / f for f in fakes]:
        shutil.copy(src, folder / src.name)
    return folder


def dataset(tmp_path: Path) -> Path:
    if any(paths.SYNTHETIC.glob("clients.*")):
        return paths.SYNTHETIC
    return write_dataset(tmp_path / "data", tiny_tables())


def tables(results: Path) -> dict[str, bytes]:
    """Result tables (CSV, JSON) of a results folder, without the run's logs."""
    return {p.relative_to(results).as_posix(): p.read_bytes()
            for p in sorted(results.rglob("*"))
            if p.is_file() and p.suffix in TABLE_SUFFIXES and p.name not in manifest.LOGS}


# ----------------------------------------------------------------------------- fault isolation

def _tiny_chapter(path: Path, body: str) -> None:
    params = 'data_dir = "x"\nresults_dir = "x"\nseed = 0\nreal_data = False\nmin_cell = 5\n'
    path.write_text('# %% tags=["parameters"]\n' + params + "\n# %%\n" + body + "\n", encoding="utf-8")


def test_a_failing_chapter_does_not_stop_the_next(tmp_path, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _tiny_chapter(nbs / "ch01_ok.py", "open(results_dir + '/ch01.txt', 'w').write('one')")
    _tiny_chapter(nbs / "ch02_fails.py", "raise RuntimeError('chapter two is broken')")
    _tiny_chapter(nbs / "ch03_ok.py", "open(results_dir + '/ch03.txt', 'w').write('three')")
    results, executed = tmp_path / "results", tmp_path / "executed"
    results.mkdir()
    rc = runner.run_chapters(data_dir=nbs, results_dir=results, executed=executed, notebooks=nbs, sample=False)
    assert rc != 0
    assert (results / "ch01.txt").read_text() == "one" and (results / "ch03.txt").read_text() == "three"
    nb2 = nbformat.read(executed / "ch02_fails.ipynb", as_version=4)
    errors = [o for c in nb2.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and "chapter two is broken" in errors[0]["evalue"]
    assert "chapter(s) [2] failed" in capsys.readouterr().err
    assert set(manifest.read_manifest(results)["outputs"]) == {"ch01.txt", "ch03.txt"}


def test_real_data_mode_withholds_error_messages_in_the_notebook(tmp_path, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "id.txt").write_text("client X-1234")
    _tiny_chapter(nbs / "ch01_fails.py", "raise KeyError(open(data_dir + '/id.txt').read())")
    rc = runner.run_chapters(data_dir=data, results_dir=tmp_path / "r", executed=tmp_path / "e",
                             notebooks=nbs, real_data=True)
    assert rc == 1
    text = (tmp_path / "e" / "ch01_fails.ipynb").read_text()
    assert "X-1234" not in text and "withheld in real-data mode" in text and "KeyError" in text
    assert "X-1234" in capsys.readouterr().err  # the terminal gets the full message


def test_min_cell_is_checked_and_passed(tmp_path):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _tiny_chapter(nbs / "ch01_cell.py", "import os; os.makedirs(results_dir, exist_ok=True); open(results_dir + '/mc.txt', 'w').write(str(min_cell))")
    assert runner.run_chapters(data_dir=nbs, results_dir=tmp_path / "r", notebooks=nbs, min_cell=0,
                               executed=tmp_path / "e") == 2
    assert runner.run_chapters(data_dir=nbs, results_dir=tmp_path / "r", notebooks=nbs, min_cell=11,
                               executed=tmp_path / "e", sample=False) == 0
    assert (tmp_path / "r" / "mc.txt").read_text() == "11"


def test_chapter_7_runs_first_then_the_others_side_by_side(tmp_path):
    """Chapters 8-10 read chapter 7's results: 7 runs alone first, the others in parallel."""
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _tiny_chapter(nbs / "ch07_first.py", "import os, time; os.makedirs(results_dir, exist_ok=True); time.sleep(1); "
                  "open(results_dir + '/ch07.txt', 'w').write('seven')")
    for n in (8, 9, 10):
        _tiny_chapter(nbs / f"ch{n:02d}_later.py", f"open(results_dir + '/ch{n:02d}.txt', 'w').write("
                      "open(results_dir + '/ch07.txt').read())")
    res = tmp_path / "r"
    assert runner.run_chapters(data_dir=nbs, results_dir=res, notebooks=nbs, executed=tmp_path / "e",
                               jobs=3, sample=False) == 0
    assert all((res / f"ch{n:02d}.txt").read_text() == "seven" for n in (8, 9, 10))
    status = runner.read_status(res)["chapters"]
    assert sorted(status) == ["ch07_first", "ch08_later", "ch09_later", "ch10_later"]
    assert runner.run_chapters(data_dir=nbs, results_dir=res, notebooks=nbs, jobs=0, sample=False) == 2


def test_the_sample_description_is_written_as_the_chapter_6_ledger(tmp_path, capsys):
    data = write_dataset(tmp_path / "d", tiny_tables())
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _tiny_chapter(nbs / "ch07_nothing.py", "pass")
    res = tmp_path / "r"
    assert runner.run_chapters(data_dir=data, results_dir=res, notebooks=nbs, executed=tmp_path / "e") == 0
    rows = ledger.read_all(res / "ledger")
    assert len(rows) and set(rows["ref"].map(published.chapter_of)) == {"6"}
    assert runner.read_status(res)["sample"]["status"] == "ok"
    # a dataset that cannot be read fails the run as chapter 6
    assert runner.run_chapters(data_dir=tmp_path / "nothing", results_dir=res, notebooks=nbs,
                               executed=tmp_path / "e") == 1
    assert "chapter(s) [6] failed" in capsys.readouterr().err


# ----------------------------------------------------------------------------- manifest

def test_manifest_hashes_sorted_and_stable(tmp_path):
    data = write_dataset(tmp_path / "d", tiny_tables())
    res = tmp_path / "res"
    (res / "ledger").mkdir(parents=True)
    (res / "ledger" / "b.csv").write_text("x\n1\n")
    (res / "a.csv").write_text("y\n2\n")
    p1 = manifest.write_manifest(res, inputs=[data], parameters={"seed": 1, "real_data": False})
    first = p1.read_bytes()
    m = json.loads(first)
    assert m["format"] == manifest.FORMAT
    assert list(m["outputs"]) == ["a.csv", "ledger/b.csv"]
    assert m["outputs"]["a.csv"]["sha256"] == manifest.sha256(res / "a.csv")
    assert "d/clients.csv" in m["inputs"] and list(m["inputs"]) == sorted(m["inputs"])
    assert manifest.write_manifest(res, inputs=[data], parameters={"real_data": False, "seed": 1}).read_bytes() == first
    (res / "a.csv").write_text("y\n3\n")
    assert manifest.write_manifest(res, inputs=[data], parameters={"seed": 1, "real_data": False}).read_bytes() != first
    assert "time" not in first.decode().lower()


# ----------------------------------------------------------------------------- determinism

def test_two_runs_give_byte_identical_tables(tmp_path):
    """Every result table of two runs on the same data and seed is identical byte for byte,
    and so is the manifest (inputs and outputs)."""
    nbs = chapter_dir(tmp_path / "nbs", "ch99_fake.py")
    data = dataset(tmp_path)
    runs = []
    for k in (1, 2):
        res = tmp_path / f"results{k}"
        rc = runner.run_chapters(data_dir=data, results_dir=res, executed=tmp_path / f"executed{k}", notebooks=nbs)
        assert rc == 0
        runs.append(res)
    a, b = tables(runs[0]), tables(runs[1])
    assert "ledger/ch99.csv" in a and len(a) >= 3
    assert a.keys() == b.keys()
    different = [k for k in a if a[k] != b[k]]
    assert different == []
    assert (runs[0] / "manifest.json").read_bytes() == (runs[1] / "manifest.json").read_bytes()


# ----------------------------------------------------------------------------- canary

def _book_copy(root: Path) -> None:
    """The files a book build needs, in a scratch repository root: configuration, narrative
    pages, codebook, published numbers (for the reproduction report) and the computing pages."""
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(paths.ROOT / name, root / name)
    shutil.copytree(paths.BOOK, root / "book")
    shutil.copytree(paths.CODEBOOK, root / "data" / "codebook")
    shutil.copytree(paths.PUBLISHED, root / "data" / "published")
    (root / "notebooks").mkdir(exist_ok=True)
    for page in paths.NOTEBOOKS.glob("report_*.py"):
        shutil.copy(page, root / "notebooks" / page.name)


def _add_executed_to_toc(root: Path) -> None:
    """Append every executed notebook the table of contents does not list yet."""
    toc_path = root / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text())
    listed = set()

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                listed.add(str(node["file"]).removesuffix(".ipynb"))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(toc)
    missing = [f"build/executed/{p.stem}" for p in sorted((root / "build" / "executed").glob("*.ipynb"))
               if f"build/executed/{p.stem}" not in listed]
    if missing:
        toc.setdefault("parts", []).append({"caption": "Chapters (canary run)", "chapters": [{"file": f} for f in missing]})
        toc_path.write_text(yaml.safe_dump(toc, sort_keys=False))


def _wagk(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, WAGK_ROOT=str(root))
    return subprocess.run([sys.executable, "-m", "wagk.cli", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=3600)


def test_canary_never_reaches_results_or_book(tmp_path):
    """Real-data mode on a dataset whose ids and text carry a marker: after `wagk run --real-data`
    and `wagk book`, the marker is nowhere in the results, the executed notebooks or the HTML.
    The same run in synthetic mode does print it (the search would find a leak)."""
    root = tmp_path / "root"
    root.mkdir()
    _book_copy(root)
    chapter_dir(root / "notebooks", "ch98_fails.py", "ch99_fake.py")
    data = tmp_path / "cdata"
    needles = make_canary(dataset(tmp_path), data)

    # positive control: in synthetic mode the fake chapters print rows and the id-quoting error
    control = tmp_path / "control"
    env_run = _wagk(root, "run", "--data", str(data), "--results", str(control / "results"), "--chapters", "98", "99")
    assert env_run.returncode == 1, env_run.stderr  # ch98 fails on purpose
    shutil.move(root / "build" / "executed", control / "executed")
    leaks = find_marker([control / "executed"], needles)
    assert any("ch99_fake" in h for h in leaks) and any("ch98_fails" in h for h in leaks)

    run = _wagk(root, "run", "--real-data", "--data", str(data))
    assert run.returncode == 1, run.stderr  # ch98 still fails ...
    assert "chapter 99: done" in run.stdout  # ... and the next chapter still runs
    assert MARKER in run.stderr  # the terminal may show it
    _add_executed_to_toc(root)
    book = _wagk(root, "book", "--no-strict")
    problems = [l for l in book.stderr.splitlines() if l.startswith("  - ")]
    assert book.returncode in (0, 1) and all("ch98_fails" in l for l in problems), book.stdout[-3000:] + book.stderr[-3000:]
    html = root / "_build" / "html"
    assert (html / "index.html").exists()
    page = html / "build" / "executed" / "ch99_fake.html"
    assert page.exists()
    text = page.read_text(encoding="utf-8")
    assert "is not shown; only aggregates are" in text and "Real-data mode" in text

    leaks = find_marker([root / "build", root / "_build"], needles)
    assert leaks == []
