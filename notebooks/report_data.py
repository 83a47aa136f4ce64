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
# # The data
#
# ```{warning}
# The dataset shipped with this book is **synthetic**. It was simulated to resemble the
# published results; it contains no real client or officer, and nothing computed from it is
# evidence about probation supervision.
# ```
#
# This page describes the dataset the chapters ran on: how the synthetic data were made, how the
# data are laid out, the codebook that turns item answers into scale scores, the funnel that
# accounts for every row, and chapter 6's description of the sample beside the published one.

# %% tags=["parameters", "remove-cell"]
results_dir = "build/results"
data_dir = "data/synthetic"
real_data = False

# %% tags=["hide-input"]
import importlib
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown, display
from myst_nb import glue

from wagk import audit, codebook, compare, contract, ledger, paths, published, report, sample
from wagk.io import DataError

flow = published.query(variable="sampling_flow", statistic="count")
def flow_count(stage):
    hit = flow[flow["group"] == f"stage={stage}"]
    return f"{int(hit['value'].iloc[0]):,}" if len(hit) else "\u2014"
glue("data-pub-clients", flow_count("participants_t1"), display=False)
glue("data-pub-dyads", flow_count("dyads_t1"), display=False)

data_dir = Path(data_dir)
study, problem = None, None
if data_dir.is_dir():
    try:
        study = contract.load_study(data_dir, real_data=real_data)
    except DataError as exc:
        problem = str(exc)
else:
    problem = f"no dataset folder at {data_dir}"
print(f"dataset: {data_dir}" + (f" ({problem})" if problem else ""))

# %% [markdown]
# ## How the synthetic data were made
#
# The interviews of the thesis are confidential, so the book ships a stand-in: a dataset with the
# same tables, columns and coding as the real one, produced by a seeded generator in
# `src/wagk/synth/`. The generator's parameters were calibrated so that the chapter notebooks,
# run on its output, come close to the published numbers; that calibration is the only code
# besides the reproduction report and the audit that reads the published numbers. The analysis
# never does: it computes every statistic from the item answers. `wagk synth` regenerates the
# dataset bit for bit from the stored parameters. The generator's own account follows when it is
# installed.

# %% tags=["hide-input"]
try:
    synth = importlib.import_module("wagk.synth")
    doc = (synth.__doc__ or "").strip()
    display(Markdown(doc if doc else "The generator has no description yet."))
except ImportError:
    display(Markdown("*The synthetic-data generator (`wagk.synth`) is not part of this build.*"))
readme = data_dir / "README.md"
if readme.exists():
    display(Markdown(f"From `{readme.name}` of the dataset:\n\n" + readme.read_text(encoding="utf-8")))

# %% [markdown]
# ## Layout of the data
#
# A dataset is a folder with seven tables, each as CSV, Parquet or SPSS `.sav`, linked by stable
# identifiers. Item columns carry the item's identifier from the codebook (`wai_01`, `dri_07`,
# `md_12`, `cr_03`); a `mapping.yml` lets other column names be used (`src/wagk/io.py`). The
# contract below is what `wagk.contract.load_study` checks.

# %% tags=["hide-input"]
specs = contract.table_specs()
purpose = {
    "clients": "one row per client: the officer at wave 1, background and justice history",
    "officers": "one row per officer: gender, age group, education, experience",
    "client_w1": "client interview at the start of supervision: all items (1-7), grade (1-10)",
    "client_w2": "client interview six to nine months later",
    "po_w1": "officer questionnaire about one client, wave 1: parallel items, contra-reactance, judgements",
    "po_w2": "officer questionnaire, wave 2, with the officer-reported outcomes",
    "registry": "registry data per client: RISc, dropout and early help within 24 months (optional)",
}
layout = []
for name in contract.TABLE_ORDER:
    s = specs[name]
    row = dict(table=name, content=purpose[name], key=s.key, ids=", ".join(s.ids),
               required_columns=len(s.required), coded_columns=len(s.coded))
    if study is not None and name in study.tables:
        row["rows"], row["columns"] = study.tables[name].shape
    layout.append(row)
display(HTML(report.static_table(pd.DataFrame(layout), index=False)))

# %% [markdown]
# ## Codebook
#
# The *Monitor Werkalliantie in Gedwongen Kader* has four scales per perspective. A scale score
# is the mean of its items on the 1-7 scale, with reversed items turned as 8 - x; nobody gets a
# score when more than half of the scale's items are missing. The total is the mean over all
# distinct items of the four scales, reactance reversed. Clients and officers answer parallel
# items, but the scales differ slightly between them.

# %% tags=["hide-input"]
items = codebook.load_items()
wording_col = next((c for c in items.columns if "text" in c.lower() or "wording" in c.lower()), None)
mon = codebook.load_monitor("as_reported")
tab = mon.table()
tab = tab[tab["scale"] != "total"]
if wording_col:
    tab["wording"] = tab["item_id"].map(items[wording_col])
tab["reversed"] = tab["reversed"].map({True: "yes", False: ""})
display(HTML(report.interactive_table(tab.reset_index(drop=True), table_id="data-monitor",
                                      filters=["perspective", "scale"], colour_by=None, page_size=30)))
counts = pd.DataFrame({p: {s: mon.scale(p, s).n_items for s in codebook.SCALES + ("total",)} for p in codebook.PERSPECTIVES})
display(HTML("<p>Items per scale (as_reported, the variant of chapters 8-10):</p>" + report.static_table(counts)))

# %% [markdown]
# ### Which goals and restriction scale?
#
# The thesis describes the goals and restriction scale (*Richting en Kader*) in three ways: with
# six items for clients and five for officers after the alpha optimisation of Appendix 1, and with
# seven items at the confirmatory stage. A scale score can only take the values s/j of its
# answered items j, so the printed minima and medians of Tables 8.1, 8.2, 9.1 and 9.2 tell how
# many items the scale had. The table lists, for each such printed value, the item counts among
# the competing definitions that can produce it (the same granularity argument as the GRIM check
# of the audit).

# %% tags=["hide-input"]
ev = audit.goals_restriction_evidence()
only_largest = ev[ev["possible_item_counts"].map(len) == 1]
def listing(rows):
    return "; ".join(f"{r.statistic} {r.printed} ({r.ref}, {r.perspective}, wave {r.wave})" for r in rows.itertuples()) or "none"
glue("data-gr-only7", listing(only_largest[only_largest["variable"] == "goals_restriction"]), display=False)
glue("data-gr-only19", listing(only_largest[only_largest["variable"] == "total"]), display=False)
ev["possible_item_counts"] = ev["possible_item_counts"].map(lambda ks: ", ".join(map(str, ks)) or "none")
display(HTML(report.static_table(ev, index=False)))

# %% [markdown]
# Only the seven-item scale can produce these values: {glue:text}`data-gr-only7`. Only a total
# over all distinct items of the seven-item variant can produce these: {glue:text}`data-gr-only19`.
# Among them are minima, which are one person's score and cannot be the midpoint of two. Chapters
# 8 to 10 therefore use the seven-item scale for both perspectives (the `as_reported` variant);
# chapter 7 reports the alpha-optimised variant beside it.

# %% [markdown]
# ## The funnel
#
# Every row of the dataset is accounted for: read, checked, linked, and, where a documented rule
# applies (declared missing codes, a wave-2 interview without a wave-1 interview), counted.

# %% tags=["hide-input"]
if study is not None:
    display(HTML(report.static_table(study.funnel, index=False)))
    for note in study.notes:
        print(note)
else:
    print(f"No funnel: {problem}")

# %% [markdown]
# ## Chapter 6: the sample, computed beside the published description
#
# Chapter 6 describes the sample. The numbers a dataset can answer (interviews and questionnaires
# per wave, dyads, clients per officer, and the background variables the dataset carries) are
# computed here and set beside the printed ones, with the tolerances of the reproduction report.
# Only those published numbers are listed: the recruitment funnel before the first interview, the
# reasons for non-response and the national comparison groups are in no dataset, and the tests of
# chapter 6 (sample against population, wave-2 participation) are left to a chapter 6 notebook.

# %% tags=["hide-input"]
pub_all = published.load()
pub6 = pub_all[(pub_all["chapter"] == "6") & (pub_all["perspective"] == "sample")
               & pub_all["variable"].isin(sample.VARIABLES) & ~pub_all["analysis"].isin(["chi2", "ttest"])]
pub6 = pub6[(pub6["variable"] != "sampling_flow") | pub6["group"].isin(sample.FLOW_STAGES)]
rows6 = sample.chapter6(study) if study is not None else pd.DataFrame(columns=ledger.COLUMNS)
cmp6 = compare.compare(rows6, published_rows=pub6)
if real_data:
    small = cmp6["statistic"].eq("count") & cmp6["computed"].lt(5)
    cmp6.loc[small, "computed"] = float("nan")
cmp6 = cmp6[cmp6["verdict"] != "not_published"]
summary6 = compare.shares(cmp6, "ref")
display(HTML(report.static_table(summary6.loc[["overall"]], percent=("share_within",))))
if study is not None:
    missing = sample.chapter6_missing(study)
    if missing:
        import textwrap
        print(textwrap.fill("background variables not in this dataset: " + ", ".join(missing), 90))

# %% tags=["hide-input", "full-width"]
sample_tables = cmp6.assign(_ratio=report.tolerance_ratio(cmp6))
display(HTML(report.interactive_table(sample_tables[compare.REPORT_COLUMNS + ["_ratio"]], table_id="data-ch6",
                                      filters=["ref", "verdict"], colour_by="verdict", ratio="_ratio", page_size=40)))
