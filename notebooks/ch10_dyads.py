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
# # 10 Client and officer together: the dyads
#
# ```{warning}
# Unless the colophon says otherwise, the numbers on this page come from the **synthetic**
# dataset shipped with the book. It was simulated to resemble the published results; nothing
# computed from it is evidence about probation clients or officers.
# ```
#
# Chapters 8 and 9 looked at the working alliance (werkalliantie) through the eyes of the
# clients and of the probation officers (reclasseringswerkers) separately. Chapter 10 of the
# thesis puts the two side by side. Each client interview is paired with the officer's
# questionnaire about that client at the same wave; such a pair is a *dyad*. The chapter asks
#
# 1. how strongly the client's and the officer's scores go together (agreement, 10.2.1);
# 2. how far apart they are, as groups and within each dyad (10.2.2), and whether a dyad's
#    distance at the start predicts its distance six to nine months later (10.2.3);
# 3. whether larger distances go with features of the justice trajectory (10.2.4), with the four
#    outcomes of supervision (10.2.5), and how the officer's counter-reactance (contra-reactance)
#    relates to the client's view (10.2.6);
# 4. which combination of client and officer scales predicts each outcome best, by forward
#    stepwise logistic regression (10.3, Tables 10.7-10.9).
#
# A last section goes beyond the thesis: response surfaces instead of difference scores, the
# stability of the stepwise selections under bootstrap resampling beside a lasso model, and the
# agreement correlations with the nesting of clients in officers taken into account.
#
# The scale scores are those chapter 7 computed and handed over (`wagk.scores`); nothing is
# scored again here.

# %% tags=["parameters"]
data_dir = "data/synthetic"
results_dir = "build/results"
seed = 20180907
real_data = False
min_cell = 5
n_boot = 1000  # bootstrap resamples per stepwise model (selection stability)
n_boot_cluster = 2000  # officer-cluster bootstrap of the agreement correlations
n_jobs = 2  # worker processes for the stability runs

# %% tags=["hide-input"]
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from myst_nb import glue

from wagk import (association, background, chapters, codebook, contract, dyadic, groups, layout, ledger, logistic,
                  outcomes, paths, result_tables, scores)
from wagk.privacy import Privacy, row_level

warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=pd.errors.PerformanceWarning)

dyadic.prestart(n_jobs)  # worker processes for the bootstrap start while the data load
privacy = Privacy(real_data, min_cell=min_cell)
study = contract.load_study(data_dir, real_data=real_data)
handed = scores.load(results_dir, study=study)
data = row_level(background.analysis_frame(study, scores=handed))
sc = {(p, w): handed.get(p, w) for p in codebook.PERSPECTIVES for w in codebook.WAVES}

SCALES = codebook.SCALES + ("total",)
SCALE_NAMES = {"trust": "Trust (Vertrouwen)", "goals_restriction": "Goals and restriction (Richting en Kader)",
               "bond": "Bond (Binding)", "reactance": "Reactance (Stroefheid)", "total": "Total (Werkalliantie totaal)"}
SHORT = {"trust": "Trust", "goals_restriction": "Goals & restriction", "bond": "Bond", "reactance": "Reactance",
         "total": "Total"}
OUTCOME_NAMES = {"no_show": "Late / no-show", "formal_action": "Formal action", "dropout": "Dropout",
                 "early_help": "Early help"}
TABLE_WAVES = {"T10.7": "wave 1", "T10.8": "wave 2", "T10.9": "waves 1 and 2"}


present = chapters.outcomes_present(data)

# the bootstrap runs in worker processes while the rest of the chapter computes
batch = dyadic.start_stability(data, outcomes=present, n_boot=n_boot, seed=seed, n_jobs=n_jobs) if present else None
ch10 = chapters.chapter10(study, data, handed)  # every analysis of the chapter's ledger (wagk.chapters); shown below
has_outcomes, has_justice = ch10.has_outcomes, ch10.has_justice


def show(frame, index=True, small=False):
    """An aggregate table as static HTML (row-level frames refused in real-data mode)."""
    result_tables.show(frame, privacy, index=index, small=small)


def pending(what):
    display(Markdown(f"*Pending: {what}*"))


def r2(x):
    return layout.fmt(x, 2, leading_zero=False)


def label(variable):
    """'client w1 trust' for client1_trust."""
    who, scale = variable.split("_", 1)
    return f"{'client' if who.startswith('client') else 'officer'} w{who[-1]} {SHORT[scale].lower()}"


def labels(joined, sep="+"):
    """Readable list of "+"-joined predictors; '(none)' for an empty selection."""
    return ", ".join(label(v) for v in joined.split(sep)) if joined else "(none)"


tables_dir = Path(results_dir) / "tables"
tables_dir.mkdir(parents=True, exist_ok=True)
glue("ch10-n-dyads-w1", int(len(dyadic.dyads_at(data, 1))), display=False)
glue("ch10-n-dyads-w2", int(len(dyadic.dyads_at(data, 2))), display=False)
glue("ch10-n-dyads-both", int(len(dyadic.dyads_at(dyadic.dyads_at(data, 1), 2))), display=False)

# %% [markdown]
# The dataset holds {glue:text}`ch10-n-dyads-w1` dyads at wave 1 (a client interview and the
# officer's questionnaire about that client), {glue:text}`ch10-n-dyads-w2` at wave 2, and
# {glue:text}`ch10-n-dyads-both` dyads present at both waves.
#
# ## 10.2.1 Agreement between client and officer
#
# Table 10.1 correlates the client's score with the officer's score on the same scale, over the
# dyads of each wave (Pearson r, pairwise: each scale uses the dyads with both scores).

# %% tags=["hide-input"]
rows_dy = privacy.ledger(ch10.dyads)
t101 = rows_dy[rows_dy["ref"] == "T10.1"]
show(layout.coefficient_table(t101, row="variable", col="wave", row_order=SCALES, labels=SCALE_NAMES)
     .rename(columns={"1": "Wave 1", "2": "Wave 2"}))
display(Markdown("*p < .05, **p < .01, ***p < .001 (two-sided)."))
r101 = t101[t101["statistic"] == "r"].set_index(["wave", "variable"])["value"]
for w in ("1", "2"):
    glue(f"ch10-r-w{w}-min", r2(r101[w].min()), display=False)
    glue(f"ch10-r-w{w}-max", r2(r101[w].max()), display=False)

# %% [markdown]
# The correlations run from {glue:text}`ch10-r-w1-min` to {glue:text}`ch10-r-w1-max` at wave 1
# and from {glue:text}`ch10-r-w2-min` to {glue:text}`ch10-r-w2-max` at wave 2. Figures 10.1 and
# 10.2 show the dyads behind them. The dashed diagonal is perfect agreement: a dyad above it has
# an officer who scores higher than the client, a dyad below it a client who scores higher.


# %% tags=["hide-input"]
def dyad_scatter(ax, x, y, lim=(1, 7)):
    """Points on synthetic data; hexagonal bins of at least min_cell dyads in real-data mode."""
    keep = x.notna() & y.notna()
    if privacy.real_data:
        privacy.scatter(ax, x[keep], y[keep], extent=(*lim, *lim))
    else:
        ax.scatter(x[keep].to_numpy(), y[keep].to_numpy(), s=14, alpha=0.55, edgecolors="none", color="C0")
    ax.plot(lim, lim, ls="--", lw=0.8, color="0.4")
    ax.set_xlim(lim[0] - 0.2, lim[1] + 0.2)
    ax.set_ylim(lim[0] - 0.2, lim[1] + 0.2)
    ax.set_aspect("equal")


def panels(xlabel, ylabel):
    """Four panels, one per scale, in the thesis's 2 x 2 arrangement."""
    fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.8), sharex=True, sharey=True)
    for ax, s in zip(axes.flat, codebook.SCALES):
        ax.set_title(SHORT[s], fontsize=10)
    for ax in axes[1]:
        ax.set_xlabel(xlabel)
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel)
    return fig, axes.flat


def agreement_figure(wave):
    client, po = sc[("client", wave)], sc[("po", wave)]
    ids = client.index.intersection(po.index)
    fig, axes = panels("client", "officer")
    for ax, s in zip(axes, codebook.SCALES):
        dyad_scatter(ax, client.loc[ids, s], po.loc[ids, s])
    fig.tight_layout()
    plt.show()


# %% tags=["hide-input"] mystnb={"figure": {"caption": "Client (horizontal) and officer (vertical) scores of the same dyad at wave 1, per scale. The dashed line is perfect agreement. In real-data mode hexagonal bins holding at least the minimum cell size replace the points.", "name": "fig-ch10-agreement-w1"}}
agreement_figure(1)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "As the previous figure, at wave 2 (six to nine months later).", "name": "fig-ch10-agreement-w2"}}
agreement_figure(2)

# %% [markdown]
# ## 10.2.2 Absolute and relative differences
#
# The thesis looks at the distance between client and officer in two ways. The *relative*
# difference is the client's score minus the officer's: positive when the client scores higher.
# The *absolute* difference is its size, whatever the direction: 0 is full agreement. Tables
# 10.2 (wave 1) and 10.3 (wave 2) give, per scale, both groups' means with a paired t-test of
# client against officer (Cohen's d for paired data, d = mean difference / SD of the
# differences), and the mean, SD, median, minimum and maximum of both kinds of difference.


# %% tags=["hide-input"]
def difference_tables(rows, ref, wave):
    """Table 10.2 or 10.3 in two parts: the groups with the paired test, and the differences."""
    r = rows[(rows["ref"] == ref) & (rows["wave"] == str(wave))]
    wide = r.set_index(["perspective", "analysis", "variable", "statistic"])["value"]

    def get(p, a, v, s):
        return wide.get((p, a, v, s), np.nan)

    groups_, diffs = [], []
    for v in SCALES:
        p = get("dyad", "paired_ttest", v, "p")
        groups_.append({
            ("", "scale"): SHORT[v],
            ("Client", "n"): layout.count(get("client", "descriptives", v, "n")),
            ("Client", "M (SD)"): layout.m_sd(get("client", "descriptives", v, "M"),
                                              get("client", "descriptives", v, "SD")) + layout.stars(p),
            ("Officer", "n"): layout.count(get("po", "descriptives", v, "n")),
            ("Officer", "M (SD)"): layout.m_sd(get("po", "descriptives", v, "M"), get("po", "descriptives", v, "SD")),
            ("Paired t-test", "t"): layout.fmt(get("dyad", "paired_ttest", v, "t")),
            ("Paired t-test", "df"): layout.count(get("dyad", "paired_ttest", v, "df")),
            ("Paired t-test", "p"): layout.p_text(p),
            ("Paired t-test", "d"): layout.fmt(get("dyad", "paired_ttest", v, "d")),
        })
        row = {("", "scale"): SHORT[v]}
        for kind, label in (("abs_diff", "Absolute difference"), ("rel_diff", "Relative difference")):
            row[(label, "M (SD)")] = layout.m_sd(get("dyad", kind, v, "M"), get("dyad", kind, v, "SD"))
            for s in ("Mdn", "Min", "Max"):
                row[(label, s)] = layout.fmt(get("dyad", kind, v, s))
        diffs.append(row)
    out = []
    for part in (groups_, diffs):
        frame = pd.DataFrame(part)
        frame.columns = pd.MultiIndex.from_tuples(frame.columns)
        out.append(frame)
    return out


for ref, wave in (("T10.2", 1), ("T10.3", 2)):
    part1, part2 = difference_tables(rows_dy, ref, wave)
    show(part1, index=False, small=True)
    show(part2, index=False, small=True)
    display(Markdown(f"Table {ref[1:]}, wave {wave}. Above: each group's mean over the dyads and the paired t-test "
                     "of client against officer (stars on the client mean: *p < .05, **p < .01, ***p < .001). "
                     "Below: the dyads' absolute and relative differences (client minus officer)."))
pt = rows_dy[rows_dy["ref"].isin(["T10.2", "T10.3"]) & (rows_dy["analysis"] == "paired_ttest")]
pt = pt.set_index(["wave", "variable", "statistic"])["value"]
for w in ("1", "2"):
    glue(f"ch10-d-trust-w{w}", layout.fmt(pt.get((w, "trust", "d"))), display=False)
    glue(f"ch10-d-reactance-w{w}", layout.fmt(pt.get((w, "reactance", "d"))), display=False)

# %% [markdown]
# The thesis found the largest gap on trust, with clients far more positive than their officers,
# and the reverse on reactance, where the officers report more friction than their clients. Here the paired d (positive when the client's mean is the higher)
# is {glue:text}`ch10-d-trust-w1` for trust at wave 1 and {glue:text}`ch10-d-trust-w2` at wave 2,
# and {glue:text}`ch10-d-reactance-w1` and {glue:text}`ch10-d-reactance-w2` for reactance. The
# thesis prints d without its sign; the ledger of the running text does the same.
#
# ## 10.2.3 Do the distances last?
#
# Table 10.4 correlates a dyad's absolute difference at wave 1 with its absolute difference at
# wave 2, over the dyads present at both waves; Figure 10.3 shows them.

# %% tags=["hide-input"]
t104 = rows_dy[rows_dy["ref"] == "T10.4"]
show(layout.coefficient_table(t104, row="variable", col="wave", row_order=SCALES, labels=SCALE_NAMES)
     .rename(columns={"1+2": "Absolute difference, wave 1 with wave 2"}))
display(Markdown("*p < .05, **p < .01, ***p < .001."))
r104 = t104[t104["statistic"] == "r"].set_index("variable")["value"]
glue("ch10-r104-min", r2(r104.min()), display=False)
glue("ch10-r104-max", r2(r104.max()), display=False)

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Absolute client-officer difference of the same dyad at wave 1 (horizontal) and wave 2 (vertical), per scale. On the dashed line the distance stayed the same.", "name": "fig-ch10-absdiff"}}
both = dyadic.dyads_at(dyadic.dyads_at(data, 1), 2)
fig, axes = panels("wave 1", "wave 2")
for ax, s in zip(axes, codebook.SCALES):
    dyad_scatter(ax, both[f"abs1_{s}"], both[f"abs2_{s}"], lim=(0, 6))
fig.tight_layout()
plt.show()

# %% [markdown]
# The correlations lie between {glue:text}`ch10-r104-min` and {glue:text}`ch10-r104-max`. A high
# correlation would mean that a dyad's distance is a lasting feature of the pair; a low one that
# distances at the start say little about distances later. Points far from the diagonal of the
# figure are dyads whose distance changed by a lot.
#
# ## 10.2.4 Distance and the justice trajectory
#
# The thesis related the absolute differences to the client's risk profile (the RISc category)
# and to detention before the supervision, and reports the significant results. Below are those
# results, followed by the full overview the text summarises: every scale at both waves.

# %% tags=["hide-input"]
def suppress_small_outcome_groups(rows):
    """Real-data mode: Tables 10.5 and 10.6 count each outcome group in a ``frequency`` row. The
    means and SDs of a group below the minimum cell size, and every test of that outcome at that
    wave (table and running text), are suppressed with the count (Privacy.ledger only sees an n
    in the same cell)."""
    rows = rows.assign(suppressed=False)
    n = rows[rows["ref"].isin(["T10.5", "T10.6"]) & (rows["analysis"] == "frequency") & (rows["statistic"] == "n")]
    small = n[privacy.small(n["value"])]
    hit = np.zeros(len(rows), dtype=bool)
    for r in small.itertuples(index=False):
        outcome = r.group.split("=", 1)[0]
        hit |= ((rows["wave"] == r.wave) & rows["group"].isin([r.group, outcome])
                & (rows["analysis"] != "frequency")).to_numpy()
    if hit.any():
        rows.loc[hit, "value"] = np.nan
        rows.loc[hit, "suppressed"] = True
        privacy.log.append(f"{int(hit.sum())} statistics of outcome groups under {privacy.min_cell} suppressed")
    return rows


if has_outcomes and has_justice:
    pre = suppress_small_outcome_groups(ch10.outcomes)
    rows_out = privacy.ledger(pre.drop(columns="suppressed"))
    rows_out["suppressed"] |= pre["suppressed"].to_numpy()
else:
    rows_out = privacy.ledger(ch10.outcomes)


def p_clause(p):
    text = layout.p_text(p)
    return "" if not text else (f"p < {text[1:]}" if text.startswith("<") else f"p = {text}")


def result_text(analysis, st):
    """One running-text result as the thesis prints it, e.g. 'rS(203) = .19, p < .01'."""
    def g(k):
        return st.get(k, np.nan)

    if analysis in ("spearman", "correlation"):
        name, key = ("rS", "rs") if analysis == "spearman" else ("r", "r")
        parts = [f"{name}({layout.count(g('df'))}) = {layout.fmt(g(key), leading_zero=False)}", p_clause(g("p"))]
    elif analysis == "anova":
        parts = [f"F({layout.count(g('df1'))}, {layout.count(g('df2'))}) = {layout.fmt(g('F'))}", p_clause(g("p")),
                 f"eta2 = {layout.fmt(g('eta2'), leading_zero=False)}"]
    elif "M" in st:
        parts = [f"M = {layout.fmt(g('M'))}", f"SD = {layout.fmt(g('SD'))}"]
    else:
        parts = [f"n = {layout.count(g('n'))}"]
    return ", ".join(p for p in parts if p)


def text_results(rows, prefix):
    """The running-text results of one section, one line per result."""
    r = rows[rows["ref"].str.startswith(prefix)]
    out = []
    for (ref, wave, analysis, variable, group), g in r.groupby(["ref", "wave", "analysis", "variable", "group"],
                                                               sort=False):
        st = dict(zip(g["statistic"], g["value"]))
        shown = "(suppressed)" if g["value"].isna().all() else result_text(analysis, st)
        out.append({"text": ref, "wave": wave, "score": variable, "with / by": group, "result": shown})
    return pd.DataFrame(out, columns=["text", "wave", "score", "with / by", "result"])


if has_justice:
    show(text_results(rows_out, "S10.2.4"), index=False, small=True)
    overview = []
    for w in (1, 2):
        dy = dyadic.dyads_at(data, w)
        for s in SCALES:
            rs = association.correlation(dy, f"abs{w}_{s}", "risc_score", method="spearman").iloc[0]
            an = groups.anova_oneway(dy, f"abs{w}_{s}", "detention_history").iloc[0]
            overview.append({"wave": w, "scale": SHORT[s], "rS with RISc": layout.cell(rs["r"], rs["p"]),
                             "n (RISc)": layout.count(rs["n"]),
                             "F detention": layout.fmt(an["F"]) + layout.stars(an["p"]),
                             "eta2": layout.fmt(an["eta2"], leading_zero=False)})
    show(pd.DataFrame(overview), index=False, small=True)
    display(Markdown("Absolute differences with the RISc category (Spearman) and by detention before the supervision "
                     "(one-way ANOVA); *p < .05, **p < .01, ***p < .001."))
else:
    pending("the dataset has no RISc category or detention history.")

# %% [markdown]
# ## 10.2.5 Distance and the outcomes of supervision
#
# Tables 10.5 (wave 1) and 10.6 (wave 2) split the absolute differences by the four outcomes:
# late or absent at least twice (te laat / niet opdagen) and formal actions by the officer
# (formele handelingen), both reported by the officer at wave 2; premature negative termination
# within 24 months (voortijdig negatieve uitval) and a new early-help notification (vroeghulp),
# both from the registry. Each split is tested by one-way ANOVA, as in the thesis.


# %% tags=["hide-input"]
def outcome_table(rows, ref):
    """Tables 10.5 and 10.6 with the outcome groups as rows (M (SD) per scale) and the F test below each."""
    r = rows[rows["ref"] == ref]
    wide = r.set_index(["analysis", "variable", "group", "statistic"])["value"]
    out, index = [], []
    for o in outcomes.OUTCOMES:
        for lv, word in ((0, "no"), (1, "yes")):
            g = f"{o}={lv}"
            n = wide.get(("frequency", o, g, "n"), np.nan)
            out.append([layout.m_sd(wide.get(("abs_diff", v, g, "M"), np.nan), wide.get(("abs_diff", v, g, "SD"), np.nan))
                        for v in SCALES])
            index.append((OUTCOME_NAMES[o], f"{word} (n = {layout.count(n)})"))
        out.append([layout.fmt(wide.get(("anova", v, o, "F"), np.nan))
                     + layout.stars(wide.get(("anova", v, o, "p"), np.nan), top=2) for v in SCALES])
        index.append((OUTCOME_NAMES[o], "F"))
    return pd.DataFrame(out, index=pd.MultiIndex.from_tuples(index), columns=[SHORT[v] for v in SCALES])


if has_outcomes:
    show(outcome_table(rows_out, "T10.5"), small=True)
    display(Markdown("Table 10.5, wave 1: absolute differences, M (SD), by outcome; F of the one-way ANOVA of "
                     "the two groups, *p < .05, **p < .01 (the thesis's legend stops at two stars). The n's count the "
                     "dyads with the outcome and all five differences; means and tests use every dyad with the score."))
    show(outcome_table(rows_out, "T10.6"), small=True)
    display(Markdown("Table 10.6, wave 2 (as Table 10.5)."))
    cnt = rows_out[rows_out["ref"].isin(["S10.2.5a", "S10.2.5g"]) & (rows_out["group"] == "")]
    cnt = cnt.set_index(["ref", "variable"])["value"]
    for ref, w in (("S10.2.5a", 1), ("S10.2.5g", 2)):
        glue(f"ch10-larger-w{w}", layout.count(cnt.get((ref, "comparisons_larger_if_negative_outcome"))), display=False)
else:
    for key in ("ch10-larger-w1", "ch10-larger-w2"):
        glue(key, "(pending)", display=False)
    pending("the dataset has no outcomes (dataset II); Tables 10.5 and 10.6 need them.")

# %% [markdown]
# In {glue:text}`ch10-larger-w1` of the 20 comparisons at wave 1 and in
# {glue:text}`ch10-larger-w2` of the 20 at wave 2 the dyads with the negative outcome have the
# larger mean absolute difference (the thesis counts these too).
#
# ## 10.2.6 The officer's counter-reactance and the client's view
#
# The three counter-reactance items are answered by officers only ("says they cooperate but I do
# not notice it", "working with this client gives me energy", "I am stricter than average with
# this client"), so they have no client counterpart. The thesis correlated them with the
# client's scales (Spearman) and reports the significant ones; here are those and the full
# matrix.

# %% tags=["hide-input"]
show(text_results(rows_out, "S10.2.6"), index=False, small=True)
cr_rows = []
for w in (1, 2):
    dy = dyadic.dyads_at(data, w)
    tab = association.correlation_table(dy, [f"po{w}_{c}" for c in outcomes.CR_ITEMS],
                                        [f"client{w}_{s}" for s in SCALES], method="spearman")
    for _, r in tab.iterrows():
        cr_rows.append({"wave": w, "item": r["x"].split("_", 1)[1], "scale": SHORT[r["y"].split("_", 1)[1]],
                        "cell": layout.cell(r["r"], r["p"]) + f" ({layout.count(r['n'])})"})
cr = pd.DataFrame(cr_rows).pivot(index=["wave", "item"], columns="scale", values="cell")
show(cr[[SHORT[s] for s in SCALES]])
display(Markdown("Officer's counter-reactance item (rows) with the client's scale (columns), Spearman rS (n); "
                 "*p < .05, **p < .01, ***p < .001."))

# %% [markdown]
# ## 10.3 Which scales predict the outcomes? Logistic regression with forward selection
#
# The thesis put the client's and the officer's four scales in one logistic regression per
# outcome and let a forward stepwise procedure choose among them: at wave 1 (Table 10.7), at
# wave 2 (Table 10.8) and over both waves together, sixteen candidates (Table 10.9). Cases are
# the dyads with the outcome and *every* candidate (listwise, as SPSS does), so n differs per
# outcome.
#
# **The procedure used here** is SPSS's `LOGISTIC REGRESSION /METHOD=FSTEP(LR)`
# (`wagk.logistic.forward_stepwise`): a candidate *enters* when its score (Rao) test, computed
# at the current model, has the smallest p and p < .05, which is SPSS's entry test for all
# three of its forward methods; after each entry a predictor is *removed* when its
# likelihood-ratio test has p > .10. The thesis does not say which removal test it used; the
# table after the models shows whether the other two (SPSS's conditional and Wald statistics)
# would have chosen differently. Exp(B) is the odds ratio per scale point; the value in
# parentheses is the standard error of B, as the thesis prints it; R2 is Nagelkerke's.

# %% tags=["hide-input"]
fits = ch10.fits  # each model fitted once
if present:
    rows_log = privacy.ledger(ch10.logistic)
else:
    rows_log = pd.DataFrame(columns=ledger.COLUMNS + ["suppressed"])


def logistic_table(rows, table):
    r = rows[rows["ref"] == table]
    wide = r.set_index(["variable", "group", "statistic"])["value"]
    out = {}
    for o in present:
        g = f"outcome={o}"
        col = {}
        for v in dyadic.candidates(table):
            e = wide.get((v, g, "ExpB"), np.nan)
            col[v] = (f"{layout.fmt(e)} ({layout.fmt(wide.get((v, g, 'SE'), np.nan))})"
                      f"{layout.stars(wide.get((v, g, 'p'), np.nan), top=2)}") if pd.notna(e) else layout.DASH
        col["n"] = layout.count(wide.get(("model", g, "n"), np.nan))
        col["Nagelkerke R2"] = r2(wide.get(("model", g, "R2"), np.nan))
        out[OUTCOME_NAMES[o]] = col
    frame = pd.DataFrame(out)
    frame.index = [i if i in ("n", "Nagelkerke R2") else
                   f"{'Client' if i.startswith('client') else 'Officer'} w{i.split('_')[0][-1]} {SHORT[i.split('_', 1)[1]]}"
                   for i in frame.index]
    return frame


if present:
    for t in outcomes.LOGISTIC_MODELS:
        show(logistic_table(rows_log, t))
        display(Markdown(f"Table {t[1:]}, candidates from {TABLE_WAVES[t]}: Exp(B) (SE of B) of the selected "
                         f"predictors; {layout.DASH} = not selected. *p < .05, **p < .01."))
        for o, res in fits[t].items():
            if res.status == "failed":
                display(Markdown(f"*{OUTCOME_NAMES[o]}: the final model could not be estimated "
                                 f"({res.fit['note'].iloc[0]}).*"))
    summary = dyadic.selection_summary(fits)
    r2s = summary["R2"]
    glue("ch10-r2-min", r2(r2s.min()), display=False)
    glue("ch10-r2-max", r2(r2s.max()), display=False)
    glue("ch10-n-models", int(len(summary)), display=False)
    glue("ch10-n-empty", int((summary["selected"] == "").sum()), display=False)
else:
    summary = pd.DataFrame(columns=["table", "outcome", "selected", "n", "n_events", "R2", "status"])
    for key in ("ch10-r2-min", "ch10-r2-max", "ch10-n-models", "ch10-n-empty"):
        glue(key, "(pending)", display=False)
    pending("the dataset has no outcomes (dataset II); Tables 10.7-10.9 need them.")

# %% [markdown]
# Nagelkerke's R2 of the {glue:text}`ch10-n-models` selected models runs from
# {glue:text}`ch10-r2-min` to {glue:text}`ch10-r2-max`; {glue:text}`ch10-n-empty` of them kept
# no predictor at all.
#
# Does the removal test matter? The three SPSS variants share the entry test; they can differ
# only when a predictor that entered earlier loses its significance later.

# %% tags=["hide-input"]
if present:
    sens = []
    for t in outcomes.LOGISTIC_MODELS:
        for o in present:
            ms = logistic.method_sensitivity(data, o, dyadic.candidates(t), known=fits[t][o])  # LR: fitted above
            sens.append({"table": t, "outcome": o, **dict(zip(ms["removal"], ms["selected"])),
                         "same": bool(ms["same"].iloc[0])})
    sens = pd.DataFrame(sens)
    sens.to_csv(tables_dir / "ch10_method_sensitivity.csv", index=False, lineterminator="\n")
    shown = sens.assign(outcome=sens["outcome"].map(OUTCOME_NAMES))
    for m, name in (("lr", "LR removal"), ("conditional", "conditional removal"), ("wald", "Wald removal")):
        shown[name] = shown.pop(m).map(labels)
    show(shown[["table", "outcome", "LR removal", "conditional removal", "Wald removal", "same"]], index=False,
         small=True)
    glue("ch10-n-same", f"{int(sens['same'].sum())} of {len(sens)}", display=False)
else:
    glue("ch10-n-same", "(pending)", display=False)
    pending("no outcomes.")

# %% [markdown]
# The three removal tests agree on {glue:text}`ch10-n-same` models.
#
# ## Beyond the thesis
#
# ### (a) Response surfaces instead of difference scores
#
# An absolute difference throws away where the two scores lie: a dyad at 2 and 4 and a dyad at
# 5 and 7 have the same difference. It also forces the client's and the officer's score to
# count equally and in opposite directions, a constraint nobody tests (Edwards 1994). Polynomial
# regression keeps both scores: the log-odds of an outcome are modelled as
#
# logit P = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y²,
#
# with X the client's and Y the officer's score (both centred at the scale midpoint 4), and the
# fitted surface is read along two lines (Edwards & Parry 1993; Humberg, Nestler & Back 2019):
# along the line of agreement (X = Y) its slope a1 = b1 + b2 and curvature a2 = b3 + b4 + b5;
# across it (X = -Y) its slope a3 = b1 - b2 (does it matter *who* scores higher?) and curvature
# a4 = b3 - b4 + b5 (does the *size* of the disagreement matter?). The difference-score
# analyses of 10.2.5 assume a4 > 0 with a3 = 0; the surface tests it. Standard errors are
# clustered by officer (`wagk.rsa.response_surface`).

# %% tags=["hide-input"]
if present:
    surf = dyadic.response_surfaces(data, outcomes=present)
    surf.to_csv(tables_dir / "ch10_response_surfaces.csv", index=False, float_format="%.10g", lineterminator="\n")
    a = surf[surf["term"].isin(dyadic.SURFACE_TERMS)]
    cells = a.assign(cell=[layout.fmt(e) + layout.stars(p) if s != "failed" else "failed"
                           for e, p, s in zip(a["estimate"], a["p"], a["status"])])
    tab = cells.pivot_table(index=["outcome", "wave", "scale"], columns="term", values="cell", aggfunc="first",
                            sort=False)
    meta = a.drop_duplicates(["outcome", "wave", "scale"]).set_index(["outcome", "wave", "scale"])
    tab["n"] = meta["n"].map(layout.count)
    tab["R2"] = meta["R2"].map(r2)
    tab = tab.rename(index=OUTCOME_NAMES, level=0).rename(index=SHORT, level=2)
    show(tab, small=True)
    display(Markdown("Surface parameters on the logit scale per outcome, wave and scale; officer-clustered SEs; "
                     "*p < .05, **p < .01, ***p < .001; R2 = Nagelkerke."))
    sig = a[a["p"] < 0.05]
    glue("ch10-rsa-models", int(a.drop_duplicates(["outcome", "wave", "scale"]).shape[0]), display=False)
    glue("ch10-rsa-a4", int((sig["term"] == "a4").sum()), display=False)
    glue("ch10-rsa-a3", int((sig["term"] == "a3").sum()), display=False)
    glue("ch10-rsa-a1", int((sig["term"] == "a1").sum()), display=False)
else:
    surf = None
    for key in ("ch10-rsa-models", "ch10-rsa-a4", "ch10-rsa-a3", "ch10-rsa-a1"):
        glue(key, "(pending)", display=False)
    pending("no outcomes.")

# %% [markdown]
# Of the {glue:text}`ch10-rsa-models` surfaces, {glue:text}`ch10-rsa-a4` have a significant
# curvature across the line of agreement (a4, what a difference-score effect needs),
# {glue:text}`ch10-rsa-a3` a significant slope across it (a3: it matters who scores higher) and
# {glue:text}`ch10-rsa-a1` a significant slope along it (a1: agreeing on a higher score goes
# with other odds than agreeing on a lower one). A difference score cannot tell these apart.
# The figure draws the fitted surfaces of reactance at wave 1, the scale whose differences the
# thesis found most often related to the outcomes.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Fitted probability of each outcome over the client's (horizontal) and the officer's (vertical) reactance score at wave 1, from the polynomial logistic regression. Solid line: agreement (X = Y); dotted: the line across it through the midpoint (X = -Y).", "name": "fig-ch10-surfaces"}}
if surf is not None:
    fig, axes = plt.subplots(2, 2, figsize=(6.8, 6.4), sharex=True, sharey=True)
    levels = np.linspace(0, 1, 11)
    for ax, o in zip(axes.flat, outcomes.OUTCOMES):
        ax.set_title(OUTCOME_NAMES[o], fontsize=10)
        ax.set_aspect("equal")
        m = surf[(surf["wave"] == 1) & (surf["scale"] == "reactance") & (surf["outcome"] == o)]
        if m.empty or m["status"].iloc[0] == "failed":
            ax.text(0.5, 0.5, "not estimable" if len(m) else "no outcome", ha="center", transform=ax.transAxes)
            continue
        gx, gy, P = dyadic.surface_grid(m)
        ax.contourf(gx, gy, P, levels=levels, cmap="viridis")
        ax.plot([1, 7], [1, 7], color="white", lw=1)
        ax.plot([1, 7], [7, 1], color="white", lw=1, ls=":")
    for ax in axes[1]:
        ax.set_xlabel("client")
    for ax in axes[:, 0]:
        ax.set_ylabel("officer")
    sm = plt.cm.ScalarMappable(cmap="viridis", norm=plt.Normalize(0, 1))
    fig.colorbar(sm, ax=axes, shrink=0.7, label="P(outcome)")
    plt.show()
else:
    print("Pending: no outcomes.")

# %% [markdown]
# ### (b) How stable are the selections?
#
# A stepwise selection among correlated scales answers "which predictors?" with a single set,
# but a slightly different sample may give another one (Austin & Tu 2004; Heinze, Wallisch &
# Dunkler 2018). Each of the twelve selections above was rerun on bootstrap resamples of its
# cases (resampling dyads with replacement, the same procedure each time), and the share of
# resamples that selected each predictor counted. Beside it, an L1-penalised (lasso) logistic
# model with its penalty chosen by five-fold cross-validation (log loss, 16 penalty values),
# which shrinks and selects in one criterion instead of a sequence of tests
# (`wagk.logistic.l1_logistic`).

# %% tags=["hide-input"]
if batch is not None:
    stab, stab_models = batch.result()
    stab.to_csv(tables_dir / "ch10_selection_stability.csv", index=False, float_format="%.10g", lineterminator="\n")
    stab_models.to_csv(tables_dir / "ch10_selection_models.csv", index=False, float_format="%.10g",
                       lineterminator="\n")
    chosen = stab[stab["in_full"]]
    glue("ch10-nboot", int(n_boot), display=False)
    glue("ch10-stab-median", layout.fmt(chosen["share"].median()) if len(chosen) else "-", display=False)
    glue("ch10-stab-n", int(len(chosen)), display=False)
    glue("ch10-stab-below", int((chosen["share"] < 0.5).sum()), display=False)
    same_set = stab_models[stab_models["is_full"]].set_index(["table", "outcome"])["share"]
    glue("ch10-same-set-median", layout.fmt(same_set.median()), display=False)
    rows_s = []
    for (t, o), g in stab.groupby(["table", "outcome"], sort=False):
        rows_s.append({"table": t, "outcome": OUTCOME_NAMES[o],
                       "forward selection (share of resamples)": ", ".join(
                           f"{label(v)} ({layout.fmt(x)})" for v, x in g.loc[g["in_full"], ["variable", "share"]].to_numpy())
                       or "(none)",
                       "same set": layout.fmt(same_set.get((t, o), np.nan)),
                       "lasso keeps": labels("+".join(g.loc[g["l1_selected"] == True, "variable"]))})  # noqa: E712
    show(pd.DataFrame(rows_s), index=False, small=True)
    display(Markdown(f"Forward selection on all cases, each predictor with the share of the {n_boot} bootstrap "
                     "resamples that selected it; the share of resamples that selected exactly the same set; the "
                     "predictors the lasso keeps (non-zero coefficients)."))
else:
    stab = None
    for key in ("ch10-nboot", "ch10-stab-median", "ch10-stab-n", "ch10-stab-below", "ch10-same-set-median"):
        glue(key, "(pending)", display=False)
    pending("no outcomes.")

# %% [markdown]
# Over {glue:text}`ch10-nboot` resamples per model, the {glue:text}`ch10-stab-n` predictors the
# forward selection chose on all cases were selected in a median share of
# {glue:text}`ch10-stab-median` of the resamples; {glue:text}`ch10-stab-below` of them in fewer
# than half. The exact set chosen on all cases came back in a median share of
# {glue:text}`ch10-same-set-median` of the resamples. The figure shows every candidate.

# %% tags=["hide-input"] mystnb={"figure": {"caption": "Percentage of bootstrap resamples in which the forward selection chose each candidate (colour and number), per model (outcome and table). A frame marks the predictors chosen on all cases; a dot those the lasso keeps. Empty cells: not a candidate of that model.", "name": "fig-ch10-stability"}}
if stab is not None:
    order = dyadic.candidates("T10.9")
    cols = [(t, o) for t in outcomes.LOGISTIC_MODELS for o in present]
    M = stab.pivot_table(index="variable", columns=["table", "outcome"], values="share").reindex(index=order, columns=cols)
    fig, ax = plt.subplots(figsize=(7.6, 8.4))
    sns.heatmap(100 * M, ax=ax, vmin=0, vmax=100, cmap="Blues", annot=True, fmt=".0f", annot_kws={"fontsize": 8},
                cbar_kws={"label": "% of resamples", "shrink": 0.6}, linewidths=0.5, linecolor="white")
    for _, r in stab.iterrows():
        i, j = order.index(r["variable"]), cols.index((r["table"], r["outcome"]))
        if r["in_full"]:
            ax.add_patch(plt.Rectangle((j, i), 1, 1, fill=False, edgecolor="crimson", lw=1.8))
        if r["l1_selected"] == True:  # noqa: E712
            ax.plot(j + 0.85, i + 0.22, marker="o", ms=3.5, color="darkorange")
    ax.set_xticklabels([f"{OUTCOME_NAMES[o]} ({t[1:]})" for t, o in cols], rotation=90, fontsize=8)
    ax.set_yticklabels([label(v) for v in order], fontsize=8, rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    fig.tight_layout()
    plt.show()
else:
    print("Pending: no outcomes.")

# %% [markdown]
# ### (c) Agreement with the officers taken into account
#
# One officer often supervises several clients of the study, so the dyads of Table 10.1 are not
# independent pairs: an officer who rates all clients low moves several points at once. The
# interval below resamples *officers* with all their dyads (a cluster bootstrap,
# {glue:text}`ch10-nboot-cluster` resamples) beside the usual Fisher interval that assumes
# independent pairs. The design effect is the bootstrap variance of Fisher's z relative to the
# independent-pairs variance; above 1 the nesting widens the interval.

# %% tags=["hide-input"]
glue("ch10-nboot-cluster", int(n_boot_cluster), display=False)
clus = pd.concat([dyadic.clustered_agreement(sc[("client", w)], sc[("po", w)], n_boot=n_boot_cluster, seed=seed)
                  .assign(wave=w) for w in codebook.WAVES], ignore_index=True)
clus.to_csv(tables_dir / "ch10_clustered_agreement.csv", index=False, float_format="%.10g", lineterminator="\n")
ct = pd.DataFrame({
    "wave": clus["wave"], "scale": clus["variable"].map(SHORT),
    "n dyads": clus["n"].map(layout.count), "officers": clus["n_clusters"].map(layout.count),
    "r": [layout.cell(r, p) for r, p in zip(clus["r"], clus["p"])],
    "95% CI, independent pairs": [f"[{r2(lo)}, {r2(hi)}]" for lo, hi in zip(clus["ci_low_fisher"], clus["ci_high_fisher"])],
    "95% CI, officer bootstrap": [f"[{r2(lo)}, {r2(hi)}]" for lo, hi in zip(clus["ci_low"], clus["ci_high"])],
    "design effect": clus["deff"].map(lambda v: layout.fmt(v)),
})
show(ct, index=False, small=True)
glue("ch10-deff-median", layout.fmt(clus["deff"].median()), display=False)
glue("ch10-deff-max", layout.fmt(clus["deff"].max()), display=False)
excl = clus[(clus["ci_low_fisher"] > 0) & ~(clus["ci_low"] > 0)]
glue("ch10-n-lost", int(len(excl)), display=False)

# %% [markdown]
# The median design effect is {glue:text}`ch10-deff-median` (largest
# {glue:text}`ch10-deff-max`). For {glue:text}`ch10-n-lost` correlations the naive interval
# excludes zero but the officer-bootstrap interval does not.
#
# ## Closing note
#
# The predictors each model selected on this dataset are listed below; the [reproduction
# report](report_reproduction.ipynb) sets them beside the thesis's selections and gives the
# share of chapter 10's published numbers that this run reproduces within tolerance.

# %% tags=["hide-input"]
if len(summary):
    show(summary.drop(columns="status").assign(outcome=summary["outcome"].map(OUTCOME_NAMES),
                                               selected=summary["selected"].map(labels),
                                               R2=summary["R2"].map(r2)),
         index=False, small=True)
    summary.to_csv(tables_dir / "ch10_selected_predictors.csv", index=False, float_format="%.10g", lineterminator="\n")
else:
    pending("no outcomes, no models.")

rows = pd.concat([rows_dy, rows_out, rows_log], ignore_index=True)
ledger.write(rows, paths.ledger_dir(results_dir) / "ch10.csv")
glue("ch10-n-ledger", int(len(rows)), display=False)
print(f"{len(rows)} ledger rows written. {privacy.summary()}")
