"""Chapters 8 and 9: every relation the thesis tested, officer clustering and multiplicity.

The thesis prints only its significant results ("Alleen verbanden en verschillen die
significant zijn worden beschreven", 8.1). :mod:`wagk.perspective` and :mod:`wagk.outcomes`
recompute those printed results under the thesis's labels, for the reproduction report. The
running text also names what it tested and found wanting ("op grond van gender, leeftijd en
leefsituatie zijn er bij de start geen verschillen", 8.3.1). This module runs *all* of those
tests, whatever their p-value here, with one specification per perspective
(:data:`CLIENT_FACTORS`, chapter 8; :data:`OFFICER_FACTORS`, chapter 9) and one
implementation for both, as the "Analyses en rapportage" paragraphs of 8.1 and 9.1 describe:

- a group variable (*factor* below) first gets a MANOVA over the four scales (listwise; Pillai's
  trace and Wilks' lambda), then a one-way ANOVA per scale and for the total and, for officers,
  the three contra-reactance items (pairwise), with eta squared; with two groups also Cohen's d
  (:func:`wagk.groups.anova_by_scales`);
- an ordinal or interval variable gets Spearman's rS or Pearson's r with every score, with n
  (:func:`wagk.association.correlation`).

Each test is run at wave 1, at wave 2 and on the change (wave 2 minus wave 1) where the thesis
looked at that wave. Background measured at the start (intake, registry, the wave-1 interview)
is used at every wave, as in the recipes; what was asked at both waves (addiction, the officer's
own characteristics, the officer's appraisal of the client, motivation) is used at its own wave.

Beyond the thesis
-----------------
Clients are nested in officers (one to four clients each). Beside every group comparison the
screen gives the cluster-robust (CR1) Wald test with the officer as cluster
(:func:`wagk.groups.group_difference_clustered`); :func:`clustered_recipes` does the same for
each printed result of the recipes, and :func:`icc_table` says how much of each score's
variance lies between officers. :func:`adjust` adds Benjamini-Hochberg (false discovery rate)
and Holm (family-wise) adjusted p-values over all per-score tests of a chapter.

Figures
-------
:func:`model_links` and :func:`outcome_overview` turn the screen into the content of the
empirical models (Figures 8.1 and 9.1) and the outcome overviews (Figures 8.2 and 9.2);
:func:`draw_model` and :func:`draw_outcome_overview` draw them with matplotlib. Nothing in a
figure is typed: every mark comes from a computed p-value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wagk import association, groups
from wagk.perspective import DECADES, GENDER, LIVING, OVER30, RISC, YES_NO

SCALES = ("trust", "goals_restriction", "bond", "reactance")
CR_ITEMS = ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
WAVES = ("1", "2", "diff")
PENDING = "pending"
#: statistic columns of :func:`screen`
TEST_COLUMNS = ["perspective", "domain", "factor", "wave", "section", "dv", "test", "value", "statistic", "df1", "df2",
                "p", "effect", "n", "k", "direction", "p_cr1", "n_clusters", "column", "status", "note"]

DV_LABELS = {"trust": "trust", "goals_restriction": "goals and restriction", "bond": "bond",
             "reactance": "reactance", "total": "total", "cr23_says_cooperates": "CR1 says cooperates",
             "cr24_energy": "CR2 gives energy", "cr25_extra_strict": "CR3 extra strict", "scales": "four scales"}
DOMAINS = {
    "client": "Client demographics",
    "justice": "Justice trajectory",
    "experience": "Experience of the trajectory",
    "problems": "Client's problems",
    "officer": "Officer demographics",
    "appraisal": "Officer's appraisal of the client",
    "motivation": "Client's motivation (SMS)",
    "outcome": "Outcomes",
}
OUTCOME_LEVELS = {0: "no", 1: "yes"}
SANCTION = {1: "voorwaardelijke_veroordeling", 2: "voorwaardelijke_schorsing",
            3: "voorwaardelijke_invrijheidstelling", 4: "other"}  # "don't know" (5) left out
EDUCATION = {1: "mbo", 2: "hbo", 3: "wo"}


@dataclass(frozen=True)
class Factor:
    """One variable the alliance is related to.

    name      ledger-style name (``risc_category``, ``sms_amotivation``, ``no_show``)
    label     display name
    domain    key of :data:`DOMAINS`
    columns   wave ("1", "2", "diff") -> column of the analysis frame; a wave that is absent
              was not looked at in the thesis
    kind      "group" (MANOVA, ANOVA), "spearman" or "pearson"
    levels    group variables: code -> label, in the order of the comparison; codes outside
              are left out (e.g. "don't know")
    """

    name: str
    label: str
    domain: str
    columns: dict
    kind: str = "group"
    levels: dict = field(default_factory=dict)


def _all(col: str) -> dict:
    return {w: col for w in WAVES}


def _waves(c1: str, c2: str, cdiff: str | None = None) -> dict:
    out = {"1": c1, "2": c2}
    if cdiff:
        out["diff"] = cdiff
    return out


def _sms() -> tuple[Factor, ...]:
    names = {"sms_intrinsic": "intrinsic motivation", "sms_identified": "identified regulation",
             "sms_external": "external regulation", "sms_amotivation": "amotivation"}
    return tuple(Factor(k, v, "motivation", _waves(f"{k}_w1", f"{k}_w2", f"{k}_diff"), "pearson")
                 for k, v in names.items())


def _outcomes() -> tuple[Factor, ...]:
    names = {"no_show": "late or absent twice or more", "formal_action": "formal action",
             "dropout": "premature negative termination", "early_help": "new early-help notification"}
    return tuple(Factor(k, v, "outcome", _all(k), "group", OUTCOME_LEVELS) for k, v in names.items())


#: chapter 8 (clients): what 8.3-8.9 say was tested
CLIENT_FACTORS: tuple[Factor, ...] = (
    Factor("client_gender", "gender", "client", _all("client_gender"), "group", GENDER),
    Factor("client_age", "age", "client", _all("client_age"), "spearman"),
    Factor("young_adult", "young adult (18-22)", "client", _all("young_adult"), "group",
           {0: "older", 1: "young_adult"}),
    Factor("client_age_group", "age in decades", "client", _all("client_age_decade"), "group", DECADES),
    Factor("living_situation", "living situation", "client", _all("living_group_w1"), "group", LIVING),
    Factor("paid_work", "paid work", "client", _all("paid_work_w1"), "group", YES_NO),
    Factor("risc_category", "RISc risk category", "justice", _all("risc_category"), "group", RISC),
    Factor("prior_supervision", "earlier supervision", "justice", _all("prior_supervision"), "group", YES_NO),
    Factor("detention_history", "detention history", "justice", _all("detention_history"), "group", YES_NO),
    Factor("court_case", "court case", "justice", _all("court_case"), "group", YES_NO),
    Factor("community_service", "community service", "justice", _all("community_service_w1"), "group", YES_NO),
    Factor("advice_report", "probation adviser", "justice", _all("advice_report"), "group", YES_NO),
    Factor("po_change", "change of officer", "justice", _all("po_changed"), "group", YES_NO),
    Factor("sanction_type", "legal framework", "justice", _all("sanction_type_w1"), "group", SANCTION),
    Factor("exp_prior_supervision", "experience of earlier supervision", "experience",
           _all("exp_prior_supervision_w1"), "spearman"),
    Factor("exp_court_case", "experience of the court case", "experience", _all("exp_court_case_w1"), "spearman"),
    Factor("exp_advisor", "experience of the adviser", "experience", _all("exp_advisor_w1"), "spearman"),
    Factor("exp_previous_po", "experience of the previous officer", "experience", _all("exp_previous_po_w1"),
           "spearman"),
    Factor("addiction", "addiction", "problems", _waves("addiction_w1", "addiction_w2"), "spearman"),
    Factor("lvb", "mild intellectual disability (LVB)", "problems", _waves("lvb_w1", "lvb_w1"), "spearman"),
    Factor("conscience_normal", "normal conscience development", "problems",
           _waves("conscience_normal_w1", "conscience_normal_w1"), "spearman"),
    Factor("po_gender", "officer's gender", "officer", _waves("po_gender_w1", "po_gender_w2"), "group", GENDER),
    Factor("po_age", "officer older than 30", "officer", _waves("po_age_over30_w1", "po_age_over30_w2"), "group",
           OVER30),
    Factor("po_experience_years", "officer's years in probation", "officer",
           _waves("po_experience_years_w1", "po_experience_years_w2"), "pearson"),
) + _sms() + _outcomes()

#: chapter 9 (officers): what 9.3-9.9 say was tested
OFFICER_FACTORS: tuple[Factor, ...] = (
    Factor("po_gender", "officer's gender", "officer", _waves("po_gender_w1", "po_gender_w2", "po_gender_w2"),
           "group", GENDER),
    Factor("po_education", "officer's education", "officer",
           _waves("po_education_w1", "po_education_w2", "po_education_w2"), "group", EDUCATION),
    Factor("po_age", "officer's age", "officer", _waves("po_age_w1", "po_age_w2", "po_age_w2"), "spearman"),
    Factor("po_experience_years", "officer's years in probation", "officer",
           _waves("po_experience_years_w1", "po_experience_years_w2", "po_experience_years_w2"), "spearman"),
    Factor("client_difficult", "client harder than most", "appraisal",
           _waves("client_difficult_w1", "client_difficult_w2"), "spearman"),
    Factor("po_competent", "feels competent with this client", "appraisal",
           _waves("po_competent_w1", "po_competent_w2"), "spearman"),
    Factor("client_gender", "client's gender", "client", _waves("client_gender", "client_gender"), "group", GENDER),
    Factor("client_age", "client's age", "client", _waves("client_age", "client_age"), "spearman"),
    Factor("young_adult", "young adult client (18-22)", "client", _waves("young_adult", "young_adult"), "group",
           {0: "older", 1: "young_adult"}),
    Factor("risc_category", "RISc risk category", "justice", _waves("risc_category", "risc_category"), "group",
           RISC),
    Factor("sanction_type", "legal framework", "justice", _waves("sanction_type_w1", "sanction_type_w1"), "group",
           SANCTION),
    Factor("addiction", "addiction", "problems", _waves("addiction_w1", "addiction_w2"), "spearman"),
    Factor("lvb", "mild intellectual disability (LVB)", "problems", _waves("lvb_w1", "lvb_w1"), "spearman"),
    Factor("conscience_normal", "normal conscience development", "problems",
           _waves("conscience_normal_w1", "conscience_normal_w1"), "spearman"),
) + _sms() + _outcomes()

#: thesis section of each domain and wave
SECTIONS = {
    "client": {"client": ("8.3.1", "8.3.2", "8.3.3"), "justice": ("8.4.1", "8.4.2", "8.4.3"),
               "experience": ("8.5.1", "8.5.2", "8.5.3"), "problems": ("8.6.1", "8.6.2", "8.6.3"),
               "officer": ("8.7.1", "8.7.2", "8.7.3"), "motivation": ("8.8.1", "8.8.2", "8.8.3"),
               "outcome": ("8.9.4", "8.9.5", "8.9.6")},
    "po": {"officer": ("9.3.1", "9.3.2", "9.3.3"), "appraisal": ("9.4.1", "9.4.2", "9.4.3"),
           "client": ("9.5.1", "9.5.2", "9.5.3"), "justice": ("9.6.1", "9.6.2", "9.6.3"),
           "problems": ("9.7.1", "9.7.2", "9.7.3"), "motivation": ("9.8.1", "9.8.2", "9.8.3"),
           "outcome": ("9.9.1", "9.9.2", "9.9.3")},
}


def factors(perspective: str) -> tuple[Factor, ...]:
    """The factors of one chapter: ``"client"`` (chapter 8) or ``"po"`` (chapter 9)."""
    if perspective not in ("client", "po"):
        raise ValueError(f"perspective must be 'client' or 'po', got {perspective!r}")
    return CLIENT_FACTORS if perspective == "client" else OFFICER_FACTORS


def scores_of(perspective: str) -> tuple[str, ...]:
    """The dependent variables: the four scales, the total and (officers) the contra-reactance items."""
    return SCALES + ("total",) + (CR_ITEMS if perspective == "po" else ())


def _prefix(perspective: str, wave: str) -> str:
    return f"{perspective}{wave}_"


def _members(data: pd.DataFrame, perspective: str, wave: str) -> pd.DataFrame:
    waves = ("1", "2") if wave == "diff" else (wave,)
    keep = np.ones(len(data), bool)
    for w in waves:
        flag = f"in_{perspective}_w{w}"
        if flag in data:
            keep &= data[flag].to_numpy(dtype=bool)
    return data[keep]


def cluster_column(wave: str) -> str:
    """The officer id used as cluster: the wave-1 officer at wave 1, the wave-2 officer otherwise."""
    return "po_id_w1" if str(wave) == "1" else "po_id_w2"


def _pending(base: dict, note: str) -> list[dict]:
    return [{**base, "dv": "", "test": "", "status": PENDING, "note": note}]


def _group_tests(sub: pd.DataFrame, f: Factor, col: str, dvs: list[str], prefix: str, cluster: str,
                 base: dict) -> list[dict]:
    codes = sub[col]
    if isinstance(codes.dtype, pd.CategoricalDtype):
        codes = codes.astype(object)
    labels = codes.map(f.levels)
    present = [lab for lab in dict.fromkeys(f.levels.values()) if (labels == lab).any()]
    frame = pd.DataFrame({d: sub[prefix + d].astype(float) for d in dvs if prefix + d in sub}, index=sub.index)
    frame["g"] = pd.Categorical(labels, categories=present)
    frame["c"] = sub[cluster] if cluster in sub else np.nan
    frame = frame[frame["g"].notna()]
    scales = [s for s in SCALES if s in frame]
    extra = [d for d in dvs if d not in SCALES and d in frame]
    if len(present) < 2:
        return _pending(base, f"fewer than two groups of {f.name} with data")
    # the thesis recipe (:func:`wagk.groups.anova_by_scales`), called part by part for speed:
    # MANOVA over the four scales (listwise), ANOVA per score (pairwise), and the
    # officer-clustered CR1 Wald test beside each ANOVA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mv = groups.manova(frame, scales, "g")
        an = groups.anova_oneway(frame, scales + extra, "g").set_index("dv")
    means = frame.groupby("g", observed=False)[scales + extra].mean()
    rows = []
    for r in mv.itertuples(index=False):
        rows.append({**base, "dv": "scales", "test": "MANOVA " + r.test.split("'")[0], "value": r.value,
                     "statistic": r.F, "df1": r.df1, "df2": r.df2, "p": r.p, "effect": r.eta2, "n": r.n,
                     "k": r.k, "status": r.status, "note": r.note})
    codes = frame["g"].cat.codes.to_numpy()
    for d in scales + extra:
        a = an.loc[d]
        direction = np.sign(means[d].iloc[1] - means[d].iloc[0]) if len(present) == 2 else np.nan
        ok = frame[d].notna().to_numpy() & frame["c"].notna().to_numpy()
        p_cr1, n_cl, note = cr1_omnibus(frame[d].to_numpy(float)[ok], codes[ok], frame["c"].to_numpy()[ok])
        rows.append({**base, "dv": d, "test": "ANOVA", "statistic": a["F"], "df1": a["df1"], "df2": a["df2"],
                     "p": a["p"], "effect": a["eta2"], "n": a["n"], "k": a["k"], "direction": direction,
                     "p_cr1": p_cr1, "n_clusters": n_cl, "status": a["status"],
                     "note": "; ".join(x for x in (a["note"], note) if x)})
    return rows


def cr1_omnibus(y: np.ndarray, codes: np.ndarray, clusters: np.ndarray) -> tuple[float, int, str]:
    """p of the cluster-robust Wald F test that all group means are equal.

    The ``cr1`` omnibus test of :func:`wagk.groups.group_difference_clustered` (OLS on treatment
    dummies, statsmodels' cluster covariance with the CR1 factor, F with G - 1 denominator df),
    called on arrays because the screen runs it some 300 times per chapter. Returns
    ``(p, number of clusters, note)``; p is NaN with a note when it cannot be computed.
    Validated against :func:`wagk.groups.group_difference_clustered` in
    ``tests/test_relations.py``.
    """
    import statsmodels.api as sm

    lv = np.unique(codes)
    cl = pd.factorize(pd.Series(clusters), sort=True)[0]
    G = int(cl.max() + 1) if len(cl) else 0
    if len(lv) < 2 or G < 2 or len(y) - len(lv) < 1 or np.ptp(y) == 0:
        return np.nan, G, "clustered test not computed (too few groups, clusters or cases)"
    X = np.zeros((len(y), len(lv)))
    X[:, 0] = 1.0
    for j, v in enumerate(lv[1:], start=1):
        X[:, j] = codes == v
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(y, X).fit(cov_type="cluster", cov_kwds={"groups": cl}, use_t=True)
        wt = fit.f_test(np.eye(len(lv))[1:])
    note = "fewer clusters than contrasts" if G - 1 < len(lv) - 1 else ""
    return float(wt.pvalue), G, note


def _corr_tests(sub: pd.DataFrame, f: Factor, col: str, dvs: list[str], prefix: str, base: dict) -> list[dict]:
    rows = []
    present = [d for d in dvs if prefix + d in sub]
    frame = pd.DataFrame({d: sub[prefix + d].astype(float) for d in present}, index=sub.index)
    frame["y"] = sub[col].astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = association.correlation_table(frame, present, "y", method=f.kind)
    for r in res.itertuples(index=False):
        rows.append({**base, "dv": r.x, "test": "Spearman" if f.kind == "spearman" else "Pearson",
                     "statistic": r.r, "df1": r.df, "df2": np.nan, "p": r.p, "effect": r.r, "n": r.n,
                     "direction": np.sign(r.r) if pd.notna(r.r) else np.nan, "status": r.status, "note": r.note})
    return rows


def screen(data: pd.DataFrame, perspective: str, *, factor_list: tuple[Factor, ...] | None = None) -> pd.DataFrame:
    """Every test of the chapter, significant or not (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        The analysis frame (:func:`wagk.background.analysis_frame`).
    perspective : {"client", "po"}
        Chapter 8 or chapter 9.
    factor_list : tuple of Factor, optional
        Default :func:`factors` of the perspective.

    Returns
    -------
    DataFrame
        One row per test (:data:`TEST_COLUMNS`): per factor and wave the MANOVA rows
        (``dv = "scales"``, ``test`` "MANOVA Pillai" / "MANOVA Wilks", ``value`` the
        multivariate statistic, ``statistic`` its approximate F with ``df1, df2``, ``effect``
        partial eta squared) and one row per score: ``test`` ANOVA (``statistic``
        F, ``df1, df2, effect`` eta squared), Spearman or
        Pearson (``statistic`` and ``effect`` the coefficient, ``df1`` n - 2); ``n``, ``k``
        (groups), ``direction`` (sign of the correlation, or of M(second level) - M(first
        level) for two groups: e.g. yes - no, female - male), ``p_cr1`` (the officer-clustered
        Wald test of the group difference), ``n_clusters``. A factor whose column the dataset
        lacks gives one row with status ``pending`` and a note naming the column.
    """
    factor_list = factors(perspective) if factor_list is None else factor_list
    dvs = list(scores_of(perspective))
    rows = []
    for f in factor_list:
        for wave, col in f.columns.items():
            section = SECTIONS[perspective][f.domain][WAVES.index(wave)]
            base = dict(perspective=perspective, domain=f.domain, factor=f.name, wave=wave, section=section,
                        column=col)
            if col not in data:
                rows += _pending(base, f"the dataset has no {col}")
                continue
            sub = _members(data, perspective, wave)
            sub = sub[sub[col].notna()]
            if sub.empty:
                rows += _pending(base, f"no {perspective} questionnaire at wave {wave} has {col}")
                continue
            prefix = _prefix(perspective, wave)
            if f.kind == "group":
                rows += _group_tests(sub, f, col, dvs, prefix, cluster_column(wave), base)
            else:
                rows += _corr_tests(sub, f, col, dvs, prefix, base)
    out = pd.DataFrame(rows)
    for c in TEST_COLUMNS:
        if c not in out:
            out[c] = np.nan
    return out[TEST_COLUMNS].reset_index(drop=True)


def adjust(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Benjamini-Hochberg and Holm adjusted p-values over the per-score tests of a screen.

    The family is every per-score test of the chapter (MANOVA rows and pending rows are left
    out and keep NaN): ``p_fdr`` (false discovery rate), ``p_holm`` (family-wise error rate),
    ``p_cr1_fdr`` (Benjamini-Hochberg over the cluster-robust p-values of the group tests), and
    ``m`` (tests in the family).
    """
    out = tests.copy()
    per_score = (out["dv"] != "scales") & out["p"].notna()
    for col, src, method in (("p_fdr", "p", "fdr_bh"), ("p_holm", "p", "holm"), ("p_cr1_fdr", "p_cr1", "fdr_bh")):
        out[col] = np.nan
        out.loc[per_score, col] = groups.adjust_pvalues(out.loc[per_score, src].to_numpy(dtype=float), method,
                                                        alpha=alpha)
    out["m"] = int(per_score.sum())
    return out


def significance_summary(tests: pd.DataFrame, alpha: float = 0.05, by: str = "domain") -> pd.DataFrame:
    """Per domain (or another column): tests run, significant as printed (p < alpha), after the
    officer-clustered test, after Benjamini-Hochberg and after Holm (needs :func:`adjust`)."""
    t = tests[(tests["dv"] != "scales") & tests["p"].notna()]
    rows = []
    for key, g in list(t.groupby(by, sort=False)) + [("all", t)]:
        rows.append({by: key, "tests": len(g), "p < .05": int((g["p"] < alpha).sum()),
                     "group tests": int(g["p_cr1"].notna().sum()),
                     "of which p < .05": int((g.loc[g["p_cr1"].notna(), "p"] < alpha).sum()),
                     "clustered p < .05": int((g["p_cr1"] < alpha).sum()),
                     "FDR < .05": int((g["p_fdr"] < alpha).sum()), "Holm < .05": int((g["p_holm"] < alpha).sum())})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------
# clustered estimates beside the printed results (the recipes)
# ------------------------------------------------------------------------------------------

def clustered_recipes(recipes, data: pd.DataFrame) -> pd.DataFrame:
    """The officer-clustered test beside every printed group comparison of ``recipes``.

    For each :class:`wagk._recipes.GroupTest` of the recipes (the thesis's printed ANOVAs and
    t-tests, on the same cases and levels), :func:`wagk.groups.group_difference_clustered`
    gives the naive OLS omnibus test (equal to the one-way ANOVA) and the CR1 Wald test with
    the officer as cluster (wave-1 officer at wave 1, wave-2 officer otherwise). Correlations
    and chi-square tests are not group comparisons of scores and are left out.

    Returns
    -------
    DataFrame
        ``ref, section, wave, variable, group, n, n_min`` (the smallest group, for small-cell
        suppression), ``n_clusters, p, p_cr1, F_cr1, note``.
    """
    from wagk._recipes import GroupTest, _grouped, needed_columns

    rows = []
    for rec in recipes:
        w = rec.where
        for t in rec.tests:
            if not isinstance(t, GroupTest) or not t.stats:
                continue
            gone = [c for c in needed_columns(t) if c not in data.columns]
            if gone:
                rows.append(dict(ref=w.ref, section=w.section, wave=w.wave, variable=t.variable, group=t.group,
                                 note="the dataset has no " + ", ".join(gone)))
                continue
            d = _grouped(data, t)
            if t.order:
                d = d[d["g"].isin(list(t.order))]
                d["g"] = pd.Categorical(d["g"].astype(str), categories=list(t.order))
            col = cluster_column(w.wave)
            d["c"] = data.loc[d.index, col] if col in data else np.nan
            base = dict(ref=w.ref, section=w.section, wave=w.wave, variable=t.variable, group=t.group)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = groups.group_difference_clustered(d, "y", "g", "c", methods=("ols", "cr1"))
            om = res[res["term"] == "omnibus"].set_index("method")
            if "cr1" not in om.index:
                rows.append({**base, "note": "; ".join(res["note"].dropna().unique())})
                continue
            sizes = d.dropna(subset=["y", "g"])["g"].value_counts()
            rows.append({**base, "n": om.loc["cr1", "n"], "n_min": int(sizes[sizes > 0].min()),
                         "n_clusters": om.loc["cr1", "n_clusters"],
                         "p": om.loc["ols", "p"], "p_cr1": om.loc["cr1", "p"], "F_cr1": om.loc["cr1", "statistic"],
                         "note": om.loc["cr1", "note"]})
    cols = ["ref", "section", "wave", "variable", "group", "n", "n_min", "n_clusters", "p", "p_cr1", "F_cr1", "note"]
    return pd.DataFrame(rows, columns=cols)


def icc_table(data: pd.DataFrame, perspective: str) -> pd.DataFrame:
    r"""Share of each score's variance between officers, per wave: the one-way ANOVA estimator.

    Notes
    -----
    With the officer as the group (:func:`cluster_column`), MSB and MSW the between- and
    within-officer mean squares of a one-way ANOVA over officers, N clients in J officers of
    sizes :math:`n_j`, and :math:`n_0 = (N - \sum n_j^2 / N)/(J - 1)`:
    :math:`ICC(1) = (MSB - MSW)/(MSB + (n_0 - 1) MSW)` (Donner 1986; a negative estimate means no
    officer variance). The design effect of a client-level mean, :math:`1 + (\bar m - 1) ICC`
    with :math:`\bar m` clients per officer, says how far a naive test overstates its precision.

    References
    ----------
    Donner, A. (1986). A review of inference procedures for the intraclass correlation
    coefficient in the one-way random effects model. *International Statistical Review*, 54,
    67-82.

    Validated against a random-intercept model (statsmodels MixedLM, REML) on simulated
    clustered data in ``tests/test_relations.py``.
    """
    rows = []
    for wave in WAVES:
        sub = _members(data, perspective, wave)
        col = cluster_column(wave)
        for d in scores_of(perspective):
            name = _prefix(perspective, wave) + d
            if name not in sub or col not in sub:
                continue
            y = sub[[name, col]].dropna()
            N, J = len(y), int(y[col].nunique())
            base = dict(wave=wave, dv=d, n=N, n_clusters=J, clients_per_officer=N / J if J else np.nan)
            if J < 3 or N - J < 1:
                rows.append({**base, "icc": np.nan, "design_effect": np.nan, "note": "too few officers or clients"})
                continue
            by = y.groupby(col)[name]
            sizes, means = by.size().to_numpy(dtype=float), by.mean().to_numpy()
            vals = y[name].to_numpy(float)
            ss_within = float(((vals - by.transform("mean").to_numpy()) ** 2).sum())
            ss_between = float((sizes * (means - vals.mean()) ** 2).sum())
            msb, msw = ss_between / (J - 1), ss_within / (N - J)
            n0 = (N - (sizes ** 2).sum() / N) / (J - 1)
            icc = (msb - msw) / (msb + (n0 - 1) * msw) if msb + (n0 - 1) * msw > 0 else np.nan
            rows.append({**base, "icc": icc, "design_effect": 1 + (N / J - 1) * max(icc, 0.0),
                         "note": "" if icc > 0 else "no officer variance (estimate at or below zero)"})
    return pd.DataFrame(rows, columns=["wave", "dv", "n", "n_clusters", "clients_per_officer", "icc",
                                       "design_effect", "note"])


# ------------------------------------------------------------------------------------------
# figure inputs and drawings
# ------------------------------------------------------------------------------------------

def model_links(tests: pd.DataFrame, alpha: float = 0.05, scales_only: bool = True) -> pd.DataFrame:
    """The links of the empirical model: per factor, the scores it relates to at p < alpha.

    Returns one row per factor of the screen (outcomes included): ``domain, factor, status``
    (``significant``, ``not significant`` or ``pending``), ``links`` (text such as
    "trust - (1); reactance + (1, 2)": score, direction where it has one, waves), ``short`` (the
    same in the figure's codes, "T−(1) R+(1,2)", see :data:`SHORT`), ``n_links``,
    ``fdr_links`` (how many of those links also have p_fdr < alpha when :func:`adjust` ran).
    """
    keep = tests["dv"].isin(SCALES + ("total",)) if scales_only else tests["dv"] != "scales"
    rows = []
    for (domain, factor), g in tests.groupby(["domain", "factor"], sort=False):
        if (g["status"] == PENDING).all():
            rows.append(dict(domain=domain, factor=factor, status=PENDING, links="", short="", n_links=0, fdr_links=0,
                             note="; ".join(g["note"].dropna().unique())))
            continue
        sig = g[keep.reindex(g.index, fill_value=False) & (g["p"] < alpha)]
        parts, short = [], []
        for dv, h in sig.groupby("dv", sort=False):
            signs = {int(x) for x in h["direction"].dropna()}
            sign = signs.pop() if len(signs) == 1 else 0
            mark = {1: " +", -1: " -"}.get(sign, "")
            waves = ", ".join("change" if w == "diff" else w for w in h["wave"])
            parts.append(f"{DV_LABELS.get(dv, dv)}{mark} ({waves})")
            short.append(f"{SHORT.get(dv, dv)}{ {1: '+', -1: MINUS}.get(sign, '')}"
                         f"({','.join(WAVE_MARK.get(w, w) for w in h['wave'])})")
        fdr = int((sig["p_fdr"] < alpha).sum()) if "p_fdr" in sig else 0
        rows.append(dict(domain=domain, factor=factor, status="significant" if parts else "not significant",
                         links="; ".join(parts), short=" ".join(short), n_links=len(sig), fdr_links=fdr, note=""))
    return pd.DataFrame(rows)


def outcome_overview(tests: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Figures 8.2 and 9.2: per outcome and wave, the scores that differ at p < alpha.

    Returns a table indexed by wave ("1", "2", "diff") with one column per outcome; each cell a
    list of (score, direction, p, p_cr1) for the significant ANOVAs (direction: sign of the mean
    of the negative outcome group minus the other group), or None when the test could not run.
    """
    t = tests[(tests["domain"] == "outcome")]
    outcomes = list(dict.fromkeys(t["factor"]))
    cells = {}
    for o in outcomes:
        for wave in WAVES:
            g = t[(t["factor"] == o) & (t["wave"] == wave)]
            if g.empty or (g["status"] == PENDING).all():
                cells[(wave, o)] = None
                continue
            sig = g[(g["dv"] != "scales") & (g["p"] < alpha)]
            cells[(wave, o)] = [(r.dv, r.direction, r.p, r.p_cr1) for r in sig.itertuples()]
    return pd.DataFrame({o: [cells[(w, o)] for w in WAVES] for o in outcomes}, index=list(WAVES))


_WAVE_NAMES = {"1": "wave 1", "2": "wave 2", "diff": "change"}
#: codes of the empirical-model figures
SHORT = {"trust": "T", "goals_restriction": "G", "bond": "B", "reactance": "R", "total": "Tot",
         "cr23_says_cooperates": "CR1", "cr24_energy": "CR2", "cr25_extra_strict": "CR3"}
WAVE_MARK = {"1": "1", "2": "2", "diff": "Δ"}
MINUS = "−"
MODEL_LEGEND = ("T trust, G goals and restriction, B bond, R reactance, Tot total, CR1-CR3 counter-reactance "
                "items; + / − direction "
                "(higher score with more of the characteristic, or in its second group); (1) wave 1, (2) wave 2, "
                "(Δ) change; grey: no test with p < .05")


def draw_model(ax, links: pd.DataFrame, *, centre: str, factor_labels: dict | None = None,
               domains: dict | None = None) -> None:
    """Draw an empirical model (Figures 8.1, 9.1) from :func:`model_links`.

    The alliance sits in the middle; the domains are boxes on either side listing their
    factors, the outcomes a box below. A factor with at least one link at p < .05 is printed in
    black followed by its links in the codes of :data:`SHORT` (score, direction, waves); a factor
    without one in grey; a factor the dataset cannot test is marked "pending". A box is joined
    to the alliance by a solid line when it holds a link, by a dotted grey line otherwise.
    """
    from matplotlib.patches import FancyBboxPatch

    factor_labels = factor_labels or {}
    domains = domains or DOMAINS
    blue, grey = "#1f3b73", "#b0b0b0"
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.axis("off")
    order = [d for d in domains if d in set(links["domain"])]
    others = [d for d in order if d != "outcome"]
    half = (len(others) + 1) // 2
    cx, cy, cw, ch = 0.5, 0.62, 0.15, 0.14
    ax.add_patch(FancyBboxPatch((cx - cw / 2, cy - ch / 2), cw, ch, boxstyle="round,pad=0.01", fc="#e8eef7", ec=blue))
    ax.text(cx, cy, centre, ha="center", va="center", fontsize=7, weight="bold")

    def lines_of(dom):
        out = []
        for r in links[links["domain"] == dom].itertuples():
            name = factor_labels.get(r.factor, r.factor)
            if r.status == "significant":
                out.append((f"{name}: {r.short}", "black"))
            elif r.status == PENDING:
                out.append((f"{name}: pending", "#b05000"))
            else:
                out.append((name, "#9a9a9a"))
        return out

    def box(dom, x, top, width, height, anchor):
        lines = lines_of(dom)
        linked = (links.loc[links["domain"] == dom, "status"] == "significant").any()
        ax.add_patch(FancyBboxPatch((x, top - height), width, height, boxstyle="round,pad=0.004", fc="white",
                                    ec=blue if linked else grey))
        ax.text(x + 0.006, top - 0.012, domains.get(dom, dom), fontsize=6.5, weight="bold", va="top")
        step = (height - 0.035) / max(len(lines), 1)
        for j, (text, colour) in enumerate(lines):
            ax.text(x + 0.01, top - 0.035 - j * step, text, fontsize=5.4, color=colour, va="top")
        ax.plot([anchor[0], anchor[1]], [anchor[2], anchor[3]], color=blue if linked else grey,
                lw=1.1 if linked else 0.7, ls="-" if linked else ":")

    for side, doms in (("left", others[:half]), ("right", others[half:])):
        if not doms:
            continue
        sizes = [len(links[links["domain"] == d]) + 1.6 for d in doms]
        unit = (0.99 - 0.26 - 0.012 * (len(doms) - 1)) / sum(sizes)
        top = 0.99
        x = 0.0 if side == "left" else 0.6
        for dom, size in zip(doms, sizes):
            h = size * unit
            edge = 0.4 if side == "left" else 0.6
            centre_x = cx - cw / 2 if side == "left" else cx + cw / 2
            box(dom, x, top, 0.395, h, (edge, centre_x, top - h / 2, cy))
            top -= h + 0.012
    if "outcome" in order:
        n = len(links[links["domain"] == "outcome"])
        box("outcome", 0.25, 0.235, 0.5, 0.04 + 0.03 * n, (cx, cx, 0.235, cy - ch / 2))
    ax.text(0.0, 0.005, MODEL_LEGEND, fontsize=5.2, color="#444444", va="bottom", wrap=True)


def overview_height(overview: pd.DataFrame) -> float:
    """A figure height (inches) for :func:`draw_outcome_overview` that fits its longest cell."""
    longest = max([len(c) for c in overview.to_numpy().ravel() if c] + [1])
    return 0.8 + len(overview) * max(0.7, 0.17 * longest)


def draw_outcome_overview(ax, overview: pd.DataFrame, *, outcome_labels: dict | None = None,
                          alpha: float = 0.05) -> None:
    """Draw an outcome overview (Figures 8.2, 9.2) from :func:`outcome_overview`: rows the waves,
    columns the outcomes, each cell the scores that differ at p < alpha with the sign of
    (negative outcome group minus the rest); a dagger marks a difference whose officer-clustered
    test is not significant."""
    from matplotlib.patches import Rectangle

    outcome_labels = outcome_labels or {}
    cols = list(overview.columns)
    rows = list(overview.index)
    ax.set_xlim(0, len(cols) + 1)
    ax.set_ylim(0, len(rows) + 1)
    ax.invert_yaxis()
    ax.axis("off")
    for j, o in enumerate(cols):
        ax.text(j + 1.5, 0.5, outcome_labels.get(o, o), ha="center", va="center", fontsize=7, weight="bold", wrap=True)
    for i, w in enumerate(rows):
        ax.text(0.5, i + 1.5, _WAVE_NAMES.get(w, w), ha="center", va="center", fontsize=7, weight="bold")
        for j, o in enumerate(cols):
            cell = overview.loc[w, o]
            ax.add_patch(Rectangle((j + 1, i + 1), 1, 1, fill=False, ec="#999999", lw=0.6))
            if cell is None:
                text = "pending"
            elif not cell:
                text = "\u2013"
            else:
                parts = []
                for dv, direction, p, p_cr1 in cell:
                    sign = {1.0: "(+)", -1.0: "(\u2212)"}.get(direction, "")
                    dagger = "\u2020" if pd.notna(p_cr1) and p_cr1 >= alpha else ""
                    parts.append(f"{DV_LABELS.get(dv, dv)} {sign}{dagger}")
                text = "\n".join(parts)
            ax.text(j + 1.5, i + 1.5, text, ha="center", va="center", fontsize=6.5)
