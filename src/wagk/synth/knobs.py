"""The calibrated links of the background generator and the published number each one drives.

Categorical variables (gender, justice trajectory, RISc, living and work situation, the
outcomes) are not calibrated here: the generator fits their group statistics directly
(:mod:`wagk.synth.moments`). A knob is one requested latent correlation ``params["links"][variable][predictor]`` (officer
variables: ``params["officer_links"]``). Each is moved by the calibration
(:mod:`wagk.synth.calibrate_bg`) until one published statistic, its *driver*, comes out right:

=====================================  ==================================================
driver                                 metric
=====================================  ==================================================
("M", ref, variable, g_hi, g_lo)       M(g_hi) - M(g_lo): the group at the high end of the
                                       latent variable minus the low one
("r", ref, variable, group, stat)      the correlation (stat r or rs)
("F", ref, variable, group, sign)      sign * sqrt(F), signed by the current link
("t", ref, variable, group, sign)      sign * t
("phi", ref, variable, group, stat)    phi (signed for 2 x 2 tables) or V (signed by the
                                       current link)
("chi", ref, variable, group, sign)    sign * sqrt(chi2)
=====================================  ==================================================

Every metric rises with its knob (the sign fields make it so); ``slope`` is a first guess of
d metric / d knob that the calibration refines from the knob's own moves. This module reads the
published numbers only through the calibration (it lists keys, not values).
"""

from __future__ import annotations

from dataclasses import dataclass

SC4 = ("trust", "goals_restriction", "bond", "reactance")
SHORT = {"trust": "trust", "goals_restriction": "goals", "bond": "bond", "reactance": "reactance", "total": "total",
         "cr23_says_cooperates": "cr23", "cr24_energy": "cr24", "cr25_extra_strict": "cr25"}
PO7 = SC4 + ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
SMS = {"intrinsic": "sms_intrinsic", "identified": "sms_identified", "external": "sms_external",
       "amotivation": "sms_amotivation"}
OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")


@dataclass(frozen=True)
class KnobSpec:
    variable: str
    predictor: str
    driver: tuple
    slope: float
    officer: bool = False


def _p(ctx: str, score: str) -> str:
    return f"{ctx}_{SHORT[score]}"


def specs() -> list[KnobSpec]:
    k: list[KnobSpec] = []
    add = lambda v, p, d, s, officer=False: k.append(KnobSpec(v, p, d, s, officer))  # noqa: E731
    # ---- client age (higher latent = older)
    add("client_age_group", "c2_trust", ("r", "S8.3.2a", "trust", "client_age", "rs"), 0.8)
    add("client_age_group", "c2_bond", ("r", "S8.3.2b", "bond", "client_age", "rs"), 0.8)
    add("client_age_group", "c2_reactance", ("F", "S8.3.2c", "reactance", "young_adult", -1), 6.0)
    add("client_age_group", "cd_bond", ("F", "S8.3.3", "bond", "client_age_group", 1), 6.0)
    add("client_age_group", "p1_cr24", ("t", "S9.5.1a", "cr24_energy", "client_age_group", -1), 8.0)
    add("client_age_group", "p2_cr25", ("M", "S9.5.2a", "cr25_extra_strict", "client_age_group=23plus",
                                        "client_age_group=young_adult"), 2.5)
    # ---- experiences of the justice trajectory (Tables 8.4, 8.5)
    for e in ("exp_prior_supervision", "exp_court_case", "exp_advisor", "exp_previous_po"):
        for s in SC4:
            add(e, _p("c1", s), ("r", "T8.4", s, e, "rs"), 0.8)
            add(e, _p("c2", s), ("r", "T8.5", s, e, "rs"), 0.8)
    # ---- the officer's ratings (Tables 9.4-9.7, 8.6)
    for var, ref, grp, ctx in (("client_difficult_w1", "T9.4", "client_difficult", "p1"),
                               ("po_competent_w1", "T9.4", "po_competent", "p1"),
                               ("client_difficult_w2", "T9.5", "client_difficult", "p2"),
                               ("po_competent_w2", "T9.5", "po_competent", "p2"),
                               ("addiction_w1", "T9.6", "addiction", "p1"), ("lvb", "T9.6", "lvb", "p1"),
                               ("conscience_normal", "T9.6", "conscience_normal", "p1"),
                               ("addiction_w2", "T9.7", "addiction", "p2"),
                               ("conscience_normal", "T9.7", "conscience_normal", "p2")):
        for s in PO7:
            add(var, _p(ctx, s), ("r", ref, s, grp, "rs"), 0.8)
    add("addiction_w1", "c1_trust", ("r", "S8.6.1a", "trust", "addiction", "rs"), 0.8)
    add("addiction_w1", "c1_reactance", ("r", "S8.6.1b", "reactance", "addiction", "rs"), 0.8)
    add("lvb", "c2_goals", ("r", "S8.6.2a", "goals_restriction", "lvb", "rs"), 0.8)
    add("addiction_w2", "c2_reactance", ("r", "S8.6.2b", "reactance", "addiction", "rs"), 0.8)
    # ---- motivation (Tables 8.6-8.8, 9.8, 9.8.1-2)
    for dim, name in SMS.items():
        for s in SC4:
            add(f"sms1_{dim}", _p("c1", s), ("r", "T8.6", s, name, "r"), 0.75)
            add(f"sms2_{dim}", _p("c2", s), ("r", "T8.7", s, name, "r"), 0.75)
            add(f"sms2_{dim}", _p("c1", s), ("r", "T8.8", s, name, "r"), -0.6)
    for ref, var in (("S9.8.1a", "goals_restriction"), ("S9.8.1b", "bond"), ("S9.8.1c", "reactance"),
                     ("S9.8.1d", "cr23_says_cooperates")):
        add("sms1_amotivation", _p("p1", var), ("r", ref, var, "sms_amotivation", "r"), 0.75)
    for ref, var in (("S9.8.1f", "goals_restriction"), ("S9.8.1g", "bond"), ("S9.8.1h", "cr23_says_cooperates")):
        add("sms1_identified", _p("p1", var), ("r", ref, var, "sms_identified", "r"), 0.75)
    for ref, var in (("S9.8.2a", "bond"), ("S9.8.2b", "reactance")):
        add("sms2_amotivation", _p("p2", var), ("r", ref, var, "sms_amotivation", "r"), 0.75)
    for s in SC4:  # the change of the officer's scales (the items' changes follow)
        add("sms2_amotivation", _p("p1", s), ("r", "T9.8", s, "sms_amotivation", "r"), -0.5)
    # ---- officers (officer-level latent variables; drivers are client-level)
    add("po_age", "p1_trust", ("r", "S9.3.1a", "trust", "po_age", "rs"), 0.6, True)
    add("po_age", "p1_cr23", ("r", "S9.3.1b", "cr23_says_cooperates", "po_age", "rs"), 0.6, True)
    add("po_age", "p1_cr25", ("r", "S9.3.1c", "cr25_extra_strict", "po_age", "rs"), 0.6, True)
    add("po_age", "c2_trust", ("M", "S8.7.2b", "trust", "po_age=over_30", "po_age=under_30"), 1.0, True)
    add("po_age", "c2_reactance", ("M", "S8.7.2c", "reactance", "po_age=over_30", "po_age=under_30"), 1.2, True)
    add("po_experience_years", "c1_trust", ("r", "S8.7.1", "trust", "po_experience_years", "r"), 0.6, True)
    add("po_experience_years", "p1_cr23", ("r", "S9.3.1d", "cr23_says_cooperates", "po_experience_years", "rs"),
        0.6, True)
    add("po_experience_years", "p1_cr25", ("r", "S9.3.1e", "cr25_extra_strict", "po_experience_years", "rs"),
        0.6, True)
    add("po_experience_years", "p2_cr24", ("r", "S9.3.2", "cr24_energy", "po_experience_years", "rs"), 0.6, True)
    add("po_gender", "c2_trust", ("M", "S8.7.2a", "trust", "po_gender=female", "po_gender=male"), 1.0, True)
    return k


#: links that are set, not calibrated (no published number drives them)
FIXED = {
    "detention_count": {"bg:detention_history": 0.5},
    "detention_recency": {"bg:detention_history": 0.3},
    "po_change_t1": {"bg:po_change": 0.7},
    "living_situation_w2": {"bg:living_situation_w1": 0.85},
    "work_situation_w2": {"bg:work_situation_w1": 0.7},
    "community_service_w2": {"bg:community_service_w1": 0.6},
    "exp_detention_staff": {"c1_trust": 0.15, "c1_bond": 0.1},
    "addiction_w2": {"bg:addiction_w1": 0.6},
    "client_difficult_w2": {"bg:client_difficult_w1": 0.5},
    "po_competent_w2": {"bg:po_competent_w1": 0.5},
    "risc_category": {"bg:detention_history": 0.3, "bg:prior_supervision": 0.25},
    "prior_supervision": {"bg:detention_history": 0.35},
}
