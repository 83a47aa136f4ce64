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
# # Audit of the thesis's own statistics
#
# Before asking whether our code reproduces the thesis, one can ask whether the thesis agrees
# with itself. A test statistic and its degrees of freedom fix the p-value; F and its degrees of
# freedom fix eta squared; the group sizes fix the degrees of freedom; and a mean of seven
# answers on a 1-7 scale can only take certain values. This page recomputes what the printed
# numbers imply, in the manner of *statcheck* {cite:p}`nuijten2016` and the GRIM test
# {cite:p}`brown2017`, and reports every place where they disagree.
#
# The audit uses the published numbers only (`data/published`), no data, so it does not depend on
# the synthetic dataset. It does not read the remarks that the people who typed in the tables
# wrote beside suspicious cells: every finding below comes from the numbers.

# %% tags=["parameters", "remove-cell"]
results_dir = "build/results"
data_dir = "data/synthetic"
real_data = False

# %% tags=["hide-input"]
import pandas as pd
from IPython.display import HTML, display
from myst_nb import glue

from wagk import audit, paths, report

findings = audit.run()
counts = audit.summary(findings)
by_chapter = audit.summary(findings, "chapter")
skipped = audit.skipped_counts()

csv_path = paths.EXECUTED / "audit.csv"
csv_path.parent.mkdir(parents=True, exist_ok=True)
findings.to_csv(csv_path, index=False, float_format="%.10g", lineterminator="\n")

n_incons = int(counts.loc["total", "inconsistent"])
glue("aud-n-findings", f"{len(findings):,}", display=False)
glue("aud-n-inconsistent", f"{n_incons:,}", display=False)
glue("aud-n-rounding", f"{int(counts.loc['total', 'rounding']):,}", display=False)
glue("aud-n-decision", f"{int(counts.loc['total', 'decision_errors']):,}", display=False)
glue("aud-n-p-inconsistent", f"{int(counts.loc['p_value', 'inconsistent']):,}", display=False)
glue("aud-n-grim-skipped", f"{sum(skipped.values()):,}", display=False)

# %% [markdown]
# ## The checks
#
# A *finding* is one reported result: the published rows that share a table or text reference,
# perspective, wave, analysis, variable and group (for instance the F, its two degrees of
# freedom, the p and the eta squared of one sentence). Each check compares one printed number
# with what the other printed numbers of the same finding imply:
#
# `p_value`
# : p recomputed from F(df1, df2), t(df), chi-square(df), r or rS with its df or n, or the Wald
#   statistic of a logistic coefficient (from Exp(B) and its standard error), against the p
#   printed beside it, as a number (`p = .03`) or a bound (`p < .01`).
#
# `stars`
# : the significance stars of a table against the p recomputed from the statistic in the same
#   cell, from the same comparison reported in the running text, or from the group means,
#   standard deviations and sizes in the table (a one-way ANOVA, or a paired t-test from the mean
#   and SD of the differences). A cell without stars in a table that uses them claims p >= .05.
#   Star levels are read from the table: `**` means .001 <= p < .01 only when the same table
#   uses `***`.
#
# `eta2`
# : eta squared against F: for a one-way design, eta squared = F df1 / (F df1 + df2).
#
# `effect_size`
# : phi or Cramer's V against chi-square and n, and Cohen's d for paired data against t.
#
# `df`
# : degrees of freedom against the group sizes printed for the same comparison, in the same table
#   or in the table that shows the same comparison (df2 = N - k for k groups; n1 + n2 - 2 for a
#   t-test; at most min(n) - 1 for a paired test). Group sizes printed in a column header hold
#   for every variable of the table, and a variable with missing scores has fewer cases, so fewer
#   cases than the header says is accepted (and noted); more cases is inconsistent.
#
# `grim`
# : the granularity of scale scores. A scale score is the mean of the answered items of a
#   k-item scale (at least half of them answered), so a printed minimum, maximum or median, which
#   is one person's score, must be a fraction s/j; a median of an even number of people may be the
#   midpoint of two such fractions.
#
# Each finding gets a verdict. `consistent`: the printed number follows from the others.
# `rounding`: it follows only when the other numbers are allowed to move within their rounding
# (a printed 4.67 stands for anything from 4.665 to 4.675; the p is recomputed at both ends), or
# when it was rounded twice; for GRIM, when it is one unit off in the last digit.
# `inconsistent`: it does not follow. An inconsistent p-value or star is also a *decision error*
# when the recomputed p falls on the other side of .05.

# %% [markdown]
# ## Counts per check

# %% tags=["hide-input"]
display(HTML(report.static_table(counts)))
print("not testable by GRIM:", ", ".join(f"{v} ({k})" for k, v in skipped.items()))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Findings of each check by verdict.", "name": "fig-aud-verdicts"}}
import matplotlib.pyplot as plt

bars = counts.drop(index="total")[list(audit.VERDICTS)]
fig, ax = plt.subplots(figsize=(7, 2.8))
left = pd.Series(0, index=bars.index)
for col, colour in (("consistent", "#4c9f50"), ("rounding", "#e0b43c"), ("inconsistent", "#d2483c")):
    ax.barh(bars.index, bars[col], left=left, color=colour, label=col)
    left += bars[col]
ax.invert_yaxis()
ax.set_xlabel("findings")
ax.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
ax.spines[["top", "right"]].set_visible(False)
plt.show()

# %% [markdown]
# Of {glue:text}`aud-n-findings` findings, {glue:text}`aud-n-inconsistent` are inconsistent and
# {glue:text}`aud-n-rounding` agree only up to rounding; {glue:text}`aud-n-decision` of the
# inconsistent ones are decision errors. The means of the scale scores in the tables are not
# GRIM-testable: with several items per scale and more than a handful of respondents, every
# value with two decimals is possible.

# %% [markdown]
# ## Counts per chapter

# %% tags=["hide-input"]
display(HTML(report.static_table(by_chapter)))

# %% [markdown]
# ## Inconsistent findings, by chapter
#
# The `printed` column quotes what the thesis prints; `recomputed` gives what the other printed
# numbers imply, with the range over their rounding in brackets.

# %% tags=["hide-input", "full-width"]
bad = findings[findings["verdict"] == "inconsistent"].copy()
bad["finding"] = (bad["ref"] + ": " + bad["perspective"] + ", wave " + bad["wave"] + ", " + bad["variable"]
                  + bad["group"].map(lambda g: f" by {g}" if g else ""))
bad["check"] = bad["check"] + bad["decision_error"].map({True: " (decision error)", False: ""})
bad["from"] = bad["source"]
for chapter, part in bad.groupby("chapter", sort=False):
    title = "Appendix 1 and chapter 7" if chapter == "7" else f"Chapter {chapter}"
    display(HTML(f"<h3>{title}: {len(part)} inconsistent</h3>"))
    display(HTML(report.static_table(part[["finding", "check", "printed", "recomputed", "from", "remark"]],
                                     index=False, small=True)))

# %% [markdown]
# ## Every finding
#
# All findings, filterable; the same rows as a file: {download}`audit.csv <audit.csv>`.

# %% tags=["hide-input", "full-width"]
show = findings[["chapter", "ref", "perspective", "wave", "analysis", "variable", "group", "check", "verdict",
                 "decision_error", "printed", "recomputed", "source", "remark"]]
display(HTML(report.interactive_table(show, table_id="aud-all", filters=["chapter", "ref", "check", "verdict"],
                                      colour_by="verdict", page_size=50)))
