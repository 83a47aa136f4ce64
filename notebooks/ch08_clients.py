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
# # 8 The alliance through the clients' eyes
#
# ```{warning}
# Unless the colophon says otherwise, the numbers on this page come from the **synthetic**
# dataset shipped with the book. It was simulated to resemble the published results; nothing
# computed from it is evidence about probation clients or officers.
# ```
#
# Chapter 8 of the thesis (*De werkalliantie vanuit het perspectief van cliënten*) asks four
# questions of the clients' own ratings of the working alliance on the WA-GK monitor:
#
# 1. How do clients rate the alliance at the start of supervision (wave 1, *meting 1*), six to nine
#    months later (wave 2) and how much do their ratings change (8.2)?
# 2. Do the ratings go together with the client's demographics (8.3), the justice trajectory
#    (8.4), how the client experienced that trajectory (8.5), the client's problems (8.6) and
#    the officer's demographics (8.7)?
# 3. Do they go together with the client's motivation for supervision (8.8)?
# 4. Do they differ between clients with and without a negative outcome (8.9)?
#
# **How the thesis tested** (its "Analyses en rapportage"). Associations are Pearson's r when both
# sides are at least interval, Spearman's rS when one side is ordinal. A comparison of groups on
# the four scales starts with a MANOVA over the four scales (only clients with all four scores)
# and continues with an ANOVA or t-test per scale (everyone with that score, "to keep N as high
# as possible"); a footnote marks an ANOVA that is significant while its MANOVA is not. Effect
# sizes are eta squared (η²) and Cohen's d, judged by Cohen's (1988) thresholds. The total score
# is the mean of the union of the four scales' items with reactance reversed. The clients'
# reactance scale (*Stroefheid*) was not internally consistent; the thesis reports it as an
# indication only. Only significant results are described in the thesis's text.
#
# **How this page is organised.** Each section first shows the thesis's tables and its printed
# results recomputed from the data (in the thesis's layout and labels: these are the numbers the
# reproduction report compares), then *every* test the thesis says it ran for that question,
# significant here or not, with the MANOVA first, so that no result is chosen by its p-value.
# Beside each group comparison stands the same test with officer-clustered standard errors: the
# clients are nested in officers. The figures (the empirical model and the outcome overview) are
# drawn from the computed p-values. A closing section goes beyond the thesis (clustering,
# multiplicity) and gives the reproduction share.

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
# (wagk.chapters.chapter8); the page sections chapters 8 and 9 share live in wagk.perspective_page
page = Page.load("client", data_dir, results_dir, real_data=real_data, min_cell=min_cell)
data, parts, privacy, tbl = page.data, page.parts, page.privacy, page.tbl
SCORES = page.scores


# %% [markdown]
# ## 8.2 The alliance according to clients
#
# Tables 8.1 to 8.3: the clients' scale scores at the start ({glue:text}`ch08-n-w1` interviews),
# after six to nine months ({glue:text}`ch08-n-w2`) and the change for the
# {glue:text}`ch08-n-change` clients interviewed at both waves (wave 2 minus wave 1, so a
# positive change is a rise). A scale has no score when more than half of its items are
# missing.

# %% tags=["hide-input"]
page.glue_counts()
page.descriptives()

# %% [markdown]
# ## 8.3-8.7 The alliance and who the clients are
#
# The thesis describes the significant results in its text. The table lists each of them, as
# the thesis labels it, with the test recomputed here and, in the last columns, the p-value of
# the same comparison with officer-clustered (CR1) standard errors. A result the thesis found
# significant need not be significant here: the table shows what the data give.

# %% tags=["hide-input"]
bg_rows = page.printed_background()

# %% [markdown]
# Of the {glue:text}`ch08-text-bg-n` results of 8.3-8.7 that the thesis printed,
# {glue:text}`ch08-text-bg-sig` are significant (p < .05) in these data.
#
# ### Every test of 8.3-8.7
#
# What the thesis tested, significant or not: each group variable with the MANOVA over the four
# scales first (Pillai's V with its significance and Wilks' p) and then the F of the one-way
# ANOVA of each score; each ordinal or interval variable with its rS or r. Background measured at
# the start is used at every wave; the officer's characteristics are those of the officer at that
# wave. Marks: \* p < .05, \*\* p < .01; *a* an ANOVA significant while its MANOVA is not (the
# thesis's footnote 19); † significant but not once the clients' nesting in officers is taken
# into account (CR1); ‡ significant but not after the Benjamini-Hochberg adjustment over all
# tests of the chapter.

# %% tags=["hide-input"]
for dom in ("client", "justice", "officer"):
    page.every_test(dom, relations.DOMAINS[dom])

# %% [markdown]
# ## 8.5 The alliance and how clients experienced the justice trajectory
#
# Clients who had been through a part of the trajectory rated how positive or negative it was
# (1-7). Tables 8.4 and 8.5 correlate those experiences, asked at the start, with the alliance at
# the start and after six to nine months (Spearman's rS, n below).

# %% tags=["hide-input"]
exp_rows = page.add(parts["experience"])
for ref, caption in (("T8.4", "Table 8.4 The alliance at the start and the experience of the trajectory"),
                     ("T8.5", "Table 8.5 The alliance after six to nine months and the experience of the trajectory")):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.correlation_grid(exp_rows[exp_rows["ref"] == ref], SCORES, perspective.EXPERIENCES, LABELS,
                                       LABELS))
page.every_test("experience", "Every test of 8.5, the change included")

# %% [markdown]
# ## 8.6 The alliance and the client's problems
#
# The officer rated the client's addiction (the highest of four addiction items), mild
# intellectual disability (*licht verstandelijke beperking*, LVB) and whether the client's
# conscience developed normally. The thesis printed four correlations (in the table of printed
# results above, refs S8.6); here is every correlation it ran.

# %% tags=["hide-input"]
page.every_test("problems")

# %% [markdown]
# ## 8.8 The alliance and the client's motivation
#
# The clients answered the Situational Motivation Scale (SMS) at both waves. Tables 8.6 to 8.8
# give Pearson's r of the alliance with the four kinds of motivation at the start, after six to
# nine months, and of the change in the alliance with the change in motivation.

# %% tags=["hide-input"]
mot_rows = page.add(parts["motivation"])
for ref, caption in (("T8.6", "Table 8.6 The alliance and motivation at the start"),
                     ("T8.7", "Table 8.7 The alliance and motivation after six to nine months"),
                     ("T8.8", "Table 8.8 Change in the alliance and change in motivation")):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.correlation_grid(mot_rows[mot_rows["ref"] == ref], SCORES, perspective.SMS, LABELS, LABELS))
m = mot_rows[mot_rows["statistic"] == "p"]
glue("ch08-mot-sig", f"{int((m['value'] < 0.05).sum())} of {len(m)}", display=False)

# %% [markdown]
# {glue:text}`ch08-mot-sig` correlations of Tables 8.6-8.8 are significant here.
#
# ## 8.9 The alliance and the outcomes
#
# Four outcomes, each with a negative variant: late or absent at least twice in the months
# before wave 2 (*te laat / niet opdagen*) and at least one formal action by the officer
# (*formele handelingen*), both reported by the officer at wave 2; a premature negative end of
# supervision within 24 months (*voortijdig negatieve uitval*) and a new early-help notification
# (*vroeghulpmelding*), both from the registry.
#
# ### 8.9.1-8.9.3 The outcome groups and how they overlap
#
# How many clients had the negative variant, what distinguishes them at the start (8.9.2) and
# how far the groups are the same clients (8.9.3, chi-square tests of each pair).

# %% tags=["hide-input"]
out_rows = page.outcome_rows()
c1 = data[data["in_client_w1"]]
sizes = pd.DataFrame([{"outcome": LABELS[o], "negative": int((c1[o] == 1).sum()), "other": int((c1[o] == 0).sum()),
                       "unknown": int(c1[o].isna().sum())} for o in outcomes.OUTCOMES if o in c1])
if len(sizes):
    tbl(privacy.table(sizes, count_cols=["negative", "other", "unknown"], display=True), index=False)
out_recipes = outcomes.client_outcome_recipes()
out_clus = relations.clustered_recipes(out_recipes, data)
t = page.text_table(out_rows, out_clus)
tbl(t[t["section"].isin(["8.9.1", "8.9.2", "8.9.3"])], index=False, small=True)

# %% [markdown]
# ### 8.9.4-8.9.6 The alliance split by outcome
#
# Tables 8.9 and 8.10 give the clients' scores at each wave for the two variants of each
# outcome; the stars on the negative group are those of the ANOVA of that score over the
# outcome. The column n's count the clients with the outcome and all four scale scores (the
# MANOVA sample); means use everyone with the score. The printed tests of 8.9.4 and 8.9.5
# follow, then every test with the change included.

# %% tags=["hide-input"]
for ref, caption in (("T8.9", "Table 8.9 Clients' scores at wave 1 by outcome"),
                     ("T8.10", "Table 8.10 Clients' scores at wave 2 by outcome")):
    display(Markdown(f"**{caption}**"))
    tbl(result_tables.outcome_table(out_rows[out_rows["ref"] == ref], SCORES, outcomes.OUTCOMES, LABELS, LABELS),
        small=True)
tbl(t[t["section"].isin(["8.9.4", "8.9.5", "8.9.7"])], index=False, small=True)
page.every_test("outcome", "Every test of 8.9.4-8.9.6")

# %% [markdown]
# ## 8.10 The empirical model and the outcome overview
#
# The thesis closes the chapter with an empirical version of its theoretical model (Figure
# 8.1): the characteristics that went together with at least one aspect of the clients'
# alliance, and an overview of the alliance differences by outcome (Figure 8.2). Both are drawn
# here from the tests of this page: a characteristic is linked when at least one of its tests
# above has p < .05 (scales and total; + and − give the direction where it has one, the waves
# in parentheses), grey when none has.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Empirical model from the clients' perspective (Figure 8.1), drawn from the tests of this run: characteristics with at least one significant link to the alliance in black with the scales, direction and waves; grey without one.", "name": "fig-ch08-model"}}
page.model_figure("Working alliance\naccording to\nthe client")

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Differences in the clients' alliance by outcome (Figure 8.2): scores whose ANOVA over the outcome has p < .05 in this run, with the sign of the negative group's mean minus the other group's; † not significant once officer clustering is taken into account.", "name": "fig-ch08-outcomes"}}
page.outcome_figure()

# %% [markdown]
# {glue:text}`ch08-links` characteristics have at least one significant link in this run.
#
# ## Beyond the thesis
#
# ### Clients are nested in officers
#
# Most officers supervise one to four clients of the sample. If the clients of one officer
# resemble each other, a test that treats them as independent is too confident, above all for
# characteristics of the officer, which are shared by all of an officer's clients. The
# intraclass correlation (ICC) says how much of a score's variance lies between officers; the
# design effect, how much that inflates the variance of a mean. Every group comparison on this
# page was also run with cluster-robust (CR1) standard errors with the officer as cluster.

# %% tags=["hide-input"]
page.clustering()

# %% [markdown]
# The largest ICC is {glue:text}`ch08-icc-max`. Of the {glue:text}`ch08-cl-n` group comparisons,
# {glue:text}`ch08-cl-naive` are significant as the thesis tested them;
# {glue:text}`ch08-cl-lost` of those lose their significance with officer-clustered standard
# errors, and {glue:text}`ch08-cl-gained` comparisons become significant only with them (CR1
# can also shrink a standard error).
#
# ### Many tests
#
# The thesis ran several hundred tests per chapter at α = .05 and described those below it.
# Even with no relation at all, about one test in twenty would be significant. The table counts,
# per question, the tests run, those with p < .05, and those that stay below .05 after
# Benjamini-Hochberg's false-discovery-rate adjustment and after Holm's family-wise adjustment,
# both over all tests of the chapter (the MANOVAs, which the thesis used as a first gate, left
# out).

# %% tags=["hide-input"]
page.multiplicity()

# %% [markdown]
# Of {glue:text}`ch08-m` tests, {glue:text}`ch08-sig` have p < .05 (by chance alone about
# {glue:text}`ch08-expected` would); {glue:text}`ch08-fdr` survive the false-discovery-rate
# adjustment and {glue:text}`ch08-holm` the family-wise one. All tests, with their raw,
# clustered and adjusted p-values, are in `<results>/tables/ch08_all_tests.csv`.
#
# ## Reproduction
#
# The chapter's ledger (`<results>/ledger/ch08.csv`) holds every number computed above under the
# key of the published tables. The reproduction report joins it with the thesis's numbers; for
# this chapter, with the tolerances of `src/wagk/tolerances.yml`, tables and running text
# counted separately:

# %% tags=["hide-input"]
chapter_rows = page.reproduction()

# %% [markdown]
# Within tolerance: {glue:text}`ch08-repro-tables-count` published numbers of the tables
# ({glue:text}`ch08-repro-tables`) and {glue:text}`ch08-repro-text-count` of the running text
# ({glue:text}`ch08-repro-text`); {glue:text}`ch08-repro-all` overall. On the synthetic data this
# measures the generator's calibration as much as the analysis; on the real data it would
# measure the analysis alone.

# %% tags=["hide-input"]
display(Markdown(f"*{privacy.summary()}*"))
