"""What the pages of chapters 8 (the clients) and 9 (the officers) share: one implementation for
both perspectives.

The two chapters ask the same questions of two perspectives and lay their pages out alike: the
thesis's tables recomputed, every test of :func:`wagk.relations.screen`, the empirical model and
outcome overview drawn from those tests, the officers' clustering (ICC), the multiplicity of the
tests and the reproduction share. :class:`Page` holds a chapter's data and computed parts and
shows these sections; the notebooks (``notebooks/ch08_clients.py``, ``ch09_officers.py``) keep
their prose and the sections that only one perspective has.

Every number shown comes from the ledger rows of :func:`wagk.chapters.chapter8` /
:func:`wagk.chapters.chapter9` or from the screen; nothing here computes an analysis of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import background, chapters, compare, contract, layout, ledger, outcomes, paths, perspective, relations, \
    result_tables, scores
from wagk._recipes import missing_columns
from wagk.privacy import Privacy
from wagk.result_tables import LABELS

#: per perspective: chapter number, ledger name, the chapter's function, the background,
#: outcome and motivation recipes (for the printed results the dataset cannot compute), the
#: extra name of the table of printed results
_SETUP = {
    "client": ("8", "ch08", chapters.chapter8,
               (perspective.client_background_recipes, outcomes.client_outcome_recipes,
                perspective.client_motivation_recipes), {"po_age": "officer's age"}),
    "po": ("9", "ch09", chapters.chapter9,
           (perspective.officer_background_recipes, outcomes.officer_outcome_recipes,
            perspective.officer_motivation_recipes), {"client_age_group": "client's age group"}),
}


#: the glue keys a :class:`Page` sets, after the chapter prefix (``ch08-``, ``ch09-``)
GLUED = ("n-w1", "n-w2", "n-change", "text-bg-n", "text-bg-sig", "links", "icc-max", "cl-n", "cl-naive", "cl-lost", "cl-gained", "m", "sig",
         "fdr", "holm", "expected", "repro-tables", "repro-text", "repro-all", "repro-tables-count",
         "repro-text-count", "repro-all-count")


def _glue(name, value):
    from myst_nb import glue

    glue(name, value, display=False)


def _display(*objs):
    from IPython.display import display

    display(*objs)


def _markdown(text):
    from IPython.display import Markdown

    return Markdown(text)


@dataclass
class Page:
    """One perspective's chapter page (``persp`` "client" for chapter 8, "po" for chapter 9).

    Build it with :meth:`load`. ``rows`` collects the chapter's ledger rows in the page's order
    (:meth:`add`); :meth:`reproduction` writes them.
    """

    persp: str
    privacy: Privacy
    data: pd.DataFrame
    parts: dict
    results_dir: str
    handed: object = None
    rows: list = field(default_factory=list)
    _tests: pd.DataFrame | None = None

    # ---------------------------------------------------------------------------- set-up

    @classmethod
    def load(cls, persp: str, data_dir, results_dir, *, real_data: bool = False, min_cell: int = 5) -> "Page":
        """Load the dataset and chapter 7's scores, build the analysis frame and compute the
        chapter's ledger parts (:mod:`wagk.chapters`). Without chapter 7's scores the scales are
        scored with the codebook's monitor, and the page says so."""
        privacy = Privacy(real_data, min_cell=min_cell)
        study = contract.load_study(data_dir, real_data=real_data)
        try:
            handed = scores.load(results_dir, study=study)  # chapter 7's scale scores
        except FileNotFoundError:
            handed = None
        data = background.analysis_frame(study, scores=handed)
        page = cls(persp, privacy, data, _SETUP[persp][2](data), str(results_dir), handed)
        if handed is None:
            _display(_markdown(f"**Chapter 7's scores are not in `{Path(results_dir).name}`** (run chapter 7 first, "
                               "as `wagk run` does): the scales were scored here with the codebook's monitor."))
        return page

    @property
    def chapter(self) -> str:
        return _SETUP[self.persp][0]

    @property
    def ch(self) -> str:
        """The ledger name and glue prefix (``ch08``, ``ch09``)."""
        return _SETUP[self.persp][1]

    @property
    def scores(self) -> list[str]:
        """The perspective's scores: the four scales, the total (and the officers' counter-reactance items)."""
        return list(relations.scores_of(self.persp))

    @property
    def factor_labels(self) -> dict:
        return {f.name: f.label for f in relations.factors(self.persp)}

    @property
    def short(self) -> dict:
        return {s: relations.DV_LABELS[s] for s in self.scores}

    @property
    def names(self) -> dict:
        """Names in the table of printed results."""
        return {**self.factor_labels, **_SETUP[self.persp][4], **LABELS}

    @property
    def missing(self) -> dict:
        """ref -> the columns the dataset lacks for a printed result."""
        recipes = [r for make in _SETUP[self.persp][3] for r in make()]
        return missing_columns(recipes, self.data)

    @property
    def tests(self) -> pd.DataFrame:
        """Every test of the chapter (:func:`wagk.relations.screen`, adjusted), computed once and
        written to ``<results>/tables/chNN_all_tests.csv``."""
        if self._tests is None:
            self._tests = relations.adjust(relations.screen(self.data, self.persp))
            out = Path(self.results_dir, "tables")
            out.mkdir(parents=True, exist_ok=True)
            self._tests.to_csv(out / f"{self.ch}_all_tests.csv", index=False, float_format="%.10g",
                               lineterminator="\n")
        return self._tests

    # ---------------------------------------------------------------------------- display

    def tbl(self, frame: pd.DataFrame, **kw) -> None:
        """Show an aggregate table (:func:`wagk.result_tables.show`, refused in real-data mode if row-level)."""
        result_tables.show(frame, self.privacy, **kw)

    def add(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Keep ledger rows for :meth:`reproduction`; returns them."""
        self.rows.append(rows)
        return rows

    def text_table(self, ledger_rows: pd.DataFrame, clustered: pd.DataFrame) -> pd.DataFrame:
        """The printed results with the officer-clustered p (:func:`wagk.result_tables.printed_results`)."""
        return result_tables.printed_results(ledger_rows, clustered, self.names, self.privacy, missing=self.missing)

    def glue_counts(self) -> None:
        """``chNN-n-w1``, ``-n-w2``, ``-n-change``: questionnaires at each wave and at both."""
        p = self.persp
        _glue(f"{self.ch}-n-w1", int(self.data[f"in_{p}_w1"].sum()))
        _glue(f"{self.ch}-n-w2", int(self.data[f"in_{p}_w2"].sum()))
        _glue(f"{self.ch}-n-change", int((self.data[f"in_{p}_w1"] & self.data[f"in_{p}_w2"]).sum()))

    def descriptives(self) -> None:
        """Tables 8.1-8.3 / 9.1-9.3: the scores at each wave and their change, rows kept for the ledger."""
        who = {"client": "Clients'", "po": "Officers'"}[self.persp]
        what = {"1": f"{who} scores at the start (wave 1)", "2": f"{who} scores after six to nine months (wave 2)",
                "diff": "Change between the waves (wave 2 minus wave 1)"}
        for ref, _section, wave in chapters.DESCRIPTIVE_TABLES[self.persp]:
            d = self.add(self.privacy.ledger(self.parts[ref]).drop(columns="suppressed"))
            _display(_markdown(f"**Table {ref[1:]} {what[wave]}**"))
            self.tbl(result_tables.descriptive_table(d, self.scores, LABELS, change=wave == "diff"))

    def printed_background(self) -> pd.DataFrame:
        """The printed results of the background sections (8.3-8.7 / 9.3, 9.5, 9.6) with the
        officer-clustered p beside each, their rows kept for the ledger; glues
        ``chNN-text-bg-n`` (results printed) and ``-text-bg-sig`` (of those, p < .05 here)."""
        rows = self.add(self.parts["background"])
        clus = relations.clustered_recipes(_SETUP[self.persp][3][0](), self.data)
        self.tbl(self.text_table(rows, clus), index=False, small=True)
        sig = rows[rows["statistic"] == "p"]
        _glue(f"{self.ch}-text-bg-n", int(sig["ref"].nunique()))
        _glue(f"{self.ch}-text-bg-sig", int((sig.groupby("ref")["value"].min() < 0.05).sum()))
        return rows

    def every_test(self, domain: str, title: str | None = None) -> None:
        """The screen's tests of one question (:func:`wagk.result_tables.screen_grid`)."""
        if title is not None:
            _display(_markdown(f"**{title}**"))
        t = self.tests
        self.tbl(result_tables.screen_grid(t[t["domain"] == domain], self.scores, self.short, self.factor_labels),
                 small=True)

    def outcome_rows(self) -> pd.DataFrame:
        """The outcome part of the ledger, groups under the minimum cell size suppressed, kept."""
        return self.add(result_tables.suppress_outcome_groups(self.parts["outcomes"], self.privacy.small))

    # ---------------------------------------------------------------------------- figures

    def model_figure(self, centre: str, *, scales_only: bool = True) -> None:
        """The empirical model (Figures 8.1 / 9.1) drawn from the tests; glues ``chNN-links``."""
        import matplotlib.pyplot as plt

        links = relations.model_links(self.tests, scales_only=scales_only)
        fig, ax = plt.subplots(figsize=(10, 7.2))
        relations.draw_model(ax, links, centre=centre, factor_labels=self.factor_labels)
        plt.show()
        _glue(f"{self.ch}-links", f"{int((links['status'] == 'significant').sum())} of {len(links)}")

    def outcome_figure(self) -> None:
        """The overview of alliance differences by outcome (Figures 8.2 / 9.2)."""
        import matplotlib.pyplot as plt

        overview = relations.outcome_overview(self.tests)
        fig, ax = plt.subplots(figsize=(8, relations.overview_height(overview)))
        relations.draw_outcome_overview(ax, overview,
                                        outcome_labels={o: LABELS[o].split(" (")[0] for o in outcomes.OUTCOMES})
        plt.show()

    # ---------------------------------------------------------------------------- beyond the thesis

    def clustering(self) -> None:
        """ICC and design effect per score (:func:`wagk.relations.icc_table`) and how many group
        comparisons change significance with officer-clustered SEs; glues ``chNN-icc-max``,
        ``-cl-n``, ``-cl-naive``, ``-cl-lost``, ``-cl-gained``."""
        icc = relations.icc_table(self.data, self.persp)
        self.tbl(pd.DataFrame({"wave": icc["wave"].map({"1": "1", "2": "2", "diff": "change"}),
                               "score": icc["dv"].map(relations.DV_LABELS), "n": icc["n"].map(layout.count),
                               "officers": icc["n_clusters"].map(layout.count),
                               "ICC": icc["icc"].map(lambda v: layout.fmt(v, 3)),
                               "design effect": icc["design_effect"].map(lambda v: layout.fmt(v, 2))}),
                 index=False, small=True)
        g = self.tests[self.tests["p_cr1"].notna()]
        _glue(f"{self.ch}-icc-max", layout.fmt(icc["icc"].max(), 2))
        _glue(f"{self.ch}-cl-n", len(g))
        _glue(f"{self.ch}-cl-naive", int((g["p"] < 0.05).sum()))
        _glue(f"{self.ch}-cl-lost", int(((g["p"] < 0.05) & (g["p_cr1"] >= 0.05)).sum()))
        _glue(f"{self.ch}-cl-gained", int(((g["p"] >= 0.05) & (g["p_cr1"] < 0.05)).sum()))

    def multiplicity(self) -> None:
        """Tests per question, p < .05, and after Benjamini-Hochberg and Holm
        (:func:`wagk.relations.significance_summary`); glues ``chNN-m``, ``-sig``, ``-fdr``,
        ``-holm``, ``-expected``."""
        summary = relations.significance_summary(self.tests)
        summary["domain"] = summary["domain"].map(lambda d: relations.DOMAINS.get(d, d))
        self.tbl(summary.rename(columns={"domain": "question"}), index=False)
        allrow = summary.iloc[-1]
        _glue(f"{self.ch}-m", int(allrow["tests"]))
        _glue(f"{self.ch}-sig", int(allrow["p < .05"]))
        _glue(f"{self.ch}-fdr", int(allrow["FDR < .05"]))
        _glue(f"{self.ch}-holm", int(allrow["Holm < .05"]))
        _glue(f"{self.ch}-expected", f"{0.05 * int(allrow['tests']):.0f}")

    # ---------------------------------------------------------------------------- ledger

    def reproduction(self) -> pd.DataFrame:
        """Write the chapter's ledger (``<results>/ledger/chNN.csv``, real-data suppression
        applied) and show the share of the published numbers it reproduces within tolerance,
        tables and running text apart; glues ``chNN-repro-tables``, ``-text``, ``-all`` and
        their ``-count``. Returns the ledger rows."""
        name = f"chapter {self.chapter}"
        rows = ledger.check(pd.concat([r for r in self.rows if len(r)], ignore_index=True), name)
        rows = ledger.check(self.privacy.ledger(rows), name)
        ledger.write(rows, paths.ledger_dir(self.results_dir) / f"{self.ch}.csv")
        report = compare.compare(rows)
        report = report[report["chapter"] == self.chapter].copy()
        report["kind"] = np.where(report["ref"].str.startswith("T"), "tables", "running text")
        share = compare.shares(report, "kind").reindex(["tables", "running text", "overall"])
        share["share_within"] = share["share_within"].map(lambda v: "-" if pd.isna(v) else f"{100 * v:.0f}%")
        self.tbl(share.rename(columns={"published": "published numbers", "within": "within tolerance",
                                       "not_computed": "not computed", "share_within": "share"}))
        for kind, key in (("tables", "tables"), ("running text", "text"), ("overall", "all")):
            _glue(f"{self.ch}-repro-{key}", share.loc[kind, "share_within"])
            _glue(f"{self.ch}-repro-{key}-count",
                  f"{int(share.loc[kind, 'within'])} of {int(share.loc[kind, 'published'])}")
        return rows
