"""The book page "How stable is each finding?": the Monte Carlo summary beside the thesis.

The Monte Carlo study (:mod:`wagk.montecarlo`, ``wagk montecarlo``) writes per ledger row the
median and the 2.5-97.5% interval over the replicates and, per test, the share of replicates
with p < .05; per logistic model of Tables 10.7-10.9 it counts which predictors the forward
selection kept. This module finds the summary to show (:func:`locate`), joins it with the
published numbers (:func:`findings`, :func:`selection_table`) and condenses it per chapter
(:func:`chapter_summary`). Reading ``data/published`` is allowed here: this is report code.

Which summary is shown: ``build/montecarlo`` when the user has run ``wagk montecarlo`` and that
run finished later than the committed one, else the committed summary in ``data/montecarlo``
(``R = 500``, see its README), so that building the book never runs the study.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import compare, ledger, montecarlo, paths, published

#: the committed summary of the R = 500 study
COMMITTED = paths.DATA / "montecarlo"
#: where ``wagk montecarlo`` writes by default
LOCAL = montecarlo.OUT
TEST_KEY = [k for k in ledger.KEY if k != "statistic"]
SIGNIFICANT = ("*", "**", "***")

FINDING_COLUMNS = ["chapter", "ref", "perspective", "wave", "analysis", "variable", "group", "statistic",
                   "published", "printed", "median", "low", "high", "inside", "replicates", "thesis_significant",
                   "share_significant"]


@dataclass
class Summary:
    """A Monte Carlo summary as written by :func:`wagk.montecarlo.write`."""

    summary: pd.DataFrame
    selections: pd.DataFrame
    info: dict
    folder: Path
    committed: bool


def finished(folder: Path | str) -> dt.datetime | None:
    """When the run in ``folder`` finished: ``finished`` of its ``run.json``, else the file's
    modification time; None without a ``run.json``."""
    run_json = Path(folder) / "run.json"
    if not run_json.exists():
        return None
    info = json.loads(run_json.read_text(encoding="utf-8"))
    if info.get("finished"):
        return dt.datetime.fromisoformat(info["finished"].replace("Z", "+00:00"))
    return dt.datetime.fromtimestamp(run_json.stat().st_mtime, dt.timezone.utc)


def locate(local: Path | str = LOCAL, committed: Path | str = COMMITTED) -> tuple[Path, bool] | None:
    """The summary folder to show and whether it is the committed one: ``local`` when it holds a
    summary that finished later than ``committed``'s (or there is no committed one), else
    ``committed``; None when neither has a summary."""
    local, committed = Path(local), Path(committed)
    have_local = (local / "summary.csv").exists() and finished(local) is not None
    have_committed = (committed / "summary.csv").exists() and finished(committed) is not None
    if have_local and (not have_committed or finished(local) > finished(committed)):
        return local, False
    if have_committed:
        return committed, True
    return None


def load(local: Path | str = LOCAL, committed: Path | str = COMMITTED) -> Summary | None:
    """The summary :func:`locate` chooses, read with :func:`wagk.montecarlo.read_summary`; None
    when there is none."""
    found = locate(local, committed)
    if found is None:
        return None
    folder, is_committed = found
    summary, sel, info = montecarlo.read_summary(folder)
    return Summary(summary, sel, info, folder, is_committed)


def _thesis_significance(pub: pd.DataFrame) -> pd.DataFrame:
    """Per test (ledger key without the statistic) of the published rows: was p < .05?"""
    p = pub[pub["statistic"] == "p"].copy()
    cats = [compare.category(v) if pd.notna(v) else compare.printed_category(str(t))
            for v, t in zip(p["value"], p["printed"])]
    p["thesis_significant"] = [np.nan if c == "" else float(c in SIGNIFICANT) for c in cats]
    return p[TEST_KEY + ["thesis_significant"]]


def findings(summary: pd.DataFrame, published_rows: pd.DataFrame | None = None,
             scope=("7", "8", "9", "10")) -> pd.DataFrame:
    """Every published number of the scope with the replicates' median, interval and share
    significant (:data:`FINDING_COLUMNS`).

    ``inside``: the published value lies within the replicates' 2.5-97.5% interval (1/0; empty
    without a published value or without replicates). ``thesis_significant``: the thesis's p for
    the same test was below .05 (1/0; from the printed category when only stars or a bound are
    printed). ``share_significant``: share of replicates with p < .05 for that test. Published
    numbers that no replicate computed keep empty summary columns (``replicates`` 0).
    """
    pub = published.load() if published_rows is None else published_rows.copy()
    if "chapter" not in pub.columns:
        pub["chapter"] = pub["ref"].map(published.chapter_of)
    pub = pub[pub["chapter"].isin(scope) & (pub["analysis"] != "model_spec")]
    pub = pub.rename(columns={"value": "published"})
    pub["printed"] = pub["printed"].fillna("") if "printed" in pub.columns else ""
    summ = summary[ledger.KEY + ["median", "low", "high", "replicates", "share_significant"]]
    out = pub.merge(summ, on=ledger.KEY, how="left")
    sig = _thesis_significance(pub.rename(columns={"published": "value"}))
    out = out.merge(sig, on=TEST_KEY, how="left")
    out["replicates"] = out["replicates"].fillna(0).astype(int)
    ok = out["published"].notna() & out["low"].notna() & out["high"].notna()
    out["inside"] = np.where(ok, ((out["published"] >= out["low"]) & (out["published"] <= out["high"])).astype(float),
                             np.nan)
    order = {c: i for i, c in enumerate(scope)}
    out = out.assign(_c=out["chapter"].map(order)).sort_values(["_c"] + ledger.KEY, kind="mergesort")
    return out[FINDING_COLUMNS].reset_index(drop=True)


def chapter_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per chapter and overall: published numbers, those computed in the replicates, the share
    of published values inside the replicates' interval, and for the tests the thesis found
    significant (not significant) how many there are and the median share of replicates in
    which they are significant."""

    def one(g: pd.DataFrame) -> dict:
        tests = g[g["statistic"] == "p"]
        sig, ns = tests[tests["thesis_significant"] == 1], tests[tests["thesis_significant"] == 0]
        inside = g["inside"].dropna()
        return dict(published=len(g), in_replicates=int((g["replicates"] > 0).sum()),
                    with_value=len(inside), share_inside=inside.mean() if len(inside) else np.nan,
                    tests_significant=len(sig), median_share_sig=sig["share_significant"].median(),
                    tests_not_significant=len(ns), median_share_sig_ns=ns["share_significant"].median())

    rows = {c: one(g) for c, g in table.groupby("chapter", sort=False)}
    rows["overall"] = one(table)
    return pd.DataFrame.from_dict(rows, orient="index")


def selection_table(selections: pd.DataFrame, published_rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per logistic model of Tables 10.7-10.9: the thesis's selected predictors, the share of
    replicates in which the forward selection kept exactly that set (``share_same``), the share
    in which it kept at least the thesis's predictors (``share_superset``), and the most frequent
    set with its share. ``selections`` is :func:`wagk.montecarlo.selection_shares`."""
    pub = published.load() if published_rows is None else published_rows
    thesis = compare.selected_predictors(pd.DataFrame(columns=ledger.COLUMNS), pub)[["ref", "wave", "outcome", "thesis"]]
    rows = []
    for t in thesis.itertuples(index=False):
        s = selections[(selections["ref"] == t.ref) & (selections["outcome"] == t.outcome)]
        want = set(filter(None, str(t.thesis).split("+"))) if isinstance(t.thesis, str) else None
        n = int(s["replicates"].sum()) if len(s) else 0
        sets = [set(filter(None, str(x).split("+"))) for x in s["selected"]]
        same = sum(r for r, x in zip(s["replicates"], sets) if want is not None and x == want)
        sup = sum(r for r, x in zip(s["replicates"], sets) if want is not None and want <= x)
        top = s.iloc[0] if len(s) else None
        rows.append(dict(ref=t.ref, wave=t.wave, outcome=t.outcome, thesis=t.thesis, replicates=n,
                         share_same=same / n if n else np.nan, share_superset=sup / n if n else np.nan,
                         most_frequent="" if top is None else str(top["selected"]),
                         share_most_frequent=np.nan if top is None else float(top["share"])))
    return pd.DataFrame(rows, columns=["ref", "wave", "outcome", "thesis", "replicates", "share_same", "share_superset",
                                       "most_frequent", "share_most_frequent"])


def predictor_shares(selections: pd.DataFrame) -> pd.DataFrame:
    """Per model and predictor: share of replicates whose selection kept it."""
    rows = []
    for (ref, outcome), s in selections.groupby(["ref", "outcome"], sort=True):
        n = s["replicates"].sum()
        kept: dict[str, int] = {}
        for sel, r in zip(s["selected"], s["replicates"]):
            for p in filter(None, str(sel).split("+")):
                kept[p] = kept.get(p, 0) + int(r)
        rows += [dict(ref=ref, outcome=outcome, predictor=p, share=k / n) for p, k in sorted(kept.items())]
    return pd.DataFrame(rows, columns=["ref", "outcome", "predictor", "share"])


__all__ = ["Summary", "locate", "load", "findings", "chapter_summary", "selection_table", "predictor_shares"]
