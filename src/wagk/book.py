"""Build the Jupyter Book (1.x) at the repository root: strict, from the executed notebooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wagk import paths


def build(strict: bool = True) -> int:
    """``jupyter-book build`` with warnings as errors (-W -n --keep-going) when strict."""
    cmd = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(paths.ROOT), "--path-output", str(paths.ROOT)]
    if strict:
        cmd += ["-W", "-n", "--keep-going"]
    print(" ".join(cmd), flush=True)
    rc = subprocess.call(cmd, cwd=paths.ROOT)
    if rc == 0:
        print(f"book: {paths.BOOK_HTML / 'index.html'}")
    return rc
