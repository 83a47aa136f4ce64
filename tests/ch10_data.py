"""A small simulated study for the chapter-10 tests: dyads, background and the four outcomes.

Not the compendium's synthetic dataset (that one is calibrated to the thesis): the four
questionnaires come from the simple generator of ``ch07_data``; this module adds every
background column of ``data/codebook/background.yml`` (random codes), the registry (RISc
category, dropout, early help) and the officer's wave-2 outcome answers. The outcomes follow
logistic models on the scale scores with known predictors, so a forward selection on this
study has something to find:

- no_show (two or more late / absent):   client trust at wave 1 (-), officer reactance at wave 1 (+)
- formal_action:                         officer reactance at wave 1 (+)
- dropout, early_help (registry):        client trust at wave 1 (-)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from ch07_data import simulate_tables
from wagk import background, codebook, scoring
from wagk.io import write_table


def _fill_background(tables: dict, rng: np.random.Generator) -> None:
    spec = background.load_background()
    for name, frame in tables.items():
        for col in background.columns_of(name, spec):
            if col in frame.columns:
                continue
            v = spec[col]
            if v.codes:
                vals = rng.choice(list(v.codes), size=len(frame)).astype(float)
            else:
                lo, hi = v.range
                vals = np.round(rng.uniform(lo, min(hi, lo + 40), size=len(frame)))
            vals[rng.random(len(frame)) < 0.03] = np.nan
            frame[col] = vals
    cl = tables["clients"].set_index("client_id")
    w1 = tables["client_w1"]
    w1.loc[w1["client_id"].map(cl["court_case"]) != 1, "exp_court_case"] = np.nan


def simulate_dyads(seed: int = 11, n_clients: int = 302, n_officers: int = 120) -> dict[str, pd.DataFrame]:
    """The seven tables of a study with outcomes (see the module docstring)."""
    tables = simulate_tables(seed=seed, n_clients=n_clients, n_officers=n_officers, outcomes=False)
    rng = np.random.default_rng(seed + 1000)
    ids = tables["clients"]["client_id"]
    tables["registry"] = pd.DataFrame({"client_id": ids})
    _fill_background(tables, rng)
    mon = codebook.load_monitor()
    c1 = scoring.score(tables["client_w1"].set_index("client_id"), mon, "client").reindex(ids)
    p1 = scoring.score(tables["po_w1"].set_index("client_id"), mon, "po").reindex(ids)
    trust = (c1["trust"] - c1["trust"].mean()).fillna(0).to_numpy()
    react = (p1["reactance"] - p1["reactance"].mean()).fillna(0).to_numpy()

    def event(rate: float, lin: np.ndarray) -> np.ndarray:
        return (rng.random(len(lin)) < expit(np.log(rate / (1 - rate)) + lin)).astype(float)

    reg = tables["registry"]
    reg["dropout"] = event(0.12, -1.4 * trust)
    reg["early_help"] = event(0.25, -1.0 * trust)
    po2 = tables["po_w2"]
    rows = po2["client_id"].map({c: i for i, c in enumerate(ids)}).to_numpy()
    no_show = event(0.2, -1.2 * trust + 1.2 * react)[rows]
    formal = event(0.2, 1.4 * react)[rows]
    # answers coded as background.yml: 1 yes once, 2 yes several times, 3 no, 4 don't know
    po2["out_late"] = np.where(no_show == 1, 2.0, 3.0)
    po2["out_no_show"] = np.where(no_show == 1, rng.choice([1.0, 2.0, 3.0], len(rows)), 3.0)
    po2["out_warning"] = np.where(formal == 1, 1.0, 3.0)
    po2["out_instruction"] = np.where((formal == 1) & (rng.random(len(rows)) < 0.5), 1.0, 3.0)
    po2["out_commissioner_continuation"] = np.where((formal == 1) & (rng.random(len(rows)) < 0.3), 1.0, 3.0)
    po2.loc[rng.random(len(po2)) < 0.03, "out_late"] = 4.0
    return tables


def write_dyad_study(folder, **kwargs):
    """Write :func:`simulate_dyads` as CSV files into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in simulate_dyads(**kwargs).items():
        write_table(frame, folder / f"{name}.csv")
    return folder
