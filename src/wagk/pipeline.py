"""Every chapter's ledger rows in one process, without papermill.

:func:`ledger_rows` runs the chapter functions of :mod:`wagk.chapters` (the ones the chapter
notebooks call) on one study, in the order of ``wagk run``: chapter 7 first, whose scale scores
(:func:`wagk.chapters.handover_scores`) are computed once and handed to chapters 8-10 in memory,
and one analysis frame (:func:`wagk.background.analysis_frame`) shared by chapters 8-10. What
the notebooks add and no ledger row needs (figures, the screens of every test, bootstrap
intervals, omega, invariance models) is not computed. It is the "complete statistics set" of a
Monte Carlo replicate (:mod:`wagk.montecarlo`).

The rows are those the notebooks compute before the real-data suppression of
:mod:`wagk.privacy`; on the synthetic data (where nothing is suppressed) they equal the
notebooks' ledgers up to the rounding of the score files (10 significant digits).
"""

from __future__ import annotations

import time

import pandas as pd

from wagk import background, chapters, codebook, ledger, scores

CHAPTERS = (7, 8, 9, 10)


def ledger_rows(study, chapters_run=CHAPTERS, timings: dict | None = None) -> pd.DataFrame:
    """The ledger rows of the chapters in ``chapters_run`` on ``study`` (columns
    :data:`wagk.ledger.COLUMNS` plus ``chapter``).

    Parameters
    ----------
    study : wagk.contract.Study
        The dataset (:func:`wagk.contract.load_study` or, in memory,
        :func:`wagk.contract.from_tables`).
    chapters_run : iterable of int
        Chapters to compute (default all four). Chapters 8-10 use chapter 7's scores whether or
        not chapter 7's rows are asked for.
    timings : dict, optional
        When given, filled with the wall seconds of each step (profiling).
    """
    chapters_run = tuple(sorted(set(chapters_run)))
    unknown = set(chapters_run) - set(CHAPTERS)
    if unknown:
        raise ValueError(f"unknown chapter(s) {sorted(unknown)}; known: {CHAPTERS}")
    clock = _Clock(timings)
    parts = []
    if 7 in chapters_run:
        parts.append(chapters.chapter7(study).rows().assign(chapter=7))
        clock("chapter 7")
    if set(chapters_run) & {8, 9, 10}:
        monitor = codebook.load_monitor(chapters.HANDOVER_VARIANT)
        handed = scores.from_study(study, monitor)
        data = background.analysis_frame(study, scores=handed)
        clock("scores and analysis frame")
        if 8 in chapters_run:
            parts.append(_concat(chapters.chapter8(data).values()).assign(chapter=8))
            clock("chapter 8")
        if 9 in chapters_run:
            parts.append(_concat(chapters.chapter9(data).values()).assign(chapter=9))
            clock("chapter 9")
        if 10 in chapters_run:
            parts.append(chapters.chapter10(study, data, handed).rows().assign(chapter=10))
            clock("chapter 10")
    rows = pd.concat(parts, ignore_index=True)
    return rows[ledger.COLUMNS + ["chapter"]]


def _concat(frames) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ledger.COLUMNS)


class _Clock:
    def __init__(self, out: dict | None):
        self.out = out
        self.t = time.perf_counter()

    def __call__(self, step: str) -> None:
        if self.out is not None:
            now = time.perf_counter()
            self.out[step] = self.out.get(step, 0.0) + now - self.t
            self.t = now
