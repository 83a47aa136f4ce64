"""Execute the chapter notebooks with papermill, in order, on one dataset.

The jupytext sources ``notebooks/chNN_*.py`` are converted to notebooks and executed into
``build/executed/`` with the parameters ``data_dir``, ``results_dir``, ``seed``, ``real_data``
and ``min_cell`` (the smallest cell shown in real-data mode, see :mod:`wagk.privacy`). A
chapter that fails does not stop the others: its executed notebook (with the traceback) is
kept, the book shows the failure, and the run exits non-zero. Each chapter's outcome is
recorded in ``<results_dir>/run_status.json``, which ``wagk book`` reads. In real-data mode the
error message and traceback (which may quote data) are replaced by the exception's type in the
executed notebook and in run_status.json, and printed in full to the terminal only. Every run
ends by writing ``<results_dir>/manifest.json`` (:mod:`wagk.manifest`).

Order: before the chapters, the sample description of chapter 6 (:func:`wagk.sample.chapter6`)
is written as the ledger ``ch06.csv``; chapter 7 runs next (the later chapters read its scale
scores); chapters 8, 9 and 10 then run side by side in ``jobs`` kernels (default 2; each
notebook is its own kernel process, so threads suffice to drive them).
"""

from __future__ import annotations

import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wagk import paths
from wagk.manifest import run_inputs, write_manifest

CHAPTERS = (7, 8, 9, 10)
DEFAULT_SEED = 20180907
DEFAULT_MIN_CELL = 5
DEFAULT_JOBS = 2
#: chapters whose results the others read: run first, alone
FIRST = (7,)
STATUS_FILE = "run_status.json"
WITHHELD = "details withheld in real-data mode (the message may quote data); see the terminal output of wagk run"


def chapter_sources(notebooks: Path = paths.NOTEBOOKS) -> dict[int, Path]:
    """Chapter number -> jupytext source, for the chapter notebooks present."""
    out = {}
    for path in sorted(notebooks.glob("ch[0-9][0-9]_*.py")):
        number = int(re.match(r"ch(\d+)_", path.name).group(1))
        out[number] = path
    return out


def executed_path(source: Path, executed: Path = paths.EXECUTED) -> Path:
    return executed / f"{source.stem}.ipynb"


def _hide_parameters(nb_path: Path) -> None:
    """Tag papermill's injected-parameters cell remove-cell (it does not inherit tags), and the
    notebook's own parameters cell too when papermill overrode it (its defaults were not used;
    the values used are in run_status.json and on the colophon page)."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    injected = any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        hide = "injected-parameters" in tags or (injected and "parameters" in tags)
        if hide and "remove-cell" not in tags:
            cell["metadata"]["tags"] = tags + ["remove-cell"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nb_path)


def _withhold_errors(nb_path: Path) -> None:
    """Replace error messages and tracebacks in an executed notebook by the exception type."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                out["evalue"] = WITHHELD
                out["traceback"] = [f"{out.get('ename', 'Error')}: {WITHHELD}"]
    nbformat.write(nb, nb_path)


def execute(source: Path, parameters: dict, executed: Path = paths.EXECUTED) -> tuple[Path, str | None]:
    """Execute one chapter; returns (executed notebook, error message or None)."""
    import jupytext
    import papermill as pm

    executed.mkdir(parents=True, exist_ok=True)
    out = executed_path(source, executed)
    src_nb = executed / f".{source.stem}.source.ipynb"
    nb = jupytext.read(source)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    jupytext.write(nb, src_nb)
    error = None
    try:
        pm.execute_notebook(str(src_nb), str(out), parameters=parameters, kernel_name="python3",
                            cwd=str(paths.ROOT), progress_bar=False)
    except pm.PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    finally:
        src_nb.unlink(missing_ok=True)
    if out.exists():
        _hide_parameters(out)
        if error and parameters.get("real_data"):
            _withhold_errors(out)
    return out, error


def write_sample_ledger(data_dir: Path, results_dir: Path, real_data: bool = False,
                        min_cell: int = DEFAULT_MIN_CELL) -> dict:
    """Chapter 6 (the sample description) as the ledger ``ch06.csv``: the numbers of chapter 6
    that a dataset can answer (:func:`wagk.sample.chapter6`). In real-data mode counts below
    ``min_cell`` are suppressed with their percentages. Returns the status entry."""
    from wagk import contract, ledger, sample
    from wagk.privacy import Privacy

    start = time.perf_counter()
    try:
        study = contract.load_study(data_dir)
        rows = sample.chapter6(study)
        rows = Privacy(real_data=real_data, min_cell=min_cell).ledger(rows, count_statistic="count")
        path = ledger.write(rows, paths.ledger_dir(results_dir) / "ch06.csv")
    except Exception as exc:  # reported like a failed chapter: the chapters report the data error in full
        message = f"{type(exc).__name__}: {WITHHELD}" if real_data else f"{type(exc).__name__}: {exc}"
        return dict(status="failed", error=message, rows=0, seconds=round(time.perf_counter() - start, 1))
    return dict(status="ok", error="", ledger=_rel(path), rows=int(len(rows)),
                missing_variables=sample.chapter6_missing(study), seconds=round(time.perf_counter() - start, 1))


def run_chapters(data_dir: Path = paths.SYNTHETIC, results_dir: Path = paths.RESULTS,
                 chapters: list[int] | None = None, real_data: bool = False,
                 seed: int = DEFAULT_SEED, executed: Path = paths.EXECUTED,
                 notebooks: Path = paths.NOTEBOOKS, min_cell: int = DEFAULT_MIN_CELL,
                 jobs: int = DEFAULT_JOBS, sample: bool = True) -> int:
    """Chapter 6's ledger (``sample``), then the chapter notebooks (7 first, the others ``jobs``
    at a time). Returns the exit status: 0 all done, 1 a chapter failed, 2 bad arguments."""
    sources = chapter_sources(notebooks)
    if chapters is None:
        chapters = sorted(sources)
        if not chapters:
            print("wagk run: no chapter notebooks in notebooks/ yet; nothing to run.")
            return 0
    missing = [c for c in chapters if c not in sources]
    if missing:
        print(f"wagk run: no notebook for chapter(s) {missing} yet (notebooks/chNN_*.py).", file=sys.stderr)
        return 2
    if min_cell < 1:
        print(f"wagk run: --min-cell must be at least 1, got {min_cell}", file=sys.stderr)
        return 2
    if jobs < 1:
        print(f"wagk run: --jobs must be at least 1, got {jobs}", file=sys.stderr)
        return 2
    params = dict(data_dir=str(Path(data_dir).resolve()), results_dir=str(Path(results_dir).resolve()),
                  seed=seed, real_data=bool(real_data), min_cell=int(min_cell))
    status = read_status(results_dir)
    status.update(data_dir=params["data_dir"], real_data=params["real_data"], seed=seed, min_cell=params["min_cell"])
    if sample:
        status["sample"] = write_sample_ledger(Path(data_dir), Path(results_dir), real_data, min_cell)
        if status["sample"]["status"] == "ok":
            print(f"chapter 6 (sample): {status['sample']['rows']} ledger rows -> {status['sample']['ledger']}")
        else:
            print(f"chapter 6 (sample) FAILED: {status['sample']['error']}", file=sys.stderr)

    def one(number: int) -> tuple[int, dict]:
        print(f"chapter {number}: {sources[number].name} ...", flush=True)
        start = time.perf_counter()
        out, error = execute(sources[number], params, executed)
        shown = f"{error.split(':', 1)[0]}: {WITHHELD}" if error and real_data else error
        entry = dict(chapter=number, source=_rel(sources[number]), executed=_rel(out),
                     status="failed" if error else "ok", error=shown or "",
                     seconds=round(time.perf_counter() - start, 1))
        if error:
            print(f"chapter {number} FAILED: {error}\n  traceback kept in {out}"
                  + (" (message withheld there: real-data mode)" if real_data else ""), file=sys.stderr)
        else:
            print(f"chapter {number}: done -> {_rel(out)} ({entry['seconds']} s)", flush=True)
        return number, entry

    first = [c for c in sorted(chapters) if c in FIRST]
    rest = [c for c in sorted(chapters) if c not in FIRST]
    done = [one(c) for c in first]
    if jobs == 1 or len(rest) < 2:
        done += [one(c) for c in rest]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            done += list(pool.map(one, rest))
    for number, entry in done:
        status["chapters"][sources[number].stem] = entry
    failed = sorted(number for number, entry in done if entry["status"] == "failed")
    if sample and status["sample"]["status"] != "ok":
        failed = [6] + failed
    write_status(results_dir, status)
    write_manifest(results_dir, inputs=run_inputs(data_dir, [sources[c] for c in sorted(chapters)]),
                   parameters=dict(chapters=sorted(chapters), real_data=bool(real_data), seed=seed, min_cell=int(min_cell)))
    if failed:
        print(f"wagk run: chapter(s) {failed} failed", file=sys.stderr)
        return 1
    return 0


def _rel(path: Path) -> str:
    path = Path(path).resolve()
    return path.relative_to(paths.ROOT).as_posix() if path.is_relative_to(paths.ROOT) else str(path)


def read_status(results_dir: Path | str = paths.RESULTS) -> dict:
    """The run status of ``results_dir`` (``run_status.json``): per chapter notebook stem, its
    source, executed notebook, status ('ok' or 'failed'), error and seconds; empty when absent."""
    path = Path(results_dir) / STATUS_FILE
    if not path.exists():
        return {"chapters": {}}
    status = json.loads(path.read_text(encoding="utf-8"))
    status.setdefault("chapters", {})
    return status


def write_status(results_dir: Path | str, status: dict) -> Path:
    path = Path(results_dir) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    status = dict(status, chapters=dict(sorted(status["chapters"].items())))
    path.write_text(json.dumps(status, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path
