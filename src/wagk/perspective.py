"""Chapters 8 and 9: the alliance from one perspective and who the clients and officers are.

Both chapters ask the same questions of a different questionnaire (clients in chapter 8,
officers in chapter 9): does the alliance differ by the client's demographics (8.3, 9.5), the
justice trajectory (8.4, 9.6), the client's problems (8.6, 9.7), the officer's demographics
(8.7, 9.3), how clients experienced the trajectory (8.5), the officer's appraisal of the
client (9.4), and the client's motivation (8.8, 9.8)? The outcomes (8.9, 9.9) are in
:mod:`wagk.outcomes`.

The thesis reports group differences as a one-way ANOVA (or t-test) per scale after a MANOVA
over the four scales (:func:`wagk.groups.anova_by_scales` runs that recipe for any background
variable), and associations as Spearman's rS (one ordinal side) or Pearson's r. In the running
text it prints only the significant results; the recipes below list those results, with the
thesis's labels, so that the chapter notebooks can set the recomputed numbers beside them.
The tables (8.4-8.8, 9.4-9.8) are complete grids.

Public functions (each takes the frame of :func:`wagk.background.analysis_frame` and returns
ledger rows):

=============================  ===============================================================
function                       results
=============================  ===============================================================
client_background_rows         8.3-8.7 running text (demographics, justice trajectory,
                               problems, officer's demographics)
experience_rows                Tables 8.4 and 8.5 (experiences of the justice trajectory)
client_motivation_rows         Tables 8.6-8.8 (SMS at wave 1, wave 2 and the change)
officer_background_rows        9.3, 9.5, 9.6 running text
officer_appraisal_rows         Tables 9.4-9.7 (difficulty, competence, addiction, LVB,
                               conscience)
officer_motivation_rows        Table 9.8 and 9.8 running text
chapter8_rows, chapter9_rows   all of the above per chapter (outcomes included)
=============================  ===============================================================
"""

from __future__ import annotations

import pandas as pd

from wagk._recipes import ChiTest, CorrTest, GroupTest, Recipe, Where, frame, run  # noqa: F401

SCALES = ("trust", "goals_restriction", "bond", "reactance", "total")
CR_ITEMS = ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
PO_VARIABLES = SCALES + CR_ITEMS
SMS = ("sms_intrinsic", "sms_identified", "sms_external", "sms_amotivation")
EXPERIENCES = ("exp_prior_supervision", "exp_court_case", "exp_advisor", "exp_previous_po")

RISC = {1: "low", 2: "low_medium", 3: "high_medium", 4: "high"}
YES_NO = {0: "no", 1: "yes"}
GENDER = {1: "male", 2: "female"}
OVER30 = {0: "under_30", 1: "over_30"}
LIVING = {k: k for k in ("partner_or_children", "alone", "other", "supervised")}
DECADES = {k: k for k in ("up_to_20", "21-30", "31-40", "41-50", "51-60", "61-70", "71+")}

C1, C2, P1, P2 = ("in_client_w1",), ("in_client_w2",), ("in_po_w1",), ("in_po_w2",)
C12 = ("in_client_w1", "in_client_w2")
P12 = ("in_po_w1", "in_po_w2")


def _w(ref, section, persp, wave) -> Where:
    return Where(ref, section, persp, str(wave))


def _anova(dv, by, variable, group, levels, show=(), prefix=None, flags=(), analysis="anova",
           stats=("F", "df1", "df2", "p", "eta2")) -> GroupTest:
    return GroupTest(dv=dv, by=by, variable=variable, group=group, levels=levels, prefix=prefix,
                     show=tuple(show), analysis=analysis, stats=stats, flags=flags)


# ------------------------------------------------------------------------------------------
# chapter 8: clients
# ------------------------------------------------------------------------------------------

def client_background_recipes() -> list[Recipe]:
    """The significant differences of chapter 8.3-8.7 (running text), as the thesis labels them.

    Wave-2 scores are compared over the background measured at the start, among clients
    interviewed at both waves (background comes from the wave-1 interview and the registry).
    """
    r = []
    r.append(Recipe(_w("S8.3.1", "8.3.1", "client", 1), [
        _anova("client1_reactance", "paid_work_w1", "reactance", "paid_work", YES_NO, show=("no", "yes"),
               flags=C1)]))
    for ref, dv, var in (("S8.3.2a", "client2_trust", "trust"), ("S8.3.2b", "client2_bond", "bond")):
        r.append(Recipe(_w(ref, "8.3.2", "client", 2), [
            CorrTest(dv, "client_age", var, "client_age", stats=("rs", "df", "p"), flags=C12)]))
    r.append(Recipe(_w("S8.3.2c", "8.3.2", "client", 2), [
        _anova("client2_reactance", "young_adult", "reactance", "young_adult", {1: "young_adult", 0: "older"},
               flags=C12)]))
    for ref, dv, var in (("S8.3.2d", "client2_trust", "trust"), ("S8.3.2e", "client2_reactance", "reactance")):
        r.append(Recipe(_w(ref, "8.3.2", "client", 2), [
            _anova(dv, "living_group_w1", var, "living_situation", LIVING, flags=C12)]))
    r.append(Recipe(_w("S8.3.3", "8.3.3", "client", "diff"), [
        _anova("clientdiff_bond", "client_age_decade", "bond", "client_age_group", DECADES,
               show=("21-30", "41-50"), flags=C12)]))
    r.append(Recipe(_w("S8.4.1a", "8.4.1", "client", 1), [
        _anova("client1_trust", "risc_category", "trust", "risc_category", RISC, show=("low", "high"),
               prefix="risc", flags=C1)]))
    r.append(Recipe(_w("S8.4.1b", "8.4.1", "client", 1), [
        _anova("client1_reactance", "risc_category", "reactance", "risc_category", RISC,
               show=("low", "low_medium", "high_medium"), prefix="risc", flags=C1)]))
    r.append(Recipe(_w("S8.4.1c", "8.4.1", "client", 1), [
        _anova("client1_goals_restriction", "prior_supervision", "goals_restriction", "prior_supervision",
               YES_NO, show=("yes", "no"), flags=C1)]))
    r.append(Recipe(_w("S8.4.1d", "8.4.1", "client", 1), [
        _anova("client1_goals_restriction", "detention_history", "goals_restriction", "detention_history",
               YES_NO, show=("yes", "no"), flags=C1)]))
    r.append(Recipe(_w("S8.4.1e", "8.4.1", "client", 1), [
        _anova("client1_reactance", "court_case", "reactance", "court_case", YES_NO, show=("yes", "no"),
               flags=C1)]))
    r.append(Recipe(_w("S8.4.2a", "8.4.2", "client", 2), [
        _anova("client2_reactance", "risc_category", "reactance", "risc_category", RISC,
               show=("high_medium", "high", "low"), prefix="risc", flags=C12)]))
    r.append(Recipe(_w("S8.4.2b", "8.4.2", "client", 2), [
        _anova("client2_reactance", "prior_supervision", "reactance", "prior_supervision", YES_NO,
               show=("yes", "no"), flags=C12)]))
    r.append(Recipe(_w("S8.4.2c", "8.4.2", "client", 2), [
        _anova("client2_goals_restriction", "detention_history", "goals_restriction", "detention_history",
               YES_NO, show=("yes", "no"), flags=C12)]))
    r.append(Recipe(_w("S8.4.2d", "8.4.2", "client", 2), [
        _anova("client2_reactance", "court_case", "reactance", "court_case", YES_NO, show=("yes", "no"),
               flags=C12)]))
    r.append(Recipe(_w("S8.4.3", "8.4.3", "client", "diff"), [
        _anova("clientdiff_bond", "po_changed", "bond", "po_change", YES_NO, show=("no", "yes"), flags=C12)]))
    r.append(Recipe(_w("S8.6.1a", "8.6.1", "client", 1), [
        CorrTest("client1_trust", "addiction_w1", "trust", "addiction", stats=("rs", "df", "p"), flags=C1)]))
    r.append(Recipe(_w("S8.6.1b", "8.6.1", "client", 1), [
        CorrTest("client1_reactance", "addiction_w1", "reactance", "addiction", stats=("rs", "df", "p"),
                 flags=C1)]))
    r.append(Recipe(_w("S8.6.2a", "8.6.2", "client", 2), [
        CorrTest("client2_goals_restriction", "lvb_w1", "goals_restriction", "lvb", stats=("rs", "df", "p"),
                 flags=C2)]))
    r.append(Recipe(_w("S8.6.2b", "8.6.2", "client", 2), [
        CorrTest("client2_reactance", "addiction_w2", "reactance", "addiction", stats=("rs", "df", "p"),
                 flags=C2)]))
    r.append(Recipe(_w("S8.7.1", "8.7.1", "client", 1), [
        CorrTest("client1_trust", "po_experience_years_w1", "trust", "po_experience_years", method="pearson",
                 stats=("r", "df", "p"), flags=C1)]))
    r.append(Recipe(_w("S8.7.2a", "8.7.2", "client", 2), [
        _anova("client2_trust", "po_gender_w2", "trust", "po_gender", GENDER, show=("female", "male"),
               flags=C12)]))
    r.append(Recipe(_w("S8.7.2b", "8.7.2", "client", 2), [
        GroupTest(dv="client2_trust", by="po_age_over30_w2", variable="trust", group="po_age", levels=OVER30,
                  show=("over_30", "under_30"), analysis="ttest", stats=("t", "df", "p", "d"), flags=C12,
                  order=("over_30", "under_30"), welch=True)]))
    r.append(Recipe(_w("S8.7.2c", "8.7.2", "client", 2), [
        _anova("client2_reactance", "po_age_over30_w2", "reactance", "po_age", OVER30,
               show=("under_30", "over_30"), flags=C12)]))
    return r


def experience_recipes() -> list[Recipe]:
    """Tables 8.4 (wave 1) and 8.5 (wave 2): Spearman rS of the scales with the experiences."""
    out = []
    for ref, section, wave, flags in (("T8.4", "8.5.1", 1, C1), ("T8.5", "8.5.2", 2, C12)):
        tests = [CorrTest(f"client{wave}_{s}", f"{e}_w1", s, e, flags=flags) for s in SCALES for e in EXPERIENCES]
        out.append(Recipe(_w(ref, section, "client", wave), tests))
    return out


def client_motivation_recipes() -> list[Recipe]:
    """Tables 8.6-8.8: Pearson r of the scales with the four SMS scores (wave 1, 2, change)."""
    out = []
    for ref, section, wave, sc, sm, flags in (
            ("T8.6", "8.8.1", "1", "client1", "_w1", C1), ("T8.7", "8.8.2", "2", "client2", "_w2", C2),
            ("T8.8", "8.8.3", "diff", "clientdiff", "_diff", C12)):
        tests = [CorrTest(f"{sc}_{s}", f"{m}{sm}", s, m, method="pearson", stats=("r", "n", "p"), flags=flags)
                 for s in SCALES for m in SMS]
        out.append(Recipe(_w(ref, section, "client", wave), tests))
    return out


# ------------------------------------------------------------------------------------------
# chapter 9: officers
# ------------------------------------------------------------------------------------------

def officer_background_recipes() -> list[Recipe]:
    """The significant results of chapter 9.3, 9.5 and 9.6 (running text)."""
    r = []
    for ref, dv, var, by, grp in (
            ("S9.3.1a", "po1_trust", "trust", "po_age_w1", "po_age"),
            ("S9.3.1b", "po1_cr23_says_cooperates", "cr23_says_cooperates", "po_age_w1", "po_age"),
            ("S9.3.1c", "po1_cr25_extra_strict", "cr25_extra_strict", "po_age_w1", "po_age"),
            ("S9.3.1d", "po1_cr23_says_cooperates", "cr23_says_cooperates", "po_experience_years_w1",
             "po_experience_years"),
            ("S9.3.1e", "po1_cr25_extra_strict", "cr25_extra_strict", "po_experience_years_w1",
             "po_experience_years")):
        r.append(Recipe(_w(ref, "9.3.1", "po", 1), [CorrTest(dv, by, var, grp, stats=("rs", "df", "p"), flags=P1)]))
    r.append(Recipe(_w("S9.3.2", "9.3.2", "po", 2), [
        CorrTest("po2_cr24_energy", "po_experience_years_w2", "cr24_energy", "po_experience_years",
                 stats=("rs", "df", "p"), flags=P2)]))
    r.append(Recipe(_w("S9.5.1a", "9.5.1", "po", 1), [
        GroupTest(dv="po1_cr24_energy", by="young_adult", variable="cr24_energy", group="client_age_group",
                  levels={1: "young_adult", 0: "23plus"}, analysis="ttest", stats=("t", "df", "p", "d"),
                  flags=P1, order=("young_adult", "23plus"))]))
    r.append(Recipe(_w("S9.5.1b", "9.5.1", "po", 1), [
        _anova("po1_bond", "client_gender", "bond", "client_gender", GENDER, show=("female", "male"), flags=P1)]))
    r.append(Recipe(_w("S9.5.2a", "9.5.2", "po", 2), [
        _anova("po2_cr25_extra_strict", "young_adult", "cr25_extra_strict", "client_age_group",
               {1: "young_adult", 0: "23plus"}, show=("young_adult", "23plus"), flags=P2)]))
    for ref, dv, var in (("S9.5.2b", "po2_trust", "trust"), ("S9.5.2c", "po2_bond", "bond"),
                         ("S9.5.2d", "po2_total", "total")):
        r.append(Recipe(_w(ref, "9.5.2", "po", 2), [
            _anova(dv, "client_gender", var, "client_gender", GENDER, show=("female", "male"), flags=P2)]))
    for ref, dv, var, show, wave in (
            ("S9.6.1a", "po1_goals_restriction", "goals_restriction", ("low_medium", "high_medium"), 1),
            ("S9.6.1b", "po1_reactance", "reactance", ("low", "low_medium", "high_medium", "high"), 1),
            ("S9.6.1c", "po1_total", "total", ("low", "high_medium", "high"), 1),
            ("S9.6.1d", "po1_cr23_says_cooperates", "cr23_says_cooperates", ("low", "low_medium", "high_medium"), 1),
            ("S9.6.1e", "po1_cr25_extra_strict", "cr25_extra_strict", ("high", "low"), 1),
            ("S9.6.2a", "po2_goals_restriction", "goals_restriction", ("low_medium", "high_medium"), 2),
            ("S9.6.2b", "po2_reactance", "reactance", ("low", "low_medium", "high"), 2)):
        sec = "9.6.1" if wave == 1 else "9.6.2"
        r.append(Recipe(_w(ref, sec, "po", wave), [
            _anova(dv, "risc_category", var, "risc_category", RISC, show=show, prefix="risc",
                   flags=P1 if wave == 1 else P2)]))
    r.append(Recipe(_w("S9.6.3", "9.6.3", "po", 1), [
        _anova("po1_reactance", "risc_category", "reactance", "risc_category", RISC, stats=("eta2",), flags=P1)]))
    return r


def officer_appraisal_recipes() -> list[Recipe]:
    """Tables 9.4-9.7: Spearman rS of the officer's scores with difficulty, competence (both
    waves), addiction (both waves), LVB and conscience (rated at wave 1)."""
    out = []
    for ref, section, wave, ys in (
            ("T9.4", "9.4.1", 1, (("client_difficult_w1", "client_difficult"), ("po_competent_w1", "po_competent"))),
            ("T9.5", "9.4.2", 2, (("client_difficult_w2", "client_difficult"), ("po_competent_w2", "po_competent"))),
            ("T9.6", "9.7.1", 1, (("addiction_w1", "addiction"), ("lvb_w1", "lvb"),
                                  ("conscience_normal_w1", "conscience_normal"))),
            ("T9.7", "9.7.2", 2, (("addiction_w2", "addiction"), ("conscience_normal_w1", "conscience_normal")))):
        flags = P1 if wave == 1 else P2
        tests = [CorrTest(f"po{wave}_{v}", col, v, name, flags=flags) for v in PO_VARIABLES for col, name in ys]
        out.append(Recipe(_w(ref, section, "po", wave), tests))
    return out


def officer_motivation_recipes() -> list[Recipe]:
    """Table 9.8 (change) and the significant results of 9.8.1-9.8.2 (officer scores with the
    client's SMS)."""
    out = [Recipe(_w("T9.8", "9.8.3", "po", "diff"), [
        CorrTest(f"podiff_{v}", "sms_amotivation_diff", v, "sms_amotivation", method="pearson",
                 stats=("r", "n", "p"), flags=P12 + C12) for v in PO_VARIABLES])]
    letters = iter("abcdefgh")
    for var, m in (("goals_restriction", "sms_amotivation"), ("bond", "sms_amotivation"),
                   ("reactance", "sms_amotivation"), ("cr23_says_cooperates", "sms_amotivation"),
                   ("total", "sms_amotivation"), ("goals_restriction", "sms_identified"),
                   ("bond", "sms_identified"), ("cr23_says_cooperates", "sms_identified")):
        out.append(Recipe(_w(f"S9.8.1{next(letters)}", "9.8.1", "po", 1), [
            CorrTest(f"po1_{var}", f"{m}_w1", var, m, method="pearson", stats=("r", "df", "p"), flags=P1 + C1)]))
    for ref, var in (("S9.8.2a", "bond"), ("S9.8.2b", "reactance")):
        out.append(Recipe(_w(ref, "9.8.2", "po", 2), [
            CorrTest(f"po2_{var}", "sms_amotivation_w2", var, "sms_amotivation", method="pearson",
                     stats=("r", "df", "p"), flags=P2 + C2)]))
    return out


# ------------------------------------------------------------------------------------------
# public entry points
# ------------------------------------------------------------------------------------------

def client_background_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Chapter 8.3-8.7 running-text results (ledger rows)."""
    return run(client_background_recipes(), data)


def experience_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Tables 8.4 and 8.5 (ledger rows)."""
    return run(experience_recipes(), data)


def client_motivation_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Tables 8.6-8.8 (ledger rows)."""
    return run(client_motivation_recipes(), data)


def officer_background_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Chapter 9.3, 9.5 and 9.6 running-text results (ledger rows)."""
    return run(officer_background_recipes(), data)


def officer_appraisal_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Tables 9.4-9.7 (ledger rows)."""
    return run(officer_appraisal_recipes(), data)


def officer_motivation_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Table 9.8 and 9.8.1-9.8.2 running text (ledger rows)."""
    return run(officer_motivation_recipes(), data)


def chapter8_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Every chapter-8 result outside Tables 8.1-8.3: 8.3-8.8 and the outcomes of 8.9."""
    from wagk import outcomes
    parts = [client_background_rows(data), experience_rows(data), client_motivation_rows(data),
             outcomes.client_outcome_rows(data)]
    return pd.concat(parts, ignore_index=True)


def chapter9_rows(data: pd.DataFrame) -> pd.DataFrame:
    """Every chapter-9 result outside Tables 9.1-9.3: 9.3-9.8 and the outcomes of 9.9."""
    from wagk import outcomes
    parts = [officer_background_rows(data), officer_appraisal_rows(data), officer_motivation_rows(data),
             outcomes.officer_outcome_rows(data)]
    return pd.concat(parts, ignore_index=True)
