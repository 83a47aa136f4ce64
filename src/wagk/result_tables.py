"""Display tables of chapters 8-10 in the thesis's layout, from ledger rows and screen rows.

Only formatting and pivoting: every number shown is a value of a ledger row (the recipes of
:mod:`wagk.perspective`, :mod:`wagk.outcomes`, :mod:`wagk.descriptives`) or of a test row of
:func:`wagk.relations.screen`, so a displayed table and the reproduction report cannot differ.
Significance marks follow the thesis's table notes (``*`` p < .05, ``**`` p < .01; the tables of
chapters 8-10 stop at two stars).

Examples
--------
>>> import pandas as pd
>>> test_text(pd.Series({"F": 10.28, "df1": 1, "df2": 283, "p": 0.0015, "eta2": 0.035}), "anova")
'F(1, 283) = 10.28, p = .002, η² = .04'
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from wagk import layout

TOP = 2  # the tables of chapters 8-10 print at most two stars
ETA, CHI, PHI = "\u03b7\u00b2", "\u03c7\u00b2", "\u03c6"


def _f(x, d=2, lead=True) -> str:
    return layout.fmt(x, d, leading_zero=lead)


def _df(x) -> str:
    if x is None or pd.isna(x):
        return "?"
    return f"{x:.2f}" if abs(x - round(x)) > 1e-6 else f"{int(round(x))}"


def _p(p) -> str:
    if p is None or pd.isna(p):
        return "p = ?"
    return "p < .001" if p < 0.001 else f"p = {layout.fmt(p, 3, leading_zero=False)}"


def test_text(stats: pd.Series | Mapping, analysis: str) -> str:
    """One computed test written as the thesis writes it, e.g. ``F(1, 283) = 10.28, p = .002, η² = .04``.

    ``stats`` maps statistic names (ledger ``statistic`` column) to values; ``analysis`` is the
    ledger analysis (anova, manova, ttest, spearman, correlation, chi2, frequency).
    """
    s = dict(stats)
    if analysis in ("anova", "manova"):
        parts = []
        if "F" in s:
            parts.append(f"F({_df(s.get('df1'))}, {_df(s.get('df2'))}) = {_f(s['F'])}")
        if "p" in s:
            parts.append(_p(s["p"]))
        if "eta2" in s:
            parts.append(f"{ETA} = {_f(s['eta2'], 2, False)}")
        return ", ".join(parts)
    if analysis == "ttest":
        return f"t({_df(s.get('df'))}) = {_f(s.get('t'))}, {_p(s.get('p'))}, d = {_f(s.get('d'))}"
    if analysis in ("spearman", "correlation"):
        name = "rS" if analysis == "spearman" else "r"
        r = s.get("rs", s.get("r"))
        n = s.get("df", s.get("n"))
        return f"{name}({_df(n)}) = {_f(r, 2, False)}, {_p(s.get('p'))}"
    if analysis == "chi2":
        inside = _df(s.get("df")) + (f", n = {_df(s['n'])}" if "n" in s else "")
        eff = f", {PHI} = {_f(s['phi'], 2, False)}" if "phi" in s else (
            f", V = {_f(s['V'], 2, False)}" if "V" in s else "")
        return f"{CHI}({inside}) = {_f(s.get('chi2'))}, {_p(s.get('p'))}{eff}"
    if analysis == "frequency":
        return f"n = {layout.count(s.get('n'))}"
    return ", ".join(f"{k} = {_f(v)}" for k, v in s.items())


def descriptive_table(rows: pd.DataFrame, variables: Sequence[str], labels: Mapping | None = None,
                      change: bool = False) -> pd.DataFrame:
    """Tables 8.1-8.3 and 9.1-9.3: n, M, SD, median, minimum and maximum per score.

    ``change`` names the last two columns as the thesis does for the change tables (largest
    decrease and increase).
    """
    labels = labels or {}
    wide = rows.pivot_table(index="variable", columns="statistic", values="value", aggfunc="first")
    wide = wide.reindex([v for v in variables if v in wide.index])
    out = pd.DataFrame({
        "n": wide.get("n", pd.Series(dtype=float)).map(layout.count),
        "M": wide.get("M", pd.Series(dtype=float)).map(lambda v: _f(v)),
        "SD": wide.get("SD", pd.Series(dtype=float)).map(lambda v: _f(v)),
        "median": wide.get("Mdn", pd.Series(dtype=float)).map(lambda v: _f(v)),
        "largest decrease" if change else "minimum": wide.get("Min", pd.Series(dtype=float)).map(lambda v: _f(v)),
        "largest increase" if change else "maximum": wide.get("Max", pd.Series(dtype=float)).map(lambda v: _f(v)),
    }, index=wide.index)
    return out.rename(index=lambda v: labels.get(v, v))


def _describe_result(g: pd.DataFrame, labels: Mapping) -> str:
    r = g.iloc[0]
    var = labels.get(r["variable"], r["variable"])
    tests = g[~g["analysis"].isin(["descriptives", "abs_diff"])]
    grp = tests["group"].iloc[0] if len(tests) else r["group"].split("=")[0]
    grp = grp.replace("outcome=", "")
    if r["analysis"] in ("spearman", "correlation"):
        return f"{var} with {labels.get(grp, grp)}"
    if r["analysis"] == "frequency":
        o, _, lv = r["group"].partition("=")
        return f"{labels.get(o, o)}: {'negative' if lv == '1' else 'other'} group"
    return f"{var} by {labels.get(grp, grp)}"


def _groups_text(g: pd.DataFrame, labels: Mapping) -> str:
    d = g[g["analysis"].isin(["descriptives", "abs_diff"])]
    parts = []
    for grp, h in d.groupby("group", sort=False):
        v = dict(zip(h["statistic"], h["value"]))
        level = grp.split("=", 1)[1] if "=" in grp else grp
        parts.append(f"{labels.get(level, level)}: {layout.m_sd(v.get('M'), v.get('SD'))}")
    return "; ".join(parts)


def text_results(rows: pd.DataFrame, labels: Mapping | None = None) -> pd.DataFrame:
    """The running-text results of a chapter (refs ``S...``), one line per printed result.

    Returns ``ref, section, wave, result`` (what is compared or correlated), ``groups`` (M (SD)
    of the groups the thesis names) and ``test`` (the recomputed test as the thesis writes it).
    """
    labels = labels or {}
    out = []
    text = rows[rows["ref"].str.startswith("S")]
    for ref, g in text.groupby("ref", sort=False):
        tests = g[~g["analysis"].isin(["descriptives", "abs_diff"])]
        parts = []
        for (an, var, grp), h in tests.groupby(["analysis", "variable", "group"], sort=False):
            parts.append(test_text(dict(zip(h["statistic"], h["value"])), an))
        out.append(dict(ref=ref, section=g["section"].iloc[0], wave=g["wave"].iloc[0],
                        result=_describe_result(g, labels), groups=_groups_text(g, labels), test="; ".join(parts)))
    frame = pd.DataFrame(out, columns=["ref", "section", "wave", "result", "groups", "test"])
    order = frame["section"].map(lambda sec: tuple(int(x) for x in str(sec).split(".") if x.isdigit()))
    return frame.assign(_o=order).sort_values(["_o", "ref"], kind="mergesort").drop(columns="_o").reset_index(drop=True)


def correlation_grid(rows: pd.DataFrame, variables: Sequence[str], columns: Sequence[str],
                     labels: Mapping | None = None, col_labels: Mapping | None = None) -> pd.DataFrame:
    """Tables 8.4-8.8 and 9.4-9.8: a coefficient with stars per score and variable, n below."""
    value = "rs" if (rows["statistic"] == "rs").any() else "r"
    t = layout.coefficient_table(rows, row="variable", col="group", value=value, p="p", n="n", top=TOP,
                                 row_order=list(variables), labels=labels)
    t = t.reindex(columns=[c for c in columns if c in t.columns])
    t.columns = [(col_labels or {}).get(c, c) for c in t.columns]
    t.index = t.index.set_levels([lv if lv != value else ("rS" if value == "rs" else "r")
                                  for lv in t.index.levels[1]], level=1)
    return t


def outcome_table(rows: pd.DataFrame, variables: Sequence[str], outcomes: Sequence[str],
                  labels: Mapping | None = None, outcome_labels: Mapping | None = None,
                  level_labels: Mapping | None = None, test: str = "anova") -> pd.DataFrame:
    """Tables 8.9-8.10, 9.9-9.11 (and 10.5-10.6): M (SD) per score and outcome group.

    The column header carries the group's n (the listwise n of the table's ``frequency``
    rows); the stars of the ANOVA of the score over the outcome stand on the negative group's
    cell, as in the thesis.
    """
    labels, outcome_labels = labels or {}, outcome_labels or {}
    level_labels = level_labels or {"0": "no", "1": "yes"}
    freq = rows[rows["analysis"] == "frequency"].set_index("group")["value"]
    desc = rows[rows["statistic"].isin(["M", "SD"]) & rows["group"].str.contains("=")]
    tests = rows[(rows["analysis"].isin([test, "anova"])) & (rows["statistic"] == "p")]
    cols, data = [], {}
    for o in outcomes:
        for lv in ("0", "1"):
            n = freq.get(f"{o}={lv}", np.nan)
            key = (outcome_labels.get(o, o), f"{level_labels.get(lv, lv)} (n = {layout.count(n)})")
            cols.append(key)
            cells = []
            for v in variables:
                d = desc[(desc["variable"] == v) & (desc["group"] == f"{o}={lv}")]
                s = dict(zip(d["statistic"], d["value"]))
                text = layout.m_sd(s.get("M"), s.get("SD"))
                if lv == "1" and text:
                    p = tests[(tests["variable"] == v) & tests["group"].str.endswith(o)]["value"]
                    text += layout.stars(p.iloc[0], top=TOP) if len(p) else ""
                cells.append(text)
            data[key] = cells
    out = pd.DataFrame(data, index=[labels.get(v, v) for v in variables])
    out.columns = pd.MultiIndex.from_tuples(cols)
    return out


def screen_grid(tests: pd.DataFrame, dvs: Sequence[str], labels: Mapping | None = None,
                factor_labels: Mapping | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Every test of one domain of :func:`wagk.relations.screen` as a compact grid.

    Rows: factor and wave; columns: the MANOVA (Pillai's V with stars, Wilks' p) and each
    score (F of the ANOVA or the correlation, with stars). Marks: ``a`` an ANOVA significant
    while the MANOVA is not (the thesis's footnote 19), ``†`` significant as printed but not
    after officer clustering (CR1), ``‡`` significant but not after the Benjamini-Hochberg
    adjustment over the chapter (needs :func:`wagk.relations.adjust`).
    """
    labels, factor_labels = labels or {}, factor_labels or {}
    waves = {"1": "1", "2": "2", "diff": "change"}
    out = {}
    for (factor, wave), g in tests.groupby(["factor", "wave"], sort=False):
        key = (factor_labels.get(factor, factor), waves.get(wave, wave))
        row = {}
        if (g["status"] == "pending").all():
            row["MANOVA"] = "pending: " + "; ".join(g["note"].dropna().unique())
            out[key] = row
            continue
        mv = g[g["test"] == "MANOVA Pillai"]
        mw = g[g["test"] == "MANOVA Wilks"]
        mv_sig = bool(len(mv)) and pd.notna(mv["p"].iloc[0]) and mv["p"].iloc[0] < alpha
        if len(mv):
            m = mv.iloc[0]
            row["MANOVA"] = (f"V = {_f(m['value'], 2, False)}{layout.stars(m['p'], top=TOP)}"
                             if pd.notna(m["value"]) else "not computed")
            if len(mw) and pd.notna(mw["p"].iloc[0]):
                row["MANOVA"] += f" (Wilks {_p(mw['p'].iloc[0])})"
        for d in dvs:
            h = g[g["dv"] == d]
            if h.empty:
                continue
            r = h.iloc[0]
            if pd.isna(r["statistic"]):
                row[labels.get(d, d)] = ""
                continue
            lead = r["test"] == "ANOVA"
            text = _f(r["statistic"], 2, lead) + layout.stars(r["p"], top=TOP)
            if r["p"] < alpha:
                if r["test"] == "ANOVA" and len(mv) and not mv_sig:
                    text += " a"
                if pd.notna(r.get("p_cr1")) and r["p_cr1"] >= alpha:
                    text += " \u2020"
                if "p_fdr" in r and pd.notna(r["p_fdr"]) and r["p_fdr"] >= alpha:
                    text += " \u2021"
            row[labels.get(d, d)] = text
        n = g.loc[g["dv"] != "scales", "n"]
        row["n"] = f"{layout.count(n.min())}-{layout.count(n.max())}" if n.min() != n.max() else layout.count(n.min())
        row["test"] = "F" if (g["test"] == "ANOVA").any() else ("rS" if (g["test"] == "Spearman").any() else "r")
        out[key] = row
    frame = pd.DataFrame.from_dict(out, orient="index").fillna("")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["", "wave"])
    first = [c for c in ("test", "MANOVA") if c in frame.columns]
    return frame[first + [c for c in frame.columns if c not in first]]


#: display names with the thesis's Dutch terms
LABELS = {
    "trust": "Trust (Vertrouwen)", "goals_restriction": "Goals and restriction (Richting en kader)",
    "bond": "Bond (Binding)", "reactance": "Reactance (Stroefheid)", "total": "Total (Werkalliantie totaal)",
    "cr23_says_cooperates": "CR 1. Says he cooperates, but I don't notice it",
    "cr24_energy": "CR 2. Gives me energy", "cr25_extra_strict": "CR 3. Stricter than average",
    "sms_intrinsic": "Intrinsic motivation (interne motivatie)",
    "sms_identified": "Identified regulation (interne regulatie)",
    "sms_external": "External regulation (externe regulatie)", "sms_amotivation": "Amotivation (amotivatie)",
    "exp_prior_supervision": "Earlier supervision", "exp_court_case": "Court case", "exp_advisor": "Adviser",
    "exp_previous_po": "Previous officer", "client_difficult": "Client harder than others",
    "po_competent": "Feels competent with this client", "addiction": "Addiction (verslaving)",
    "lvb": "Mild intellectual disability (LVB)", "conscience_normal": "Normal conscience (gewetensontwikkeling)",
    "no_show": "Late or absent (te laat / niet gekomen)", "formal_action": "Formal action (formele handelingen)",
    "dropout": "Premature negative end (voortijdig negatief)", "early_help": "Early-help notification (vroeghulp)",
}


def suppress_outcome_groups(rows: pd.DataFrame, small) -> pd.DataFrame:
    """Real-data mode: empty the M and SD of an outcome group whose column n (the ``frequency``
    row of the same table) is small; ``small`` is :meth:`wagk.privacy.Privacy.small`."""
    out = rows.copy()
    freq = out[(out["analysis"] == "frequency") & (out["statistic"] == "n")]
    hit = freq[small(freq["value"])]
    for r in hit.itertuples():
        mask = (out["ref"] == r.ref) & (out["group"] == r.group) & out["statistic"].isin(["M", "SD"])
        out.loc[mask, "value"] = np.nan
    return out


def show(frame: pd.DataFrame, privacy=None, index: bool = True, small: bool = False) -> None:
    """Display an aggregate table as static HTML without index and column names; in real-data
    mode :class:`wagk.privacy.Privacy` refuses a row-level frame."""
    from IPython.display import HTML, display

    if privacy is not None and not privacy.allowed(frame):
        privacy.show(frame)
        return
    frame = frame.rename_axis(index=[None] * frame.index.nlevels, columns=[None] * frame.columns.nlevels)
    styler = frame.style
    if not index:
        styler = styler.hide(axis="index")
    attrs = 'class="table wagk-static"' + (' style="font-size:.8em"' if small else "")
    display(HTML(styler.set_table_attributes(attrs).to_html()))


def printed_results(ledger_rows: pd.DataFrame, clustered: pd.DataFrame, labels: Mapping | None = None,
                    privacy=None, missing: Mapping | None = None) -> pd.DataFrame:
    """:func:`text_results` with the officer-clustered p of each group comparison beside it.

    ``clustered`` is :func:`wagk.relations.clustered_recipes` of the same recipes. In real-data
    mode (``privacy``) the group means of a comparison with a group under ``min_cell`` are not
    shown. ``missing`` (ref -> columns the dataset lacks, :func:`wagk._recipes.missing_columns`)
    turns a result that could not be computed into "pending: the dataset has no ...".
    """
    t = text_results(ledger_rows, labels)
    for ref, cols in (missing or {}).items():
        t.loc[t["ref"] == ref, ["groups", "test"]] = ["", "pending: the dataset has no " + ", ".join(cols)]
    c = clustered.drop_duplicates("ref").set_index("ref")
    t["p (clustered)"] = t["ref"].map(c["p_cr1"]).map(layout.p_text)
    if privacy is not None:
        small = privacy.small(t["ref"].map(c["n_min"]).fillna(np.inf))
        t.loc[small, "groups"] = f"(a group under {privacy.min_cell}: not shown)"
    return t.drop(columns="wave")
