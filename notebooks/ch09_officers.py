# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 9 The alliance through the officers' eyes
#
# ```{warning}
# Unless the colophon says otherwise, the numbers on this page come from the **synthetic**
# dataset shipped with the book. It was simulated to resemble the published results; nothing
# computed from it is evidence about probation clients or officers.
# ```
#
# Chapter 9 of the thesis (*De werkalliantie vanuit het perspectief van reclasseringswerkers*)
# asks of the officers' ratings what chapter 8 asked of the clients': how officers rate the
# alliance with a given client at the start (wave 1), six to nine months later (wave 2) and how
# their ratings change (9.2); whether the ratings go together with the officer's own
# demographics (9.3), the officer's appraisal of the client (how difficult the client is and how
# competent the officer feels with this client, 9.4), the client's demographics (9.5), the justice
# trajectory (9.6), the client's problems (9.7) and the client's motivation (9.8); and whether
# they differ between clients with and without a negative outcome (9.9).
#
# The officers' questionnaire has the same four scales, trust (*Vertrouwen*), goals and
# restriction (*Richting en kader*), bond (*Binding*) and reactance (*Stroefheid*), which on the
# officers' side is a consistent scale, plus three single items on the officer's own
# counter-reactance (*Contra-reactance*): "says he cooperates but I don't notice it", "gives me
# energy" and "I am stricter than average with this client". The thesis analyses them one by one.
# Its methods are those of chapter 8: Pearson's r or Spearman's rS, a MANOVA over the four scales
# before the ANOVA or t-test per score, eta squared and Cohen's d, and only significant results in
# the text.
#
# The page is organised as chapter 8's: the thesis's tables and printed results recomputed, then
# every test the thesis ran for each question, with the officer-clustered test beside each group
# comparison; the figures drawn from the computed p-values; a section beyond the thesis; the
# reproduction share.

# %% tags=["parameters"]
data_dir = "data/synthetic"
results_dir = "build/results"
seed = 20180907
real_data = False
min_cell = 5

# %% tags=["hide-input"]
import warnings

import pandas as pd
from IPython.display import Markdown, display
from myst_nb import glue

from wagk import outcomes, perspective, relations, result_tables
from wagk.perspective_page import Page
from wagk.result_tables import LABELS

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=pd.errors.PerformanceWarning)
# the dataset, chapter 7's scores, the analysis frame and every analysis of the chapter's ledger
# (wagk.chapters.chapter9); the page sections chapters 8 and 9 share live in wagk.perspective_page
page = Page.load("po", data_dir, results_dir, real_data=real_data, min_cell=min_cell)
data, parts, privacy, tbl = page.data, page.parts, page.privacy, page.tbl
SCORES = page.scores
tests = page.tests  # every test of the chapter (wagk.relations.screen), written to <results>/tables/ch09_all_tests.csv


def every_test(domain):
    page.every_test(domain, f"Every test: {relations.DOMAINS[domain].lower()}")


# %% [markdown]
# ## 9.2 The alliance according to officers
#
# Tables 9.1 to 9.3: the officers' scores at the start ({glue:text}`ch09-n-w1` questionnaires),
# after six to nine months ({glue:text}`ch09-n-w2`) and the change within the
# {glue:text}`ch09-n-change` dyads with a questionnaire at both waves (wave 2 minus wave 1).

# %% tags=["hide-input"]
page.glue_counts()
page.descriptives()

# %% [markdown]
# ## 9.3, 9.5, 9.6 The alliance and the officer's and the client's demographics, and the trajectory
#
# The results the thesis printed for the officer's own demographics (9.3), the client's
# demographics (9.5) and the justice trajectory (9.6), recomputed, with the p-value of the same
# comparison with officer-clustered (CR1) standard errors in the last column.

# %% tags=["hide-input"]
bg_rows = page.printed_background()

# %% [markdown]
# Of the {glue:text}`ch09-text-bg-n` printed results, {glue:text}`ch09-text-bg-sig` are
# significant (p < .05) here. Below, every test the thesis ran for these questions: per group
# variable the MANOVA over the four scales (Pillai's V, Wilks' p) and the F of each score's
# ANOVA; per ordinal or interval variable its rS or r. Marks: \* p < .05, \*\* p < .01; *a* an
# ANOVA significant while its MANOVA is not; † significant but not with officer-clustered
# standard errors; ‡ significant but not after the Benjamini-Hochberg adjustment over the
# chapter.

# %% tags=["hide-input"]
for dom in ("officer", "client", "justice"):
    every_test(dom)

# %% [markdown]
# ## 9.4 The alliance and the officer's appraisal of the client
#
# Officers said how much harder this client is than most of their clients and how competent they
# feel with this client, at both waves. Tables 9.4 and 9.5 give Spearman's rS with the alliance of
# the same wave.

# %% tags=["hide-input"]
app_rows = page.add(parts["appraisal"])
for ref, caption in (("T9.4", "Table 9.4 The alliance, the difficulty of the client and the officer's competence "
                             "at the start"),
                     ("T9.5", "Table 9.5 The same after six to nine months")):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.correlation_grid(app_rows[app_rows["ref"] == ref], SCORES,
                                       ("client_difficult", "po_competent"), LABELS, LABELS))

# %% [markdown]
# ## 9.7 The alliance and the client's problems
#
# The officer's own judgement of the client's addiction, mild intellectual disability (LVB) and
# conscience development, against the officer's alliance scores (Tables 9.6 and 9.7), and every
# test of this question.

# %% tags=["hide-input"]
for ref, caption, cols in (("T9.6", "Table 9.6 The alliance at the start and the client's problems",
                            ("addiction", "lvb", "conscience_normal")),
                           ("T9.7", "Table 9.7 The alliance after six to nine months and the client's problems",
                            ("addiction", "conscience_normal"))):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.correlation_grid(app_rows[app_rows["ref"] == ref], SCORES, cols, LABELS, LABELS))
every_test("problems")

# %% [markdown]
# ## 9.8 The alliance and the client's motivation
#
# The client's motivation (SMS, answered by the client) against the officer's alliance scores.
# The thesis printed the significant correlations at each wave in its text and the change in
# amotivation against the change in the alliance as Table 9.8.

# %% tags=["hide-input"]
mot_rows = page.add(parts["motivation"])
display(Markdown("**Table 9.8 Change in the officer's alliance and change in the client's amotivation**"))
tbl(result_tables.correlation_grid(mot_rows[mot_rows["ref"] == "T9.8"], SCORES, ("sms_amotivation",), LABELS, LABELS))
tbl(page.text_table(mot_rows, relations.clustered_recipes([], data)), index=False, small=True)
every_test("motivation")

# %% [markdown]
# ## 9.9 The alliance and the outcomes
#
# The officers' scores split by the four outcomes at the start (Table 9.9), after six to nine
# months (Table 9.10) and for the change (Table 9.11); the stars on the negative group are those
# of the ANOVA of the score over the outcome; the column n's count the dyads with the outcome and
# all four scale scores. The printed tests of 9.9 follow, then every test.

# %% tags=["hide-input"]
out_rows = page.outcome_rows()
for ref, caption in (("T9.9", "Table 9.9 Officers' scores at the start by outcome"),
                     ("T9.10", "Table 9.10 Officers' scores after six to nine months by outcome"),
                     ("T9.11", "Table 9.11 Change in the officers' scores by outcome")):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.outcome_table(out_rows[out_rows["ref"] == ref], SCORES, outcomes.OUTCOMES, LABELS, LABELS),
        small=True)
out_clus = relations.clustered_recipes(outcomes.officer_outcome_recipes(), data)
tbl(page.text_table(out_rows, out_clus), index=False, small=True)
every_test("outcome")
ot = out_rows[(out_rows["ref"].str.startswith("S9.9")) & (out_rows["statistic"] == "p")]
glue("ch09-out-text", f"{int((ot['value'] < 0.05).sum())} of {len(ot)}", display=False)

# %% [markdown]
# {glue:text}`ch09-out-text` of the outcome differences the thesis printed for officers are
# significant here.
#
# ## 9.10 The empirical model and the outcome overview
#
# Figure 9.1 is the thesis's empirical model from the officers' side, Figure 9.2 its overview of
# the alliance differences by outcome. Both are drawn from this page's tests: a characteristic is
# linked to the alliance when at least one of its tests has p < .05 (scales, total and
# counter-reactance items; + and − the direction where it has one, the waves in parentheses),
# grey when none has.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Empirical model from the officers' perspective (Figure 9.1), drawn from the tests of this run: characteristics with at least one significant link to the officer's alliance (scales, total or counter-reactance items) in black with the scales, direction and waves; grey without one.", "name": "fig-ch09-model"}}
page.model_figure("Working alliance\naccording to\nthe officer", scales_only=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Differences in the officers' alliance by outcome (Figure 9.2): scores (scales, total and counter-reactance items) whose ANOVA over the outcome has p < .05 in this run, with the sign of the negative group's mean minus the other group's; † not significant once officer clustering is taken into account.", "name": "fig-ch09-outcomes"}}
page.outcome_figure()

# %% [markdown]
# {glue:text}`ch09-links` characteristics have at least one significant link in this run.
#
# ## Beyond the thesis
#
# ### Dyads are nested in officers
#
# An officer rates each of his or her clients in the sample, so the officers' scores of one
# officer share that officer's way of answering. The intraclass correlation (ICC) gives the share
# of each score's variance that lies between officers, the design effect how much it inflates the
# variance of a mean. Every group comparison above was also run with cluster-robust (CR1)
# standard errors.

# %% tags=["hide-input"]
page.clustering()

# %% [markdown]
# The largest ICC is {glue:text}`ch09-icc-max`. Of the {glue:text}`ch09-cl-n` group comparisons,
# {glue:text}`ch09-cl-naive` are significant as the thesis tested them;
# {glue:text}`ch09-cl-lost` of those are not with officer-clustered standard errors, and
# {glue:text}`ch09-cl-gained` are significant only with them.
#
# ### Many tests
#
# Per question: the tests run, those with p < .05, and those below .05 after the
# Benjamini-Hochberg (false discovery rate) and Holm (family-wise) adjustments over all tests of
# the chapter (MANOVAs left out).

# %% tags=["hide-input"]
page.multiplicity()

# %% [markdown]
# Of {glue:text}`ch09-m` tests, {glue:text}`ch09-sig` have p < .05 (about
# {glue:text}`ch09-expected` would by chance alone); {glue:text}`ch09-fdr` survive the
# false-discovery-rate adjustment and {glue:text}`ch09-holm` the family-wise one. All tests are
# in `<results>/tables/ch09_all_tests.csv`.
#
# ## Reproduction
#
# The chapter's ledger (`<results>/ledger/ch09.csv`) holds every number above under the key of
# the published tables; compared with the thesis with the tolerances of
# `src/wagk/tolerances.yml`, tables and running text counted separately:

# %% tags=["hide-input"]
chapter_rows = page.reproduction()

# %% [markdown]
# Within tolerance: {glue:text}`ch09-repro-tables-count` published numbers of the tables
# ({glue:text}`ch09-repro-tables`) and {glue:text}`ch09-repro-text-count` of the running text
# ({glue:text}`ch09-repro-text`); {glue:text}`ch09-repro-all` overall. On the synthetic data this
# measures the generator's calibration as much as the analysis.

# %% tags=["hide-input"]
display(Markdown(f"*{privacy.summary()}*"))
