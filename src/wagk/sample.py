"""Chapter 6: description of the sample (clients and officers) and its tests.

Frequencies, percentages and descriptives of the background variables (Tables 6.6-6.12 and
section 6.12) and the tests of the sample description that the study data allow: wave-2
participation by detention history and by prior supervision (6.12.1, Pearson chi-square
without continuity correction) and the association of the legal framework at the two waves
(Table 6.11). Comparisons with the national population (Tables 6.6 and 6.7, section 6.11) need
the population's figures, which are no part of the dataset, and are not recomputed.

Percentages follow the thesis's tables: of all members of the group (missing answers included
as their own row) in the tables, of the valid answers where the text says so.

:func:`chapter6_rows` returns every result as ledger rows; the helpers take the frame of
:func:`wagk.background.analysis_frame` and the study (for the officer tables).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk import groups
from wagk._recipes import Where, frame
from wagk.background import analysis_frame, load_background
from wagk.contract import Study

#: counts of the sampling funnel that a dataset can answer
FLOW_STAGES = tuple(f"stage={s}_t{w}" for w in (1, 2) for s in ("participants", "po_questionnaires", "dyads"))
#: background variables of chapter 6 and the table that carries them
BACKGROUND = {
    "client_gender": "clients", "client_age": "clients", "client_age_group": "clients",
    "detention_history": "clients", "detention_count": "clients", "detention_recency": "clients",
    "court_case": "clients", "prior_supervision": "clients", "advice_report": "clients", "po_change": "clients",
    "living_situation": "client_w1", "work_situation": "client_w1", "community_service": "client_w1",
    "sanction_type": "client_w1", "exp_advisor": "client_w1", "po_gender": "officers", "po_age": "officers",
    "po_education": "officers", "po_experience_years": "officers", "risc_category": "registry",
}
RISC_SCALES = ("risc_scale_01_02", "risc_scale_03", "risc_scale_04", "risc_scale_05", "risc_scale_06",
               "risc_scale_07", "risc_scale_08", "risc_scale_09", "risc_scale_10", "risc_scale_11",
               "risc_scale_12")


def _pct(k, n) -> float:
    return 100.0 * k / n if n else np.nan


def frequency_rows(values: pd.Series, where: Where, variable: str, codes: dict, *, merge: dict | None = None,
                   missing: bool = True, total: bool = True, valid_total: bool = False,
                   count: bool = True) -> list[dict]:
    """Count and percent of every level (of all cases), the missing row and the total.

    ``merge`` maps a level label to the codes it combines (e.g. other = codes 5 and 6).
    """
    n = len(values)
    rows = []
    groups_ = merge or {lab: [c] for c, lab in codes.items()}
    for lab, cs in groups_.items():
        k = int(values.isin(cs).sum())
        if count:
            rows.append(where.row("frequency", variable, f"level={lab}", "count", k))
        rows.append(where.row("frequency", variable, f"level={lab}", "percent", _pct(k, n)))
    miss = int(values.isna().sum())
    if valid_total:
        rows.append(where.row("frequency", variable, "level=valid_total", "count", n - miss))
        rows.append(where.row("frequency", variable, "level=valid_total", "percent", _pct(n - miss, n)))
    if missing:
        rows.append(where.row("frequency", variable, "level=missing", "count", miss))
        rows.append(where.row("frequency", variable, "level=missing", "percent", _pct(miss, n)))
    if total:
        rows.append(where.row("frequency", variable, "level=total", "n", n))
        rows.append(where.row("frequency", variable, "level=total", "percent", 100.0))
    return rows


def valid_percent_rows(values: pd.Series, where: Where, variable: str, levels: dict) -> list[dict]:
    """Percent of the valid answers for the given label -> codes."""
    v = values.dropna()
    return [where.row("frequency", variable, f"level={lab}", "percent", _pct(int(v.isin(cs).sum()), len(v)))
            for lab, cs in levels.items()]


def participation_rows(data: pd.DataFrame, where: Where, variable: str) -> list[dict]:
    """Share of the wave-1 clients in each group who took part at wave 2, and the chi-square."""
    sub = data[data["in_client_w1"]]
    d = pd.DataFrame({"g": sub[variable], "w2": sub["in_client_w2"].astype(float)}).dropna()
    rows = []
    for code, lab in ((1, "yes"), (0, "no")):
        g = d[d["g"] == code]
        rows.append(where.row("frequency", "wave2_participation", f"{variable}={lab}", "percent",
                              _pct(g["w2"].sum(), len(g))))
    res = groups.chi2_independence(d, "g", "w2").iloc[0]
    for s in ("chi2", "df", "p"):
        rows.append(where.row("chi2", "wave2_participation", variable, s, res[s]))
    return rows


def client_rows(data: pd.DataFrame) -> list[dict]:
    """Section 6.12.1 and Tables 6.6-6.11 (sample side); parts whose columns the dataset lacks
    are left out."""
    rows = []
    for part in (_risc_rows, _demography_rows, _situation_rows, _justice_rows):
        try:
            rows += part(data)
        except KeyError:
            continue
    return rows


def _risc_rows(data: pd.DataFrame) -> list[dict]:
    spec = load_background()
    c1 = data[data["in_client_w1"]]
    rows = []
    # RISc (Tables 6.6 and 6.7, sample side)
    risc = c1["risc_category"].dropna()
    w = Where("T6.6", "6.9", "sample", "1")
    for code, lab in spec["risc_category"].codes.items():
        k = int((risc == code).sum())
        rows += [w.row("frequency", "risc_category", f"level={lab}", "count", k),
                 w.row("frequency", "risc_category", f"level={lab}", "percent", _pct(k, len(risc)))]
    rows += [w.row("frequency", "risc_category", "level=total", "n", len(risc)),
             w.row("frequency", "risc_category", "level=total", "percent", 100.0)]
    rows.append(Where("S6.9a", "6.9", "sample", "1").row("frequency", "risc_category", "", "n", len(risc)))
    w = Where("T6.7", "6.9", "sample", "1")
    has = c1[list(RISC_SCALES)].notna().any(axis=1)
    rows.append(w.row("descriptives", "risc_scales", "", "n", int(has.sum())))
    for s in RISC_SCALES:
        x = c1[s].dropna()
        rows += [w.row("descriptives", s, "", "M", x.mean()), w.row("descriptives", s, "", "SD", x.std(ddof=1))]
    return rows


def _demography_rows(data: pd.DataFrame) -> list[dict]:
    spec = load_background()
    c1 = data[data["in_client_w1"]]
    rows = []
    w = Where("S6.12.1a", "6.12.1", "sample", "1")
    g = c1["client_gender"]
    rows += [w.row("frequency", "client_gender", "", "n", int(g.notna().sum())),
             w.row("frequency", "client_gender", "level=male", "percent", _pct(int((g == 1).sum()), int(g.notna().sum()))),
             w.row("frequency", "client_gender", "level=female", "percent", _pct(int((g == 2).sum()), int(g.notna().sum())))]
    w = Where("S6.12.1b", "6.12.1", "sample", "1")
    a = c1["client_age"].dropna()
    rows += [w.row("descriptives", "client_age", "", s, v) for s, v in
             (("M", a.mean()), ("n", len(a)), ("SD", a.std(ddof=1)), ("Min", a.min()), ("Max", a.max()))]
    rows.append(w.row("frequency", "client_age_group", "level=young_adult", "percent",
                      _pct(int((c1["client_age_group"] == 1).sum()), len(c1))))
    rows += frequency_rows(c1["client_age_group"], Where("T6.8", "6.12.1", "sample", "1"), "client_age_group",
                           spec["client_age_group"].codes, valid_total=True)
    return rows


def _situation_rows(data: pd.DataFrame) -> list[dict]:
    spec = load_background()
    c1 = data[data["in_client_w1"]]
    c2 = data[data["in_client_w2"]]
    rows = []
    liv = spec["living_situation"].codes
    merge = {"with_partner": [1], "with_partner_and_children": [2], "with_children": [3], "alone": [4],
             "other": [5, 6]}
    for wave, grp in ((1, c1), (2, c2)):
        rows += frequency_rows(grp[f"living_situation_w{wave}"], Where("T6.9", "6.12.1", "sample", str(wave)),
                               "living_situation", liv, merge=merge)
        rows += valid_percent_rows(grp[f"living_situation_w{wave}"], Where("S6.12.1d", "6.12.1", "sample", str(wave)),
                                   "living_situation", {"alone": [4]})
        work = {"no_work": [1], "paid_work": [2], "volunteer_work": [3], "other": [4]}
        rows += frequency_rows(grp[f"work_situation_w{wave}"], Where("T6.10", "6.12.1", "sample", str(wave)),
                               "work_situation", spec["work_situation"].codes, merge=work)
        rows += valid_percent_rows(grp[f"work_situation_w{wave}"], Where("S6.12.1e", "6.12.1", "sample", str(wave)),
                                   "work_situation", {k: v for k, v in work.items() if k != "other"})
    return rows


def _justice_rows(data: pd.DataFrame) -> list[dict]:
    spec = load_background()
    c1 = data[data["in_client_w1"]]
    c2 = data[data["in_client_w2"]]
    rows = []
    w = Where("S6.12.1f", "6.12.1", "sample", "1")
    det = c1["detention_history"]
    k = int((det == 1).sum())
    rows += [w.row("frequency", "detention_history", "", "n", len(det)),
             w.row("frequency", "detention_history", "level=yes", "count", k),
             w.row("frequency", "detention_history", "level=yes", "percent", _pct(k, len(det)))]
    dc = c1.loc[det == 1, "detention_count"]
    rows += [w.row("frequency", "detention_count", "", "n", k),
             w.row("frequency", "detention_count", "level=once", "percent", _pct(int((dc == 1).sum()), k)),
             w.row("frequency", "detention_count", "level=multiple", "percent", _pct(int((dc == 2).sum()), k))]
    dr = c1.loc[det == 1, "detention_recency"]
    rows += [w.row("frequency", "detention_recency", "", "n", k),
             w.row("frequency", "detention_recency", "level=less_than_1_year", "percent", _pct(int((dr == 1).sum()), k))]
    rows += participation_rows(data, w, "detention_history")
    cc = c1["court_case"]
    rows.append(Where("S6.12.1g", "6.12.1", "sample", "1").row(
        "frequency", "court_case", "level=yes", "percent", _pct(int((cc == 1).sum()), len(cc))))
    # legal framework (Table 6.11)
    st = spec["sanction_type"].codes
    for wave, grp in ((1, c1), (2, c2)):
        rows += frequency_rows(grp[f"sanction_type_w{wave}"], Where("T6.11", "6.12.1", "sample", str(wave)),
                               "sanction_type", st)
    both = data[data["in_client_w1"] & data["in_client_w2"]]
    sub = pd.DataFrame({"a": both["sanction_type_w1"], "b": both["sanction_type_w2"]})
    sub = sub[sub["a"].isin([1, 2, 3, 4]) & sub["b"].isin([1, 2, 3, 4])]
    res = groups.chi2_independence(sub, "a", "b").iloc[0]
    w = Where("T6.11", "6.12.1", "sample", "1+2")
    rows += [w.row("chi2", "sanction_type", "t1_vs_t2", s, res[s]) for s in ("chi2", "df", "n", "p")]
    # prior supervision, advice report, officer changes, community service
    w = Where("S6.12.1h", "6.12.1", "sample", "1")
    ps = c1["prior_supervision"]
    rows.append(w.row("frequency", "prior_supervision", "level=yes", "percent", _pct(int((ps == 1).sum()), len(ps))))
    rows += participation_rows(data, w, "prior_supervision")
    w = Where("S6.12.1i", "6.12.1", "sample", "1")
    ar = c1["advice_report"].dropna()
    rows.append(w.row("frequency", "advice_report", "level=yes", "percent", _pct(int((ar == 1).sum()), len(ar))))
    ex = c1.loc[c1["advice_report"] == 1, "exp_advisor_w1"].dropna()
    rows.append(w.row("frequency", "exp_advisor", "", "n", len(ex)))
    for lab, lo, hi in (("positive", 5, 7), ("neutral", 4, 4), ("negative", 1, 3)):
        rows.append(w.row("frequency", "exp_advisor", f"level={lab}", "percent",
                          _pct(int(((ex >= lo) & (ex <= hi)).sum()), len(ex))))
    w = Where("S6.12.1j", "6.12.1", "sample", "2")
    pc = c1["po_change"].dropna()
    rows.append(w.row("frequency", "po_change", "", "n", len(pc)))
    for code, lab in spec["po_change"].codes.items():
        kk = int((pc == code).sum())
        rows += [w.row("frequency", "po_change", f"level={lab}", "count", kk),
                 w.row("frequency", "po_change", f"level={lab}", "percent", _pct(kk, len(pc)))]
    for wave, grp in ((1, c1), (2, c2)):
        cs = grp[f"community_service_w{wave}"].dropna()
        rows.append(Where("S6.12.1k", "6.12.1", "sample", str(wave)).row(
            "frequency", "community_service", "level=yes", "percent", _pct(int((cs == 1).sum()), len(cs))))
    return rows


def officer_rows(study) -> list[dict]:
    """Section 6.12.2 and Table 6.12: the officers who filled in a questionnaire at each wave."""
    spec = load_background()
    off = study.tables["officers"].set_index("po_id")
    ids = {w: pd.Index(study.tables[f"po_w{w}"]["po_id"].dropna().unique()) for w in (1, 2)}
    rows = []
    o1 = off.reindex(ids[1])
    w = Where("S6.12.2a", "6.12.2", "sample", "1")
    rows += [w.row("frequency", "sampling_flow", "stage=po_questionnaires_t1", "count", len(study.tables["po_w1"])),
             w.row("frequency", "sampling_flow", "stage=distinct_po_t1", "count", len(ids[1]))]
    if "po_gender" in o1:
        g = o1["po_gender"].dropna()
        rows += [w.row("frequency", "po_gender", "level=female", "percent", _pct(int((g == 2).sum()), len(g))),
                 w.row("frequency", "po_gender", "level=male", "percent", _pct(int((g == 1).sum()), len(g)))]
    if "po_age" in o1:
        a = o1["po_age"]
        w = Where("S6.12.2b", "6.12.2", "sample", "1")
        rows += [w.row("frequency", "po_age", "level=21-40", "percent", _pct(int(a.isin([1, 2]).sum()), len(a))),
                 w.row("frequency", "po_age", "level=41-50", "percent", _pct(int((a == 3).sum()), len(a))),
                 w.row("frequency", "po_age", "level=51+", "percent", _pct(int(a.isin([4, 5]).sum()), len(a)))]
        for wave in (1, 2):
            aw = off.reindex(ids[wave])["po_age"]
            rows += frequency_rows(aw, Where("T6.12", "6.12.2", "sample", str(wave)), "po_age",
                                   spec["po_age"].codes, missing=False)
    if "po_education" in o1:
        e = o1["po_education"]
        w = Where("S6.12.2c", "6.12.2", "sample", "1")
        rows.append(w.row("frequency", "po_education", "", "n", int(e.notna().sum())))
        for code, lab in spec["po_education"].codes.items():
            rows.append(w.row("frequency", "po_education", f"level={lab}", "percent",
                              _pct(int((e == code).sum()), int(e.notna().sum()))))
    if "po_experience_years" in o1:
        x = o1["po_experience_years"].dropna()
        w = Where("S6.12.2d", "6.12.2", "sample", "1")
        rows += [w.row("descriptives", "po_experience_years", "", "M", x.mean()),
                 w.row("descriptives", "po_experience_years", "", "SD", x.std(ddof=1)),
                 w.row("descriptives", "po_experience_years", "", "n", len(x))]
    return rows


def structure_rows(study) -> list[dict]:
    """Interviews, questionnaires and dyads per wave (6.7, 6.10, 6.12) and clients per officer
    (6.12.2): who filled in what."""
    t = study.tables
    rows = []
    for wave, ref_part, ref_q in ((1, "S6.7h", "S6.7h"), (2, "S6.12.1c", "S6.10")):
        cw, pw = t[f"client_w{wave}"], t[f"po_w{wave}"]
        rows.append(Where(ref_part, "6.7", "sample", str(wave)).row(
            "frequency", "sampling_flow", f"stage=participants_t{wave}", "count", len(cw)))
        rows.append(Where(ref_q, "6.7", "sample", str(wave)).row(
            "frequency", "sampling_flow", f"stage=po_questionnaires_t{wave}", "count", len(pw)))
        rows.append(Where(ref_q, "6.7", "sample", str(wave)).row(
            "frequency", "sampling_flow", f"stage=dyads_t{wave}", "count",
            len(set(cw["client_id"]) & set(pw["client_id"]))))
    c1 = set(study.tables["client_w1"]["client_id"])
    p1 = study.tables["po_w1"]
    dy = p1[p1["client_id"].isin(c1)]
    w = Where("S6.12.2e", "6.12.2", "sample", "1")
    rows += [w.row("frequency", "sampling_flow", "stage=dyads_t1", "count", len(dy)),
             w.row("frequency", "sampling_flow", "stage=dyads_t1", "n", len(c1)),
             w.row("frequency", "sampling_flow", "stage=dyads_t1", "percent", _pct(len(dy), len(c1))),
             w.row("frequency", "sampling_flow", "stage=no_po_questionnaire_t1", "count", len(c1) - len(dy))]
    for ref, wave, q in (("S6.12.2f", 1, dy), ("S6.12.2g", 2, study.tables["po_w2"])):
        w = Where(ref, "6.12.2", "sample", str(wave))
        sizes = q.groupby("po_id").size()
        rows += [w.row("frequency", "clients_per_po", "unit=client", "n", int(sizes.sum())),
                 w.row("frequency", "clients_per_po", "unit=po", "n", len(sizes))]
        for k in (1, 2, 3, 4):
            c = int((sizes == k).sum())
            rows += [w.row("frequency", "clients_per_po", f"level={k}", "count", c),
                     w.row("frequency", "clients_per_po", f"level={k}", "percent", _pct(c, len(sizes)))]
    w = Where("S6.12.2g", "6.12.2", "sample", "2")
    rows += [w.row("frequency", "sampling_flow", "stage=po_questionnaires_t2", "count", len(study.tables["po_w2"])),
             w.row("frequency", "sampling_flow", "stage=participants_t2", "count", len(study.tables["client_w2"]))]
    return rows


def chapter6_rows(data: pd.DataFrame, study) -> pd.DataFrame:
    """Every recomputable number of chapter 6's sample description (ledger rows), from the frame
    of :func:`wagk.background.analysis_frame` and the study."""
    out = frame(client_rows(data) + officer_rows(study) + structure_rows(study))
    return out.drop_duplicates(subset=["ref", "perspective", "wave", "analysis", "variable", "group", "statistic"])


def chapter6(study: Study) -> pd.DataFrame:
    """Ledger rows of chapter 6 that the dataset can answer (see the module docstring)."""
    return chapter6_rows(analysis_frame(study), study)


def chapter6_missing(study: Study) -> list[str]:
    """Background variables of chapter 6 that the dataset does not carry."""
    return sorted(v for v, table in BACKGROUND.items()
                  if table not in study.tables or v not in study.tables[table].columns)


#: every variable chapter6() can compute (when the dataset carries it)
VARIABLES = ("sampling_flow", "clients_per_po", "wave2_participation", "risc_scales", "client_age_group") + tuple(
    BACKGROUND) + RISC_SCALES
