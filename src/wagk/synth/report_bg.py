"""Fidelity of the synthetic background, motivation and outcome data to the published numbers.

The analysis recipes (:mod:`wagk.synth.pipeline_bg`) recompute the target tables from a dataset
(by default ``data/synthetic``); :func:`wagk.compare.compare` sets them beside the published
numbers with the tolerances of ``wagk/tolerances.yml``. The report gives

- the share of published numbers within tolerance per target table and overall;
- the agreement of significance categories (n.s., *, **, ***) over every published p;
- whether the outcome prevalences of section 8.9.1 are met exactly;
- in how many of the twelve forward selections of Tables 10.7-10.9 the same predictors enter.

``wagk synth --report`` prints it; :func:`fidelity` returns the pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import compare, paths
from wagk.synth import pipeline_bg, targets_bg

PREVALENCE_REFS = ("S8.9.1a", "S8.9.1b", "S8.9.1c", "S8.9.1d", "S8.9.1e")
LOGISTIC_TABLES = ("T10.7", "T10.8", "T10.9")
OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")


@dataclass
class Fidelity:
    report: pd.DataFrame  # compare() rows of the target tables, with a 'table' column
    shares: pd.DataFrame  # per target table and overall
    significance: dict  # agree, total, share
    prevalence: pd.DataFrame  # ref, published, computed, exact
    selection: pd.DataFrame  # table, outcome, published, computed, same

    def summary(self) -> str:
        ov = self.shares.loc["overall"]
        lines = [f"within tolerance: {int(ov['within'])} of {int(ov['published'])} ({ov['share_within']:.1%})",
                 f"significance categories equal: {self.significance['agree']} of {self.significance['total']} "
                 f"({self.significance['share']:.1%})",
                 f"outcome prevalences exact: {int(self.prevalence['exact'].sum())} of {len(self.prevalence)}",
                 f"forward selections with the same predictors: {int(self.selection['same'].sum())} of "
                 f"{len(self.selection)}"]
        return "\n".join(lines)


def _selection(computed: pd.DataFrame, pub: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for t in LOGISTIC_TABLES:
        for o in OUTCOMES:
            g = f"outcome={o}"
            sel = lambda f: sorted(set(f[(f["ref"] == t) & (f["group"] == g) & (f["statistic"] == "ExpB")  # noqa: E731
                                         & (f["variable"] != "model")]["variable"]))
            p, c = sel(pub), sel(computed)
            rows.append(dict(table=t, outcome=o, published="+".join(p), computed="+".join(c), same=p == c))
    return pd.DataFrame(rows)


def fidelity(computed: pd.DataFrame) -> Fidelity:
    """Report on ledger rows computed from one dataset (module docstring)."""
    pub = targets_bg.load()
    rep = compare.compare(computed, pub)
    rep = rep[rep["ref"].map(lambda r: targets_bg.group_of(r) is not None)]
    rep = rep[rep["verdict"] != "not_published"].copy()
    rep["table"] = rep["ref"].map(targets_bg.group_of)
    shares = compare.shares(rep, by="table")
    order = [g for g, _ in targets_bg.GROUPS if g in shares.index] + ["overall"]
    shares = shares.loc[order]
    p = rep[(rep["statistic"] == "p") & rep["verdict"].isin(["within", "outside", "not_computed"])]
    agree = int((p["verdict"] == "within").sum())
    sig = dict(agree=agree, total=len(p), share=agree / len(p) if len(p) else np.nan)
    prev = []
    for ref in PREVALENCE_REFS:
        r = rep[(rep["ref"] == ref) & (rep["statistic"] == "n")]
        for x in r.itertuples(index=False):
            prev.append(dict(ref=ref, variable=x.variable, published=x.published, computed=x.computed,
                             exact=bool(x.computed == x.published)))
    return Fidelity(rep, shares, sig, pd.DataFrame(prev), _selection(computed, pub))


def run(data_dir: Path | str = paths.SYNTHETIC, study=None) -> Fidelity:
    """Load a dataset (default data/synthetic), recompute and report."""
    if study is None:
        from wagk.contract import load_study
        study = load_study(data_dir)
    return fidelity(pipeline_bg.computed_rows(study))


def markdown(f: Fidelity) -> str:
    """The report as Markdown (shares per table, the four headline figures)."""
    t = f.shares.copy()
    t["share_within"] = (100 * t["share_within"]).map(lambda v: f"{v:.1f}%")
    lines = ["| table | published | within | outside | not computed | share |", "|---|--:|--:|--:|--:|--:|"]
    for name, r in t.iterrows():
        lines.append(f"| {name} | {r['published']} | {r['within']} | {r['outside']} | {r['not_computed']} | "
                     f"{r['share_within']} |")
    return "\n".join(lines + ["", f.summary()])
