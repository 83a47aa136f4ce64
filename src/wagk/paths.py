"""Every location the compendium reads or writes, in one place.

The repository root is found from this file (the package is installed in editable mode from
``src/``); set ``WAGK_ROOT`` to point elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("WAGK_ROOT", Path(__file__).resolve().parents[2]))

DATA = ROOT / "data"
CODEBOOK = DATA / "codebook"
ITEMS_CSV = CODEBOOK / "items.csv"
MONITOR_YML = CODEBOOK / "monitor.yml"
SUBSCALES_YML = CODEBOOK / "subscales.yml"
PUBLISHED = DATA / "published"
SYNTHETIC = DATA / "synthetic"
PRIVATE = DATA / "private"

NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"

BUILD = ROOT / "build"
RESULTS = BUILD / "results"
EXECUTED = BUILD / "executed"
BOOK_HTML = ROOT / "_build" / "html"

TOLERANCES_YML = Path(__file__).resolve().parent / "tolerances.yml"


def ledger_dir(results_dir: Path | str) -> Path:
    """Folder of the tidy ledger CSVs inside a results folder."""
    return Path(results_dir) / "ledger"
