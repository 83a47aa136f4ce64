"""What each chapter computes for its ledger: one function per chapter.

The chapter notebooks (``notebooks/chNN_*.py``) call these functions and show, explain and
write their parts; :mod:`wagk.pipeline` calls the same functions to compute every chapter's
ledger rows in one process (the Monte Carlo study, :mod:`wagk.montecarlo`). The list of a
chapter's analyses therefore exists once, here; what a notebook adds is display, prose and work
that gives no ledger row (figures, all-tests screens, bootstrap intervals, invariance models).

- :func:`chapter7`: Appendix 1 (item selection, Tables 3-13, footnote 44, the running text);
  :func:`handover_scores` are the scale scores chapter 7 hands to chapters 8-10.
- :func:`chapter8` and :func:`chapter9`: the clients' and the officers' perspective, from the
  analysis frame (:func:`wagk.background.analysis_frame`).
- :func:`chapter10`: the dyads (Tables 10.1-10.4), the outcomes and contra-reactance (10.2.4-10.2.6,
  Tables 10.5-10.6) and the logistic models (Tables 10.7-10.9).

Each returns the ledger rows as computed, before the real-data suppression the notebooks apply
(:class:`wagk.privacy.Privacy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from wagk import (codebook, descriptives, dyads, measurement, monitor_tables, outcomes, perspective, relations,
                  scores, selection)
from wagk._recipes import run as run_recipes

#: the monitor variant chapter 7 scores with for chapters 8-10 (see the chapter 7 notebook)
HANDOVER_VARIANT = "as_reported"


def _concat(parts) -> pd.DataFrame:
    parts = [p for p in parts if p is not None and len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


# ------------------------------------------------------------------------------------------
# chapter 7
# ------------------------------------------------------------------------------------------

@dataclass
class Chapter7:
    """The ledger parts of chapter 7 and what the notebook shows from them."""

    samples: dict  # (perspective, wave) -> items of the Appendix 1 samples
    selection: selection.Selection
    appendix1: pd.DataFrame  # Appendix 1 Tables 3-13 (ledger rows)
    fits: dict  # the CFA fits of Tables 3 and 5, by (ref, perspective, wave, model)
    toughness: pd.DataFrame  # footnote 44: alpha of DRI-R toughness
    text: pd.DataFrame = field(default=None)  # the running text of Appendix 1

    def rows(self) -> pd.DataFrame:
        """Every ledger row of the chapter, in the notebook's order."""
        return _concat([selection.ledger_rows(self.selection), self.appendix1, self.toughness, self.text])


def chapter7(study) -> Chapter7:
    """Chapter 7 / Appendix 1 on ``study``: the item selection (:mod:`wagk.selection`), the
    principal components, CFAs, alphas and correlations of Tables 3-13
    (:func:`wagk.monitor_tables.appendix1_rows`, each CFA fitted once and kept in ``fits``), the
    toughness alphas of footnote 44 and the running text (:mod:`wagk.measurement`)."""
    samples = monitor_tables.appendix1_samples(study)
    sel = selection.select(samples, selection.criteria(study))
    fits: dict = {}
    a1 = monitor_tables.appendix1_rows(study, fits=fits)
    tough = measurement.toughness_alpha_rows(samples)
    text = measurement.text_rows(a1, samples, codebook.load_cfa_model("sem_initial"))
    return Chapter7(samples, sel, a1, fits, tough, text)


def handover_scores(study) -> dict:
    """The scale scores chapter 7 hands over: every questionnaire of ``study`` scored with the
    :data:`HANDOVER_VARIANT` monitor (``{(perspective, wave): scores}``,
    :func:`wagk.scores.score_study`)."""
    return scores.score_study(study, codebook.load_monitor(HANDOVER_VARIANT))


# ------------------------------------------------------------------------------------------
# chapters 8 and 9
# ------------------------------------------------------------------------------------------

DESCRIPTIVE_TABLES = {
    "client": (("T8.1", "8.2.1", "1"), ("T8.2", "8.2.2", "2"), ("T8.3", "8.2.3", "diff")),
    "po": (("T9.1", "9.2.1", "1"), ("T9.2", "9.2.2", "2"), ("T9.3", "9.2.3", "diff")),
}


def wave_scores(data: pd.DataFrame, persp: str, wave: str) -> pd.DataFrame:
    """The scores of every questionnaire of one perspective at a wave (``"1"``, ``"2"``) or the
    change (``"diff"``, questionnaires at both waves), from the analysis frame."""
    keep = data[f"in_{persp}_w1"] & data[f"in_{persp}_w2"] if wave == "diff" else data[f"in_{persp}_w{wave}"]
    cols = [c for c in relations.scores_of(persp) if f"{persp}{wave}_{c}" in data]
    return data.loc[keep, [f"{persp}{wave}_{c}" for c in cols]].set_axis(cols, axis=1)


def descriptive_parts(data: pd.DataFrame, persp: str) -> dict[str, pd.DataFrame]:
    """Tables 8.1-8.3 (clients) or 9.1-9.3 (officers): ref -> ledger rows."""
    out = {}
    for ref, section, wave in DESCRIPTIVE_TABLES[persp]:
        frame = wave_scores(data, persp, wave)
        out[ref] = descriptives.scale_descriptive_rows(frame, ref=ref, section=section, perspective=persp, wave=wave,
                                                       columns=[c for c in relations.scores_of(persp)
                                                                if c in frame.columns])
    return out


#: the ledger parts of chapters 8 and 9 after the descriptive tables, in the notebooks' order
PERSPECTIVE_PARTS = {
    "client": (("background", perspective.client_background_rows), ("experience", perspective.experience_rows),
               ("motivation", perspective.client_motivation_rows), ("outcomes", outcomes.client_outcome_rows)),
    "po": (("background", perspective.officer_background_rows), ("appraisal", perspective.officer_appraisal_rows),
           ("motivation", perspective.officer_motivation_rows), ("outcomes", outcomes.officer_outcome_rows)),
}


def perspective_parts(data: pd.DataFrame, persp: str) -> dict[str, pd.DataFrame]:
    """Chapter 8 (``persp`` "client") or 9 ("po") on the analysis frame: part name -> ledger rows,
    the descriptive tables first, then :data:`PERSPECTIVE_PARTS`."""
    parts = descriptive_parts(data, persp)
    for name, rows in PERSPECTIVE_PARTS[persp]:
        parts[name] = rows(data)
    return parts


def chapter8(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Chapter 8 (the clients) on the analysis frame: part name -> ledger rows, in the
    notebook's order (Tables 8.1-8.3, background 8.3-8.7, experiences 8.5, motivation 8.8,
    outcomes 8.9)."""
    return perspective_parts(data, "client")


def chapter9(data: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Chapter 9 (the officers) on the analysis frame: part name -> ledger rows, in the
    notebook's order (Tables 9.1-9.3, background 9.3-9.6, appraisals, motivation, outcomes)."""
    return perspective_parts(data, "po")


# ------------------------------------------------------------------------------------------
# chapter 10
# ------------------------------------------------------------------------------------------

@dataclass
class Chapter10:
    """The ledger parts of chapter 10."""

    present: list  # outcomes with two values in the data
    has_outcomes: bool  # all four outcomes present
    has_justice: bool  # RISc score and detention history present
    dyads: pd.DataFrame  # Tables 10.1-10.4 and the running text of 10.2.2
    outcomes: pd.DataFrame  # 10.2.4-10.2.6 and Tables 10.5-10.6 (contra-reactance only without outcomes)
    fits: dict  # table -> outcome -> logistic model (wagk.outcomes.logistic_models)
    logistic: pd.DataFrame  # Tables 10.7-10.9

    def rows(self) -> pd.DataFrame:
        return _concat([self.dyads, self.outcomes, self.logistic])


def outcomes_present(data: pd.DataFrame) -> list[str]:
    """The outcomes with exactly two values in the analysis frame."""
    return [o for o in outcomes.OUTCOMES if o in data.columns and data[o].dropna().nunique() == 2]


def chapter10(study, data: pd.DataFrame, handed=None) -> Chapter10:
    """Chapter 10 on ``study``, its analysis frame ``data`` and the scores chapter 7 handed over
    (``handed``, a :class:`wagk.scores.Scores`; without it the questionnaires are scored with the
    codebook's monitor). Each logistic model is fitted once; its fit is kept in ``fits``."""
    present = outcomes_present(data)
    has_outcomes = len(present) == len(outcomes.OUTCOMES)
    has_justice = {"risc_score", "detention_history"} <= set(data.columns)
    dy = dyads.chapter10_rows(study, scores=handed)
    if has_outcomes and has_justice:
        out = outcomes.dyad_outcome_rows(data, logistic_models_too=False)
    else:
        out = run_recipes(outcomes.contra_reactance_recipes(), data)
    fits = {t: outcomes.logistic_models(data, t, outcomes=present) for t in outcomes.LOGISTIC_MODELS} if present else {}
    log = outcomes.logistic_rows(data, fits=fits) if present else pd.DataFrame()
    return Chapter10(present, has_outcomes, has_justice, dy, out, fits, log)
