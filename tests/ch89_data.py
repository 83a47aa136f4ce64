"""A simulated study with every background column, for the tests of chapters 8 and 9.

Not the compendium's synthetic dataset (that one is calibrated to the thesis, ``wagk synth``):
this generator is simple and fast and only has to exercise every section of the chapters. It
starts from the chapter-7 test study (:func:`ch07_data.simulate_tables`, item-level answers of
the four questionnaires with a WA-GK-like structure, clients nested in officers) and adds the
columns of ``data/codebook/background.yml``: client demographics and justice history, the
clients' experiences of the trajectory, the SMS items, the officer's appraisal and outcome
questions, officer demographics and the registry. Some columns depend on the client's wave-1
alliance (so some tests are significant, most are not); the rest are noise. Answers that only
exist after a yes (experiences, detention details) are missing otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ch07_data import simulate_tables
from wagk import codebook, scoring
from wagk.io import write_table


def _likert(rng, base, n, noise=1.3):
    return np.clip(np.round(base + noise * rng.standard_normal(n)), 1, 7)


def simulate_background_tables(seed: int = 5, n_clients: int = 302, n_officers: int = 130,
                               drop: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """The seven tables with every background column; ``drop`` names columns to leave out
    (to test how the chapters degrade)."""
    sizes = tuple(int(round(f * n_clients)) for f in (204 / 302, 267 / 302, 175 / 302))
    t = simulate_tables(seed=seed, n_clients=n_clients, n_officers=n_officers, sizes=sizes)
    rng = np.random.default_rng(seed + 1)
    mon = codebook.load_monitor()
    c1 = scoring.score(t["client_w1"].set_index("client_id"), mon, "client")
    z = ((c1["total"] - c1["total"].mean()) / c1["total"].std()).fillna(0.0)
    ids = t["clients"]["client_id"].to_numpy()
    zc = z.reindex(ids).to_numpy()
    n = len(ids)

    def coin(p_base, slope=0.0):
        lin = np.log(p_base / (1 - p_base)) + slope * zc
        return (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(float)

    clients = t["clients"]
    age = np.clip(np.round(33 + 10 * rng.standard_normal(n) + 2.5 * zc), 18, 75)
    clients["client_gender"] = np.where(rng.random(n) < 0.12, 2.0, 1.0)
    clients["client_age"] = age
    clients["client_age_group"] = np.digitize(age, [23, 31, 41, 51, 61]) + 1.0
    clients["detention_history"] = coin(0.5, -0.3)
    clients["detention_count"] = np.where(clients["detention_history"] == 1, rng.integers(1, 3, n), np.nan)
    clients["court_case"] = coin(0.7)
    clients["prior_supervision"] = coin(0.35)
    clients["advice_report"] = coin(0.5)
    clients["po_change"] = rng.choice([0, 0, 0, 1, 2], size=n).astype(float)
    risk = np.clip(np.round(2.5 - 0.5 * zc + rng.standard_normal(n)), 1, 4)

    # client interviews
    for w in (1, 2):
        q = t[f"client_w{w}"]
        m = len(q)
        zq = z.reindex(q["client_id"]).to_numpy()
        q["living_situation"] = rng.choice([1, 2, 3, 4, 5, 6], size=m, p=[.2, .15, .05, .35, .15, .1]).astype(float)
        q["work_situation"] = rng.choice([1, 2, 3, 4], size=m, p=[.5, .35, .1, .05]).astype(float)
        q["community_service"] = (rng.random(m) < 0.2).astype(float)
        q["sanction_type"] = rng.choice([1, 2, 3, 4, 5], size=m, p=[.6, .15, .15, .05, .05]).astype(float)
        amot = np.clip(np.round(2.5 - 0.8 * zq + 1.2 * rng.standard_normal((3, m))), 1, 7)
        intr = np.clip(np.round(5 + 0.7 * zq + 1.2 * rng.standard_normal((5, m))), 1, 7)
        for k, item in enumerate(("sms_06", "sms_09", "sms_11")):
            q[item] = amot[k]
        for k, item in enumerate(("sms_01", "sms_02", "sms_03", "sms_08", "sms_10")):
            q[item] = intr[k]
        for item in ("sms_04", "sms_05", "sms_07", "sms_12"):
            q[item] = _likert(rng, 4.5, m)
        if w == 1:
            bg = clients.set_index("client_id").loc[q["client_id"]]
            q["po_change_t1"] = rng.choice([0, 0, 0, 1, 2], size=m).astype(float)
            for col, cond in (("exp_prior_supervision", bg["prior_supervision"] == 1),
                              ("exp_court_case", bg["court_case"] == 1),
                              ("exp_advisor", bg["advice_report"] == 1),
                              ("exp_previous_po", q["po_change_t1"] > 0),
                              ("exp_detention_staff", bg["detention_history"] == 1)):
                vals = _likert(rng, 4.5 + 0.6 * zq, m)
                q[col] = np.where(np.asarray(cond), vals, np.nan)

    # officer questionnaires
    for w in (1, 2):
        q = t[f"po_w{w}"]
        m = len(q)
        zq = z.reindex(q["client_id"]).to_numpy()
        rq = pd.Series(risk, index=ids).reindex(q["client_id"]).to_numpy()
        for item in ("addiction_alcohol", "addiction_cannabis", "addiction_harddrugs", "addiction_gambling"):
            q[item] = _likert(rng, 2.5 + 0.3 * rq - 0.3 * zq, m, 1.6)
        q["client_difficult"] = _likert(rng, 3.5 - 0.7 * zq, m)
        q["po_competent"] = _likert(rng, 5 + 0.4 * zq, m)
        if w == 1:
            q["lvb"] = _likert(rng, 2.8, m, 1.8)
            q["conscience_normal"] = _likert(rng, 4.2 + 0.4 * zq, m, 1.6)
        else:
            for item, base in (("out_late", 0.25), ("out_no_show", 0.2), ("out_warning", 0.12),
                               ("out_instruction", 0.08), ("out_commissioner_continuation", 0.06)):
                lin = np.log(base / (1 - base)) - 0.6 * zq
                yes = rng.random(m) < 1 / (1 + np.exp(-lin))
                several = rng.random(m) < 0.4
                code = np.where(yes, np.where(several, 2.0, 1.0), 3.0)
                code[rng.random(m) < 0.03] = 4.0
                q[item] = code

    officers = t["officers"]
    k = len(officers)
    officers["po_gender"] = np.where(rng.random(k) < 0.7, 2.0, 1.0)
    officers["po_age"] = rng.choice([1, 2, 3, 4, 5], size=k, p=[.25, .3, .2, .2, .05]).astype(float)
    officers["po_education"] = rng.choice([1, 2, 3], size=k, p=[.1, .8, .1]).astype(float)
    officers["po_experience_years"] = np.clip(np.round(rng.gamma(2.0, 5.0, k)), 0, 40)

    dropout = coin(0.12, -0.6)
    dropout[rng.random(n) < 0.05] = np.nan  # ended early for a neutral reason
    t["registry"] = pd.DataFrame({"client_id": ids, "risc_category": risk, "dropout": dropout,
                                  "early_help": coin(0.25, -0.4)})
    for name, frame in t.items():
        gone = [c for c in drop if c in frame.columns]
        if gone:
            t[name] = frame.drop(columns=gone)
    return t


def write_background_study(folder, **kwargs):
    """Write :func:`simulate_background_tables` as CSV files into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in simulate_background_tables(**kwargs).items():
        write_table(frame, folder / f"{name}.csv")
    return folder
