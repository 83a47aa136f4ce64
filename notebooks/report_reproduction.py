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
# # Reproduction report
#
# ```{warning}
# The computed numbers come from **synthetic data** (or from whatever dataset the chapters were
# run on, see the colophon). They show how close the analysis code comes to the printed tables;
# they are no evidence about probation clients or officers.
# ```
#
# Every number the thesis prints for chapters 7 to 10 and Appendix 1 is one row below, beside
# the number the chapter notebooks computed. The two are matched on the same key (table or text
# reference, perspective, wave, analysis, variable, group and statistic), so the report is a
# join of two tables and nothing is copied by hand. Chapter 6, which describes the sample, is
# compared on the [data page](report_data.ipynb).

# %% tags=["parameters", "remove-cell"]
results_dir = "build/results"
data_dir = "data/synthetic"
real_data = False

# %% tags=["hide-input"]
import shutil
from pathlib import Path

import pandas as pd
import yaml
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from wagk import compare, paths, published, report, runner

full, origin = report.load_reproduction(results_dir)
rep = full[full["chapter"].isin(report.SCOPE)].copy()
rep["_ratio"] = report.tolerance_ratio(rep)
shares = report.scope_shares(rep)
status = runner.read_status(results_dir)

# the CSV offered for download sits next to this page
csv_path = paths.EXECUTED / "reproduction.csv"
csv_path.parent.mkdir(parents=True, exist_ok=True)
rep.drop(columns="_ratio").to_csv(csv_path, index=False, float_format="%.10g", lineterminator="\n")
print(f"source: {Path(origin).relative_to(paths.ROOT) if Path(origin).is_relative_to(paths.ROOT) else origin}")

# %% [markdown]
# ## How to read it
#
# Each published number gets one verdict:
#
# `within`
# : the computed number differs from the printed one by no more than the tolerance;
#
# `outside`
# : it differs by more;
#
# `not_computed`
# : the thesis prints it, but no chapter notebook computed it (yet);
#
# `not_published`
# : a chapter computed it, but the thesis prints no such number (not counted);
#
# `not_comparable`
# : the thesis prints a cell without a number, such as a dash (not counted).
#
# The share within tolerance is `within / (within + outside + not_computed)`: a number that was
# not computed counts against the reproduction. The tolerances are set in one file,
# `src/wagk/tolerances.yml`; p-values are compared by significance category (n.s., \*, \*\*,
# \*\*\*) because the thesis mostly prints them as stars.

# %% tags=["hide-input"]
tol = compare.load_tolerances()
rules = pd.DataFrame(
    [(s, compare.rule_for(s, tolerances=tol).describe()) for s in tol["statistics"]],
    columns=["statistic", "tolerance"])
display(HTML(report.static_table(rules, index=False)))

# %% [markdown]
# ## Per chapter
#
# The headline on the front page is this table's last row.

# %% tags=["hide-input"]
names = {"7": "7 The monitor (and Appendix 1)", "8": "8 Clients", "9": "9 Officers", "10": "10 Dyads"}
per_chapter = shares.rename(index=names)
display(HTML(report.static_table(per_chapter, percent=("share_within",))))

glue("rep-share-overall", report.share_text(shares.loc["overall", "share_within"]), display=False)
glue("rep-n-published", f"{int(shares.loc['overall', 'published']):,}", display=False)
glue("rep-n-within", f"{int(shares.loc['overall', 'within']):,}", display=False)
for ch in report.SCOPE:
    key = f"rep-share-ch{int(ch):02d}"
    if ch in shares.index:
        glue(key, report.share_text(shares.loc[ch, "share_within"]), display=False)
        glue(f"rep-count-ch{int(ch):02d}",
             f"{int(shares.loc[ch, 'within']):,} of {int(shares.loc[ch, 'published']):,}", display=False)
    else:
        glue(key, "\u2014", display=False)
        glue(f"rep-count-ch{int(ch):02d}", "none published", display=False)

ran = status["chapters"]
state = ", ".join(f"{v['chapter']}: {v['status']}" for v in ran.values()) if ran else "no chapter has been run"
glue("rep-run-status", state, display=False)

# %% [markdown]
# ## Per table
#
# One row per published table (T) or passage of running text (S); choose a chapter to narrow
# the list.

# %% tags=["hide-input"]
per_table = report.table_shares(rep)
display(HTML(report.interactive_table(
    per_table, table_id="rep-per-table", filters=["chapter"], colour_by=None, page_size=25,
    number_format={"percent_within": 1})))

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Published numbers of each chapter by verdict: reproduced within tolerance, outside it, or not computed.", "name": "fig-rep-verdicts"}}
import matplotlib.pyplot as plt

bars = shares.drop(index="overall")[["within", "outside", "not_computed"]]
fig, ax = plt.subplots(figsize=(7, 2.6))
left = pd.Series(0, index=bars.index)
for col, colour in (("within", "#4c9f50"), ("outside", "#d2483c"), ("not_computed", "#b5b5b5")):
    ax.barh([names[c] for c in bars.index], bars[col], left=left, color=colour, label=col.replace("_", " "))
    left += bars[col]
ax.invert_yaxis()
ax.set_xlabel("published numbers")
ax.legend(ncols=3, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
ax.spines[["top", "right"]].set_visible(False)
plt.show()

# %% [markdown]
# ## Chapter 10: the predictors each stepwise model selected
#
# Tables 10.7 to 10.9 report, per outcome, only the predictors that the forward selection kept.
# Number by number, a predictor the thesis kept but this run did not is `not_computed` above; the
# table below compares the selections as sets, which is how a reader compares stepwise models.
# Whether the same predictors come back also depends on how stable each selection is: the
# chapter's bootstrap section shows that.

# %% tags=["hide-input"]
from wagk import ledger as _ledger

computed_rows = _ledger.read_all(paths.ledger_dir(results_dir))
selections = compare.selected_predictors(computed_rows)
if selections["computed"].notna().any():
    shown = selections.assign(thesis=selections["thesis"].fillna("(not in the thesis)").replace("", "(none)"),
                              computed=selections["computed"].fillna("(not computed)").replace("", "(none)"))
    shown = shown.assign(thesis=shown["thesis"].str.replace("+", " + ", regex=False),
                         computed=shown["computed"].str.replace("+", " + ", regex=False))
    display(HTML(report.static_table(shown, index=False)))
    ran = selections[selections["computed"].notna()]
    glue("rep-sel-same", f"{int(ran['same'].sum())} of {len(ran)}", display=False)
    glue("rep-sel-both", f"{int(ran['both'].sum())} of {int((ran['both'] + ran['thesis_only']).sum())}",
         display=False)
else:
    print("Chapter 10 has not computed its logistic models in this run.")
    glue("rep-sel-same", "none", display=False)
    glue("rep-sel-both", "none", display=False)

# %% [markdown]
# Models with the same selection as the thesis: {glue:text}`rep-sel-same`; the thesis's selected
# predictors that this run also selected: {glue:text}`rep-sel-both`.
#
# ## Every number
#
# Filter by chapter, table and verdict, or search any text. The `diff` column is computed minus
# published, shaded green within the tolerance and red beyond it (darker is further). The same
# rows, unfiltered: {download}`reproduction.csv <reproduction.csv>`.

# %% tags=["hide-input", "full-width"]
columns = compare.REPORT_COLUMNS + ["_ratio"]
display(HTML(report.interactive_table(
    rep[columns], table_id="rep-all", filters=["chapter", "ref", "verdict", "statistic"],
    colour_by="verdict", ratio="_ratio", page_size=50)))

# %% [markdown]
# ## Completeness
#
# Every table and passage of running text of chapters 7 to 10 and Appendix 1 that prints a
# number appears above; the check below fails the page when one is missing.

# %% tags=["hide-input"]
pub = published.load()
pub = pub[pub["chapter"].isin(report.SCOPE) & (pub["analysis"] != "model_spec")]
missing = sorted(set(pub["ref"]) - set(rep["ref"]))
tables = sorted({r for r in pub["ref"] if r.startswith("T")}, key=lambda r: [int(x) if x.isdigit() else x for x in r[1:].replace("B", "0.").split(".")])
assert not missing, f"published references missing from the report: {missing}"
print(f"{len(set(pub['ref']))} references ({len(tables)} tables) of chapters 7-10 and Appendix 1, "
      f"{len(pub)} published numbers: all present in the report.")
print("tables:")
for i in range(0, len(tables), 12):
    print("  " + ", ".join(tables[i:i + 12]))
