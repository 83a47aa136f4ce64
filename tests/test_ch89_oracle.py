"""Chapters 8 and 9 against R (base stats): the MANOVA, ANOVA, t, chi-square and correlation
numbers the chapters print, and their effect sizes, computed a second time another way.

R's ``manova``/``summary.manova`` (Pillai, Wilks), ``aov`` (sums of squares, from which eta
squared is SS_between / SS_total rather than from F and df), ``t.test`` (Student and Welch; d
from the group means and the pooled SD), ``chisq.test`` (uncorrected; phi = sqrt(chi2 / n)) and
``cor.test`` (Spearman) run on the same cases as the chapter's rows. Skipped, with the reason,
where Rscript is not on PATH (CI installs R, see .ci/run).
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from ch89_data import write_background_study
from rtools import run_r
from wagk import background, outcomes, perspective, relations
from wagk.contract import load_study

pytestmark = pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript not on PATH (apt-get install r-base)")


@pytest.fixture(scope="module")
def r_results(tmp_path_factory):
    work = tmp_path_factory.mktemp("oracle")
    data = background.analysis_frame(load_study(write_background_study(work / "data", seed=5)))
    cols = ["in_client_w1", "in_client_w2", "client1_trust", "client1_goals_restriction", "client1_bond",
            "client1_reactance", "client2_trust", "risc_category", "po_age_over30_w2", "client_age_group",
            "no_show", "dropout", "addiction_w1"]
    data[cols].astype(float).to_csv(work / "frame.csv", index=False, na_rep="NA")
    run_r("""
d <- read.csv("frame.csv")
out <- data.frame(key = character(), value = numeric())
add <- function(k, v) out[nrow(out) + 1, ] <<- list(k, v)
c1 <- d[d$in_client_w1 == 1, ]
# MANOVA over the four scales by RISc category, listwise
m <- c1[complete.cases(c1[, c("client1_trust", "client1_goals_restriction", "client1_bond", "client1_reactance",
                              "risc_category")]), ]
fit <- manova(cbind(client1_trust, client1_goals_restriction, client1_bond, client1_reactance) ~ factor(risc_category),
              data = m)
for (test in c("Pillai", "Wilks")) {
  s <- summary(fit, test = test)$stats
  add(paste0(test, "_value"), s[1, 2]); add(paste0(test, "_F"), s[1, 3]); add(paste0(test, "_df1"), s[1, 4])
  add(paste0(test, "_df2"), s[1, 5]); add(paste0(test, "_p"), s[1, 6])
}
add("manova_n", nrow(m))
# one-way ANOVA of bond by RISc: F, p and eta squared from the sums of squares
a <- summary(aov(client1_bond ~ factor(risc_category), data = c1))[[1]]
add("aov_F", a[1, 4]); add("aov_p", a[1, 5]); add("aov_eta2", a[1, 2] / sum(a[, 2]))
# S8.7.2b: Welch t of trust at wave 2, officers over 30 minus under 30 (clients at both waves)
c12 <- d[d$in_client_w1 == 1 & d$in_client_w2 == 1, ]
w <- t.test(c12$client2_trust[c12$po_age_over30_w2 == 1], c12$client2_trust[c12$po_age_over30_w2 == 0],
            var.equal = FALSE)
add("welch_t", w$statistic); add("welch_df", w$parameter); add("welch_p", w$p.value)
# S8.9.2a: Student t of the client's age group by no_show, with d from the pooled SD
x <- c1$client_age_group[which(c1$no_show == 0 & !is.na(c1$client_age_group))]
y <- c1$client_age_group[which(c1$no_show == 1 & !is.na(c1$client_age_group))]
s <- t.test(x, y, var.equal = TRUE)
sp <- sqrt(((length(x) - 1) * var(x) + (length(y) - 1) * var(y)) / (length(x) + length(y) - 2))
add("student_t", abs(s$statistic)); add("student_df", s$parameter); add("student_p", s$p.value)
add("student_d", abs(mean(x) - mean(y)) / sp)
# S8.9.3a: chi-square of no_show by dropout, no continuity correction; phi from chi2 and n
tab <- table(d$no_show, d$dropout)
cs <- suppressWarnings(chisq.test(tab, correct = FALSE))
add("chi2", cs$statistic); add("chi2_p", cs$p.value); add("chi2_n", sum(tab)); add("phi", sqrt(cs$statistic / sum(tab)))
# S8.6.1a: Spearman of trust with addiction at wave 1
ct <- suppressWarnings(cor.test(c1$client1_trust, c1$addiction_w1, method = "spearman", exact = FALSE))
add("rs", ct$estimate); add("rs_p", ct$p.value)
write.csv(out, "r.csv", row.names = FALSE)
""", work)
    r = pd.read_csv(work / "r.csv").set_index("key")["value"]
    rows = pd.concat([perspective.client_background_rows(data), outcomes.client_outcome_rows(data)])
    return r, rows, relations.screen(data, "client", factor_list=[
        f for f in relations.CLIENT_FACTORS if f.name == "risc_category"])


def _row(rows, ref):
    return rows[rows["ref"] == ref].drop_duplicates("statistic").set_index("statistic")["value"]


def test_manova_pillai_and_wilks_match_r(r_results):
    r, _, screen = r_results
    mv = screen[(screen["wave"] == "1") & (screen["dv"] == "scales")].set_index("test")
    for test, name in (("Pillai", "MANOVA Pillai"), ("Wilks", "MANOVA Wilks")):
        got = mv.loc[name]
        np.testing.assert_allclose([got["value"], got["statistic"], got["df1"], got["df2"], got["p"]],
                                   [r[f"{test}_value"], r[f"{test}_F"], r[f"{test}_df1"], r[f"{test}_df2"],
                                    r[f"{test}_p"]], rtol=1e-7)
        assert got["n"] == r["manova_n"]
    s = min(4, mv.loc["MANOVA Pillai", "k"] - 1)  # partial eta squared as SPSS: V / s and 1 - Lambda^(1/s)
    assert mv.loc["MANOVA Pillai", "effect"] == pytest.approx(r["Pillai_value"] / s, rel=1e-9)
    assert mv.loc["MANOVA Wilks", "effect"] == pytest.approx(1 - r["Wilks_value"] ** (1 / s), rel=1e-9)


def test_anova_and_eta_squared_from_sums_of_squares_match_r(r_results):
    r, _, screen = r_results
    got = screen[(screen["wave"] == "1") & (screen["dv"] == "bond")].iloc[0]
    assert got["statistic"] == pytest.approx(r["aov_F"], rel=1e-9)
    assert got["p"] == pytest.approx(r["aov_p"], rel=1e-7)
    assert got["effect"] == pytest.approx(r["aov_eta2"], rel=1e-9)


def test_welch_and_student_t_and_d_match_r(r_results):
    r, rows, _ = r_results
    w = _row(rows, "S8.7.2b")
    np.testing.assert_allclose([w["t"], w["df"], w["p"]], [r["welch_t"], r["welch_df"], r["welch_p"]], rtol=1e-8)
    s = _row(rows, "S8.9.2a")
    np.testing.assert_allclose([s["t"], s["df"], s["p"], s["d"]],
                               [r["student_t"], r["student_df"], r["student_p"], r["student_d"]], rtol=1e-8)


def test_chi_square_and_phi_match_r(r_results):
    r, rows, _ = r_results
    c = _row(rows, "S8.9.3a")
    np.testing.assert_allclose([c["chi2"], c["p"], c["n"], c["phi"]], [r["chi2"], r["chi2_p"], r["chi2_n"], r["phi"]],
                               rtol=1e-8)


def test_spearman_matches_r(r_results):
    r, rows, _ = r_results
    c = _row(rows, "S8.6.1a")
    np.testing.assert_allclose([c["rs"], c["p"]], [r["rs"], r["rs_p"]], rtol=1e-7)
