"""Chapter 6: the description of the sample, computed from a dataset.

``chapter6(study)`` returns ledger rows (the published schema) for the parts of chapter 6 that a
dataset in the data contract can answer: how many interviews and officer questionnaires each wave
has and how they pair into dyads, how clients are spread over officers, and the frequencies and
descriptives of the background variables that the dataset carries. A background variable is
looked up by its published name (``client_gender``, ``living_situation``, ...) as a column of the
wave's questionnaire table, then of ``clients`` (or ``officers``); its values are the published
levels (``male``, ``alone``, ...). What the dataset does not carry is listed by
``chapter6_missing`` and stays 'not computed' in the comparison.

The numbers of the sampling funnel before the interviews (registrations, refusals) and the
national comparison groups are not in any dataset and are not computed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk.contract import Study
from wagk.ledger import Ledger

#: (ref, variable, wave, kind, unit); kind 'freq' gives count/percent per level (+ n),
#: 'desc' gives n, M, SD, Min, Max; unit is 'client' (the wave's interviews, then clients),
#: 'po' (the officers table) or 'registry'.
BACKGROUND = (
    ("S6.12.1a", "client_gender", 1, "freq", "client"),
    ("S6.12.1b", "client_age", 1, "desc", "client"),
    ("T6.8", "client_age_group", 1, "freq", "client"),
    ("T6.9", "living_situation", 1, "freq", "client"),
    ("T6.9", "living_situation", 2, "freq", "client"),
    ("T6.10", "work_situation", 1, "freq", "client"),
    ("T6.10", "work_situation", 2, "freq", "client"),
    ("S6.12.1f", "detention_history", 1, "freq", "client"),
    ("S6.12.1g", "court_case", 1, "freq", "client"),
    ("S6.12.1h", "prior_supervision", 1, "freq", "client"),
    ("S6.12.1i", "advice_report", 1, "freq", "client"),
    ("S6.12.2a", "po_gender", 1, "freq", "po"),
    ("S6.12.2c", "po_education", 1, "freq", "po"),
    ("S6.12.2d", "po_experience_years", 1, "desc", "po"),
    ("T6.6", "risc_category", 1, "freq", "registry"),
)
#: counts of the sampling funnel that a dataset can answer
FLOW_STAGES = tuple(f"stage={s}_t{w}" for w in (1, 2) for s in ("participants", "po_questionnaires", "dyads"))
#: every variable chapter6() can compute (when the dataset carries it)
VARIABLES = ("sampling_flow", "clients_per_po") + tuple(dict.fromkeys(v for _, v, _, _, _ in BACKGROUND))


def _column(study: Study, variable: str, wave: int, unit: str) -> pd.Series | None:
    tables = {"client": [f"client_w{wave}", "clients"], "po": ["officers"], "registry": ["registry"]}[unit]
    for name in tables:
        t = study.tables.get(name)
        if t is not None and variable in t.columns:
            key = "po_id" if unit == "po" else "client_id"
            return t.set_index(key)[variable]
    return None


def _level(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v)


def chapter6(study: Study) -> pd.DataFrame:
    """Ledger rows of chapter 6 that the dataset can answer (see the module docstring)."""
    led = Ledger()
    add = lambda **kw: led.add(section=kw.pop("section", ""), perspective="sample", **kw)
    t = study.tables
    # interviews, questionnaires and dyads per wave
    for wave, ref_part, ref_q, ref_d in ((1, "S6.7h", "S6.7h", "S6.7h"), (2, "S6.12.1c", "S6.10", "S6.10")):
        cw, pw = t.get(f"client_w{wave}"), t.get(f"po_w{wave}")
        if cw is not None:
            add(ref=ref_part, wave=wave, analysis="frequency", variable="sampling_flow",
                group=f"stage=participants_t{wave}", statistic="count", value=len(cw))
        if pw is not None:
            add(ref=ref_q, wave=wave, analysis="frequency", variable="sampling_flow",
                group=f"stage=po_questionnaires_t{wave}", statistic="count", value=len(pw))
        if cw is not None and pw is not None:
            dyads = len(set(cw["client_id"]) & set(pw["client_id"]))
            add(ref=ref_d, wave=wave, analysis="frequency", variable="sampling_flow",
                group=f"stage=dyads_t{wave}", statistic="count", value=dyads)
            if wave == 1:
                add(ref="S6.12.2e", wave=1, analysis="frequency", variable="sampling_flow",
                    group="stage=dyads_t1", statistic="count", value=dyads)
                add(ref="S6.12.2e", wave=1, analysis="frequency", variable="sampling_flow",
                    group="stage=dyads_t1", statistic="n", value=len(cw))
                add(ref="S6.12.2e", wave=1, analysis="frequency", variable="sampling_flow",
                    group="stage=dyads_t1", statistic="percent", value=100 * dyads / len(cw))
    # clients per officer: officer questionnaires per officer
    for wave, ref in ((1, "S6.12.2f"), (2, "S6.12.2g")):
        pw = t.get(f"po_w{wave}")
        if pw is None:
            continue
        per_po = pw.groupby("po_id").size()
        add(ref=ref, wave=wave, analysis="frequency", variable="clients_per_po", group="unit=po",
            statistic="n", value=len(per_po))
        add(ref=ref, wave=wave, analysis="frequency", variable="clients_per_po", group="unit=client",
            statistic="n", value=int(per_po.sum()))
        for k, count in per_po.value_counts().sort_index().items():
            add(ref=ref, wave=wave, analysis="frequency", variable="clients_per_po", group=f"level={k}",
                statistic="count", value=int(count))
            add(ref=ref, wave=wave, analysis="frequency", variable="clients_per_po", group=f"level={k}",
                statistic="percent", value=100 * count / len(per_po))
    # background variables present in the dataset
    for ref, variable, wave, kind, unit in BACKGROUND:
        col = _column(study, variable, wave, unit)
        if col is None:
            continue
        if kind == "desc":
            x = pd.to_numeric(col, errors="coerce").dropna()
            for stat, value in (("n", len(x)), ("M", x.mean()), ("SD", x.std(ddof=1)), ("Min", x.min()), ("Max", x.max())):
                add(ref=ref, wave=wave, analysis="descriptives", variable=variable, statistic=stat,
                    value=float(value) if len(x) else np.nan)
            continue
        total = len(col)
        valid = col.dropna()
        add(ref=ref, wave=wave, analysis="frequency", variable=variable, group="level=total", statistic="n", value=total)
        for level, count in valid.map(_level).value_counts().sort_index().items():
            add(ref=ref, wave=wave, analysis="frequency", variable=variable, group=f"level={level}",
                statistic="count", value=int(count))
            add(ref=ref, wave=wave, analysis="frequency", variable=variable, group=f"level={level}",
                statistic="percent", value=100 * count / total)
        if total - len(valid):
            add(ref=ref, wave=wave, analysis="frequency", variable=variable, group="level=missing",
                statistic="count", value=total - len(valid))
    return led.frame()


def chapter6_missing(study: Study) -> list[str]:
    """Background variables of chapter 6 that the dataset does not carry."""
    return sorted({v for _, v, w, _, u in BACKGROUND if _column(study, v, w, u) is None})
