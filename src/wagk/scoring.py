"""Scale scores, totals, change scores and dyad differences (chapter 8 introduction, Appendix 1).

Rules
-----
- Items are on 1-7; an item reversed in a scale enters as ``8 - x``.
- A scale score is the mean of the scale's answered items; a person with more than half of the
  scale's items missing gets no score.
- The total is the mean over the union of the four scales' items, each item once, reactance
  reversed (see :meth:`wagk.codebook.Monitor.total`), with the same missing rule.
- Change = wave 2 minus wave 1 of the same client (clients) or of the same dyad (officers).
- Dyad differences: relative = client minus officer; absolute = its absolute value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk.codebook import ITEM_MAX, ITEM_MIN, SCALES, Monitor, Scale

SCORE_COLUMNS = SCALES + ("total",)


def keyed_items(items: pd.DataFrame, scale: Scale) -> pd.DataFrame:
    """The scale's item columns with reversed items turned (8 - x)."""
    missing = [i for i in scale.items if i not in items.columns]
    if missing:
        raise KeyError(f"scale {scale.name}: item columns {missing} not in the data")
    block = items.loc[:, list(scale.items)].astype(float)
    rev = [i for i in scale.items if i in scale.reversed]
    if rev:
        block[rev] = (ITEM_MIN + ITEM_MAX) - block[rev]
    return block


def scale_score(items: pd.DataFrame, scale: Scale) -> pd.Series:
    """Mean of the answered items; missing when more than half of the items are missing."""
    missing = [i for i in scale.items if i not in items.columns]
    if missing:
        raise KeyError(f"scale {scale.name}: item columns {missing} not in the data")
    block = items.loc[:, list(scale.items)].to_numpy(dtype=float, copy=True)
    rev = np.array([i in scale.reversed for i in scale.items])
    block[:, rev] = (ITEM_MIN + ITEM_MAX) - block[:, rev]
    answered = ~np.isnan(block)
    n_answered = answered.sum(axis=1)
    total = np.where(answered, block, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = total / n_answered
    score[(scale.n_items - n_answered) > scale.n_items / 2] = np.nan
    return pd.Series(score, index=items.index, name=scale.name)


def score(items: pd.DataFrame, monitor: Monitor, perspective: str) -> pd.DataFrame:
    """The four scale scores and the total, one row per questionnaire (index kept).

    For officers the three contra-reactance items are added unchanged as single-item columns.
    """
    out = {name: scale_score(items, monitor.scale(perspective, name)) for name in SCORE_COLUMNS}
    frame = pd.DataFrame(out, index=items.index)
    if perspective == "po":
        for name, item in monitor.contra_reactance.items():
            frame[name] = items[item].astype(float) if item in items.columns else np.nan
    return frame


def scoring_counts(items: pd.DataFrame, monitor: Monitor, perspective: str) -> pd.DataFrame:
    """The scoring funnel: per scale, how many questionnaires got a score and why the others did not.

    Returns
    -------
    DataFrame
        scale, items, questionnaires, scored, not_scored (more than half of the items missing),
        all_items_missing (of not_scored: every item of the scale missing, e.g. a skipped page).
    """
    scores = score(items, monitor, perspective)
    rows = []
    for name in SCORE_COLUMNS:
        scale = monitor.scale(perspective, name)
        n_scored = int(scores[name].notna().sum())
        present = [i for i in scale.items if i in items.columns]
        all_missing = int(items[present].isna().all(axis=1).sum()) if present else len(items)
        rows.append(dict(scale=name, items=scale.n_items,
                         questionnaires=len(scores), scored=n_scored,
                         not_scored=len(scores) - n_scored, all_items_missing=all_missing))
    return pd.DataFrame(rows)


def change_scores(wave1: pd.DataFrame, wave2: pd.DataFrame) -> pd.DataFrame:
    """Wave 2 minus wave 1 for ids present at both waves (same index, e.g. client_id)."""
    both = wave1.index.intersection(wave2.index)
    cols = [c for c in wave1.columns if c in wave2.columns]
    return (wave2.loc[both, cols] - wave1.loc[both, cols]).sort_index()


def dyad_differences(client: pd.DataFrame, po: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Relative (client minus officer) and absolute differences for dyads present on both sides.

    Both frames are indexed by client_id (an officer questionnaire is about one client).
    """
    both = client.index.intersection(po.index)
    cols = [c for c in SCORE_COLUMNS if c in client.columns and c in po.columns]
    rel = (client.loc[both, cols] - po.loc[both, cols]).sort_index()
    return {"relative": rel, "absolute": rel.abs()}
