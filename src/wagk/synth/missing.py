"""Missing answers (design.yml, ``missing``): answer patterns given to chosen respondents, then
scattered single missing answers that never take a scale's score away.

The patterns reproduce the n's the thesis prints (which scale could not be scored for how many
respondents, and in which overlapping subsets); the scattered answers give the listwise losses
a questionnaire of 75 items has (e.g. 179 of 204 wave-2 clients complete on the 21 items of the
first CFA).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _eligible(members: pd.DataFrame, context: str, where: dict, taken: dict) -> np.ndarray:
    ok = members[context].to_numpy().copy()
    for key, val in (where or {}).items():
        if key == "extra":
            ok &= members["extra"].to_numpy() == int(val)
        elif key.endswith("_missing_p1") or key.endswith("_missing_p2"):
            item, ctx = key[: -len("_missing_p1")], key[-2:]
            hit = np.zeros(len(members), bool)
            hit[list(taken.get((ctx, item), set()))] = True
            ok &= hit == bool(val)
        else:
            ok &= members[key].to_numpy() == bool(val)
    return ok


def pattern_mask(members: pd.DataFrame, design: dict, rng: np.random.Generator,
                 columns: dict[str, list[str]]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per context: a boolean mask (persons x columns) of pattern-missing answers, and a boolean
    vector of respondents who got a pattern."""
    spec = design["missing"]
    masks = {k: np.zeros((len(members), len(cols)), bool) for k, cols in columns.items()}
    used = {k: np.zeros(len(members), bool) for k in columns}
    taken: dict = {}  # (context, item) -> persons missing that item by a pattern
    for ev in spec["events"]:
        k = ev["context"]
        items = spec["patterns"][ev["pattern"]]
        ok = _eligible(members, k, ev.get("where"), taken) & ~used[k]
        pool = np.flatnonzero(ok)
        count = int(ev["count"])
        if len(pool) < count:
            raise ValueError(f"design: event {ev} needs {count} respondents, {len(pool)} eligible")
        chosen = pool[rng.permutation(len(pool))[:count]]
        col_idx = [columns[k].index(i) for i in items]
        for p in chosen:
            masks[k][p, col_idx] = True
            for i in items:
                taken.setdefault((k, i), set()).add(int(p))
        used[k][chosen] = True
    return masks, used


def sporadic_mask(n: int, columns: list[str], rate: float, max_per_row: int, exclude: list[str],
                  skip: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scattered missing answers: each allowed cell empty with probability ``rate``, at most
    ``max_per_row`` per row (the first ones in column order), none in rows ``skip``."""
    allowed = np.array([c not in exclude for c in columns])
    hit = (rng.random((n, len(columns))) < rate) & allowed[None, :]
    hit[skip] = False
    over = np.cumsum(hit, axis=1) > max_per_row
    hit[over] = False
    return hit
