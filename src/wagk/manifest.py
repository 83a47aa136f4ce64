"""The build manifest: SHA-256 of every input and output of a run, in a byte-stable file.

``wagk run`` ends by writing ``<results_dir>/manifest.json``: the hashes of the dataset files,
the codebook, the chapter sources and the package code it used, and of every file it wrote to
the results folder. Two runs on the same inputs give the same manifest byte for byte, so
comparing manifests (or ``sha256sum``) tells whether a rerun reproduced a build.

Format (``wagk-manifest/1``)::

    {
     "format": "wagk-manifest/1",
     "parameters": {"chapters": [7, 8], "min_cell": 5, "real_data": false, "seed": 20180907},
     "environment": {"python": "3.11.7", "packages": {"numpy": "2.4.6", ...}},
     "inputs":  {"data/synthetic/clients.csv": {"bytes": 18234, "sha256": "9f2c..."}, ...},
     "outputs": {"ledger/ch08.csv": {"bytes": 5120, "sha256": "41ab..."}, ...}
    }

Keys are sorted, paths use ``/``; inputs are named relative to the repository root when they
lie inside it, else as ``<folder name>/<path inside the folder>``; outputs relative to the
results folder, without the run's logs (``manifest.json``, ``run_status.json``, which holds
timings). There is no timestamp in the file (it would break the byte identity); the time
of a build is the file's modification time.
"""

from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path

from wagk import paths

FORMAT = "wagk-manifest/1"
NAME = "manifest.json"
#: packages whose versions decide the numbers
PACKAGES = ("numpy", "pandas", "scipy", "statsmodels", "scikit-learn", "semopy", "factor_analyzer",
            "pingouin", "pandera", "pyreadstat", "pyarrow", "matplotlib", "papermill", "wagk")
#: never hashed: caches
SKIP_PARTS = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache")
#: files of the results folder that describe a run rather than its results (they hold times and
#: paths): the manifest itself and the runner's run_status.json
LOGS = (NAME, "run_status.json")


def sha256(path: Path | str, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _files(entry: Path) -> list[Path]:
    if entry.is_file():
        return [entry]
    if entry.is_dir():
        return sorted(p for p in entry.rglob("*") if p.is_file() and not p.name.startswith(".")
                      and not any(part in SKIP_PARTS for part in p.parts))
    return []


def _input_name(path: Path, entry: Path) -> str:
    path = path.resolve()
    root = paths.ROOT.resolve()
    if path.is_relative_to(root):
        return path.relative_to(root).as_posix()
    entry = entry.resolve()
    if entry.is_dir():
        return f"{entry.name}/{path.relative_to(entry).as_posix()}"
    return path.name


def hashes(entries, name) -> dict:
    """{name: {"bytes": n, "sha256": hex}} for every file in ``entries`` (files or folders)."""
    out = {}
    for entry in entries:
        entry = Path(entry)
        for f in _files(entry):
            out[name(f, entry)] = {"bytes": f.stat().st_size, "sha256": sha256(f)}
    return dict(sorted(out.items()))


def environment() -> dict:
    versions = {}
    for pkg in PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None
    return {"python": platform.python_version(), "packages": versions}


def build_manifest(results_dir: Path | str, inputs=(), outputs=None, parameters: dict | None = None) -> dict:
    """The manifest as a dict (see the module docstring); ``outputs`` default: the results folder."""
    results_dir = Path(results_dir)
    outputs = [results_dir] if outputs is None else outputs
    out_hashes = hashes(outputs, lambda f, entry: (f.resolve().relative_to(results_dir.resolve()).as_posix()
                                                   if f.resolve().is_relative_to(results_dir.resolve())
                                                   else _input_name(f, entry)))
    for log in LOGS:
        out_hashes.pop(log, None)
    return {
        "format": FORMAT,
        "parameters": dict(sorted((parameters or {}).items())),
        "environment": environment(),
        "inputs": hashes(inputs, _input_name),
        "outputs": out_hashes,
    }


def write_manifest(results_dir: Path | str, inputs=(), outputs=None, parameters: dict | None = None) -> Path:
    """Write ``<results_dir>/manifest.json`` (sorted keys, no timestamp) and return its path."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    manifest = build_manifest(results_dir, inputs, outputs, parameters)
    path = results_dir / NAME
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=True) + "\n", encoding="utf-8")
    return path


def read_manifest(results_dir: Path | str) -> dict:
    return json.loads((Path(results_dir) / NAME).read_text(encoding="utf-8"))


def run_inputs(data_dir: Path | str, sources) -> list[Path]:
    """What a chapter run reads: the dataset, the codebook, the chapter sources, the package code."""
    package = Path(__file__).resolve().parent
    return [Path(data_dir), paths.CODEBOOK, *map(Path, sources), package]
