"""Computed numbers against published ones: the reproduction report.

``compare(computed)`` joins ledger rows with the published rows on (ref, perspective, wave,
analysis, variable, group, statistic) and gives each pair a verdict:

within         the difference is inside the tolerance (tolerances.yml)
outside        it is not
not_computed   published, but no computed row
not_published  computed, but the thesis prints no such number
not_comparable published without a number (e.g. a '/' cell); not counted in the share

p-values are compared by significance category (n.s., *, **, ***): a printed '<.01' (two stars)
means .001 <= p < .01, except in tables whose legend stops at two stars (``category_ceiling`` in
tolerances.yml), where it means p < .01. A p printed as a rounded value ('p = .01') stands for
every p that rounds to it (.005 <= p < .015), so each category of that interval agrees with it
(:func:`rounded_categories`). The share within tolerance is within / (within + outside + not_computed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import codebook, ledger, paths, published

REPORT_COLUMNS = ["chapter", "ref", "perspective", "wave", "analysis", "variable", "group",
                  "statistic", "published", "computed", "diff", "tolerance", "verdict", "printed"]
VERDICTS = ("within", "outside", "not_computed", "not_published", "not_comparable")
CATEGORIES = ("n.s.", "*", "**", "***")


@lru_cache(maxsize=2)
def load_tolerances(path: str = str(paths.TOLERANCES_YML)) -> dict:
    return codebook.read_yaml(path)


@dataclass(frozen=True)
class Rule:
    kind: str  # "abs", "rel" or "category"
    amount: float = 0.0

    def describe(self) -> str:
        if self.kind == "category":
            return "category"
        if self.kind == "rel":
            return f"±{self.amount:.0%}"
        return f"±{self.amount:g}"

    def limit(self, published: float) -> float:
        """The largest allowed |computed - published| (not for category rules)."""
        return self.amount * abs(published) if self.kind == "rel" else self.amount


def rule_for(statistic: str, analysis: str = "", variable: str = "", tolerances: dict | None = None) -> Rule | None:
    tol = tolerances or load_tolerances()
    for o in tol.get("overrides", []):
        if o.get("statistic", statistic) != statistic:
            continue
        if o.get("analysis", analysis) != analysis or o.get("variable", variable) != variable:
            continue
        return _rule(o)
    spec = tol["statistics"].get(statistic)
    return _rule(spec) if spec else None


def _rule(spec: dict) -> Rule:
    if spec.get("category"):
        return Rule("category")
    if "rel" in spec:
        return Rule("rel", float(spec["rel"]))
    return Rule("abs", float(spec["abs"]))


def category(p: float, tolerances: dict | None = None) -> str:
    """Significance category of a p-value: 'n.s.', '*', '**' or '***'."""
    if p is None or np.isnan(p):
        return ""
    cats = (tolerances or load_tolerances())["categories"]
    for cat in ("***", "**", "*"):
        if p < cats[cat]:
            return cat
    return "n.s."


_BOUND = re.compile(r"^\s*(?:p\s*)?([<>=])\s*([0-9]*[.,]?[0-9]+)\s*$")


def printed_category(printed: str, tolerances: dict | None = None) -> str:
    """Category of a printed p: '<.01' -> '**', '<.10' -> 'n.s.', 'n.s.' -> 'n.s.', '' -> ''."""
    text = printed.strip().lower()
    if text in ("n.s.", "ns", "n.s", "ns."):
        return "n.s."
    m = _BOUND.match(text)
    if not m:
        return ""
    op, num = m.group(1), float(m.group(2).replace(",", "."))
    if op == ">":
        return "n.s." if num >= 0.05 else ""
    if op == "=":
        return category(num, tolerances)
    cats = (tolerances or load_tolerances())["categories"]
    for cat in ("***", "**", "*"):
        if num <= cats[cat]:
            return cat
    return "n.s."


_DECIMALS = re.compile(r"^\s*(?:p\s*=?\s*)?=?\s*-?\d*[.,](\d+)\s*\**\s*$")


def rounded_categories(value: float, printed: str = "", tolerances: dict | None = None) -> set[str]:
    """Categories of every p that rounds to a printed value.

    ``value`` .01 printed as '.01' covers .005 <= p < .015: categories '**' and '*'. Without a
    readable number of decimals only the value's own category is returned.
    """
    own = category(value, tolerances)
    m = _DECIMALS.match(printed or "")
    if not m:
        return {own}
    half = 0.5 * 10.0 ** (-len(m.group(1)))
    lo, hi = max(value - half, 0.0), value + half
    cats = (tolerances or load_tolerances())["categories"]
    order = ["***", "**", "*", "n.s."]
    bounds = [cats["***"], cats["**"], cats["*"], np.inf]
    out = {own}
    lower = 0.0
    for cat, upper in zip(order, bounds):
        if lower < hi and lo < upper:  # the category's range [lower, upper) meets [lo, hi)
            out.add(cat)
        lower = upper
    return out


def allowed_categories(published: float, printed: str, tolerances: dict | None = None) -> set[str]:
    """The categories a computed p may have (after :func:`_capped`) to agree with a published p:
    the printed category when only the printed text gives it ('<.01'), else every category of
    a p that rounds to the published value; empty when the row gives no category."""
    if np.isnan(published):
        return {printed_category(printed, tolerances)} - {""}
    return rounded_categories(published, printed, tolerances)


def accepted_categories(published: float, printed: str, ref: str, tolerances: dict | None = None) -> set[str]:
    """The categories of a computed p (before the table's ``category_ceiling``) that agree with a
    published p (:func:`allowed_categories`)."""
    tol = tolerances or load_tolerances()
    allowed = allowed_categories(published, printed, tol)
    ceiling = tol.get("category_ceiling", {}).get(ref)
    return {c for c in CATEGORIES if _capped(c, ceiling) in allowed}


def _capped(cat: str, ceiling: str | None) -> str:
    """A computed category no higher than what the table's legend can print (``category_ceiling``)."""
    if not ceiling or cat not in CATEGORIES:
        return cat
    return CATEGORIES[min(CATEGORIES.index(cat), CATEGORIES.index(ceiling))]


def compare(computed: pd.DataFrame, published_rows: pd.DataFrame | None = None,
            tolerances: dict | None = None) -> pd.DataFrame:
    """The reproduction report: one row per published or computed number, with a verdict."""
    tol = tolerances or load_tolerances()
    pub = published.load() if published_rows is None else published_rows.copy()
    pub = pub[pub["analysis"] != "model_spec"]
    comp = ledger.check(computed, "computed rows")
    merged = pub.merge(comp[ledger.KEY + ["value"]].rename(columns={"value": "computed"}),
                       on=ledger.KEY, how="outer", indicator="side")
    merged = merged.rename(columns={"value": "published"})
    merged["printed"] = merged["printed"].fillna("")
    merged["chapter"] = merged["ref"].map(published.chapter_of)
    verdicts, diffs, tols = [], [], []
    for r in merged.itertuples(index=False):
        v, d, t = _judge(r, tol)
        verdicts.append(v)
        diffs.append(d)
        tols.append(t)
    merged["verdict"], merged["diff"], merged["tolerance"] = verdicts, diffs, tols
    report = merged[REPORT_COLUMNS].copy()
    order = {c: i for i, c in enumerate(("6", "7", "8", "9", "10"))}
    report["_c"] = report["chapter"].map(order).fillna(99)
    report = report.sort_values(["_c"] + ledger.KEY, kind="mergesort").drop(columns="_c")
    return report.reset_index(drop=True)


def _judge(r, tol: dict) -> tuple[str, float, str]:
    if r.side == "right_only":
        return "not_published", np.nan, ""
    rule = rule_for(r.statistic, r.analysis, r.variable, tol)
    if rule is None:
        return ("not_computed" if r.side == "left_only" else "not_comparable"), np.nan, ""
    if rule.kind == "category":
        allowed = allowed_categories(r.published, r.printed, tol)
        if not allowed:
            return "not_comparable", np.nan, ""
        label = f"category {'/'.join(c for c in CATEGORIES if c in allowed)}"
        if r.side == "left_only":
            return "not_computed", np.nan, label
        got = _capped(category(r.computed, tol), tol.get("category_ceiling", {}).get(r.ref))
        return ("within" if got in allowed else "outside"), np.nan, label
    if np.isnan(r.published):
        return "not_comparable", np.nan, rule.describe()
    if r.side == "left_only" or np.isnan(r.computed):
        return "not_computed", np.nan, rule.describe()
    diff = float(r.computed - r.published)
    limit = rule.limit(r.published)
    ok = abs(diff) <= limit + 1e-9
    return ("within" if ok else "outside"), diff, rule.describe()


def shares(report: pd.DataFrame, by: str | list[str] = "chapter") -> pd.DataFrame:
    """Share of published numbers within tolerance, per group and overall."""
    counted = report[report["verdict"].isin(["within", "outside", "not_computed"])]
    def summarise(g: pd.DataFrame) -> pd.Series:
        n = len(g)
        within = int((g["verdict"] == "within").sum())
        return pd.Series(dict(published=n, within=within,
                              outside=int((g["verdict"] == "outside").sum()),
                              not_computed=int((g["verdict"] == "not_computed").sum()),
                              share_within=within / n if n else np.nan))
    by = [by] if isinstance(by, str) else by
    parts = [summarise(g).rename(k if len(by) > 1 else k[0]) for k, g in counted.groupby(by, sort=False)]
    table = pd.DataFrame(parts)
    table.loc["overall"] = summarise(counted)
    for c in ("published", "within", "outside", "not_computed"):
        table[c] = table[c].astype(int)
    return table


def run(results_dir: Path | str = paths.RESULTS, out: Path | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Compare every ledger in ``results_dir`` and write the report CSV (default results_dir/reproduction.csv)."""
    computed = ledger.read_all(paths.ledger_dir(results_dir))
    report = compare(computed)
    out = Path(out) if out else Path(results_dir) / "reproduction.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    report.to_csv(out, index=False, float_format="%.10g", lineterminator="\n")
    return report, shares(report)


#: the forward-selection tables of chapter 10 (one model per outcome)
SELECTION_TABLES = ("T10.7", "T10.8", "T10.9")


def _selections(rows: pd.DataFrame, refs) -> dict[tuple[str, str, str], list[str]]:
    """{(ref, wave, outcome): predictors with an Exp(B)} from ledger-shaped rows; every model
    with an ``n`` row is listed, also when it kept no predictor."""
    r = rows[rows["ref"].isin(refs) & (rows["analysis"] == "logistic")]
    out: dict[tuple[str, str, str], list[str]] = {}
    for g in r.loc[(r["variable"] == "model") & (r["statistic"] == "n")].itertuples(index=False):
        out.setdefault((g.ref, str(g.wave), g.group.split("=", 1)[-1]), [])
    for g in r.loc[(r["variable"] != "model") & (r["statistic"] == "ExpB")].itertuples(index=False):
        out.setdefault((g.ref, str(g.wave), g.group.split("=", 1)[-1]), []).append(g.variable)
    return out


def selected_predictors(computed: pd.DataFrame, published_rows: pd.DataFrame | None = None,
                        refs=SELECTION_TABLES) -> pd.DataFrame:
    """The predictors each forward selection kept, computed beside published (Tables 10.7-10.9).

    Parameters
    ----------
    computed : DataFrame
        Ledger rows (the chapter-10 ledger or all ledgers).
    published_rows : DataFrame, optional
        Published rows (default: :func:`wagk.published.load`).
    refs : sequence of str
        The selection tables.

    Returns
    -------
    DataFrame
        One row per model (table and outcome): ``ref, wave, outcome, thesis, computed`` (the
        selected predictors, "+"-joined in alphabetical order; "" = none, NaN = model not
        computed), ``both, thesis_only, computed_only`` (counts), ``same`` (identical sets).

    Notes
    -----
    A predictor counts as selected when its table cell has an Exp(B). The per-number verdicts
    of :func:`compare` already count a thesis predictor that the run did not select as
    ``not_computed``; this table shows the selections as sets, which is how a reader compares
    stepwise models.
    """
    pub = published.load() if published_rows is None else published_rows
    p_sel, c_sel = _selections(pub, refs), _selections(computed, refs)
    rows = []
    for key in sorted(set(p_sel) | set(c_sel), key=lambda k: (refs.index(k[0]) if k[0] in refs else 99, k[2])):
        p, c = p_sel.get(key), c_sel.get(key)
        ps, cs = set(p or []), set(c or [])
        rows.append(dict(ref=key[0], wave=key[1], outcome=key[2],
                         thesis="+".join(sorted(ps)) if p is not None else np.nan,
                         computed="+".join(sorted(cs)) if c is not None else np.nan,
                         both=len(ps & cs), thesis_only=len(ps - cs), computed_only=len(cs - ps),
                         same=(p is not None and c is not None and ps == cs)))
    return pd.DataFrame(rows, columns=["ref", "wave", "outcome", "thesis", "computed", "both", "thesis_only",
                                       "computed_only", "same"])
