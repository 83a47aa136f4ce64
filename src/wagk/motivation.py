"""Motivation of clients: the Situational Motivation Scale (SMS) scored on four dimensions.

The clients answered the SMS (Guay, Vallerand & Blanchard, 2000) at both waves: "Ik werk mee
aan het toezicht: ..." ("I take part in the supervision: ...") followed by twelve reasons, each
on the 1-7 agreement scale (Appendix 2 of the thesis). Chapters 8-10 use four scores:

=================  ===============================  ==========================================
score              dimension (thesis's name)        items (``data/codebook/items.csv``)
=================  ===============================  ==========================================
sms_intrinsic      intrinsic motivation             sms_01 interesting, sms_02 feel good doing it
                   ("interne motivatie")
sms_identified     identified regulation            sms_03 important to me, sms_08 for my own
                   ("interne regulatie")            good, sms_10 good for me
sms_external       external regulation              sms_04 feel I have to, sms_05 no choice,
                   ("externe regulatie")            sms_07 expected of me, sms_12 something I
                                                    have to do
sms_amotivation    amotivation ("amotivatie")       sms_06 not sure it is worth it, sms_09 don't
                                                    see why it is good for me, sms_11 don't know
                                                    what it brings me
=================  ===============================  ==========================================

The key is the codebook's ``subscale`` column, read by :func:`sms_key`. It follows the English
SIMS (Guay et al., 2000), whose four subscales have four items each; the Dutch version of the
thesis prints twelve of them (Appendix 2), although Table 6.3 counts fourteen items. No SMS item
is reverse-keyed.

A dimension's score is the mean of its answered items; it is missing when more than half of the
dimension's items are missing (the rule of the alliance scales, :mod:`wagk.scoring`). The change
score is wave 2 minus wave 1 for clients with both.

References
----------
Guay, F., Vallerand, R. J., & Blanchard, C. (2000). On the assessment of situational intrinsic
and extrinsic motivation: The Situational Motivation Scale (SIMS). *Motivation and Emotion*,
24, 175-213.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk import codebook

#: score name -> the codebook's subscale label
DIMENSIONS = {
    "sms_intrinsic": "intrinsic_motivation",
    "sms_identified": "identified_regulation",
    "sms_external": "external_regulation",
    "sms_amotivation": "amotivation",
}
SMS_SCORES = tuple(DIMENSIONS)


def sms_key(items: pd.DataFrame | None = None) -> dict[str, tuple[str, ...]]:
    """Score name -> its SMS items, from the codebook's ``subscale`` column.

    Raises ``ValueError`` when an SMS item has a subscale outside the four dimensions or a
    dimension has no items.
    """
    items = codebook.load_items() if items is None else items
    sms = items[items["instrument"] == "SMS"]
    labels = {v: k for k, v in DIMENSIONS.items()}
    stray = sorted(set(sms["subscale"]) - set(labels))
    if stray:
        raise ValueError(f"items.csv: SMS items with unknown subscale {stray}; expected {sorted(labels)}")
    key = {name: tuple(sms.index[sms["subscale"] == sub]) for name, sub in DIMENSIONS.items()}
    empty = [k for k, v in key.items() if not v]
    if empty:
        raise ValueError(f"items.csv: no SMS items for {empty}")
    return key


def score_sms(answers: pd.DataFrame, key: dict[str, tuple[str, ...]] | None = None) -> pd.DataFrame:
    """The four SMS scores of every interview (index kept).

    Parameters
    ----------
    answers : DataFrame
        One row per interview with the SMS item columns (1-7, NaN = missing). Other columns
        are ignored.
    key : dict, optional
        Score name -> items (default :func:`sms_key`).

    Returns
    -------
    DataFrame
        Columns ``sms_intrinsic, sms_identified, sms_external, sms_amotivation``.

    Notes
    -----
    Score = mean of the answered items of the dimension; NaN when more than half of its k items
    are missing (for k = 2, both; for k = 3, two or more; for k = 4, three or more). Raises
    ``KeyError`` naming the missing columns when an item is not in ``answers``.

    Validated by hand-computed means in ``tests/test_motivation.py``.
    """
    key = sms_key() if key is None else key
    out = {}
    for name, items in key.items():
        absent = [i for i in items if i not in answers.columns]
        if absent:
            raise KeyError(f"SMS score {name}: item columns {absent} not in the data")
        block = answers.loc[:, list(items)].to_numpy(dtype=float)
        answered = ~np.isnan(block)
        n = answered.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(answered, block, 0.0).sum(axis=1) / n
        s[(len(items) - n) > len(items) / 2] = np.nan
        out[name] = s
    return pd.DataFrame(out, index=answers.index)


def sms_change(wave1: pd.DataFrame, wave2: pd.DataFrame) -> pd.DataFrame:
    """Wave 2 minus wave 1 of the SMS scores, for ids with an interview at both waves."""
    both = wave1.index.intersection(wave2.index)
    return (wave2.loc[both, list(SMS_SCORES)] - wave1.loc[both, list(SMS_SCORES)]).sort_index()
