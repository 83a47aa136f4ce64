"""Background variables of clients and officers, and the per-client analysis frame.

``data/codebook/background.yml`` defines every background, motivation and outcome column of the
dataset (table, type, codes and labels, range, source question); :func:`load_background` reads
it, the data contract validates the columns with :func:`coded_columns` and
:func:`ranged_columns`, and :func:`analysis_frame` joins everything chapters 6 and 8-10 need into
one row per client:

==========================  ==================================================================
column                      content
==========================  ==================================================================
in_client_w1 ... in_po_w2   the client has a row in that table
client1_trust ...           scale scores ``<perspective><wave>_<scale>``: client1_, client2_,
                            po1_, po2_ (officers also the three contra-reactance items)
clientdiff_ / podiff_       wave 2 minus wave 1 (same client, or same dyad)
abs1_ / abs2_ / rel1_ ...   absolute / relative (client minus officer) dyad differences
<column>_w1, <column>_w2    wave-specific background answers (living_situation_w1 ...)
sms_<dimension>_w1/_w2/diff SMS scores (:mod:`wagk.motivation`)
po_gender_w1 ...            the officer's characteristics: at wave 1 the client's officer
                            (clients.po_id), at wave 2 the officer of the wave-2 questionnaire
                            or, without one, the wave-1 officer
no_show, formal_action      derived from the officer's wave-2 answers (:mod:`wagk.outcomes`)
derived variables           young_adult, paid_work_w1, living_group_w2, client_age_decade,
                            addiction_w1, addicted_w1, po_age_over30_w2, po_changed, risc_score
==========================  ==================================================================

Coded columns are kept as their numeric codes; :func:`labelled` turns one into an ordered
categorical with the codebook's labels (the level names of the published tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import codebook, paths, scoring
from wagk.motivation import SMS_SCORES, score_sms

BACKGROUND_YML = paths.CODEBOOK / "background.yml"
TABLES = ("clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2", "registry")
TYPES = ("binary", "nominal", "ordinal", "likert", "count", "numeric")
LIKERT_CODES = {i: str(i) for i in range(1, 8)}
ADDICTION_ITEMS = ("addiction_alcohol", "addiction_cannabis", "addiction_harddrugs", "addiction_gambling")
#: scores of the analysis frame per perspective
CLIENT_SCORES = scoring.SCORE_COLUMNS
PO_SCORES = scoring.SCORE_COLUMNS + ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
AGE_DECADES = ((20, "up_to_20"), (30, "21-30"), (40, "31-40"), (50, "41-50"), (60, "51-60"),
               (70, "61-70"), (np.inf, "71+"))


@dataclass(frozen=True)
class VarSpec:
    """One background column as ``background.yml`` defines it."""

    name: str
    tables: tuple[str, ...]
    type: str
    codes: dict = field(default_factory=dict)  # code (int) -> label
    range: tuple[float, float] | None = None
    item: str = ""
    asked: str = ""

    @property
    def levels(self) -> list[str]:
        return list(self.codes.values())


@lru_cache(maxsize=4)
def _read(path: str) -> dict:
    return codebook.read_yaml(path)


def load_background(path: Path | str = BACKGROUND_YML) -> dict[str, VarSpec]:
    """The background codebook: column name -> :class:`VarSpec`.

    Raises ``ValueError`` naming the entry when a table, type, code or range is malformed, or an
    ``item`` is neither ``registry``/``derived`` nor an item_id of ``items.csv``.
    """
    raw = _read(str(path))
    items = codebook.load_items()
    out = {}
    for name, spec in raw["variables"].items():
        where = f"{path}: variable {name}"
        tables = tuple(spec.get("tables", ()))
        bad = [t for t in tables if t not in TABLES]
        if not tables or bad:
            raise ValueError(f"{where}: tables {list(tables)} (allowed {list(TABLES)})")
        typ = spec.get("type")
        if typ not in TYPES:
            raise ValueError(f"{where}: type {typ!r} (allowed {list(TYPES)})")
        codes = {int(k): str(v) for k, v in (spec.get("codes") or {}).items()}
        if typ == "likert":
            codes = dict(LIKERT_CODES)
        if typ in ("binary", "nominal", "ordinal") and not codes:
            raise ValueError(f"{where}: a {typ} column needs codes")
        if typ == "binary" and set(codes) != {0, 1}:
            raise ValueError(f"{where}: binary codes must be 0 and 1, got {sorted(codes)}")
        rng = spec.get("range")
        if typ in ("count", "numeric"):
            if not rng or len(rng) != 2 or rng[0] >= rng[1]:
                raise ValueError(f"{where}: a {typ} column needs range [min, max]")
            rng = (float(rng[0]), float(rng[1]))
        item = str(spec.get("item", ""))
        if item not in ("registry", "derived") and item not in items.index:
            raise ValueError(f"{where}: item {item!r} is not in items.csv")
        out[name] = VarSpec(name, tables, typ, codes, rng, item, str(spec.get("asked", "")))
    return out


def columns_of(table: str, spec: dict[str, VarSpec] | None = None) -> list[str]:
    """Background columns a table may carry, in codebook order."""
    spec = load_background() if spec is None else spec
    return [n for n, v in spec.items() if table in v.tables]


def coded_columns(table: str) -> dict[str, tuple[float, ...]]:
    """Column -> allowed codes (as floats) of the coded background columns of ``table``."""
    spec = load_background()
    return {n: tuple(float(c) for c in spec[n].codes) for n in columns_of(table, spec) if spec[n].codes}


def ranged_columns(table: str) -> dict[str, tuple[float, float]]:
    """Column -> (min, max) of the numeric and count background columns of ``table``."""
    spec = load_background()
    return {n: spec[n].range for n in columns_of(table, spec) if spec[n].range is not None}


def labelled(values: pd.Series, name: str) -> pd.Series:
    """Codes of a coded column as an ordered categorical with the codebook's labels."""
    spec = load_background()[name]
    cats = pd.Categorical(values.map(spec.codes), categories=spec.levels, ordered=True)
    return pd.Series(cats, index=values.index, name=values.name)


# ------------------------------------------------------------------------------------------
# derived variables
# ------------------------------------------------------------------------------------------

def age_decade(age: pd.Series) -> pd.Series:
    """Age in years as the bands up_to_20, 21-30, ..., 61-70, 71+ (ordered categorical)."""
    labels = [lab for _, lab in AGE_DECADES]
    out = pd.Series(pd.NA, index=age.index, dtype="object")
    lower = -np.inf
    for upper, lab in AGE_DECADES:
        out[(age > lower) & (age <= upper)] = lab
        lower = upper
    return pd.Series(pd.Categorical(out, categories=labels, ordered=True), index=age.index)


def addiction_score(po: pd.DataFrame) -> pd.Series:
    """Degree of addiction as the officer sees it: the highest of the four addiction items.

    The officer rates the client as addicted to alcohol, cannabis, hard drugs and gambling
    (1-7 each); the degree of addiction is the strongest of the four (NaN when none is answered).
    """
    cols = [c for c in ADDICTION_ITEMS if c in po.columns]
    if not cols:
        return pd.Series(np.nan, index=po.index)
    return po[cols].astype(float).max(axis=1, skipna=True)


def experience_group(values: pd.Series) -> pd.Series:
    """A 7-point experience as negative (1-3), neutral (4) or positive (5-7)."""
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    out[values <= 3] = "negative"
    out[values == 4] = "neutral"
    out[values >= 5] = "positive"
    return pd.Series(pd.Categorical(out, categories=["negative", "neutral", "positive"], ordered=True),
                     index=values.index)


# ------------------------------------------------------------------------------------------
# the analysis frame
# ------------------------------------------------------------------------------------------

def _scores(study, perspective: str, wave: int, monitor) -> pd.DataFrame:
    q = study.questionnaire(perspective, wave)
    sc = scoring.score(q, monitor, perspective)
    cols = CLIENT_SCORES if perspective == "client" else PO_SCORES
    return sc[[c for c in cols if c in sc.columns]]


def _handed_over(scores, perspective: str, wave: int, index: pd.Index) -> pd.DataFrame:
    """Chapter 7's scores of one questionnaire, on the questionnaire's index."""
    cols = CLIENT_SCORES if perspective == "client" else PO_SCORES
    got = scores.get(perspective, wave)
    got.index = got.index.astype(index.dtype)
    extra = got.index.difference(index)
    if len(extra):
        raise ValueError(f"scores of {perspective} wave {wave} have {len(extra)} row(s) that are not in the "
                         "dataset; chapter 7 ran on another dataset (rerun it: wagk run --chapters 7)")
    return got.reindex(index)[[c for c in cols if c in got.columns]]


def analysis_frame(study, monitor: codebook.Monitor | None = None, scores=None) -> pd.DataFrame:
    """One row per client of the ``clients`` table with every score and background variable.

    Parameters
    ----------
    study : wagk.contract.Study
        The dataset (any of the optional background columns may be absent; they are then
        absent from the frame too).
    monitor : Monitor, optional
        Scale definitions (default: the ``as_reported`` variant of chapters 8-10).
    scores : wagk.scores.Scores, optional
        The scale scores chapter 7 handed over (:func:`wagk.scores.load`). When given, the
        frame takes the four questionnaires' scores from it instead of scoring again (and
        ``monitor`` defaults to the monitor they were scored with), so chapters 8-10 use
        exactly chapter 7's scores.

    Returns
    -------
    DataFrame indexed by client_id; the columns are listed in the module docstring.
    """
    from wagk.outcomes import derive_outcomes  # local: outcomes imports this module

    if scores is not None:
        monitor = monitor or scores.monitor
    monitor = monitor or codebook.load_monitor()
    clients = study.tables["clients"].set_index("client_id")
    frame = pd.DataFrame(index=clients.index.sort_values())
    spec = load_background()
    # membership and scores
    sc = {}
    for persp, prefix in (("client", "client"), ("po", "po")):
        for w in codebook.WAVES:
            q = study.questionnaire(persp, w)
            frame[f"in_{prefix}_w{w}"] = frame.index.isin(q.index)
            s = _scores(study, persp, w, monitor) if scores is None else _handed_over(scores, persp, w, q.index)
            sc[(prefix, w)] = s
            frame = frame.join(s.add_prefix(f"{prefix}{w}_"))
        ch = scoring.change_scores(sc[(prefix, 1)], sc[(prefix, 2)])
        frame = frame.join(ch.add_prefix(f"{prefix}diff_"))
    for w in codebook.WAVES:
        d = scoring.dyad_differences(sc[("client", w)], sc[("po", w)])
        frame = frame.join(d["absolute"].add_prefix(f"abs{w}_")).join(d["relative"].add_prefix(f"rel{w}_"))
    # client background (intake)
    for col in columns_of("clients", spec):
        if col in clients.columns:
            frame[col] = clients[col].astype(float)
    # wave-specific answers
    for table, persp in (("client_w", "client"), ("po_w", "po")):
        for w in codebook.WAVES:
            q = study.questionnaire(persp, w)
            for col in columns_of(f"{table}{w}", spec):
                if col in q.columns:
                    frame[f"{col}_w{w}"] = q[col].astype(float)
            if persp == "po" and any(c in q.columns for c in ADDICTION_ITEMS):
                frame[f"addiction_w{w}"] = addiction_score(q)
                frame[f"addicted_w{w}"] = (frame[f"addiction_w{w}"] >= 5).astype(float).where(
                    frame[f"addiction_w{w}"].notna())
    # SMS
    sms = {}
    key_items = [c for c in codebook.load_items().index if c.startswith("sms_")]
    for w in codebook.WAVES:
        q = study.questionnaire("client", w)
        if all(c in q.columns for c in key_items):
            sms[w] = score_sms(q)
            frame = frame.join(sms[w].add_suffix(f"_w{w}"))
    if len(sms) == 2:
        frame = frame.join(scoring.change_scores(sms[1], sms[2]).add_suffix("_diff"))
    # officers at wave 1 and 2
    officers = study.tables["officers"].set_index("po_id")
    po_w2 = study.questionnaire("po", 2)
    officer = {1: clients["po_id"], 2: po_w2["po_id"].reindex(clients.index).fillna(clients["po_id"])}
    for col in columns_of("officers", spec):
        if col in officers.columns:
            for w in codebook.WAVES:
                frame[f"{col}_w{w}"] = officer[w].map(officers[col].astype(float)).astype(float)
    for w in codebook.WAVES:
        frame[f"po_id_w{w}"] = officer[w].astype("string")
    # registry
    if study.has("registry"):
        reg = study.tables["registry"].set_index("client_id")
        for col in columns_of("registry", spec):
            if col in reg.columns:
                frame[col] = reg[col].astype(float)
    # outcomes reported by the officer at wave 2
    out = derive_outcomes(po_w2)
    for col in out.columns:
        frame[col] = out[col]
    return add_derived(frame)


def add_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """The derived variables of ``background.yml`` (``derived:``), for the columns present."""
    f = frame.copy()
    if "client_age_group" in f:
        f["young_adult"] = (f["client_age_group"] == 1).astype(float).where(f["client_age_group"].notna())
    if "client_age" in f:
        f["client_age_decade"] = age_decade(f["client_age"])
    for w in (1, 2):
        if f"work_situation_w{w}" in f:
            ws = f[f"work_situation_w{w}"]
            f[f"paid_work_w{w}"] = ws.map({2: 1.0, 1: 0.0})
        if f"living_situation_w{w}" in f:
            ls = f[f"living_situation_w{w}"]
            grp = ls.map({1: "partner_or_children", 2: "partner_or_children", 3: "partner_or_children",
                          4: "alone", 5: "other", 6: "supervised"})
            f[f"living_group_w{w}"] = pd.Categorical(grp, categories=["partner_or_children", "alone", "other",
                                                                      "supervised"], ordered=True)
        if f"po_age_w{w}" in f:
            pa_ = f[f"po_age_w{w}"]
            f[f"po_age_over30_w{w}"] = (pa_ > 1).astype(float).where(pa_.notna())
    if "po_change" in f:
        f["po_changed"] = (f["po_change"] > 0).astype(float).where(f["po_change"].notna())
    if "risc_category" in f:
        f["risc_score"] = f["risc_category"]
    return f
