"""Tidy result rows in the published schema: the ledger every analysis step writes.

One row per number: ref, section, perspective, wave, analysis, variable, group, statistic,
value. The chapters write their rows to ``<results_dir>/ledger/<chapter>.csv``; ``wagk compare``
joins them with the published rows.

Examples
--------
>>> from wagk.ledger import Ledger
>>> led = Ledger()
>>> led.add(ref="T8.1", section="8.2.1", perspective="client", wave=1, analysis="descriptives",
...         variable="trust", statistic="M", value=6.43)
>>> led.frame().shape
(1, 9)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic", "value"]
KEY = ["ref", "perspective", "wave", "analysis", "variable", "group", "statistic"]
PERSPECTIVES = ("client", "po", "dyad", "population", "sample")
WAVES = ("1", "2", "diff", "1+2", "none")


def _text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v)


class Ledger:
    """Collects result rows; ``frame()`` returns them in the ledger schema."""

    def __init__(self) -> None:
        self._rows: list[dict] = []

    def add(self, *, ref: str, perspective: str, wave, analysis: str, variable: str,
            statistic: str, value, group: str = "", section: str = "") -> None:
        if perspective not in PERSPECTIVES:
            raise ValueError(f"perspective {perspective!r} not in {PERSPECTIVES}")
        wave = _text(wave)
        if wave not in WAVES:
            raise ValueError(f"wave {wave!r} not in {WAVES}")
        value = np.nan if value is None else float(value)
        self._rows.append(dict(ref=ref, section=section, perspective=perspective, wave=wave,
                               analysis=analysis, variable=variable, group=_text(group),
                               statistic=statistic, value=value))

    def extend(self, rows: pd.DataFrame | list[dict]) -> None:
        records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows
        for r in records:
            self.add(**{k: r.get(k, "") for k in COLUMNS})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self._rows, columns=COLUMNS)

    def __len__(self) -> int:
        return len(self._rows)


def check(frame: pd.DataFrame, source: str = "ledger") -> pd.DataFrame:
    """Check a ledger frame: the columns, the vocabularies and unique keys."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{source}: ledger columns missing: {missing}")
    frame = frame[COLUMNS].copy()
    for c in COLUMNS[:-1]:
        frame[c] = frame[c].fillna("").astype(str)
    frame["value"] = pd.to_numeric(frame["value"], errors="raise").astype(float)
    bad = ~frame["perspective"].isin(PERSPECTIVES) | ~frame["wave"].isin(WAVES)
    if bad.any():
        raise ValueError(f"{source}: bad perspective/wave in rows {frame.index[bad][:10].tolist()}")
    dup = frame.duplicated(KEY, keep=False)
    if dup.any():
        raise ValueError(f"{source}: {int(dup.sum())} rows share a key, e.g.\n{frame[dup].head(6).to_string()}")
    return frame


def write(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a ledger deterministically: sorted by key, values with 10 significant digits."""
    frame = check(frame, str(path)).sort_values(KEY, kind="mergesort").reset_index(drop=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
    return path


def read_all(ledger_dir: Path | str) -> pd.DataFrame:
    """All ledger CSVs of a results folder, checked, as one frame."""
    files = sorted(Path(ledger_dir).glob("*.csv"))
    frames = [check(pd.read_csv(f, dtype=str, keep_default_na=False), str(f)) for f in files]
    if not frames:
        return pd.DataFrame(columns=COLUMNS)
    return check(pd.concat(frames, ignore_index=True), str(ledger_dir))
