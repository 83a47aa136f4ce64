"""The comparison logic: tolerances, significance categories, unmatched rows."""

import numpy as np
import pandas as pd
import pytest

from wagk import compare
from wagk.ledger import COLUMNS, Ledger

PUB = pd.DataFrame([
    # ref, section, persp, wave, analysis, variable, group, statistic, value, printed, remark
    ("T1", "", "client", "1", "descriptives", "trust", "", "M", 6.43, "6.43", ""),
    ("T1", "", "client", "1", "descriptives", "trust", "", "n", 302, "302", ""),
    ("T1", "", "client", "1", "descriptives", "trust", "", "Min", 1.25, "1.25", ""),
    ("T2", "", "client", "1", "cfa_fit", "model", "final", "CMIN", 200.0, "200.00***", ""),
    ("T2", "", "client", "1", "cfa_fit", "model", "final", "p", np.nan, "<.001", ""),
    ("T3", "", "client", "1", "correlation", "trust", "grade", "r", 0.30, ".30**", ""),
    ("T3", "", "client", "1", "correlation", "trust", "grade", "p", np.nan, "<.01", ""),
    ("T3", "", "client", "1", "correlation", "bond", "grade", "p", 0.20, ".20", ""),
    ("T4", "", "client", "1", "pca_loading", "item17", "goals", "loading", np.nan, "/", ""),
], columns=["ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic",
            "value", "printed", "remark"])


def ledger(**values):
    led = Ledger()
    keys = {
        "M": ("T1", "descriptives", "trust", "", "M"), "n": ("T1", "descriptives", "trust", "", "n"),
        "CMIN": ("T2", "cfa_fit", "model", "final", "CMIN"), "p_cfa": ("T2", "cfa_fit", "model", "final", "p"),
        "r": ("T3", "correlation", "trust", "grade", "r"), "p_r": ("T3", "correlation", "trust", "grade", "p"),
        "p_bond": ("T3", "correlation", "bond", "grade", "p"), "extra": ("T9", "descriptives", "trust", "", "SD"),
    }
    for name, v in values.items():
        ref, analysis, variable, group, stat = keys[name]
        led.add(ref=ref, perspective="client", wave=1, analysis=analysis, variable=variable,
                group=group, statistic=stat, value=v)
    return led.frame()


def verdicts(**values):
    rep = compare.compare(ledger(**values), published_rows=PUB)
    return {(r.ref, r.variable, r.statistic): r.verdict for r in rep.itertuples()}, rep


def test_abs_rel_and_exact_tolerances():
    v, rep = verdicts(M=6.48, n=301, CMIN=219.0, r=0.36)
    assert v[("T1", "trust", "M")] == "within"          # 0.05 is inside +-0.05
    assert v[("T1", "trust", "n")] == "outside"          # n must be exact
    assert v[("T2", "model", "CMIN")] == "within"        # 9.5% of 200
    assert v[("T3", "trust", "r")] == "outside"          # 0.06 > 0.05
    row = rep[(rep.statistic == "M")].iloc[0]
    assert row["diff"] == pytest.approx(0.05) and row["tolerance"] == "±0.05"
    v, _ = verdicts(CMIN=221.0)
    assert v[("T2", "model", "CMIN")] == "outside"


def test_significance_categories():
    v, _ = verdicts(p_cfa=0.0004, p_r=0.02, p_bond=0.31)
    assert v[("T2", "model", "p")] == "within"     # '<.001' and p=.0004: both ***
    assert v[("T3", "trust", "p")] == "outside"    # '<.01' is **, .02 is *
    assert v[("T3", "bond", "p")] == "within"      # .20 and .31: both n.s.


@pytest.mark.parametrize("printed, cat", [("<.001", "***"), ("<.01", "**"), ("< 0,01", "**"), ("<.05", "*"),
                                          ("<.10", "n.s."), ("n.s.", "n.s."), ("p < .05", "*"), ("6.2", "")])
def test_printed_category(printed, cat):
    assert compare.printed_category(printed) == cat


def test_unmatched_rows_and_share():
    v, rep = verdicts(M=6.43, extra=1.0)
    assert v[("T1", "trust", "n")] == "not_computed"
    assert v[("T9", "trust", "SD")] == "not_published"
    assert v[("T4", "item17", "loading")] == "not_comparable"
    sh = compare.shares(rep, by="ref")
    # counted: 8 published numbers with a value or category; 1 within
    assert sh.loc["overall", "published"] == 8
    assert sh.loc["overall", "within"] == 1
    assert sh.loc["T1", "share_within"] == pytest.approx(1 / 3)


def test_duplicate_computed_keys_are_an_error():
    frame = pd.concat([ledger(M=6.4), ledger(M=6.5)])
    with pytest.raises(ValueError, match="share a key"):
        compare.compare(frame, published_rows=PUB)


def test_overrides_apply_per_variable():
    assert compare.rule_for("M", variable="client_age").amount == 1.0
    assert compare.rule_for("M", variable="trust").amount == 0.05


def test_ledger_columns():
    assert list(ledger(M=1.0).columns) == COLUMNS


def test_category_ceiling_for_two_star_legends():
    """A table whose legend stops at ** ('*p<.05, **p<.01') prints ** for p < .001 too."""
    tol = dict(compare.load_tolerances())
    v, _ = verdicts(p_r=0.0001)
    assert v[("T3", "trust", "p")] == "outside"  # no ceiling: *** is not **
    capped = dict(tol, category_ceiling={"T3": "**"})
    report = compare.compare(ledger(p_r=0.0001), PUB, capped)
    row = report[(report.ref == "T3") & (report.statistic == "p") & (report.variable == "trust")]
    assert row.verdict.item() == "within"
    report = compare.compare(ledger(p_r=0.03), PUB, capped)  # a lower category stays lower
    row = report[(report.ref == "T3") & (report.statistic == "p") & (report.variable == "trust")]
    assert row.verdict.item() == "outside"


@pytest.mark.parametrize("value, printed, cats", [
    (0.01, ".01", {"**", "*"}),          # .005 <= p < .015
    (0.04, ".04", {"*"}),
    (0.05, ".05", {"*", "n.s."}),        # .045 <= p < .055
    (0.001, ".001", {"***", "**"}),      # .0005 <= p < .0015
    (0.03, "0,03", {"*"}),
    (0.01, "", {"*"}),                   # no printed text: the value's own category
])
def test_rounded_p_covers_every_p_that_rounds_to_it(value, printed, cats):
    assert compare.rounded_categories(value, printed) == cats


def test_rounded_p_in_a_report():
    """A printed p = .01 (a p of .005 to .015: ** or *) agrees with .007 and .03, not with .0004 or .2."""
    pub = PUB.copy()
    pub.loc[(pub.variable == "bond") & (pub.statistic == "p"), ["value", "printed"]] = [0.01, ".01"]
    for p, verdict in ((0.007, "within"), (0.03, "within"), (0.0004, "outside"), (0.2, "outside")):
        rep = compare.compare(ledger(p_bond=p), pub)
        row = rep[(rep.variable == "bond") & (rep.statistic == "p")]
        assert row.verdict.item() == verdict, p


def _logit_rows(ref, wave, outcome, predictors, n=150):
    rows = [(ref, "", "dyad", wave, "logistic", "model", f"outcome={outcome}", "n", n)]
    rows += [(ref, "", "dyad", wave, "logistic", p, f"outcome={outcome}", "ExpB", 1.5) for p in predictors]
    return rows


def test_selected_predictors_as_sets():
    cols = ["ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic", "value"]
    pub = pd.DataFrame(_logit_rows("T10.7", "1", "no_show", ["client1_trust", "po1_reactance"])
                       + _logit_rows("T10.7", "1", "dropout", ["client1_trust"])
                       + _logit_rows("T10.8", "2", "dropout", ["po2_reactance"]), columns=cols)
    pub["printed"], pub["remark"] = "", ""
    comp = pd.DataFrame(_logit_rows("T10.7", "1", "no_show", ["po1_reactance", "client1_trust"])
                        + _logit_rows("T10.7", "1", "dropout", ["client1_bond", "po1_trust"])
                        + _logit_rows("T10.9", "1+2", "early_help", []), columns=cols)
    sel = compare.selected_predictors(comp, published_rows=pub).set_index(["ref", "outcome"])
    assert sel.loc[("T10.7", "no_show"), "same"] and sel.loc[("T10.7", "no_show"), "both"] == 2
    d = sel.loc[("T10.7", "dropout")]
    assert (d["thesis"], d["computed"]) == ("client1_trust", "client1_bond+po1_trust")
    assert (d["both"], d["thesis_only"], d["computed_only"], d["same"]) == (0, 1, 2, False)
    assert pd.isna(sel.loc[("T10.8", "dropout"), "computed"])  # model not run
    e = sel.loc[("T10.9", "early_help")]  # run, nothing selected; not in the thesis
    assert e["computed"] == "" and pd.isna(e["thesis"]) and not e["same"]
    assert list(sel.index.get_level_values("ref")) == ["T10.7", "T10.7", "T10.8", "T10.9"]


def test_selected_predictors_of_the_thesis_tables():
    """The published selections read from data/published (Tables 10.7-10.9 list 12 models)."""
    empty = pd.DataFrame(columns=["ref", "section", "perspective", "wave", "analysis", "variable", "group",
                                  "statistic", "value"])
    sel = compare.selected_predictors(empty).set_index(["ref", "outcome"])
    assert len(sel) == 12
    assert sel.loc[("T10.7", "formal_action"), "thesis"] == "client1_goals_restriction+po1_goals_restriction+po1_reactance"
    assert sel.loc[("T10.9", "dropout"), "thesis"] == "po2_reactance"
