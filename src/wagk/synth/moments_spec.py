"""Which published group statistics each categorical variable is fitted to (``params["moments"]``).

For every categorical background variable with published group differences, and for the four
outcomes, this module lists the published means, SDs, F values, correlations and associations
(phi, V, chi-square) with the clients they were computed on (``subset``, membership flags of
:func:`wagk.synth.extend.base_flags`) and the score they describe (a column of the predictor
frame, e.g. ``c1_trust``, or ``val:<variable>`` for another generated variable). The calibration
copies the published values in (:func:`build`); :mod:`wagk.synth.moments` then assigns the
levels so that the recomputed statistics come close. Only the synthetic-data code reads this.
"""

from __future__ import annotations

import math

from wagk import compare
from wagk.synth import targets_bg

SHORT = {"trust": "trust", "goals_restriction": "goals", "bond": "bond", "reactance": "reactance", "total": "total",
         "cr23_says_cooperates": "cr23", "cr24_energy": "cr24", "cr25_extra_strict": "cr25"}
SCALES = ("trust", "goals_restriction", "bond", "reactance", "total")
PO8 = SCALES + ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
YES_NO = {"yes": [1], "no": [0]}
RISC = {"low": [1], "low_medium": [2], "high_medium": [3], "high": [4]}
GENDER = {"female": [2], "male": [1]}
OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")
#: weight of a target that carries a test (F, its df, p and eta2; phi, chi2 and p): several
#: published numbers hang on it
W_TEST = 3.0
#: weight of each contrast implied by a printed logistic model: the forward selections of
#: Tables 10.7-10.9 (which predictors enter) hang on them
W_LOGIT = 6.0
TOL = {"M": 0.05, "SD": 0.05, "D": 0.06, "F": 0.2, "phi": 0.02, "V": 0.02, "r": 0.05, "rs": 0.05, "chi2": 0.2}

#: (variable, ref, subset, score column, published variable, group prefix, level map, F groups)
GROUP_TESTS = [
    ("client_gender", "S9.5.1b", ["p1"], "p1_bond", "bond", "client_gender", GENDER),
    ("client_gender", "S9.5.2b", ["p2"], "p2_trust", "trust", "client_gender", GENDER),
    ("client_gender", "S9.5.2c", ["p2"], "p2_bond", "bond", "client_gender", GENDER),
    ("client_gender", "S9.5.2d", ["p2"], "p2_total", "total", "client_gender", GENDER),
    ("detention_history", "S8.4.1d", ["c1"], "c1_goals", "goals_restriction", "detention_history", YES_NO),
    ("detention_history", "S8.4.2c", ["c1", "c2"], "c2_goals", "goals_restriction", "detention_history", YES_NO),
    ("detention_history", "S10.2.4b", ["c1", "p1"], "a1_reactance", "reactance", "detention_history", YES_NO),
    ("detention_history", "S10.2.4e", ["c2", "p2"], "a2_bond", "bond", "detention_history", YES_NO),
    ("court_case", "S8.4.1e", ["c1"], "c1_reactance", "reactance", "court_case", YES_NO),
    ("court_case", "S8.4.2d", ["c1", "c2"], "c2_reactance", "reactance", "court_case", YES_NO),
    ("prior_supervision", "S8.4.1c", ["c1"], "c1_goals", "goals_restriction", "prior_supervision", YES_NO),
    ("prior_supervision", "S8.4.2b", ["c1", "c2"], "c2_reactance", "reactance", "prior_supervision", YES_NO),
    ("po_change", "S8.4.3", ["c1", "c2"], "cd_bond", "bond", "po_change", {"yes": [1, 2, 3], "no": [0]}),
    ("work_situation_w1", "S8.3.1", ["c1"], "c1_reactance", "reactance", "paid_work", {"yes": [2], "no": [1]}),
    ("risc_category", "S8.4.1a", ["c1"], "c1_trust", "trust", "risc", RISC),
    ("risc_category", "S8.4.1b", ["c1"], "c1_reactance", "reactance", "risc", RISC),
    ("risc_category", "S8.4.2a", ["c1", "c2"], "c2_reactance", "reactance", "risc", RISC),
    ("risc_category", "S9.6.1a", ["p1"], "p1_goals", "goals_restriction", "risc", RISC),
    ("risc_category", "S9.6.1b", ["p1"], "p1_reactance", "reactance", "risc", RISC),
    ("risc_category", "S9.6.1c", ["p1"], "p1_total", "total", "risc", RISC),
    ("risc_category", "S9.6.1d", ["p1"], "p1_cr23", "cr23_says_cooperates", "risc", RISC),
    ("risc_category", "S9.6.1e", ["p1"], "p1_cr25", "cr25_extra_strict", "risc", RISC),
    ("risc_category", "S9.6.2a", ["p2"], "p2_goals", "goals_restriction", "risc", RISC),
    ("risc_category", "S9.6.2b", ["p2"], "p2_reactance", "reactance", "risc", RISC),
]
#: groups by variables the second stage derives (the wave-2 officer's gender and age, the
#: client's age band), whose published alliance M and SD only the third refinement phase aims at
#: (:func:`group_descriptives`); the same fields as :data:`GROUP_TESTS`. The variables are those
#: of :func:`wagk.background.add_derived` (``client_age_decade`` as the position of the band).
OVER30 = {"over_30": [1], "under_30": [0]}
DERIVED_GROUPS = [
    ("po_gender_w2", "S8.7.2a", ["c1", "c2"], "c2_trust", "trust", "po_gender", GENDER),
    ("po_age_over30_w2", "S8.7.2b", ["c1", "c2"], "c2_trust", "trust", "po_age", OVER30),
    ("po_age_over30_w2", "S8.7.2c", ["c1", "c2"], "c2_reactance", "reactance", "po_age", OVER30),
    ("client_age_decade", "S8.3.3", ["c1", "c2"], "cd_bond", "bond", "client_age_group", {"21-30": [1], "41-50": [3]}),
    ("young_adult", "S9.5.2a", ["p2"], "p2_cr25", "cr25_extra_strict", "client_age_group",
     {"young_adult": [1], "23plus": [0]}),
]
LIVING_GROUPS = [[1, 2, 3], [4], [5], [6]]
#: the outcome tables: (ref, subset, score prefix, scores described by outcome group)
OUTCOME_SPLITS = (("T8.9", ["c1"], "c1", SCALES), ("T8.10", ["c2"], "c2", SCALES), ("T9.9", ["p1"], "p1", PO8),
                  ("T9.10", ["p2"], "p2", PO8), ("T9.11", ["p1", "p2"], "pd", PO8),
                  ("T10.5", ["c1", "p1"], "a1", SCALES), ("T10.6", ["c2", "p2"], "a2", SCALES))


#: published contrasts whose sign contradicts the thesis's own text and totals: fitted with the
#: sign of the text (8.9.2: clients WITHOUT a new early-help notification are older; the printed
#: means 2.50 and 3.02 would give the 299 clients a mean age group of 2.63, Table 6.8 gives 2.82)
SIGN_FROM_TEXT = {("S8.9.2g", "client_age_group"): -1.0}


def _contrasts(pub: dict, ref: str, pvar: str, prefix: str, levels: dict, subset, score,
               absolute: tuple = ()) -> list[dict]:
    """Differences of the printed group means (each against the first printed group), the
    printed SDs, and the printed means of the groups in ``absolute`` (the small groups, whose
    mean this stage can move; a large group's mean is the sample's)."""
    shown = [(lab, codes) for lab, codes in levels.items() if pub.get((ref, pvar, f"{prefix}={lab}", "M")) is not None]
    out = []
    for lab, codes in shown:
        v = pub.get((ref, pvar, f"{prefix}={lab}", "SD"))
        if v is not None:
            out.append(dict(kind="SD", subset=subset, score=score, levels=codes, value=v, tol=TOL["SD"]))
        if lab in absolute and (ref, pvar) not in SIGN_FROM_TEXT:
            out.append(dict(kind="M", subset=subset, score=score, levels=codes,
                            value=pub[(ref, pvar, f"{prefix}={lab}", "M")], tol=TOL["M"]))
    if len(shown) >= 2:
        base_lab, base = shown[0]
        m0 = pub[(ref, pvar, f"{prefix}={base_lab}", "M")]
        for lab, codes in shown[1:]:
            d = pub[(ref, pvar, f"{prefix}={lab}", "M")] - m0
            sign = SIGN_FROM_TEXT.get((ref, pvar))
            if sign is not None:
                d = sign * abs(d)
            out.append(dict(kind="D", subset=subset, score=score, levels=codes, levels_b=base, value=round(d, 4),
                            tol=TOL["D"]))
    return out


def _group_targets(pub: dict, var, ref, subset, score, pvar, prefix, levels, groups=None) -> list[dict]:
    out = _contrasts(pub, ref, pvar, prefix, levels, subset, score)
    grp = [g for g in (groups or list(levels.values()))]
    for key in ((ref, pvar, prefix, "F"), (ref, pvar, f"{prefix}_category", "F"), (ref, pvar, var, "F")):
        v = pub.get(key)
        if v is not None:
            out.append(dict(kind="F", subset=subset, score=score, groups=grp, value=v, tol=TOL["F"] * v,
                            weight=W_TEST))
            break
    return out


#: the running text's tests of the outcome comparisons: ref prefix -> score context (10.2.5b-f
#: are about wave 1, the rest of 10.2.5 about wave 2)
TEXT_TESTS = (("S8.9.4", "c1"), ("S8.9.5", "c2"), ("S9.9.1", "p1"), ("S9.9.2", "p2"), ("S9.9.3", "pd"),
              ("S10.2.5b", "a1"), ("S10.2.5c", "a1"), ("S10.2.5d", "a1"), ("S10.2.5e", "a1"),
              ("S10.2.5f", "a1"), ("S10.2.5", "a2"))
#: the questionnaires a score of each context needs
CONTEXT_SUBSET = {"c1": ["c1"], "c2": ["c2"], "p1": ["p1"], "p2": ["p2"], "pd": ["p1", "p2"],
                  "a1": ["c1", "p1"], "a2": ["c2", "p2"]}


def text_context(ref: str) -> str:
    """The score context of a running-text test of an outcome comparison (:data:`TEXT_TESTS`)."""
    return next(ctx for prefix, ctx in TEXT_TESTS if ref.startswith(prefix))


def build(pub: dict | None = None) -> dict[str, list[dict]]:
    """variable -> list of moment targets (values from the published tables)."""
    pub = targets_bg.lookup() if pub is None else pub
    out: dict[str, list[dict]] = {}
    add = lambda var, items: out.setdefault(var, []).extend(items)  # noqa: E731
    for var, ref, subset, score, pvar, prefix, levels in GROUP_TESTS:
        groups = list(levels.values()) if var != "risc_category" else [[1], [2], [3], [4]]
        add(var, _group_targets(pub, var, ref, subset, score, pvar, prefix, levels, groups))
    for ref, score, pvar in (("S8.3.2d", "c2_trust", "trust"), ("S8.3.2e", "c2_reactance", "reactance")):
        v = pub.get((ref, pvar, "living_situation", "F"))
        if v is not None:
            add("living_situation_w1", [dict(kind="F", subset=["c1", "c2"], score=score, groups=LIVING_GROUPS,
                                             value=v, tol=TOL["F"] * v)])
    v = pub.get(("S10.2.4a", "reactance", "risc_score", "rs"))
    if v is not None:
        add("risc_category", [dict(kind="r", subset=["c1", "p1"], score="a1_reactance", spearman=True, value=v,
                                   tol=TOL["rs"])])
    v = pub.get(("S10.2.4d", "reactance", "risc_score", "r"))
    if v is not None:
        add("risc_category", [dict(kind="r", subset=["c2", "p2"], score="a2_reactance", value=v, tol=TOL["r"])])
    v = pub.get(("T6.11", "sanction_type", "t1_vs_t2", "chi2"))
    if v is not None:
        add("sanction_type_w2", [dict(kind="chi", subset=["c1", "c2"], other="sanction_type_w1", rows=[1, 2, 3, 4],
                                      cols=[1, 2, 3, 4], value=v, tol=TOL["chi2"] * v)])
    # ---- outcomes
    for o in OUTCOMES:
        items = []
        for ref, subset, ctx, scores in OUTCOME_SPLITS:
            for s_ in scores:
                items += _contrasts(pub, ref, s_, o, {"1": [1], "0": [0]}, subset, f"{ctx}_{SHORT[s_]}",
                                    absolute=("1",))
        add(o, items)
    # F values of the running text (8.9.4-5, 9.9.1-3, 10.2.5)
    text = []
    for ref, var, group, stat in list(pub):
        if stat != "F" or not ref.startswith(("S8.9.4", "S8.9.5", "S9.9.", "S10.2.5")):
            continue
        o = group.replace("outcome=", "")
        if o not in OUTCOMES:
            continue
        text.append((ref, var, o, pub[(ref, var, group, stat)]))
    for ref, var, o, v in text:
        ctx = text_context(ref)
        add(o, [dict(kind="F", subset=list(CONTEXT_SUBSET[ctx]), score=f"{ctx}_{SHORT[var]}", groups=[[0], [1]], value=v,
                     tol=TOL["F"] * v, weight=W_TEST)])
    # background of the outcome groups (8.9.2)
    for o, ref, score, pvar, subset in (
            ("no_show", "S8.9.2a", "val:client_age_group", "client_age_group", ["c1"]),
            ("early_help", "S8.9.2g", "val:client_age_group", "client_age_group", ["c1"]),
            ("no_show", "S8.9.2b", "val:conscience_normal", "conscience_normal", []),
            ("early_help", "S8.9.2i", "val:conscience_normal", "conscience_normal", []),
            ("dropout", "S8.9.2o", "val:conscience_normal", "conscience_normal", []),
            ("early_help", "S8.9.2h", "val:lvb", "lvb", []),
            ("dropout", "S8.9.2n", "val:lvb", "lvb", [])):
        items = _contrasts(pub, ref, pvar, o, {"1": [1], "0": [0]}, subset, score, absolute=("1",))
        for it in items:
            if it["kind"] == "D":
                it["weight"] = W_TEST  # t, d and p hang on the difference
        add(o, items)
    for o, ref, other, cols, stat in (
            ("no_show", "S8.9.2c", "risc_category", [1, 2, 3, 4], "phi"),
            ("early_help", "S8.9.2j", "risc_category", [1, 2, 3, 4], "V"),
            ("no_show", "S8.9.2d", "detention_history", [0, 1], "phi"),
            ("early_help", "S8.9.2l", "detention_history", [0, 1], "phi"),
            ("formal_action", "S8.9.2e", "prior_supervision", [0, 1], "phi"),
            ("early_help", "S8.9.2k", "prior_supervision", [0, 1], "phi"),
            ("formal_action", "S8.9.2f", "addicted", [0, 1], "phi"),
            ("early_help", "S8.9.2m", "addicted", [0, 1], "phi")):
        pv = {"risc_category": "risc_category", "detention_history": "detention_history",
              "prior_supervision": "prior_supervision", "addicted": "addiction"}[other]
        v = pub.get((ref, pv, f"outcome={o}", stat))
        if v is not None:
            add(o, [dict(kind="phi", subset=[], other=other, rows=[0, 1], cols=cols, value=v, tol=TOL["phi"],
                         weight=W_TEST)])
    for o, other, ref in (("formal_action", "no_show", "S8.9.3b"), ("dropout", "no_show", "S8.9.3a"),
                          ("dropout", "formal_action", "S8.9.3d"), ("early_help", "no_show", "S8.9.3c"),
                          ("early_help", "formal_action", "S8.9.3e"), ("early_help", "dropout", "S8.9.3f")):
        v = pub.get((ref, other, f"outcome={o}", "phi"))
        if v is not None:
            add(o, [dict(kind="phi", subset=[], other=other, rows=[0, 1], cols=[0, 1], value=v, tol=TOL["phi"],
                         weight=W_TEST)])
    # the logistic models of Tables 10.7-10.9 (forward selection): the group contrasts the
    # printed model implies, D = Sigma b (linear discriminant approximation of a logistic model
    # with normal predictors); the generator computes Sigma from the data
    cands = {"T10.7": ("client1_", "po1_"), "T10.8": ("client2_", "po2_"),
             "T10.9": ("client1_", "client2_", "po1_", "po2_")}
    subsets = {"T10.7": ["c1", "p1"], "T10.8": ["c2", "p2"], "T10.9": ["c1", "c2", "p1", "p2"]}
    ctx = {"client1_": "c1", "client2_": "c2", "po1_": "p1", "po2_": "p2"}
    for table, prefixes in cands.items():
        names = [p + s_ for p in prefixes for s_ in ("trust", "goals_restriction", "bond", "reactance")]
        for o in OUTCOMES:
            b = {}
            for nm in names:
                v = pub.get((table, nm, f"outcome={o}", "ExpB"))
                if v is not None and v > 0:
                    b[nm] = math.log(v)
            if not b:
                continue
            scores = {nm: f"{ctx[nm[:nm.index('_') + 1]]}_{SHORT[nm[nm.index('_') + 1:]]}" for nm in names}
            add(o, [dict(kind="logit", subset=subsets[table], scores=[scores[nm] for nm in names],
                         b=[b.get(nm, 0.0) for nm in names], tol=TOL["D"], weight=W_LOGIT)])
    return out


def score_components(score: str) -> tuple[list, bool]:
    """The parts of a score named as in this module (``c1_trust``, ``pd_cr23``, ``a1_bond``: a
    questionnaire's scale, a change, a dyad's absolute difference): [(context, scale, sign)]
    and whether the absolute value is taken."""
    pre, short = score.split("_", 1)
    name = {v: k for k, v in SHORT.items()}[short]
    if pre in ("cd", "pd"):
        return [(f"{pre[0]}2", name, 1.0), (f"{pre[0]}1", name, -1.0)], False
    if pre in ("a1", "a2"):
        return [(f"c{pre[1]}", name, 1.0), (f"p{pre[1]}", name, -1.0)], True
    return [(pre, name, 1.0)], False


def group_descriptives(pub: dict | None = None) -> list[dict]:
    """The published means and SDs of an alliance score within a group of clients (the groups of
    :data:`GROUP_TESTS`, :data:`DERIVED_GROUPS` and the outcome groups of :data:`OUTCOME_SPLITS`), for the item-level
    refinement that follows the second stage (:func:`wagk.synth.refine.refine_groups`): each a
    dict of ``ref``, ``score`` (``c1_trust``, ``pd_cr23``, ``a1_bond``, ...), ``subset``,
    ``var``, ``codes`` (the variable's levels that make the group) and ``stats``
    (statistic -> published value)."""
    pub = targets_bg.lookup() if pub is None else pub
    out = []

    def add(ref, var, codes, subset, score, pvar, group):
        stats = {s: pub[(ref, pvar, group, s)] for s in ("M", "SD") if (ref, pvar, group, s) in pub}
        if stats:
            out.append(dict(ref=ref, score=score, subset=subset, var=var, codes=codes, stats=stats))

    for var, ref, subset, score, pvar, prefix, levels in GROUP_TESTS + DERIVED_GROUPS:
        for lab, codes in levels.items():
            add(ref, var, codes, subset, score, pvar, f"{prefix}={lab}")
    for o in OUTCOMES:
        for ref, subset, ctx, scores in OUTCOME_SPLITS:
            for s_ in scores:
                for lab in ("0", "1"):
                    add(ref, o, [int(lab)], subset, f"{ctx}_{SHORT[s_]}", s_, f"{o}={lab}")
    return out


def group_contrasts(pub: dict | None = None) -> list[dict]:
    """The published differences between the means of the two groups of a two-group comparison
    of :func:`group_descriptives` (alliance scores without absolute values): each a dict of
    ``ref``, ``score``, ``subset``, ``var``, ``codes`` and ``codes_b`` (the two groups) and
    ``value`` (mean of the first minus mean of the second)."""
    by = {}
    for spec in group_descriptives(pub):
        if "M" in spec["stats"] and not score_components(spec["score"])[1]:
            by.setdefault((spec["ref"], spec["score"], spec["var"], tuple(spec["subset"])), []).append(spec)
    out = []
    for (ref, score, var, subset), (a, *rest) in by.items():
        if len(rest) != 1:
            continue
        b = rest[0]
        out.append(dict(ref=ref, score=score, subset=list(subset), var=var, codes=a["codes"], codes_b=b["codes"],
                        value=a["stats"]["M"] - b["stats"]["M"]))
    return out


#: variables whose published test compares more groups than the two with published means
MULTI_GROUP = ("risc_category", "client_age_decade")
#: published one-way ANOVAs over more groups, or without published group means: (ref, variable,
#: subset, score, published variable, groups)
MORE_TESTS = [(ref, var, subset, score, pvar, [[1], [2], [3], [4]])
              for var, ref, subset, score, pvar, _prefix, _levels in GROUP_TESTS if var == "risc_category"] + [
    ("S8.3.2d", "living_situation_w1", ["c1", "c2"], "c2_trust", "trust", LIVING_GROUPS),
    ("S8.3.2e", "living_situation_w1", ["c1", "c2"], "c2_reactance", "reactance", LIVING_GROUPS),
    ("S8.3.3", "client_age_decade", ["c1", "c2"], "cd_bond", "bond", [[k] for k in range(7)]),
    ("S8.3.2c", "young_adult", ["c1", "c2"], "c2_reactance", "reactance", [[1], [0]]),
]


def meet(a: tuple, b: tuple) -> tuple | None:
    """The intersection of the intervals a and b, or None when they do not meet."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo < hi else None


def _p_interval(row, tolerances: dict) -> tuple[float, float] | None:
    """The p values whose significance category the comparison of :mod:`wagk.compare` accepts
    for a published p row (:func:`wagk.compare.accepted_categories`): (lowest, highest), or
    None when the row gives no category."""
    printed = row.printed if isinstance(row.printed, str) else ""
    accepted = compare.accepted_categories(row.value, printed, row.ref, tolerances)
    if not accepted:
        return None
    cats = tolerances["categories"]
    bounds = {"***": (0.0, cats["***"]), "**": (cats["***"], cats["**"]), "*": (cats["**"], cats["*"]),
              "n.s.": (cats["*"], 1.0)}
    return min(bounds[c][0] for c in accepted), max(bounds[c][1] for c in accepted)


def group_tests(rows=None) -> list[dict]:
    """The published tests of the two-group comparisons of :func:`group_descriptives` and of the
    ANOVAs of :data:`MORE_TESTS` (an F, a t, or only the p's significance category): each a dict
    of ``ref``, ``score``, ``subset``, ``var``, ``groups`` (the variable's levels that make each
    group), ``F`` (published F, t squared, or None) and ``p`` (the interval of p values whose
    category the reproduction report accepts, or None)."""
    rows = targets_bg.load() if rows is None else rows
    tolerances = compare.load_tolerances()
    tests = {}  # variable -> published test rows
    for r in rows[rows["statistic"].isin(["p", "F", "t"])
                  & rows["analysis"].isin(["anova", "manova", "ttest"])].itertuples(index=False):
        tests.setdefault(r.variable, []).append(r)
    by = {}
    for spec in group_descriptives(targets_bg.lookup(rows)):
        by.setdefault((spec["ref"], spec["score"], spec["var"], tuple(spec["subset"])), []).append(spec)
    comparisons = [(key, [spec["codes"] for spec in specs]) for key, specs in by.items()
                   if len(specs) == 2 and key[2] not in MULTI_GROUP]
    comparisons += [((ref, score, var, tuple(subset)), groups) for ref, var, subset, score, _pvar, groups in MORE_TESTS]
    long = {v: k for k, v in SHORT.items()}
    out = []
    for (ref, score, var, subset), groups in comparisons:
        ctx, short = score.split("_", 1)
        if var in OUTCOMES:
            text = tuple(pre for pre, c in TEXT_TESTS if c == ctx)
            mine = [r for r in tests.get(long[short], []) if r.group in (f"outcome={var}", var)
                    and (r.ref == ref or r.ref.startswith(text))]
        else:
            mine = [r for r in tests.get(long[short], []) if r.ref == ref]
        if not mine:
            continue
        F, p = None, None
        for r in mine:
            if r.statistic in ("F", "t") and not math.isnan(r.value):
                F = r.value ** 2 if r.statistic == "t" else r.value
            elif r.statistic == "p":
                iv = _p_interval(r, tolerances)
                if iv is not None:  # the text's and the table's p: both categories where they agree
                    p = iv if p is None else meet(p, iv) or iv
        out.append(dict(ref=ref, score=score, subset=list(subset), var=var, groups=groups, F=F, p=p))
    return out


def p_intervals(rows=None) -> dict[tuple, tuple[float, float]]:
    """(ref, variable, group) -> the interval of p values whose significance category the
    reproduction report accepts for that published p (:func:`_p_interval`)."""
    rows = targets_bg.load() if rows is None else rows
    tolerances = compare.load_tolerances()
    out = {}
    for r in rows[rows["statistic"] == "p"].itertuples(index=False):
        iv = _p_interval(r, tolerances)
        if iv is not None:
            out.setdefault((r.ref, r.variable, r.group), iv)
    return out
