"""The audit of the thesis's printed statistics (wagk.audit).

Reference: p-values from scipy.stats computed here by hand; the statcheck rules of Nuijten et al.
(2016) for 'rounding' (recompute at both ends of the printed statistic's rounding interval); GRIM
(Brown & Heathers 2017) for the granularity of scale scores. Each check gets a constructed
consistent, rounding and inconsistent case.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wagk import audit, published

COLS = ["ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic", "value", "printed", "remark"]


def rows(*specs) -> pd.DataFrame:
    """Published-style rows from (ref, perspective, wave, analysis, variable, group, statistic, value, printed)."""
    out = []
    for ref, persp, wave, analysis, variable, group, stat, value, printed in specs:
        out.append(dict(ref=ref, section="9.9", perspective=persp, wave=str(wave), analysis=analysis,
                        variable=variable, group=group, statistic=stat,
                        value=np.nan if value is None else float(value), printed=printed, remark=""))
    return pd.DataFrame(out, columns=COLS)


def anova_text(ref, F, df1, df2, p_printed, p_value=None, eta2=None, variable="trust", group="paid_work"):
    out = [(ref, "client", 1, "anova", variable, group, "F", F, f"{F:.2f}"),
           (ref, "client", 1, "anova", variable, group, "df1", df1, str(df1)),
           (ref, "client", 1, "anova", variable, group, "df2", df2, str(df2)),
           (ref, "client", 1, "anova", variable, group, "p", p_value, p_printed)]
    if eta2 is not None:
        out.append((ref, "client", 1, "anova", variable, group, "eta2", float(eta2), eta2))
    return out


def one(frame: pd.DataFrame, **where) -> pd.Series:
    hit = frame
    for k, v in where.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, f"{len(hit)} rows for {where}:\n{frame.to_string()}"
    return hit.iloc[0]


# ------------------------------------------------------------------------------------------
# building blocks
# ------------------------------------------------------------------------------------------

def test_p_value_matches_scipy():
    assert audit.p_value("F", 4.67, 1, 292) == pytest.approx(stats.f.sf(4.67, 1, 292))
    assert audit.p_value("t", -2.45, 84.01) == pytest.approx(2 * stats.t.sf(2.45, 84.01))
    assert audit.p_value("chi2", 9.03, 1) == pytest.approx(stats.chi2.sf(9.03, 1))
    r, df = 0.21, 265
    t = r * math.sqrt(df / (1 - r * r))
    assert audit.p_value("r", r, df) == pytest.approx(2 * stats.t.sf(t, df))
    assert audit.p_value("r", 1.0, 100) == 0.0
    assert audit.p_value("z", 1.96) == pytest.approx(0.05, abs=1e-4)


def test_parse_printed_numbers_and_p():
    assert audit.decimals_of(".17**", 0.17) == 2
    assert audit.decimals_of("20,76", 20.76) == 2
    assert audit.decimals_of("6.23 (0.74)**", 0.74) == 2
    assert audit.decimals_of("88", 0.88) == 2  # typo: falls back to the value's decimals
    c = audit.parse_p(".03", 0.03)
    assert (c.kind, c.value, c.decimals) == ("eq", 0.03, 2)
    c = audit.parse_p("< 0,01")
    assert (c.kind, c.lo, c.hi) == ("range", 0.0, 0.01)
    assert audit.parse_p("n.s.").lo == 0.05


def test_star_levels_depend_on_the_table():
    assert audit.star_claim(0.01, top=3, plus=False, text="**").lo == 0.001
    assert audit.star_claim(0.01, top=2, plus=False, text="**").lo == 0.0
    assert audit.star_claim(0.05, top=2, plus=False, text="*").lo == 0.01
    assert audit.star_claim(None, top=2, plus=True, text="").lo == 0.10


def test_anova_from_summary_matches_pooled_t():
    # two groups: F equals the square of the pooled-variance t (scipy.stats.ttest_ind_from_stats)
    m, s, n = [6.61, 6.23], [0.60, 0.74], [127, 41]
    a = audit.anova_from_summary(m, s, n)
    t, p = stats.ttest_ind_from_stats(m[0], s[0], n[0], m[1], s[1], n[1], equal_var=True)
    assert a["F"] == pytest.approx(t ** 2)
    assert a["p"] == pytest.approx(p)
    assert a["F_lo"] < a["F"] < a["F_hi"]
    # three groups: scipy's f_oneway on data with exactly these summaries
    rng = np.random.default_rng(1)
    groups = []
    for mean, sd, size in ((4.0, 1.0, 30), (4.5, 1.2, 25), (3.8, 0.9, 40)):
        x = rng.normal(size=size)
        groups.append((x - x.mean()) / x.std(ddof=1) * sd + mean)
    b = audit.anova_from_summary([g.mean() for g in groups], [g.std(ddof=1) for g in groups],
                                 [len(g) for g in groups], 6, 6)
    assert b["F"] == pytest.approx(stats.f_oneway(*groups).statistic)


def test_grim_grid():
    assert audit.mean_possible(20 / 7, 7)
    assert audit.grid_distance(2.86, audit.grid_for("single", 7)) < 0.005
    assert audit.grid_distance(2.93, audit.grid_for("single", 7)) > 0.05
    # a median of an even n may be the midpoint of two scores
    assert audit.grid_distance(6.07, audit.grid_for("mid", 7)) <= 0.005
    assert audit.grid_coverage(audit.grid_for("single", 5)) < 0.6


# ------------------------------------------------------------------------------------------
# the checks, each with a consistent, a rounding and an inconsistent case
# ------------------------------------------------------------------------------------------

def test_p_value_check():
    frame = rows(
        *anova_text("S9.1a", 4.67, 1, 292, ".03", 0.03),                       # p = .0315 -> .03
        ("S9.1b", "client", 1, "correlation", "trust", "grade", "r", 0.14, ".14"),  # p = .022 [.018, .027]
        ("S9.1b", "client", 1, "correlation", "trust", "grade", "df", 266, "266"),
        ("S9.1b", "client", 1, "correlation", "trust", "grade", "p", 0.03, ".03"),
        *anova_text("S9.1c", 4.51, 3, 224, ".04", 0.04, group="risc"),        # p = .004
        ("S9.1d", "client", 1, "ttest", "trust", "po_age", "t", 1.50, "1.50"),  # p = .137: decision error
        ("S9.1d", "client", 1, "ttest", "trust", "po_age", "df", 100, "100"),
        ("S9.1d", "client", 1, "ttest", "trust", "po_age", "p", 0.03, ".03"),
        ("S9.1e", "client", 1, "chi2", "trust", "dropout", "chi2", 9.03, "9.03"),  # p = .003 < .01
        ("S9.1e", "client", 1, "chi2", "trust", "dropout", "df", 1, "1"),
        ("S9.1e", "client", 1, "chi2", "trust", "dropout", "p", None, "<.01"),
    )
    a = audit.run(frame)
    a = a[a["check"] == "p_value"]
    assert one(a, ref="S9.1a")["verdict"] == "consistent"
    assert one(a, ref="S9.1b")["verdict"] == "rounding"
    bad = one(a, ref="S9.1c")
    assert bad["verdict"] == "inconsistent" and not bad["decision_error"]
    assert bad["printed"] == "F(3, 224) = 4.51, p = .04"
    assert bad["recomputed_value"] == pytest.approx(stats.f.sf(4.51, 3, 224))
    flip = one(a, ref="S9.1d")
    assert flip["verdict"] == "inconsistent" and flip["decision_error"]
    assert one(a, ref="S9.1e")["verdict"] == "consistent"


def test_stars_on_a_statistic():
    def corr(var, r, n, stars, p):
        out = [("T9.8", "po", 1, "correlation", var, "sms", "r", r, f"{r:.2f}".replace("0.", ".") + stars),
               ("T9.8", "po", 1, "correlation", var, "sms", "n", n, str(n))]
        if p:
            out.append(("T9.8", "po", 1, "correlation", var, "sms", "p", None, p))
        return out

    frame = rows(
        *corr("trust", 0.30, 100, "**", "<.01"),     # p = .002: consistent
        *corr("bond", 0.18, 204, "*", "<.05"),       # p = .0099 [.008, .012]: rounding
        *corr("reactance", 0.21, 267, "**", "<.01"),  # p = .0006 but the table uses ***: inconsistent
        *corr("total", 0.45, 267, "***", "<.001"),
        *corr("goals_restriction", -0.38, 302, "", None),  # no stars: claims n.s.
    )
    a = audit.run(frame)
    a = a[a["check"] == "stars"]
    assert one(a, variable="trust")["verdict"] == "consistent"
    assert one(a, variable="bond")["verdict"] == "rounding"
    r = one(a, variable="reactance")
    assert r["verdict"] == "inconsistent" and not r["decision_error"]
    ns = one(a, variable="goals_restriction")
    assert ns["verdict"] == "inconsistent" and ns["decision_error"]
    assert "without stars" in ns["printed"]


def test_stars_on_group_cells_against_summaries_and_text():
    def table(var, m0, s0, m1, s1, mark):
        out = [("T9.9", "po", 1, "descriptives", var, "no_show=0", "M", m0, f"{m0:.2f} ({s0:.2f})"),
               ("T9.9", "po", 1, "descriptives", var, "no_show=0", "SD", s0, f"{m0:.2f} ({s0:.2f})"),
               ("T9.9", "po", 1, "descriptives", var, "no_show=1", "M", m1, f"{m1:.2f} ({s1:.2f}){mark}"),
               ("T9.9", "po", 1, "descriptives", var, "no_show=1", "SD", s1, f"{m1:.2f} ({s1:.2f}){mark}")]
        if mark:
            out.append(("T9.9", "po", 1, "anova", var, "outcome=no_show", "p", None, {"*": "<.05", "**": "<.01"}[mark]))
        return out

    frame = rows(
        ("T9.9", "po", 1, "frequency", "no_show", "no_show=0", "n", 127, "(n = 127)"),
        ("T9.9", "po", 1, "frequency", "no_show", "no_show=1", "n", 41, "(n = 41)"),
        *table("trust", 6.61, 0.60, 6.23, 0.74, "**"),        # p = .001: consistent with ** (the table has no ***)
        *table("bond", 6.20, 0.58, 5.89, 0.75, "*"),          # p = .006: * is inconsistent
        *table("reactance", 2.00, 1.00, 2.36, 1.00, "*"),     # p = .047 [.040, .054]: consistent
        *table("total", 5.00, 0.70, 5.24, 0.70, "*"),         # p = .058 [.047, .071]: rounding
        *table("goals_restriction", 5.53, 0.77, 5.16, 0.75, ""),  # p = .008, no stars: inconsistent
        *anova_text("S9.9.1c", 7.87, 1, 166, ".01", 0.01, variable="bond", group="outcome=no_show"),
    )
    frame.loc[frame["ref"] == "S9.9.1c", "perspective"] = "po"
    a = audit.run(frame)
    s = a[(a["check"] == "stars") & (a["source"] == "table group summaries")]
    assert one(s, variable="trust")["verdict"] == "consistent"
    assert one(s, variable="reactance")["verdict"] == "consistent"
    assert one(s, variable="total")["verdict"] == "rounding"
    assert one(s, variable="bond")["verdict"] == "inconsistent"
    gr = one(s, variable="goals_restriction")
    assert gr["verdict"] == "inconsistent" and gr["decision_error"]
    text = one(a[a["check"] == "stars"], source="text S9.9.1c")
    assert text["verdict"] == "inconsistent"  # F(1, 166) = 7.87 gives p = .006, the table prints *
    # the text's df against the table's group sizes: 166 = 127 + 41 - 2
    assert one(a[a["check"] == "df"], ref="S9.9.1c")["verdict"] == "consistent"


def test_eta2_check():
    frame = rows(
        *anova_text("S8.1a", 4.67, 1, 292, ".03", 0.03, eta2=".02"),            # .0157 -> .02
        *anova_text("S8.1b", 11.84, 1, 171, "<.01", eta2=".07", group="x"),    # .0648 -> .065 -> .07
        *anova_text("S8.1c", 4.51, 3, 224, ".04", 0.04, eta2=".02", group="y"),  # .057
    )
    a = audit.run(frame)
    a = a[a["check"] == "eta2"]
    assert one(a, ref="S8.1a")["verdict"] == "consistent"
    r = one(a, ref="S8.1b")
    assert r["verdict"] == "rounding" and "rounded twice" in r["remark"]
    assert one(a, ref="S8.1c")["verdict"] == "inconsistent"


def test_effect_size_check():
    def chi(ref, x, n, name, es):
        return [(ref, "sample", 1, "chi2", "po_gender", "pop", "chi2", x, f"{x:.2f}"),
                (ref, "sample", 1, "chi2", "po_gender", "pop", "df", 1, "1"),
                (ref, "sample", 1, "chi2", "po_gender", "pop", "n", n, str(n)),
                (ref, "sample", 1, "chi2", "po_gender", "pop", name, float(es), es)]

    def paired(ref, t, df, d):
        return [(ref, "dyad", 1, "paired_ttest", "trust", "client_vs_po", "t", t, f"{t:.2f}"),
                (ref, "dyad", 1, "paired_ttest", "trust", "client_vs_po", "df", df, str(df)),
                (ref, "dyad", 1, "paired_ttest", "trust", "client_vs_po", "d", float(d), d)]

    frame = rows(*chi("S6.1a", 1.21, 986, "V", ".04"), *chi("S6.1b", 7.81, 169, "phi", ".22"),
                 *chi("S6.1c", 9.26, 978, "V", ".20"), *paired("S10.1a", 4.74, 258, "0.29"),
                 *paired("S10.1b", 21.36, 261, "1.31"))
    a = audit.run(frame)
    a = a[a["check"] == "effect_size"]
    assert one(a, ref="S6.1a")["verdict"] == "consistent"
    assert one(a, ref="S6.1b")["verdict"] == "rounding"   # .2150 -> .215 -> .22
    assert one(a, ref="S6.1c")["verdict"] == "inconsistent"
    assert one(a, ref="S10.1a")["verdict"] == "consistent"
    assert one(a, ref="S10.1b")["verdict"] == "inconsistent"  # 21.36 / sqrt(262) = 1.32


def test_df_check():
    frame = rows(
        ("T8.9", "client", 1, "frequency", "no_show", "no_show=0", "n", 127, "127"),
        ("T8.9", "client", 1, "frequency", "no_show", "no_show=1", "n", 41, "41"),
        ("T8.9", "client", 1, "anova", "trust", "outcome=no_show", "p", None, "<.01"),
        ("T8.9", "client", 1, "anova", "bond", "outcome=no_show", "p", None, "<.01"),
        ("T8.9", "client", 1, "anova", "total", "outcome=no_show", "p", None, "<.01"),
        *anova_text("S8.9a", 11.47, 1, 166, "<.01", variable="trust", group="outcome=no_show"),  # 168 cases
        *anova_text("S8.9b", 11.84, 1, 160, "<.01", variable="bond", group="outcome=no_show"),   # fewer: missing
        *anova_text("S8.9c", 8.04, 1, 171, "<.01", variable="total", group="outcome=no_show"),   # more: impossible
        # paired: 262 pairs cannot come from 260 client scores
        ("T10.2", "client", 1, "descriptives", "trust", "", "n", 260, "260"),
        ("T10.2", "po", 1, "descriptives", "trust", "", "n", 264, "264"),
        ("S10.2a", "dyad", 1, "paired_ttest", "trust", "client_vs_po", "t", 21.36, "21.36"),
        ("S10.2a", "dyad", 1, "paired_ttest", "trust", "client_vs_po", "df", 261, "261"),
    )
    a = audit.run(frame)
    a = a[a["check"] == "df"]
    assert one(a, ref="S8.9a")["verdict"] == "consistent"
    fewer = one(a, ref="S8.9b")
    assert fewer["verdict"] == "consistent" and "missing" in fewer["remark"]
    more = one(a, ref="S8.9c")
    assert more["verdict"] == "inconsistent" and "N = 173" in more["remark"]
    assert one(a, ref="S10.2a")["verdict"] == "inconsistent"


def test_grim_check():
    def desc(var, stat, value, printed, n=273):
        return [("T9.1", "po", 1, "descriptives", var, "", "n", n, str(n)),
                ("T9.1", "po", 1, "descriptives", var, "", stat, value, printed)]

    frame = rows(*desc("goals_restriction", "Min", 2.86, "2.86"),   # 20/7
                 *desc("trust", "Min", 2.87, "2.87"),                # 5 items: nearest 2.80 / 3.00 ... see below
                 *desc("bond", "Min", 2.93, "2.93"))
    a = audit.run(frame)
    a = a[a["check"] == "grim"]
    assert one(a, variable="goals_restriction")["verdict"] == "consistent"
    # trust has 5 items: means of 3-5 answered items; 2.87 is off by .0367 from 2.8333 (17/6 impossible
    # with 5 items) -> nearest 2.8 / 3.0 / 2.75 / 3.0: inconsistent
    t = one(a, variable="trust")
    assert t["verdict"] == "inconsistent"
    # bond has 6 items: 2.93 is .0033 from 2.9333 = 44/15? no: j in 3..6; 2.9333 is not s/j; nearest 3.0 (j=3..6)
    # or 2.8333 (17/6) -> inconsistent; and a rounding slip: 2.84 vs 17/6 = 2.8333 is .0067 away
    frame2 = rows(*desc("bond", "Min", 2.84, "2.84"))
    b = one(audit.run(frame2), check="grim")
    assert b["verdict"] == "rounding"
    assert one(a, variable="bond")["verdict"] == "inconsistent"


# ------------------------------------------------------------------------------------------
# the audit of the thesis itself
# ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def thesis_audit():
    return audit.run()


def test_the_audit_does_not_read_the_remarks(thesis_audit):
    rows_ = published.load().assign(remark="")
    blind = audit.run(rows_)
    pd.testing.assert_frame_equal(blind, thesis_audit)


def test_the_audit_finds_known_contradictions(thesis_audit):
    """Contradictions the extraction's readers noted by hand are found again from the numbers."""
    a = thesis_audit
    bad = a[a["verdict"] == "inconsistent"]
    keys = set(zip(bad["ref"], bad["variable"], bad["check"]))
    # F(3, 224) = 4.51 printed with p = .04 and eta2 = .02
    assert ("S8.4.1c", "goals_restriction", "p_value") in keys
    assert ("S8.4.1c", "goals_restriction", "eta2") in keys
    # r = .21 (n = 267) marked ** in a table that uses ***
    assert ("T10.1", "bond", "stars") in keys
    # star levels of goals_restriction and bond swapped in Table 9.8; trust unmarked at p = .006
    assert {("T9.8", "bond", "stars"), ("T9.8", "goals_restriction", "stars"), ("T9.8", "trust", "stars")} <= keys
    # df = 261 implies 262 pairs, more than the 260 client scores
    assert ("S10.2.2a", "trust", "df") in keys
    # every p printed with a test statistic is judged
    with_p = a[a["check"] == "p_value"]
    assert len(with_p) > 150
    assert set(a["verdict"]) <= set(audit.VERDICTS)


def test_summary_counts_add_up(thesis_audit):
    s = audit.summary(thesis_audit)
    assert s.loc["total", "findings"] == len(thesis_audit)
    assert list(s.index[:-1]) == [c for c in audit.CHECKS if c in set(thesis_audit["check"])]
