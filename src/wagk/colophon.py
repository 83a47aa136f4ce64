"""What a build was made from: package versions, the code's commit, hashes of the data files."""

from __future__ import annotations

import hashlib
import re
import subprocess
import tomllib
from importlib import metadata
from pathlib import Path

import pandas as pd

from wagk import paths


def pinned_packages(pyproject: Path | None = None) -> list[str]:
    """Names of the dependencies of pyproject.toml (or, without it, of the installed wagk)."""
    pyproject = pyproject or paths.ROOT / "pyproject.toml"
    if pyproject.exists():
        spec = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        reqs = list(spec["dependencies"]) + [r for extra in spec.get("optional-dependencies", {}).values() for r in extra]
    else:
        reqs = metadata.requires("wagk") or []
    return [re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0] for r in reqs]


def package_versions(extra: tuple[str, ...] = ("sphinx", "sphinx-book-theme", "sphinxcontrib-bibtex", "ipykernel")) -> pd.DataFrame:
    """package, pinned requirement and installed version, one row per package."""
    pyproject = paths.ROOT / "pyproject.toml"
    pins = {}
    if pyproject.exists():
        spec = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        for r in list(spec["dependencies"]) + [r for e in spec.get("optional-dependencies", {}).values() for r in e]:
            pins[re.split(r"[<>=!~;\[ ]", r, maxsplit=1)[0]] = r
    rows = []
    for name in list(dict.fromkeys(pinned_packages() + list(extra))):
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append(dict(package=name, requirement=pins.get(name, ""), installed=version))
    return pd.DataFrame(rows)


def code_state(root: Path = paths.ROOT) -> pd.DataFrame:
    """The git commit of ``root`` and whether the working tree differs from it."""
    def git(*args):
        try:
            return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                                  check=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return pd.DataFrame([dict(item="git commit", value="not a git checkout")])
    dirty = git("status", "--porcelain", "--untracked-files=no")
    rows = [dict(item="git commit", value=commit),
            dict(item="commit date", value=git("show", "-s", "--format=%cI", "HEAD") or ""),
            dict(item="working tree", value="modified files not committed" if dirty else "clean")]
    return pd.DataFrame(rows)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_hashes(folders: dict[str, Path], root: Path = paths.ROOT) -> pd.DataFrame:
    """SHA-256 of every file in each folder (sorted), plus one hash over the folder's file hashes."""
    rows = []
    for label, folder in folders.items():
        folder = Path(folder)
        if not folder.is_dir():
            rows.append(dict(set=label, file=str(folder), bytes=None, sha256="folder not found"))
            continue
        files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
        digests = []
        for f in files:
            d = sha256(f)
            digests.append(f"{f.relative_to(folder).as_posix()}  {d}")
            full = f.resolve()
            name = full.relative_to(root.resolve()).as_posix() if full.is_relative_to(root.resolve()) else f.relative_to(folder).as_posix()
            rows.append(dict(set=label, file=name, bytes=f.stat().st_size, sha256=d))
        whole = hashlib.sha256("\n".join(digests).encode()).hexdigest()
        rows.append(dict(set=label, file="(all files of the set)", bytes=sum(f.stat().st_size for f in files), sha256=whole))
    return pd.DataFrame(rows)
