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
# # How stable is each finding?
#
# ```{warning}
# Every replicate on this page is drawn from the **synthetic-data generator**, not from the
# thesis's sample. The page says how much each number would vary from sample to sample *if the
# population were the one the generator describes*; it is no evidence about probation clients or
# officers, and no verdict on the thesis.
# ```
#
# A single sample of 302 clients gives a single number per analysis. Had another 302 clients been
# asked, every mean, correlation and p-value would have come out a little different, and a
# finding that was just significant might not have been. This page makes that visible. The
# synthetic-data generator, calibrated to the thesis's published numbers, plays the part of the
# population: it draws many fresh datasets of the thesis's design (the same numbers of clients,
# officers and questionnaires, the same pattern of missing answers), and every statistic of
# chapters 7 to 10 is computed on each of them, exactly as the chapter notebooks compute it on
# one dataset. This is a Monte Carlo study; each dataset is a *replicate*.
#
# For each number the thesis publishes, the tables below show
#
# `median`, `low`, `high`
# : the middle value of the replicates and the range that holds the middle 95% of them (the
#   2.5th to the 97.5th percentile);
#
# `inside`
# : 1 when the published value lies within that range, 0 when it does not;
#
# `thesis_significant`, `share_significant`
# : for a test, whether the thesis reported p < .05, and the share of replicates in which the
#   same test gave p < .05. A share near 1 means the finding would come back in almost every
#   sample of this size; a share near one half means it is a coin toss.
#
# How to read it: a wide interval means the number depends a lot on who happens to be in the
# sample, so small differences between groups or between the thesis and this compendium mean
# little. A published value far outside the interval means the generator does not reproduce that
# part of the thesis well (the generator is calibrated to some numbers more closely than to
# others), not that the thesis is wrong. The share significant is, in effect, the power of the
# test if the effect in the population were as large as the generator makes it.

# %% tags=["parameters", "remove-cell"]
results_dir = "build/results"
data_dir = "data/synthetic"
real_data = False

# %% tags=["hide-input"]
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from wagk import paths, report, report_stability

found = report_stability.load()


def _rel(p):
    p = Path(p)
    return p.relative_to(paths.ROOT).as_posix() if p.is_relative_to(paths.ROOT) else str(p)


if found is None:
    display(Markdown("```{note}\nNo Monte Carlo summary was found: neither `data/montecarlo/` nor "
                     "`build/montecarlo/` holds one. Run `wagk montecarlo` to make one.\n```"))
    table = pd.DataFrame(columns=report_stability.FINDING_COLUMNS)
    selections = pd.DataFrame(columns=["ref", "outcome", "selected", "replicates", "share"])
    info = {}
else:
    table = report_stability.findings(found.summary)
    selections = found.selections
    info = found.info
    csv_path = paths.EXECUTED / "stability.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False, float_format="%.10g", lineterminator="\n")
    origin = ("the committed summary" if found.committed else "your own run of `wagk montecarlo`")
    display(Markdown(
        f"Source: {origin}, `{_rel(found.folder)}`: **{info.get('replicates_ok', '?')} replicates** "
        f"(R = {info.get('R', '?')}, seeds {info.get('seed', '?')} to {info.get('seed', 0) + info.get('R', 1) - 1}; "
        f"{info.get('replicates_failed', 0)} failed), {info.get('backend', '?')} with {info.get('workers', '?')} "
        f"worker(s), {info.get('wall_seconds', '?')} s wall time"
        + (f", finished {info['finished']}" if info.get("finished") else "") + "."))

glue("stab-replicates", str(info.get("replicates_ok", 0)), display=False)

# %% [markdown]
# ## Per chapter
#
# `published`: numbers the thesis prints; `in_replicates`: those the replicates computed;
# `share_inside`: share of the published values (with a number) that lie inside the replicates'
# 95% range; `tests_significant` and `median_share_sig`: tests the thesis reported as significant,
# and the median share of replicates in which they were significant again; the last two columns
# do the same for the tests the thesis reported as not significant.

# %% tags=["hide-input"]
if len(table):
    per_chapter = report_stability.chapter_summary(table)
    names = {"7": "7 The monitor (and Appendix 1)", "8": "8 Clients", "9": "9 Officers", "10": "10 Dyads"}
    display(HTML(report.static_table(per_chapter.rename(index=names),
                                     percent=("share_inside", "median_share_sig", "median_share_sig_ns"))))
    glue("stab-share-inside", report.share_text(per_chapter.loc["overall", "share_inside"]), display=False)
    glue("stab-median-share-sig", report.share_text(per_chapter.loc["overall", "median_share_sig"]), display=False)
else:
    print("No summary to show.")
    glue("stab-share-inside", "\u2014", display=False)
    glue("stab-median-share-sig", "\u2014", display=False)

# %% [markdown]
# Published values inside the replicates' 95% range: {glue:text}`stab-share-inside`. Of the
# tests the thesis reported as significant, half were significant in at least
# {glue:text}`stab-median-share-sig` of the replicates.
#
# ## Tables 10.7-10.9: does forward selection pick the same predictors?
#
# The logistic models of chapter 10 keep only the predictors that a forward selection lets in.
# Such selections are known to be unstable: a predictor that barely made it into the model in
# one sample may stay out in the next. `share_same` is the share of replicates in which the
# selection kept exactly the thesis's predictors, `share_superset` the share in which it kept at
# least them; `most_frequent` is the set the replicates kept most often.

# %% tags=["hide-input"]
if len(selections):
    sel = report_stability.selection_table(selections)
    shown = sel.assign(thesis=sel["thesis"].fillna("(not in the thesis)").replace("", "(none)")
                       .str.replace("+", " + ", regex=False),
                       most_frequent=sel["most_frequent"].replace("", "(none)").str.replace("+", " + ", regex=False))
    display(HTML(report.static_table(shown, index=False, small=True,
                                     percent=("share_same", "share_superset", "share_most_frequent"))))
else:
    print("No forward selections in this summary.")

# %% [markdown]
# How often each predictor was kept, per model:

# %% tags=["hide-input"]
if len(selections):
    kept = report_stability.predictor_shares(selections)
    display(HTML(report.interactive_table(
        kept, table_id="stab-predictors", filters=["ref", "outcome"], colour_by=None, page_size=25,
        number_format={"share": 3})))

# %% [markdown]
# ## Every published number
#
# Filter by chapter, table or statistic, or search any text. The same rows:
# {download}`stability.csv <stability.csv>`.

# %% tags=["hide-input", "full-width"]
if len(table):
    display(HTML(report.interactive_table(
        table, table_id="stab-all", filters=["chapter", "ref", "statistic"], colour_by=None, page_size=50,
        number_format={"share_significant": 3})))
else:
    # keep the download link valid without a summary
    csv_path = paths.EXECUTED / "stability.csv"
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(csv_path, index=False)

# %% [markdown]
# ## How the replicates were made
#
# Replicate *r* is the dataset the generator draws with seed *s* + *r*: both stages of the
# generator (the questionnaires, then background, motivation and outcomes), without forcing the
# sample moments onto the calibrated values, so each replicate is a fresh sample. The design stays
# fixed (who answered which questionnaire, the group sizes, the pattern of missing answers), the
# answers and every relation between variables vary. Each replicate then runs the functions of the
# chapter notebooks (`wagk.pipeline`), which give every row of the chapters' ledgers; the figures,
# bootstrap intervals and model diagnostics that the notebooks add are left out. A replicate whose
# computation fails is counted (see `errors.csv`) and left out.
#
# To make your own: `wagk montecarlo -R 500 --jobs 2` (or on a Dask cluster with
# `--scheduler tcp://host:8786`) writes `build/montecarlo/`; this page shows that run when it is
# newer than the committed one in `data/montecarlo/`, whose README says which generator parameters
# it used and how long it took. After the generator is re-calibrated, run the study again.
