"""Appendix 1 Tables 3-13: structure, reliability and validity of the WA-GK, as ledger rows.

General functions (frames in, tidy rows out; reusable by the chapter-7 notebook):

- :func:`cfa_rows` (Tables 3 and 5): CMIN, p, CFI, RMSEA of a correlated-factor CFA.
- :func:`alpha_rows` (Table 4): Cronbach's alpha per scale.
- :func:`pca_rows` (Table 6): four varimax components, loadings of each scale's items on the
  component that represents that scale.
- :func:`correlation_rows` (Tables 7 and 8): Pearson r between the scales and with the total.
- :func:`grade_rows` (Table 9): Spearman rS of each scale with the grade.
- :func:`subscale_rows` (Tables 10-13): Pearson r of each scale with the WAI and DRI-R subscales.

:func:`appendix1_rows` is the recipe: which questionnaires, which monitor variant and which
model each table uses. It records the choices that the printed n's reveal (see
:data:`TABLE_VARIANTS` and :func:`appendix1_samples`).

Statistics come from :mod:`wagk.cfa` (FIML), :mod:`wagk.pca` (pairwise correlations, varimax,
components named by target scale) and :mod:`wagk.reliability` (alpha, listwise).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from wagk import codebook, scoring
from wagk.cfa import fit_cfa
from wagk.ledger import COLUMNS as LEDGER_COLUMNS
from wagk.pca import pca_varimax
from wagk.reliability import cronbach_alpha

SCALES = codebook.SCALES
WITH_TOTAL = SCALES + ("total",)

#: Monitor variant per table and perspective. Tables 4-8 describe the final (alpha-optimised)
#: model, `appendix1`. For Tables 9-13 the printed n's decide: client goals_restriction has
#: n = 290/294 at wave 1 (Tables 9, 10), which only the seven-item scale gives (8 clients miss it,
#: 2 miss the six-item one); officer goals_restriction has n = 179 of 180 at wave 2 (Tables 9, 13)
#: while the seven-item scale has 180 (Table 9.2), so the officer tables used `appendix1`.
TABLE_VARIANTS = {
    ("TB1.9", "client"): "as_reported", ("TB1.9", "po"): "appendix1",
    ("TB1.10", "client"): "as_reported", ("TB1.11", "client"): "as_reported",
    ("TB1.12", "po"): "appendix1", ("TB1.13", "po"): "appendix1",
}

SUBSCALE_TABLES = {("client", 1): "TB1.10", ("client", 2): "TB1.11", ("po", 1): "TB1.12", ("po", 2): "TB1.13"}


# --- statistics back ends: the package's PCA, alpha and CFA --------------------------------------

def fit_model(data: pd.DataFrame, factors: dict[str, list[str]], start=None):
    """Fit a correlated-factor CFA by full-information ML (:func:`wagk.cfa.fit_cfa`, like AMOS
    "with missing values"); returns the :class:`wagk.cfa.CFAResult`. ``start``: an earlier fit
    of the same model (its estimates are the start values)."""
    return fit_cfa(data, factors, missing="fiml", start=start)


# --- helpers ------------------------------------------------------------------------------------

def _row(ref, section, perspective, wave, analysis, variable, group, statistic, value) -> dict:
    return dict(ref=ref, section=section, perspective=perspective, wave=str(wave), analysis=analysis,
                variable=variable, group=group, statistic=statistic,
                value=np.nan if value is None else float(value))


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def item_label(item: str, monitor: codebook.Monitor) -> str:
    """'item06' for dri_31: the selection number of Appendix 1 Table 1."""
    inverse = {v: k for k, v in monitor.selection.items()}
    return f"item{inverse[item]:02d}" if item in inverse else item


def model_factors(monitor: codebook.Monitor, perspective: str, scales=SCALES) -> dict[str, list[str]]:
    """CFA specification from a monitor variant: factor -> its items (an item in two scales
    loads on both factors)."""
    return {s: list(monitor.scale(perspective, s).items) for s in scales}


# --- general functions ----------------------------------------------------------------------------

def cfa_rows(items: pd.DataFrame, factors: dict[str, list[str]], *, ref: str, section: str,
             perspective: str, wave, group: str, variable: str = "wa_gk_model", result=None) -> pd.DataFrame:
    """CMIN, df, p, CFI and RMSEA of one CFA as ledger rows (group = the model's name).

    ``result``: a fit of this model to ``items`` made earlier (it is not fitted again). A fit that
    did not converge or is improper (``converged`` False: see :class:`wagk.cfa.CFAResult`) gives
    empty values: its numbers are never used.
    """
    res = fit_model(items, factors) if result is None else result
    ok = bool(res.converged)
    rows = [_row(ref, section, perspective, wave, "cfa_fit", variable, group, stat, getattr(res, attr) if ok else None)
            for stat, attr in (("CMIN", "cmin"), ("df", "df"), ("p", "p"), ("CFI", "cfi"), ("RMSEA", "rmsea"))]
    return _frame(rows)


def alpha_rows(items: pd.DataFrame, monitor: codebook.Monitor, perspective: str, *, ref: str,
               section: str, wave, scales=SCALES) -> pd.DataFrame:
    """Cronbach's alpha of each scale (reversed items turned), as ledger rows."""
    rows = []
    for s in scales:
        alpha = cronbach_alpha(scoring.keyed_items(items, monitor.scale(perspective, s)), missing="listwise")
        rows.append(_row(ref, section, perspective, wave, "alpha", s, "", "alpha", alpha))
    return _frame(rows)


def pca_items(monitor: codebook.Monitor, perspective: str) -> list[str]:
    """The items of the PCA of Table 6: every item of the four scales (contra-reactance excluded)."""
    return [c for c in monitor.all_items(perspective) if c not in monitor.contra_reactance.values()]


def pca_targets(monitor: codebook.Monitor, perspective: str) -> dict[str, list[str]]:
    """The four scales as PCA targets (scale -> its items)."""
    return {s: list(monitor.scale(perspective, s).items) for s in SCALES}


def pca_solution(items: pd.DataFrame, monitor: codebook.Monitor, perspective: str,
                 n_components: int = 4) -> pd.DataFrame:
    """Varimax loadings of the monitor's items (raw, as answered; pairwise correlations), the
    components named after the scale they match (:func:`wagk.pca.pca_varimax` with the scales as
    targets: best total absolute loading of a scale's items, signed so that they sum to a positive
    number). Returns items x scales; all empty when the PCA could not be computed (too few
    cases, an item without variance: :class:`wagk.pca.PCAResult` ``ok`` False)."""
    cols = pca_items(monitor, perspective)
    res = pca_varimax(items[cols], n_components, missing="pairwise", target=pca_targets(monitor, perspective))
    if not res.ok:
        return pd.DataFrame(np.nan, index=pd.Index(cols, name="item"), columns=list(SCALES)[:n_components])
    return res.loadings[list(SCALES)[:n_components]]


def pca_rows(items: pd.DataFrame, monitor: codebook.Monitor, perspective: str, *, ref: str,
             section: str, wave) -> pd.DataFrame:
    """Loadings of each scale's items on that scale's component (variable = itemNN, group = scale)."""
    sol = pca_solution(items, monitor, perspective)
    rows = []
    for s in SCALES:
        for it in monitor.scale(perspective, s).items:
            rows.append(_row(ref, section, perspective, wave, "pca_loading", item_label(it, monitor), s,
                             "loading", sol.loc[it, s]))
    return _frame(rows)


def _paired(x: pd.Series, y: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    a = x.to_numpy(dtype=float)
    b = y.reindex(x.index).to_numpy(dtype=float) if not y.index.equals(x.index) else y.to_numpy(dtype=float)
    ok = ~(np.isnan(a) | np.isnan(b))
    return a[ok], b[ok]


def _correlate(x: pd.Series, y: pd.Series, test) -> tuple[float, float, int]:
    """Coefficient, two-sided p and n of ``test`` (scipy.stats.pearsonr or spearmanr) over the
    pairs with both values; NaN for fewer than three pairs or a constant side."""
    a, b = _paired(x, y)
    n = a.size
    if n < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return np.nan, np.nan, n
    res = test(a, b)
    return float(res.statistic), float(res.pvalue), n


def _pearson(x: pd.Series, y: pd.Series) -> tuple[float, float, int]:
    """Pearson r, two-sided p and n over the pairs with both values (scipy.stats.pearsonr)."""
    from scipy import stats  # imported here: the generator uses this module and scipy.stats costs 0.5 s

    return _correlate(x, y, stats.pearsonr)


def _spearman(x: pd.Series, y: pd.Series) -> tuple[float, float, int]:
    """Spearman rS (average ranks for ties), two-sided p and n (scipy.stats.spearmanr)."""
    from scipy import stats  # see _pearson

    return _correlate(x, y, stats.spearmanr)


def correlation_rows(scores: pd.DataFrame, *, ref: str, section: str, perspective: str, wave,
                     variables=WITH_TOTAL) -> pd.DataFrame:
    """Pearson r, n and p of every pair of scales (variable = the earlier, group = the later one)."""
    rows = []
    for i, a in enumerate(variables):
        for b in variables[i + 1:]:
            r, p, n = _pearson(scores[a], scores[b])
            rows += [_row(ref, section, perspective, wave, "correlation", a, b, "r", r),
                     _row(ref, section, perspective, wave, "correlation", a, b, "n", n),
                     _row(ref, section, perspective, wave, "correlation", a, b, "p", p)]
    return _frame(rows)


def grade_rows(scores: pd.DataFrame, grade: pd.Series, *, ref: str, section: str, perspective: str,
               wave, variables=WITH_TOTAL) -> pd.DataFrame:
    """Spearman rS, n and p of each scale with the grade (group = 'grade')."""
    rows = []
    for v in variables:
        r, p, n = _spearman(scores[v], grade)
        rows += [_row(ref, section, perspective, wave, "spearman", v, "grade", "rs", r),
                 _row(ref, section, perspective, wave, "spearman", v, "grade", "n", n),
                 _row(ref, section, perspective, wave, "spearman", v, "grade", "p", p)]
    return _frame(rows)


def subscale_scores(items: pd.DataFrame, subscales: dict | None = None) -> pd.DataFrame:
    """Scores on the WAI and DRI-R subscales (codebook ``subscales.yml``), scored like the scales."""
    subscales = subscales or codebook.load_subscales()
    return pd.DataFrame({name: scoring.scale_score(items, sc) for name, sc in subscales.items()}, index=items.index)


def subscale_rows(scores: pd.DataFrame, subs: pd.DataFrame, *, ref: str, section: str, perspective: str,
                  wave, variables=SCALES) -> pd.DataFrame:
    """Pearson r, n and p of each WA-GK scale (variable) with each subscale (group)."""
    rows = []
    for g in subs.columns:
        for v in variables:
            r, p, n = _pearson(scores[v], subs[g])
            rows += [_row(ref, section, perspective, wave, "correlation", v, g, "r", r),
                     _row(ref, section, perspective, wave, "correlation", v, g, "n", n),
                     _row(ref, section, perspective, wave, "correlation", v, g, "p", p)]
    return _frame(rows)


# --- the recipe -----------------------------------------------------------------------------------

def appendix1_samples(study) -> dict[tuple[str, int], pd.DataFrame]:
    """The four datasets of Appendix 1 Tables 3-8: questionnaires about clients interviewed at wave 1.

    This gives the printed n's: clients 302 (wave 1) and 204 (wave 2, linked to a wave-1
    interview), officers 267 (matched dyads at wave 1) and 175 (wave 2).
    """
    c1 = set(study.questionnaire("client", 1).index)
    out = {}
    for p in codebook.PERSPECTIVES:
        for w in codebook.WAVES:
            q = study.questionnaire(p, w)
            out[(p, w)] = q[q.index.isin(c1)]
    return out


#: sections of the CFA tables of Appendix 1
CFA_SECTIONS = {"TB1.3": "B1-2.2", "TB1.5": "B1-2.3"}


def appendix1_models(perspective: str) -> dict[tuple[str, str], dict[str, list[str]]]:
    """The CFA models of Appendix 1 Tables 3 and 5 for one perspective: (table, model name) ->
    factors. Table 3: the initial model; Table 5: the final model (clients: without and with
    reactance)."""
    final = codebook.load_monitor("appendix1")
    out = {("TB1.3", "initial"): codebook.load_cfa_model("sem_initial")}
    if perspective == "client":
        out[("TB1.5", "without_reactance")] = model_factors(final, perspective, SCALES[:3])
        out[("TB1.5", "with_reactance")] = model_factors(final, perspective)
    else:
        out[("TB1.5", "final")] = model_factors(final, perspective)
    return out


def appendix1_rows(study, cfa: bool = True, fits: dict | None = None) -> pd.DataFrame:
    """Appendix 1 Tables 3-13 as ledger rows (Tables 3 and 5 only when ``cfa``).

    ``fits``: a dict that receives each CFA result, keyed (ref, perspective, wave, group), for a
    caller that shows more of a fit than its ledger rows (loadings, convergence messages).
    """

    def fitted(items, factors, **kw):
        res = fit_model(items, factors)
        if fits is not None:
            fits[(kw["ref"], kw["perspective"], int(kw["wave"]), kw["group"])] = res
        return cfa_rows(items, factors, result=res, **kw)

    mon = {v: codebook.load_monitor(v) for v in ("appendix1", "as_reported")}
    final = mon["appendix1"]
    samples = appendix1_samples(study)
    parts = []
    for (p, w), items in samples.items():
        n = len(items)
        for ref, sec in (("TB1.3", "B1-2.2"), ("TB1.4", "B1-2.3"), ("TB1.5", "B1-2.3")):
            parts.append(_frame([_row(ref, sec, p, w, "cfa_fit" if ref != "TB1.4" else "alpha",
                                      "respondents", "", "n", n)]))
        if cfa:
            for (ref, name), factors in appendix1_models(p).items():
                parts.append(fitted(items, factors, ref=ref, section=CFA_SECTIONS[ref], perspective=p, wave=w,
                                    group=name))
        parts.append(alpha_rows(items, final, p, ref="TB1.4", section="B1-2.3", wave=w))
        parts.append(pca_rows(items, final, p, ref="TB1.6", section="B1-2.4", wave=w))
        sc = scoring.score(items, final, p)
        parts.append(correlation_rows(sc, ref="TB1.7" if p == "client" else "TB1.8", section="B1-4.1",
                                      perspective=p, wave=w))
    for p in codebook.PERSPECTIVES:
        for w in codebook.WAVES:
            items = study.questionnaire(p, w)
            sc9 = scoring.score(items, mon[TABLE_VARIANTS[("TB1.9", p)]], p)
            parts.append(grade_rows(sc9, items["grade"], ref="TB1.9", section="B1-4.2", perspective=p, wave=w))
            ref = SUBSCALE_TABLES[(p, w)]
            sc = scoring.score(items, mon[TABLE_VARIANTS[(ref, p)]], p)
            parts.append(subscale_rows(sc, subscale_scores(items), ref=ref, section="B1-4.3", perspective=p, wave=w))
    return pd.concat(parts, ignore_index=True)
