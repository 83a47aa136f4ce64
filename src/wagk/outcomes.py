"""The four outcomes of supervision (chapters 8.9, 9.9 and 10.2.5-10.3).

Two come from the officer's wave-2 questionnaire, two from the probation service's registry:

==============  ===========================================================================
outcome         definition
==============  ===========================================================================
no_show         late without notice or not turning up at least twice in the months before
                wave 2: the answers to ``out_late`` and ``out_no_show`` counted as 0 (no),
                1 (yes, once) or 2 (yes, several times) and added; 1 when the sum is 2 or more
                (thesis 8.9.1: "minimaal twee keer te laat - of niet komen opdagen"). Missing
                when an answer is missing or "don't know" and the known answers add up to
                less than 2.
formal_action   at least one formal action by the officer: an official warning
                (``out_warning``), a formal instruction (``out_instruction``) or a formal
                consultation with the commissioning authority about continuing the supervision
                (``out_commissioner_continuation``). 1 when any is answered yes; 0 when all
                three are answered no; otherwise missing.
dropout         premature negative termination within 24 months (registry, ``dropout``).
early_help      a new early-help notification within 24 months (registry, ``early_help``).
==============  ===========================================================================

The codes of the officer's answers are those of ``data/codebook/background.yml``: 1 yes once,
2 yes several times, 3 no, 4 don't know.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")
#: officer's answer code -> count of events (NaN: don't know)
EVENT_COUNT = {1.0: 1.0, 2.0: 2.0, 3.0: 0.0, 4.0: np.nan}
NO_SHOW_ITEMS = ("out_late", "out_no_show")
FORMAL_ITEMS = ("out_warning", "out_instruction", "out_commissioner_continuation")


def _counts(po_w2: pd.DataFrame, items) -> pd.DataFrame:
    return pd.DataFrame({c: po_w2[c].astype(float).map(EVENT_COUNT) for c in items}, index=po_w2.index)


def derive_no_show(po_w2: pd.DataFrame) -> pd.Series:
    """no_show (0/1/NaN) from ``out_late`` and ``out_no_show`` (see the module docstring)."""
    c = _counts(po_w2, NO_SHOW_ITEMS)
    known_sum = c.sum(axis=1, skipna=True)
    complete = c.notna().all(axis=1)
    out = pd.Series(np.nan, index=po_w2.index, name="no_show")
    out[known_sum >= 2] = 1.0
    out[complete & (known_sum < 2)] = 0.0
    return out


def derive_formal_action(po_w2: pd.DataFrame) -> pd.Series:
    """formal_action (0/1/NaN) from the three formal-action questions (module docstring)."""
    c = _counts(po_w2, FORMAL_ITEMS)
    out = pd.Series(np.nan, index=po_w2.index, name="formal_action")
    out[(c > 0).any(axis=1)] = 1.0
    out[(c == 0).all(axis=1)] = 0.0
    return out


def derive_outcomes(po_w2: pd.DataFrame) -> pd.DataFrame:
    """no_show and formal_action for every wave-2 officer questionnaire that has the questions.

    Returns an empty frame (same index) when the questionnaire lacks the outcome questions.
    """
    out = pd.DataFrame(index=po_w2.index)
    if all(c in po_w2.columns for c in NO_SHOW_ITEMS):
        out["no_show"] = derive_no_show(po_w2)
    if all(c in po_w2.columns for c in FORMAL_ITEMS):
        out["formal_action"] = derive_formal_action(po_w2)
    return out


# ------------------------------------------------------------------------------------------
# tables: scores split by outcome (Tables 8.9, 8.10, 9.9-9.11, 10.5, 10.6)
# ------------------------------------------------------------------------------------------

from wagk import groups, logistic  # noqa: E402
from wagk._recipes import ChiTest, GroupTest, Recipe, Where, frame, run  # noqa: E402
from wagk._recipes import row as _row  # noqa: E402

SCALES = ("trust", "goals_restriction", "bond", "reactance", "total")
CR_ITEMS = ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
BINARY = {0: "0", 1: "1"}
C1, C2, P1, P2 = ("in_client_w1",), ("in_client_w2",), ("in_po_w1",), ("in_po_w2",)
D1 = ("in_client_w1", "in_po_w1")
D2 = ("in_client_w2", "in_po_w2")


def _mask(data: pd.DataFrame, flags) -> np.ndarray:
    keep = np.ones(len(data), bool)
    for f in flags:
        keep &= data[f].to_numpy(dtype=bool)
    return keep


def outcome_split_rows(data: pd.DataFrame, where: Where, prefix: str, variables, flags, *,
                       listwise=("trust", "goals_restriction", "bond", "reactance"),
                       desc_analysis: str = "descriptives", test_group: str = "outcome={o}",
                       outcomes=OUTCOMES) -> list[dict]:
    """Scores split by each outcome, as Tables 8.9-8.10, 9.9-9.11 and 10.5-10.6 print them.

    Parameters
    ----------
    data : DataFrame
        The analysis frame.
    where : Where
        Ref, section, perspective and wave of the table.
    prefix : str
        Score column prefix: ``client1_``, ``po2_``, ``podiff_``, ``abs1_`` ...
    variables : sequence of str
        Score names (trust ... total, and the contra-reactance items for officers).
    flags : tuple of str
        Membership the table is restricted to (e.g. ``("in_client_w1",)``).
    listwise : sequence of str
        The column n's of the table count the cases with an outcome and all of these scores
        (the MANOVA sample); means, SDs and tests use every case with the score (pairwise).
    desc_analysis, test_group
        Ledger names: ``descriptives``/``outcome=no_show`` in chapters 8-9,
        ``abs_diff``/``no_show`` in chapter 10.

    Returns
    -------
    list of ledger rows: per outcome the column n's (``frequency``, group ``no_show=0``), per
    score and outcome level M and SD, and per score the one-way ANOVA (F, df1, df2, p, eta2).
    """
    rows = []
    sub = data[_mask(data, flags)]
    for o in outcomes:
        if o not in sub:  # the dataset lacks what the outcome is derived from: empty rows
            rows += [where.row("frequency", o, f"{o}={lv}", "n", np.nan) for lv in (0, 1)]
        else:
            y = sub[o]
            complete = sub[[prefix + v for v in listwise]].notna().all(axis=1) & y.notna()
            for lv in (0, 1):
                rows.append(where.row("frequency", o, f"{o}={lv}", "n", int((complete & (y == lv)).sum())))
        for v in variables:
            t = GroupTest(dv=prefix + v, by=o, variable=v, group=test_group.format(o=o), levels=BINARY,
                          prefix=o, show=("0", "1"), desc_analysis=desc_analysis, flags=flags)
            rows += Recipe(where, [t]).rows(data)
    return rows


def _anova(dv, o, variable, flags, analysis="anova", group=None) -> GroupTest:
    return GroupTest(dv=dv, by=o, variable=variable, group=group or f"outcome={o}", levels=BINARY,
                     analysis=analysis, flags=flags)


def _count_rows(data, where, o, level, flags) -> list[dict]:
    if o not in data.columns:  # the dataset lacks what the outcome is derived from
        return [where.row("frequency", o, f"{o}={level}", "n", np.nan)]
    sub = data[_mask(data, flags)]
    return [where.row("frequency", o, f"{o}={level}", "n", int((sub[o] == level).sum()))]


def client_outcome_recipes() -> list[Recipe]:
    """Chapter 8.9: the outcome groups (8.9.2), their overlap (8.9.3) and the tests of 8.9.4-5."""
    r = []
    w = lambda ref, sec, wave, persp="client": Where(ref, sec, persp, str(wave))  # noqa: E731
    # 8.9.2: who are the clients of the negative outcome groups (wave-1 background)
    age = {"no_show": "S8.9.2a", "early_help": "S8.9.2g"}
    for o, ref in age.items():
        r.append(Recipe(w(ref, "8.9.2", 1, "sample"), [
            GroupTest(dv="client_age_group", by=o, variable="client_age_group", group=f"outcome={o}",
                      levels=BINARY, prefix=o, show=("0", "1"), analysis="ttest", stats=("t", "df", "p", "d"),
                      order=("0", "1"), abs_t=True, flags=C1)]))
    for ref, dv, o in (("S8.9.2b", "conscience_normal_w1", "no_show"), ("S8.9.2h", "lvb_w1", "early_help"),
                       ("S8.9.2i", "conscience_normal_w1", "early_help"), ("S8.9.2n", "lvb_w1", "dropout"),
                       ("S8.9.2o", "conscience_normal_w1", "dropout")):
        var = dv[:-3]
        r.append(Recipe(w(ref, "8.9.2", 1, "sample"), [
            GroupTest(dv=dv, by=o, variable=var, group=f"outcome={o}", levels=BINARY, prefix=o, show=("0", "1"),
                      analysis="ttest", stats=("t", "df", "p", "d"), order=("0", "1"), abs_t=True)]))
    risc = {1: "low", 2: "low_medium", 3: "high_medium", 4: "high"}
    for ref, var, col, o, stats_ in (
            ("S8.9.2c", "risc_category", "risc_category", "no_show", ("chi2", "df", "p", "phi")),
            ("S8.9.2d", "detention_history", "detention_history", "no_show", ("chi2", "df", "p", "phi")),
            ("S8.9.2e", "prior_supervision", "prior_supervision", "formal_action", ("chi2", "df", "p", "phi")),
            ("S8.9.2f", "addiction", "addicted_w1", "formal_action", ("chi2", "df", "p", "phi")),
            ("S8.9.2j", "risc_category", "risc_category", "early_help", ("chi2", "df", "p", "V")),
            ("S8.9.2k", "prior_supervision", "prior_supervision", "early_help", ("chi2", "df", "p", "phi")),
            ("S8.9.2l", "detention_history", "detention_history", "early_help", ("chi2", "df", "p", "phi")),
            ("S8.9.2m", "addiction", "addicted_w1", "early_help", ("chi2", "df", "p", "phi"))):
        r.append(Recipe(w(ref, "8.9.2", 1, "sample"), [
            ChiTest(col, o, var, f"outcome={o}", stats=stats_, row_levels=risc if var == "risc_category" else None)]))
    # 8.9.3: overlap of the outcome groups
    pairs = (("S8.9.3a", "no_show", "dropout"), ("S8.9.3b", "no_show", "formal_action"),
             ("S8.9.3c", "no_show", "early_help"), ("S8.9.3d", "formal_action", "dropout"),
             ("S8.9.3e", "formal_action", "early_help"), ("S8.9.3f", "dropout", "early_help"))
    for ref, a, b in pairs:
        r.append(Recipe(w(ref, "8.9.3", "none", "sample"), [
            ChiTest(a, b, a, f"outcome={b}", stats=("chi2", "df", "n", "p", "phi"))]))
    # 8.9.4 and 8.9.5: tests of the wave-1 and wave-2 scores (the thesis's labels)
    for ref, dv, o, var, an, wave, flags in (
            ("S8.9.4a", "client1_trust", "no_show", "trust", "manova", 1, C1),
            ("S8.9.4b", "client1_bond", "no_show", "bond", "manova", 1, C1),
            ("S8.9.4c", "client1_total", "no_show", "total", "manova", 1, C1),
            ("S8.9.4d", "client1_goals_restriction", "formal_action", "goals_restriction", "anova", 1, C1),
            ("S8.9.4g", "client1_trust", "dropout", "trust", "anova", 1, C1),
            ("S8.9.4h", "client1_trust", "early_help", "trust", "anova", 1, C1),
            ("S8.9.5a", "client2_trust", "no_show", "trust", "anova", 2, C2),
            ("S8.9.5b", "client2_goals_restriction", "formal_action", "goals_restriction", "anova", 2, C2),
            ("S8.9.5e", "client2_reactance", "dropout", "reactance", "anova", 2, C2),
            ("S8.9.5g", "client2_trust", "early_help", "trust", "anova", 2, C2),
            ("S8.9.5h", "client2_reactance", "early_help", "reactance", "anova", 2, C2)):
        r.append(Recipe(w(ref, ref[1:6], wave), [_anova(dv, o, var, flags, analysis=an)]))
    return r


def client_outcome_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Chapter 8.9: group sizes (8.9.1), subgroups (8.9.2), overlap (8.9.3), Tables 8.9 and
    8.10 and the tests of 8.9.4-8.9.5 (ledger rows)."""
    rows = []
    w = lambda ref, sec, wave, persp="sample": Where(ref, sec, persp, str(wave))  # noqa: E731
    rows += _count_rows(data, w("S8.9.1a", "8.9.1", 2), "no_show", 1, C1)
    rows += _count_rows(data, w("S8.9.1b", "8.9.1", 2), "formal_action", 1, C1)
    rows += _count_rows(data, w("S8.9.1c", "8.9.1", "none"), "dropout", 1, C1)
    rows += _count_rows(data, w("S8.9.1d", "8.9.1", 2), "dropout", 1, C1 + C2)
    rows += _count_rows(data, w("S8.9.1e", "8.9.1", "none"), "early_help", 1, C1)
    rows += _count_rows(data, w("S8.9.4e", "8.9.4", "none"), "dropout", 1, C1)
    rows += _count_rows(data, w("S8.9.4f", "8.9.4", "none"), "early_help", 1, C1)
    rows += _count_rows(data, w("S8.9.5c", "8.9.5", "none"), "dropout", 1, C1)
    rows += _count_rows(data, w("S8.9.5d", "8.9.5", 2), "dropout", 1, C1 + C2)
    rows += _count_rows(data, w("S8.9.5f", "8.9.5", 2), "early_help", 1, C1 + C2)
    rows += _count_rows(data, w("S8.9.7", "8.9.7", 2), "dropout", 1, C1 + C2)
    rows += outcome_split_rows(data, Where("T8.9", "8.9.4", "client", "1"), "client1_", SCALES, C1)
    rows += outcome_split_rows(data, Where("T8.10", "8.9.5", "client", "2"), "client2_", SCALES, C2)
    return pd.concat([frame(rows), run(client_outcome_recipes(), data)], ignore_index=True)


def officer_outcome_recipes() -> list[Recipe]:
    """The significant tests of chapter 9.9 (running text)."""
    spec = {
        "S9.9.1": (1, "po1_", P1, (("goals_restriction", "no_show"), ("reactance", "no_show"),
                                   ("cr23_says_cooperates", "no_show"), ("reactance", "formal_action"),
                                   ("cr23_says_cooperates", "formal_action"), ("trust", "dropout"),
                                   ("total", "dropout"), ("reactance", "dropout"),
                                   ("cr23_says_cooperates", "dropout"), ("cr25_extra_strict", "dropout"),
                                   ("cr24_energy", "dropout"), ("trust", "early_help"), ("bond", "early_help"),
                                   ("reactance", "early_help"), ("total", "early_help"))),
        "S9.9.2": (2, "po2_", P2, (("trust", "no_show"), ("bond", "no_show"), ("reactance", "no_show"),
                                   ("total", "no_show"), ("cr23_says_cooperates", "no_show"),
                                   ("cr25_extra_strict", "no_show"), ("trust", "formal_action"),
                                   ("bond", "formal_action"), ("reactance", "formal_action"),
                                   ("total", "formal_action"), ("cr23_says_cooperates", "formal_action"),
                                   ("cr25_extra_strict", "formal_action"), ("cr24_energy", "formal_action"),
                                   ("trust", "dropout"), ("bond", "dropout"), ("goals_restriction", "dropout"),
                                   ("reactance", "dropout"), ("total", "dropout"),
                                   ("cr23_says_cooperates", "dropout"), ("cr25_extra_strict", "dropout"))),
        "S9.9.3": ("diff", "podiff_", P1 + P2, (("trust", "no_show"), ("trust", "formal_action"),
                                                ("bond", "formal_action"), ("reactance", "formal_action"),
                                                ("total", "formal_action"), ("trust", "dropout"),
                                                ("reactance", "dropout"), ("cr23_says_cooperates", "dropout"),
                                                ("total", "dropout"))),
    }
    r = []
    for base, (wave, prefix, flags, tests) in spec.items():
        for letter, (var, o) in zip("abcdefghijklmnopqrst", tests):
            r.append(Recipe(Where(base + letter, base[1:], "po", str(wave)), [_anova(prefix + var, o, var, flags)]))
    return r


def officer_outcome_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Chapter 9.9: Tables 9.9-9.11 and the tests of 9.9.1-9.9.3 (ledger rows)."""
    variables = SCALES + CR_ITEMS
    rows = []
    rows += outcome_split_rows(data, Where("T9.9", "9.9.1", "po", "1"), "po1_", variables, P1)
    rows += outcome_split_rows(data, Where("T9.10", "9.9.2", "po", "2"), "po2_", variables, P2)
    rows += outcome_split_rows(data, Where("T9.11", "9.9.3", "po", "diff"), "podiff_", variables, P1 + P2)
    rows += _count_rows(data, Where("S9.9.3j", "9.9.3", "po", "2"), "dropout", 1, P2)
    return pd.concat([frame(rows), run(officer_outcome_recipes(), data)], ignore_index=True)


# ------------------------------------------------------------------------------------------
# chapter 10: absolute differences and outcomes, logistic models
# ------------------------------------------------------------------------------------------

def dyad_difference_recipes() -> list[Recipe]:
    """Chapter 10.2.4-10.2.5: absolute client-officer differences by the justice trajectory and
    by the outcomes (the thesis's significant results)."""
    from wagk._recipes import CorrTest
    yes_no = {0: "no", 1: "yes"}
    r = [
        Recipe(Where("S10.2.4a", "10.2.4", "dyad", "1"), [
            CorrTest("abs1_reactance", "risc_score", "reactance", "risc_score", stats=("rs", "df", "p"), flags=D1)]),
        Recipe(Where("S10.2.4b", "10.2.4", "dyad", "1"), [
            GroupTest(dv="abs1_reactance", by="detention_history", variable="reactance", group="detention_history",
                      levels=yes_no, show=("yes", "no"), desc_analysis="abs_diff", flags=D1)]),
        Recipe(Where("S10.2.4d", "10.2.4", "dyad", "2"), [
            CorrTest("abs2_reactance", "risc_score", "reactance", "risc_score", method="pearson",
                     stats=("r", "df", "p"), flags=D2)]),
        Recipe(Where("S10.2.4e", "10.2.4", "dyad", "2"), [
            GroupTest(dv="abs2_bond", by="detention_history", variable="bond", group="detention_history",
                      levels=yes_no, show=("no", "yes"), desc_analysis="abs_diff", flags=D2)]),
    ]
    for ref, wave, var, o in (("S10.2.5b", 1, "reactance", "no_show"), ("S10.2.5c", 1, "reactance", "formal_action"),
                              ("S10.2.5d", 1, "reactance", "dropout"), ("S10.2.5e", 1, "reactance", "early_help"),
                              ("S10.2.5f", 1, "total", "early_help"), ("S10.2.5h", 2, "bond", "no_show"),
                              ("S10.2.5i", 2, "reactance", "no_show"), ("S10.2.5j", 2, "total", "no_show"),
                              ("S10.2.5k", 2, "trust", "formal_action"), ("S10.2.5l", 2, "bond", "formal_action"),
                              ("S10.2.5m", 2, "reactance", "formal_action"), ("S10.2.5n", 2, "total", "formal_action"),
                              ("S10.2.5o", 2, "trust", "dropout"), ("S10.2.5p", 2, "total", "dropout")):
        r.append(Recipe(Where(ref, "10.2.5", "dyad", str(wave)), [
            _anova(f"abs{wave}_{var}", o, var, D1 if wave == 1 else D2, group=o)]))
    return r


#: 10.2.6: the officer's contra-reactance items against the client's scores of the same dyad and wave
CONTRA_REACTANCE_TEXT = (
    ("S10.2.6a", 1, "cr23_says_cooperates", "bond"), ("S10.2.6b", 1, "cr23_says_cooperates", "total"),
    ("S10.2.6c", 2, "cr23_says_cooperates", "reactance"), ("S10.2.6d", 2, "cr23_says_cooperates", "total"),
    ("S10.2.6e", 2, "cr24_energy", "goals_restriction"), ("S10.2.6f", 2, "cr24_energy", "reactance"),
    ("S10.2.6g", 2, "cr25_extra_strict", "reactance"),
)


def contra_reactance_recipes() -> list[Recipe]:
    """Chapter 10.2.6: Spearman rS of an officer's contra-reactance item with the client's score
    on one scale, over the dyads of one wave (the thesis's significant results; running text,
    so df = n)."""
    from wagk._recipes import CorrTest
    return [Recipe(Where(ref, "10.2.6", "dyad", str(wave)), [
        CorrTest(f"po{wave}_{item}", f"client{wave}_{scale}", item, f"client_{scale}", stats=("rs", "df", "p"),
                 flags=D1 if wave == 1 else D2)])
        for ref, wave, item, scale in CONTRA_REACTANCE_TEXT]


def _comparison_counts(data: pd.DataFrame, where: Where, wave: int) -> list[dict]:
    """How many of the 20 comparisons (5 scores x 4 outcomes) have the larger mean absolute
    difference in the negative outcome group (10.2.5)."""
    sub = data[_mask(data, D1 if wave == 1 else D2)]
    larger, not_larger, per = 0, 0, {}
    for o in OUTCOMES:
        per[o] = 0
        for v in SCALES:
            col = f"abs{wave}_{v}"
            m1 = sub.loc[sub[o] == 1, col].mean()
            m0 = sub.loc[sub[o] == 0, col].mean()
            if m1 > m0:
                larger += 1
            else:
                not_larger += 1
                per[o] += 1
    rows = [where.row("abs_diff", "comparisons_total", "", "count", larger + not_larger),
            where.row("abs_diff", "comparisons_larger_if_negative_outcome", "", "count", larger),
            where.row("abs_diff", "comparisons_not_larger", "", "count", not_larger)]
    rows += [where.row("abs_diff", "comparisons_not_larger", o, "count", per[o]) for o in OUTCOMES]
    return rows


LOGISTIC_MODELS = {
    "T10.7": ("1", ("client1_", "po1_"), "10.3.1"),
    "T10.8": ("2", ("client2_", "po2_"), "10.3.2"),
    "T10.9": ("1+2", ("client1_", "client2_", "po1_", "po2_"), "10.3.3"),
}
LOGISTIC_TEXT = {  # running text of 10.3 that repeats a table's Exp(B) or R2
    "T10.7": ("S10.3.1", {"no_show": ("a", "client1_trust"), "formal_action": ("b", None),
                          "dropout": ("c", None), "early_help": ("d", None)}),
    "T10.8": ("S10.3.2", {"no_show": ("a", "client2_trust"), "formal_action": ("b", None),
                          "dropout": ("c", None)}),
    "T10.9": ("S10.3.3", {"no_show": ("a", "client1_bond"), "formal_action": ("b", None),
                          "dropout": ("c", None), "early_help": ("d", "po1_trust")}),
}


def logistic_models(data: pd.DataFrame, table: str, *, removal: str = "lr",
                    outcomes=OUTCOMES) -> dict[str, logistic.StepwiseResult]:
    """The forward stepwise logistic regressions of one of Tables 10.7-10.9, per outcome.

    Candidates: the four scales (trust, goals_restriction, bond, reactance) of the client and
    the officer at wave 1 (Table 10.7), wave 2 (10.8) or both waves (10.9); cases: dyads with
    the outcome and every candidate (listwise). Entry by the score test at p < .05, removal by
    the likelihood-ratio test at p > .10 (SPSS's Forward: LR defaults). ``outcomes`` limits the
    models to the outcomes a dataset has.
    """
    wave, prefixes, _ = LOGISTIC_MODELS[table]
    cands = [p + s for p in prefixes for s in ("trust", "goals_restriction", "bond", "reactance")]
    out = {}
    for o in outcomes:
        out[o] = logistic.forward_stepwise(data, o, cands, removal=removal)
    return out


def logistic_rows(data: pd.DataFrame, *, removal: str = "lr", fits: dict | None = None) -> pd.DataFrame:
    """Tables 10.7-10.9 and the repeats in 10.3 (ledger rows): per outcome the model n, Exp(B),
    SE (of B) and p of every selected predictor, and Nagelkerke's R2.

    ``fits`` (``{table: logistic_models(...)}``) reuses models already fitted; a table missing
    from it is fitted here."""
    rows = []
    for table, (wave, _prefixes, section) in LOGISTIC_MODELS.items():
        if fits is not None and table in fits:
            fits_t = fits[table]
        else:
            fits_t = logistic_models(data, table, removal=removal)
        where = Where(table, section, "dyad", wave)
        text_ref, text = LOGISTIC_TEXT[table]
        for o, res in fits_t.items():
            fit = res.fit.iloc[0]
            grp = f"outcome={o}"
            rows.append(where.row("logistic", "model", grp, "n", fit["n"]))
            rows.append(where.row("logistic", "model", grp, "R2", fit.get("R2", np.nan)))
            coefs = res.coefficients.set_index("term") if len(res.coefficients) else pd.DataFrame()
            for term in res.selected:
                for s in ("ExpB", "SE", "p"):
                    val = coefs.loc[term, s] if term in coefs.index else np.nan
                    rows.append(where.row("logistic", term, grp, s, val))
            if o in text:
                letter, term = text[o]
                tw = Where(text_ref + letter, section, "dyad", wave)
                rows.append(tw.row("logistic", "model", grp, "R2", fit.get("R2", np.nan)))
                if term is not None:
                    val = coefs.loc[term, "ExpB"] if term in res.selected and term in coefs.index else np.nan
                    rows.append(tw.row("logistic", term, grp, "ExpB", val))
    return frame(rows)


def dyad_outcome_rows(data: pd.DataFrame, *, logistic_models_too: bool = True) -> pd.DataFrame:
    """Chapter 10: Tables 10.5-10.6, 10.2.4-10.2.6 running text and Tables 10.7-10.9 (ledger rows)."""
    rows = []
    rows += outcome_split_rows(data, Where("T10.5", "10.2.5", "dyad", "1"), "abs1_", SCALES, D1,
                               listwise=SCALES, desc_analysis="abs_diff", test_group="{o}")
    rows += outcome_split_rows(data, Where("T10.6", "10.2.5", "dyad", "2"), "abs2_", SCALES, D2,
                               listwise=SCALES, desc_analysis="abs_diff", test_group="{o}")
    rows += _comparison_counts(data, Where("S10.2.5a", "10.2.5", "dyad", "1"), 1)
    rows += _comparison_counts(data, Where("S10.2.5g", "10.2.5", "dyad", "2"), 2)
    sub = data[_mask(data, D1)]
    w = Where("S10.2.4c", "10.2.4", "dyad", "1")
    rows += [w.row("rel_diff", "reactance", "client_higher", "n", int((sub["rel1_reactance"] > 0).sum())),
             w.row("rel_diff", "reactance", "po_higher", "n", int((sub["rel1_reactance"] < 0).sum()))]
    rows += _count_rows(data, Where("S10.2.5q", "10.2.5", "dyad", "2"), "dropout", 1, D2)
    rows += _count_rows(data, Where("S10.3.3c", "10.3.3", "dyad", "2"), "dropout", 1, D2)
    parts = [frame(rows), run(dyad_difference_recipes(), data), run(contra_reactance_recipes(), data)]
    if logistic_models_too:
        parts.append(logistic_rows(data))
    return pd.concat(parts, ignore_index=True)
