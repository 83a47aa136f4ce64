"""Execute the chapter notebooks with papermill, in order, on one dataset.

The jupytext sources ``notebooks/chNN_*.py`` are converted to notebooks and executed into
``build/executed/`` with the parameters ``data_dir``, ``results_dir``, ``seed`` and
``real_data``. A chapter that fails does not stop the others: its executed notebook (with the
traceback) is kept, the book shows the failure, and the run exits non-zero.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from wagk import paths

CHAPTERS = (7, 8, 9, 10)
DEFAULT_SEED = 20180907


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
    """Tag papermill's injected-parameters cell remove-cell (it does not inherit tags)."""
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            cell["metadata"]["tags"] = tags + ["remove-cell"]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
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
    return out, error


def run_chapters(data_dir: Path = paths.SYNTHETIC, results_dir: Path = paths.RESULTS,
                 chapters: list[int] | None = None, real_data: bool = False,
                 seed: int = DEFAULT_SEED, executed: Path = paths.EXECUTED) -> int:
    sources = chapter_sources()
    if chapters is None:
        chapters = sorted(sources)
        if not chapters:
            print("wagk run: no chapter notebooks in notebooks/ yet; nothing to run.")
            return 0
    missing = [c for c in chapters if c not in sources]
    if missing:
        print(f"wagk run: no notebook for chapter(s) {missing} yet (notebooks/chNN_*.py).", file=sys.stderr)
        return 2
    params = dict(data_dir=str(Path(data_dir).resolve()), results_dir=str(Path(results_dir).resolve()),
                  seed=seed, real_data=bool(real_data))
    failed = []
    for number in sorted(chapters):
        print(f"chapter {number}: {sources[number].name} ...", flush=True)
        out, error = execute(sources[number], params, executed)
        if error:
            failed.append(number)
            print(f"chapter {number} FAILED: {error}\n  traceback kept in {out}", file=sys.stderr)
        else:
            print(f"chapter {number}: done -> {out.relative_to(paths.ROOT) if out.is_relative_to(paths.ROOT) else out}")
    if failed:
        print(f"wagk run: chapter(s) {failed} failed", file=sys.stderr)
        return 1
    return 0
