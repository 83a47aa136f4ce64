"""The dyadic perspective (chapter 10): client and officer on the same scale.

A dyad is a client and the officer questionnaire about that client at the same wave (both frames
indexed by client_id). The general functions take two score frames (client, officer) and return
tidy tables; :func:`chapter10_rows` says which questionnaires and scales make Tables 10.1-10.4.

- :func:`agreement`: Pearson r between client and officer score per scale (Table 10.1).
- :func:`paired_comparison`: each side's n, M and SD over the dyads, and the paired t-test of the
  difference with Cohen's d_z (Tables 10.2 and 10.3).
- :func:`differences`: descriptives of the relative (client minus officer) and absolute difference.
- :func:`difference_stability`: Pearson r between the absolute differences at wave 1 and wave 2 of
  the same dyad (Table 10.4).

All tests are two-sided. Pairwise deletion: every statistic uses the dyads with the values it needs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from wagk import codebook, scoring
from wagk.descriptives import describe
from wagk.ledger import COLUMNS as LEDGER_COLUMNS

SCALES = codebook.SCALES + ("total",)


def pearson(x: pd.Series, y: pd.Series) -> dict:
    """Pearson r, two-sided p and n over the pairs where both values are present.

    Notes
    -----
    r as in scipy.stats.pearsonr; p from t = r sqrt((n-2)/(1-r^2)) with n-2 df. With n < 3 or a
    constant side, r and p are NaN (reported, not raised).
    """
    ids = x.index.intersection(y.index)
    a, b = x.loc[ids].to_numpy(dtype=float), y.loc[ids].to_numpy(dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    n = int(a.size)
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return dict(r=np.nan, p=np.nan, n=n)
    res = stats.pearsonr(a, b)
    return dict(r=float(res.statistic), p=float(res.pvalue), n=n)


def _pairs(client: pd.DataFrame, po: pd.DataFrame) -> pd.Index:
    return client.index.intersection(po.index).sort_values()


def agreement(client: pd.DataFrame, po: pd.DataFrame, variables=SCALES) -> pd.DataFrame:
    """Client-officer Pearson r per scale over the dyads; columns r, p, n; index variable."""
    ids = _pairs(client, po)
    out = {v: pearson(client.loc[ids, v], po.loc[ids, v]) for v in variables}
    return pd.DataFrame.from_dict(out, orient="index")[["r", "p", "n"]].rename_axis("variable")


def paired_comparison(client: pd.DataFrame, po: pd.DataFrame, variables=SCALES) -> pd.DataFrame:
    """Both sides' descriptives over the dyads and the paired t-test of client minus officer.

    Returns
    -------
    DataFrame indexed by variable with n_client, M_client, SD_client, n_po, M_po, SD_po (each side's
    present scores among the dyads), and n, t, df, p, d over the dyads with both scores.

    Notes
    -----
    t = mean(D) / (SD(D) / sqrt(n)), D = client - officer, df = n - 1 (scipy.stats.ttest_rel);
    d_z = mean(D) / SD(D), Cohen's effect size for paired data.
    """
    ids = _pairs(client, po)
    rows = {}
    for v in variables:
        c, p = client.loc[ids, v], po.loc[ids, v]
        dc, dp = describe(c), describe(p)
        diff = (c - p).dropna()
        n = len(diff)
        if n > 1 and diff.std(ddof=1) > 0:
            res = stats.ttest_rel(c[diff.index], p[diff.index])
            t, pval, d = float(res.statistic), float(res.pvalue), float(diff.mean() / diff.std(ddof=1))
        else:
            t = pval = d = np.nan
        rows[v] = dict(n_client=dc["n"], M_client=dc["M"], SD_client=dc["SD"],
                       n_po=dp["n"], M_po=dp["M"], SD_po=dp["SD"], n=n, t=t, df=n - 1, p=pval, d=d)
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variable")


def differences(client: pd.DataFrame, po: pd.DataFrame, variables=SCALES) -> dict[str, pd.DataFrame]:
    """Descriptives (n, M, SD, Mdn, Min, Max) of the relative and the absolute dyad difference.

    Relative = client minus officer; absolute = its absolute value (:func:`wagk.scoring.dyad_differences`).
    """
    diff = scoring.dyad_differences(client[list(variables)], po[list(variables)])
    return {kind: pd.DataFrame([describe(frame[v]) for v in variables], index=pd.Index(variables, name="variable"))
            for kind, frame in diff.items()}


def difference_stability(abs_w1: pd.DataFrame, abs_w2: pd.DataFrame, variables=SCALES) -> pd.DataFrame:
    """Pearson r between a dyad's absolute difference at wave 1 and at wave 2; columns r, p, n."""
    out = {v: pearson(abs_w1[v], abs_w2[v]) for v in variables}
    return pd.DataFrame.from_dict(out, orient="index")[["r", "p", "n"]].rename_axis("variable")


def _row(ref, section, perspective, wave, analysis, variable, group, statistic, value) -> dict:
    return dict(ref=ref, section=section, perspective=perspective, wave=str(wave), analysis=analysis,
                variable=variable, group=group, statistic=statistic, value=float(value))


def chapter10_rows(study, monitor: codebook.Monitor | None = None, variables=SCALES, scores=None) -> pd.DataFrame:
    """Tables 10.1-10.4 as ledger rows, from every client interview and officer questionnaire.

    - Table 10.1: :func:`agreement` per wave (dyads at that wave).
    - Tables 10.2 (wave 1) and 10.3 (wave 2): :func:`paired_comparison` and :func:`differences`.
    - Table 10.4: :func:`difference_stability` over the dyads present at both waves.
    - The running text of 10.2.2 that repeats them (S10.2.2a-i): :func:`running_text_rows`.

    ``scores`` (a :class:`wagk.scores.Scores` from :func:`wagk.scores.load`) gives the scale
    scores chapter 7 handed over; without it the questionnaires are scored with ``monitor``.
    """
    if scores is not None:
        sc = {(p, w): scores.get(p, w) for p in codebook.PERSPECTIVES for w in codebook.WAVES}
    else:
        monitor = monitor or codebook.load_monitor()
        sc = {(p, w): scoring.score(study.questionnaire(p, w), monitor, p)
              for p in codebook.PERSPECTIVES for w in codebook.WAVES}
    rows = []
    absdiff = {}
    for w, ref in ((1, "T10.2"), (2, "T10.3")):
        client, po = sc[("client", w)], sc[("po", w)]
        for v, r in agreement(client, po, variables).iterrows():
            for stat in ("r", "p", "n"):
                rows.append(_row("T10.1", "10.2.1", "dyad", w, "correlation", v, "client_vs_po", stat, r[stat]))
        pc = paired_comparison(client, po, variables)
        for v, r in pc.iterrows():
            for side in ("client", "po"):
                for stat in ("n", "M", "SD"):
                    rows.append(_row(ref, "10.2.2", side, w, "descriptives", v, "", stat, r[f"{stat}_{side}"]))
            for stat in ("t", "df", "p", "d"):
                rows.append(_row(ref, "10.2.2", "dyad", w, "paired_ttest", v, "client_vs_po", stat, r[stat]))
        diffs = differences(client, po, variables)
        for kind, analysis in (("absolute", "abs_diff"), ("relative", "rel_diff")):
            for v, r in diffs[kind].iterrows():
                for stat, value in r.items():
                    rows.append(_row(ref, "10.2.2", "dyad", w, analysis, v, "", stat, value))
        absdiff[w] = scoring.dyad_differences(client[list(variables)], po[list(variables)])["absolute"]
    for v, r in difference_stability(absdiff[1], absdiff[2], variables).iterrows():
        for stat in ("r", "p", "n"):
            rows.append(_row("T10.4", "10.2.3", "dyad", "1+2", "correlation", v, "abs_diff_w1_vs_w2", stat, r[stat]))
    table = pd.DataFrame(rows, columns=LEDGER_COLUMNS)
    return pd.concat([table, running_text_rows(table)], ignore_index=True)


#: the running text of 10.2.2 that repeats numbers of Tables 10.2 and 10.3: (ref, wave, analysis,
#: variable, statistics)
TEXT_10_2_2 = (
    ("S10.2.2a", 1, "paired_ttest", "trust", ("t", "df", "p", "d")),
    ("S10.2.2b", 1, "paired_ttest", "goals_restriction", ("t", "df", "p", "d")),
    ("S10.2.2c", 1, "paired_ttest", "bond", ("t", "df", "p", "d")),
    ("S10.2.2d", 1, "paired_ttest", "reactance", ("t", "df", "p", "d")),
    ("S10.2.2e", 2, "paired_ttest", "trust", ("t", "df", "p", "d")),
    ("S10.2.2f", 2, "paired_ttest", "goals_restriction", ("t", "df", "p", "d")),
    ("S10.2.2g", 2, "paired_ttest", "reactance", ("t", "df", "p", "d")),
    ("S10.2.2h", 1, "abs_diff", "trust", ("M", "Max")),
    ("S10.2.2h", 1, "abs_diff", "bond", ("Max",)),
    ("S10.2.2i", 1, "rel_diff", "trust", ("Min",)),
    ("S10.2.2i", 1, "rel_diff", "bond", ("Min",)),
)


def running_text_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The results of the running text of 10.2.2 (S10.2.2a-i), taken from the rows of Tables
    10.2 and 10.3 (:func:`chapter10_rows`).

    The text prints Cohen's d without its sign (d = 0.70 beside t = -11.45), so d is |d| here;
    the sign of the difference is the sign of t.
    """
    src = table[table["ref"].isin(["T10.2", "T10.3"]) & (table["perspective"] == "dyad")]
    val = src.set_index(["wave", "analysis", "variable", "statistic"])["value"]
    rows = []
    for ref, wave, analysis, variable, stats_ in TEXT_10_2_2:
        group = "client_vs_po" if analysis == "paired_ttest" else ""
        for stat in stats_:
            v = val.get((str(wave), analysis, variable, stat), np.nan)
            rows.append(_row(ref, "10.2.2", "dyad", wave, analysis, variable, group, stat,
                             abs(v) if stat == "d" else v))
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)
