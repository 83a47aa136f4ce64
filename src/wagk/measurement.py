"""Measurement checks of the WA-GK for chapter 7: the thesis's alpha steps and what goes beyond it.

The thesis's own steps (Appendix 1, section 2.3):

- :func:`alpha_optimisation_table`: the alpha-if-item-deleted optimisation of every scale of the
  initial SEM model, per dataset, next to the items the thesis dropped.
- :func:`toughness_alpha_rows`: Cronbach's alpha of the DRI-R toughness subscale
  (strak/punitief), footnote 44.

Beyond the thesis:

- :func:`reliability_table`: McDonald's omega (one-factor ML, FIML point estimate) with a
  percentile bootstrap interval, beside alpha, per scale and dataset.
- :func:`shared_factors`, :func:`invariance_comparisons`: measurement invariance of the final
  model across perspectives (client vs officer, same wave) and across waves (same perspective):
  configural, metric and scalar models with the changes in CFI and RMSEA and Chen's (2007)
  rule of thumb.
- :func:`ceiling_table`: how far the 7-point items pile up at an end of the scale, the
  reason to doubt normal-theory ML (the note on ordinal data).

The running text of chapter 7 and Appendix 1 summarises the tables in ranges ("alphas from .68
to .85"); :func:`text_rows` derives those summaries from the computed table rows, and the count
of complete cases behind the model search of section 2.2.

Every function takes the questionnaires as ``{(perspective, wave): items}`` (rows = people,
item columns as in the codebook) and returns a tidy DataFrame.

References
----------
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
*Structural Equation Modeling*, 14(3), 464-504.
Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
measurement invariance. *Structural Equation Modeling*, 9(2), 233-255.
McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012). When can categorical variables be
treated as continuous? *Psychological Methods*, 17(3), 354-373.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from wagk import codebook, scoring
from wagk.cfa import invariance_table
from wagk.reliability import alpha_optimisation, cronbach_alpha, omega, omega_ci

SCALES = codebook.SCALES
Samples = Mapping[tuple[str, int], pd.DataFrame]

#: Chen (2007), n > 300, equal groups: a drop in CFI of .010 or more, together with a rise in
#: RMSEA of .015 or more, indicates non-invariance. Cheung & Rensvold (2002) use the CFI drop alone.
DELTA_CFI = -0.010
DELTA_RMSEA = 0.015


def factors_of(monitor: codebook.Monitor, perspective: str, scales=SCALES) -> dict[str, list[str]]:
    """CFA specification of a monitor: factor -> its items (an item in two scales loads on both)."""
    return {s: list(monitor.scale(perspective, s).items) for s in scales}


# ------------------------------------------------------------------------- the thesis's alpha steps

def keyed_scale(name: str, items, perspective: str, variants=("appendix1", "as_reported")) -> codebook.Scale:
    """A scale of a CFA model (factor -> items, no reverse keys) with the reverse keys the
    monitor variants give its items in that scale (e.g. item 17, md_05, reversed in
    goals_restriction but not in reactance)."""
    rev = set()
    for v in variants:
        sc = codebook.load_monitor(v).scale(perspective, name)
        rev |= {i for i in items if i in sc.reversed}
    return codebook.Scale(name, tuple(items), frozenset(rev))


def alpha_optimisation_table(samples: Samples, start: Mapping[str, list[str]], final: codebook.Monitor,
                             scales=SCALES, min_items: int = 3) -> pd.DataFrame:
    """Alpha-if-item-deleted optimisation of each scale of ``start``, per dataset.

    Parameters
    ----------
    samples : dict
        ``{(perspective, wave): items}``.
    start : dict
        The scales before optimisation: the initial SEM model (factor -> items,
        ``codebook.load_cfa_model("sem_initial")``); reverse keys from :func:`keyed_scale`.
    final : Monitor
        The scales after it (the thesis's result, ``appendix1``).

    Returns
    -------
    DataFrame
        One row per dataset and scale: ``perspective, wave, scale, k_start, alpha_start,
        dropped_by_data`` (items the optimisation removes, in order, comma-separated),
        ``alpha_optimised, k_optimised, dropped_in_thesis`` (items of ``start`` not in
        ``final``), ``alpha_final`` (alpha of the final scale on this dataset), ``n_final``
        (listwise rows behind it) and ``agrees`` (the data drop the same items as the thesis).

    Notes
    -----
    :func:`wagk.reliability.alpha_optimisation` with ``min_gain = 0``: drop the item whose
    removal raises alpha most, while any removal raises it. Items are keyed (reversed items as
    8 - x) within each scale before alpha is computed.
    """
    rows = []
    for (persp, wave), items in samples.items():
        for s in scales:
            sc0, sc1 = keyed_scale(s, start[s], persp), final.scale(persp, s)
            steps = alpha_optimisation(scoring.keyed_items(items, sc0), min_items=min_items)
            dropped = [r for r in steps["removed"].tolist() if r]
            in_thesis = [i for i in sc0.items if i not in sc1.items]
            keyed_final = scoring.keyed_items(items, sc1)
            rows.append(dict(
                perspective=persp, wave=wave, scale=s, k_start=sc0.n_items,
                alpha_start=float(steps["alpha"].iloc[0]), dropped_by_data=",".join(dropped),
                alpha_optimised=float(steps["alpha"].iloc[-1]), k_optimised=int(steps["k"].iloc[-1]),
                dropped_in_thesis=",".join(in_thesis), alpha_final=cronbach_alpha(keyed_final),
                n_final=int(keyed_final.dropna().shape[0]),
                agrees=sorted(dropped) == sorted(in_thesis)))
    return pd.DataFrame(rows)


def toughness_alpha_rows(samples: Samples, subscales: dict | None = None) -> pd.DataFrame:
    """Footnote 44: Cronbach's alpha of the DRI-R toughness subscale per dataset, as ledger rows.

    The toughness items are taken as they are (not reversed): the subscale measures how tough
    or punitive the officer is, a high score meaning a worse alliance.
    """
    sub = (subscales or codebook.load_subscales())["dri_toughness"]
    rows = []
    for (persp, wave), items in samples.items():
        a = cronbach_alpha(scoring.keyed_items(items, sub))
        rows.append(dict(ref="SB1-2.3a", section="B1-2.3", perspective=persp, wave=str(wave), analysis="alpha",
                         variable="dri_toughness", group="", statistic="alpha", value=a))
    return pd.DataFrame(rows)


def text_rows(table_rows: pd.DataFrame, samples: Samples, sem_model: Mapping[str, list[str]]) -> pd.DataFrame:
    """The ranges and counts the running text prints, from the computed rows of Tables 4-13.

    - S7.2d: smallest and largest alpha of trust, goals_restriction and bond over the four
      datasets (Table 4);
    - S7.2f, S7.2g: smallest and largest absolute correlation between the scales and with the
      total, clients and officers, both waves (Tables 7 and 8);
    - S7.2h: most negative and most positive correlation with the WAI and DRI-R subscales
      (Tables 10-13); SB1-4.3: the smallest absolute and the largest correlation of the client
      tables (Tables 10 and 11);
    - SB1-0: the share of variance the first four components explain in the orienting PCA over
      the whole item pool of the clients at wave 2 (:func:`wagk.selection.item_pool`; varimax
      does not change the joint share);
    - SB1-2.2a: clients at wave 2 with every item of the initial SEM model answered (the thesis
      searched its model on those complete cases), and the dataset's size.

    Rows whose source rows are missing or empty are left out.
    """
    t = table_rows
    out = []

    def add(ref, section, perspective, variable, statistic, value, analysis):
        if value is not None and np.isfinite(value):
            out.append(dict(ref=ref, section=section, perspective=perspective, wave="none", analysis=analysis,
                            variable=variable, group="", statistic=statistic, value=float(value)))

    a = t[(t["ref"] == "TB1.4") & (t["statistic"] == "alpha") & t["variable"].isin(SCALES[:3])]["value"].dropna()
    if len(a):
        add("S7.2d", "7.2", "sample", "wa_gk_scales", "Min", a.min(), "alpha")
        add("S7.2d", "7.2", "sample", "wa_gk_scales", "Max", a.max(), "alpha")
    for ref, text, persp in (("TB1.7", "S7.2f", "client"), ("TB1.8", "S7.2g", "po")):
        r = t[(t["ref"] == ref) & (t["statistic"] == "r")]["value"].dropna().abs()
        if len(r):
            add(text, "7.2", persp, "interfactor_and_total_r", "Min", r.min(), "correlation")
            add(text, "7.2", persp, "interfactor_and_total_r", "Max", r.max(), "correlation")
    r = t[t["ref"].isin(["TB1.10", "TB1.11", "TB1.12", "TB1.13"]) & (t["statistic"] == "r")]["value"].dropna()
    if len(r):
        add("S7.2h", "7.2", "sample", "convergent_r_wai_dri", "Min", r.min(), "correlation")
        add("S7.2h", "7.2", "sample", "convergent_r_wai_dri", "Max", r.max(), "correlation")
    r = t[t["ref"].isin(["TB1.10", "TB1.11"]) & (t["statistic"] == "r")]["value"].dropna()
    if len(r):
        add("SB1-4.3", "B1-4.3", "client", "convergent_r_wai_dri", "Min", r.abs().min(), "correlation")
        add("SB1-4.3", "B1-4.3", "client", "convergent_r_wai_dri", "Max", r.max(), "correlation")
    if ("client", 2) in samples:
        from wagk.pca import pca_varimax
        from wagk.selection import item_pool

        pool = [c for c in item_pool("client") if c in samples[("client", 2)].columns]
        res = pca_varimax(samples[("client", 2)][pool], 4, missing="pairwise", rotate=False)
        if res.ok:
            out.append(dict(ref="SB1-0", section="B1-0", perspective="client", wave="2", analysis="pca_loading",
                            variable="explained_variance", group="", statistic="percent",
                            value=float(100 * res.explained["cumulative"].iloc[-1])))
    if ("client", 2) in samples:
        items = samples[("client", 2)]
        cols = list(dict.fromkeys(i for s in SCALES for i in sem_model[s]))
        out.append(dict(ref="SB1-2.2a", section="B1-2.2", perspective="client", wave="2", analysis="frequency",
                        variable="cases_complete_sem", group="", statistic="count",
                        value=float(items[cols].notna().all(axis=1).sum())))
        out.append(dict(ref="SB1-2.2a", section="B1-2.2", perspective="client", wave="2", analysis="frequency",
                        variable="cases_total_sem", group="", statistic="count", value=float(len(items))))
    return pd.DataFrame(out, columns=["ref", "section", "perspective", "wave", "analysis", "variable", "group",
                                      "statistic", "value"])


# ------------------------------------------------------------------------------ beyond: omega

def reliability_table(samples: Samples, monitor: codebook.Monitor, *, seed: int, n_boot: int = 1000,
                      level: float = 0.95, max_iter: int = 500, fiml: bool = False, scales=SCALES) -> pd.DataFrame:
    """Alpha and McDonald's omega (with a bootstrap interval) per dataset and scale.

    Returns
    -------
    DataFrame
        ``perspective, wave, scale, k, n`` (complete cases), ``alpha`` (listwise, as SPSS),
        ``omega`` (one-factor ML on the complete cases), ``omega_low, omega_high`` (percentile
        bootstrap, ``n_boot`` resamples of the complete cases), ``boot_failed`` (resamples
        left out: non-converged or improper) and, with ``fiml``, ``omega_fiml`` (one-factor FIML
        on every answer).

    Notes
    -----
    Alpha equals omega only when all items load equally (tau-equivalence); with unequal
    loadings alpha is lower. A scale whose one-factor model is improper (Heywood case) gets
    NaN omega, reported, not replaced. Each (dataset, scale) uses its own seed derived from
    ``seed``, so adding a scale does not change the others' intervals. ``max_iter`` limits each
    resample's EM (:func:`wagk.reliability.omega_ci`): on skewed items a few resamples creep
    towards a Heywood case for thousands of iterations; at 500 they are counted as failed,
    which more than halved the run time on the synthetic data and moved no interval limit by
    more than .002.
    """
    rows = []
    for d, ((persp, wave), items) in enumerate(samples.items()):
        for k, s in enumerate(scales):
            keyed = scoring.keyed_items(items, monitor.scale(persp, s))
            ci = omega_ci(keyed, n_boot=n_boot, seed=int(seed) + 100 * d + k, level=level, max_iter=max_iter)
            row = dict(perspective=persp, wave=wave, scale=s, k=keyed.shape[1], n=ci.n,
                       alpha=cronbach_alpha(keyed), omega=ci.omega, omega_low=ci.lower,
                       omega_high=ci.upper, boot_failed=ci.n_failed)
            if fiml:
                row["omega_fiml"] = omega(keyed, missing="fiml")
            rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------- beyond: invariance

def shared_factors(monitor: codebook.Monitor, scales=SCALES) -> dict[str, list[str]]:
    """The part of the model the two perspectives share: per factor, the items both load on it.

    The client and officer monitors differ in goals_restriction (clients keep items 5 and 8,
    officers item 17); a comparison across perspectives needs the same items and loadings on
    both sides, so it uses the items common to both.
    """
    out = {}
    for s in scales:
        po = set(monitor.scale("po", s).items)
        out[s] = [i for i in monitor.scale("client", s).items if i in po]
        if len(out[s]) < 2:
            raise ValueError(f"scale {s}: fewer than two items shared by the perspectives")
    return out


def _verdict(row) -> str:
    if not row["converged"]:
        return "not converged"
    if pd.isna(row["delta_CFI"]):
        return ""
    worse_cfi = row["delta_CFI"] <= DELTA_CFI
    worse_rmsea = row["delta_RMSEA"] >= DELTA_RMSEA
    if worse_cfi and worse_rmsea:
        return "not supported"
    if worse_cfi or worse_rmsea:
        return "doubtful"
    return "supported"


def invariance_comparisons(samples: Samples, monitor: codebook.Monitor) -> pd.DataFrame:
    """Configural, metric and scalar invariance across perspectives and across waves.

    Comparisons: client vs officer at wave 1 and at wave 2 (the shared model,
    :func:`shared_factors`); wave 1 vs wave 2 for clients and for officers (each perspective's
    own final model).

    Returns
    -------
    DataFrame
        One row per comparison and model: ``comparison, groups, model, CMIN, df, p, CFI,
        RMSEA, n, converged, delta_CMIN, delta_df, p_delta, delta_CFI, delta_RMSEA, verdict``.
        ``verdict`` applies Chen (2007) to the step from the previous model: "supported"
        (CFI drops by less than .010 and RMSEA rises by less than .015), "doubtful" (one of the
        two), "not supported" (both), "not converged".

    Notes
    -----
    The groups are not independent samples: the same clients answer at both waves, and client
    and officer answer about the same dyad. The multi-group chi-square tests treat them as
    independent, so their p values are approximate (too liberal or conservative depending on
    the correlation between the groups); the fit-index changes are descriptive.
    """
    parts = []
    shared = shared_factors(monitor)
    for wave in codebook.WAVES:
        groups = {"client": samples[("client", wave)], "po": samples[("po", wave)]}
        t = invariance_table(groups, shared)
        parts.append(t.reset_index().assign(comparison=f"perspectives, wave {wave}", groups="client vs po"))
    for persp in codebook.PERSPECTIVES:
        groups = {"wave 1": samples[(persp, 1)], "wave 2": samples[(persp, 2)]}
        t = invariance_table(groups, factors_of(monitor, persp))
        parts.append(t.reset_index().assign(comparison=f"waves, {persp}", groups="wave 1 vs wave 2"))
    out = pd.concat(parts, ignore_index=True)
    out["verdict"] = out.apply(_verdict, axis=1)
    cols = ["comparison", "groups", "model", "CMIN", "df", "p", "CFI", "RMSEA", "n", "converged", "delta_CMIN",
            "delta_df", "p_delta", "delta_CFI", "delta_RMSEA", "verdict", "message"]
    return out[cols]


# --------------------------------------------------------------------------- beyond: ordinal data

def ceiling_table(samples: Samples, monitor: codebook.Monitor, scales=SCALES) -> pd.DataFrame:
    """How the 7-point answers of each scale are distributed: ceiling, floor and skew.

    Items are keyed as in the scale (reversed items as 8 - x), so 7 is the high end of the scale:
    a good alliance for trust, goals_restriction and bond, much reactance for reactance.

    Returns
    -------
    DataFrame
        Per dataset and scale: ``k`` items, ``answers`` (non-missing item answers), ``at_7`` and
        ``at_1`` (shares of answers at the two ends), ``items_half_at_end`` (items with at least
        half of their answers at one end), ``mean_skew`` (mean item skewness) and
        ``categories_used`` (mean number of the seven answer categories used per item).
    """
    rows = []
    for (persp, wave), items in samples.items():
        for s in scales:
            keyed = scoring.keyed_items(items, monitor.scale(persp, s))
            x = keyed.to_numpy(dtype=float)
            obs = ~np.isnan(x)
            n_ans = int(obs.sum())
            top = (x == codebook.ITEM_MAX).sum(axis=0)
            bottom = (x == codebook.ITEM_MIN).sum(axis=0)
            per_item = np.maximum(top, bottom) / np.maximum(obs.sum(axis=0), 1)
            rows.append(dict(perspective=persp, wave=wave, scale=s, k=x.shape[1], answers=n_ans,
                             at_7=float(top.sum() / n_ans) if n_ans else np.nan,
                             at_1=float(bottom.sum() / n_ans) if n_ans else np.nan,
                             items_half_at_end=int((per_item >= 0.5).sum()),
                             mean_skew=float(keyed.skew().mean()),
                             categories_used=float(keyed.nunique().mean())))
    return pd.DataFrame(rows)
