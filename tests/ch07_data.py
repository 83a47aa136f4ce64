"""A small simulated study for the chapter-7 tests: four questionnaires with a WA-GK-like structure.

Not the compendium's synthetic dataset (that one is calibrated to the thesis, `wagk synth`): this
generator is deliberately simple and fast, so tests of the chapter-7 functions do not depend on
the calibration. Each client has a latent alliance profile (trust, goals_restriction, bond,
reactance) shared by the four questionnaires; every item loads on the factor(s) of its scale in
the `sem_initial` CFA model (negatively where the `as_reported` monitor reverses it), items
outside that model load weakly on one factor. Answers are rounded to 1-7 with a ceiling; 2%
of the answers are missing at random. The outcomes of
"dataset II" are optional and depend on the latent profile: the registry's dropout and
early_help, the officer's wave-2 answers from which no_show and formal_action are derived
(out_late, out_no_show, out_warning, out_instruction, out_commissioner_continuation; codes 1 yes
once, 2 yes several times, 3 no, 4 don't know), and the officer-reported rise in risk
(out_risk_increased, 1-7).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk import codebook
from wagk.io import write_table

PHI = np.array([[1.0, 0.45, 0.55, -0.40],
                [0.45, 1.0, 0.65, -0.30],
                [0.55, 0.65, 1.0, -0.30],
                [-0.40, -0.30, -0.30, 1.0]])
SCALES = codebook.SCALES


def _loadings(perspective: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    model = codebook.load_cfa_model("sem_initial")
    keys = codebook.load_monitor("as_reported")
    load: dict[str, np.ndarray] = {}
    for k, name in enumerate(SCALES):
        for item in model[name]:
            vec = load.setdefault(item, np.zeros(4))
            sign = -1.0 if item in keys.scale(perspective, name).reversed else 1.0
            vec[k] += sign * rng.uniform(0.55, 0.8) * (0.6 if vec.any() else 1.0)
    for item in codebook.questionnaire_items(perspective):
        if item == "grade" or item in load:
            continue
        vec = np.zeros(4)
        vec[rng.integers(0, 4)] = rng.uniform(0.2, 0.5)
        load[item] = vec
    for item, vec in load.items():  # keep every communality below .65
        comm = vec @ PHI @ vec
        if comm > 0.65:
            load[item] = vec * np.sqrt(0.65 / comm)
    return load


def simulate_tables(seed: int = 7, n_clients: int = 302, n_officers: int = 120, outcomes: bool = False,
                    sizes: tuple[int, int, int] = (204, 267, 175), missing: float = 0.02
                    ) -> dict[str, pd.DataFrame]:
    """The seven tables (six without outcomes: no registry).

    ``sizes`` are the numbers of client wave-2 interviews and officer wave-1 and wave-2
    questionnaires (subsets of the clients).
    """
    rng = np.random.default_rng(seed)
    ids = [f"C{i:03d}" for i in range(1, n_clients + 1)]
    pos = [f"P{i:03d}" for i in range(1, n_officers + 1)]
    po_of = rng.choice(pos, size=n_clients)
    clients = pd.DataFrame({"client_id": ids, "po_id": po_of})
    officers = pd.DataFrame({"po_id": pos})
    latent = rng.multivariate_normal(np.zeros(4), PHI, size=n_clients)
    chol = np.linalg.cholesky(PHI)

    def questionnaire(perspective: str, wave: int, rows: np.ndarray) -> pd.DataFrame:
        load = _loadings(perspective, np.random.default_rng(seed * 100 + wave + (10 if perspective == "po" else 0)))
        f = np.sqrt(0.6) * latent[rows] + np.sqrt(0.4) * rng.standard_normal((len(rows), 4)) @ chol.T
        data = {}
        for item, vec in load.items():
            common = f @ vec
            z = common + rng.standard_normal(len(rows)) * np.sqrt(1.0 - vec @ PHI @ vec)
            x = np.clip(np.round(5.0 + 1.3 * z), 1, 7)
            x[rng.random(len(rows)) < missing] = np.nan
            data[item] = x
        general = f[:, :3].mean(axis=1) - 0.5 * f[:, 3]
        data["grade"] = np.clip(np.round(7.5 + 1.2 * general + 0.6 * rng.standard_normal(len(rows))), 1, 10)
        frame = pd.DataFrame({"client_id": np.array(ids)[rows], **data})
        if perspective == "po":
            frame.insert(1, "po_id", po_of[rows])
        return frame

    idx = np.arange(n_clients)
    c2 = np.sort(rng.choice(idx, size=sizes[0], replace=False))
    p1 = np.sort(rng.choice(idx, size=sizes[1], replace=False))
    p2 = np.sort(rng.choice(p1, size=sizes[2], replace=False))
    tables = {
        "clients": clients, "officers": officers,
        "client_w1": questionnaire("client", 1, idx), "client_w2": questionnaire("client", 2, c2),
        "po_w1": questionnaire("po", 1, p1), "po_w2": questionnaire("po", 2, p2),
    }
    if outcomes:
        risk_score = -(latent[:, :3].mean(axis=1)) + 0.6 * latent[:, 3]

        def event(rate: float, strength: float) -> np.ndarray:
            lin = np.log(rate / (1 - rate)) + strength * risk_score
            return (rng.random(n_clients) < 1 / (1 + np.exp(-lin))).astype(int)

        tables["registry"] = pd.DataFrame({"client_id": ids, "dropout": event(0.12, 1.0),
                                           "early_help": event(0.25, 0.8)})
        po2 = tables["po_w2"]
        rows = po2["client_id"].map({c: i for i, c in enumerate(ids)}).to_numpy()
        # the officer's wave-2 questions, coded 1 yes once, 2 yes several times, 3 no, 4 don't know:
        # no_show needs two or more late/absent events, formal_action any formal action
        late, absent = event(0.2, 1.2)[rows], event(0.12, 1.2)[rows]
        several = rng.random(len(rows)) < 0.3
        po2["out_late"] = np.where(late == 1, np.where(several, 2, 1), 3)
        po2["out_no_show"] = np.where(absent == 1, 1, 3)
        action = event(0.15, 1.0)[rows]
        which = rng.integers(0, 3, len(rows))
        for k, col in enumerate(("out_warning", "out_instruction", "out_commissioner_continuation")):
            po2[col] = np.where((action == 1) & (which == k), 1, 3)
        po2.loc[po2.index[:3], "out_warning"] = 4  # a few "don't know"
        po2["out_risk_increased"] = np.clip(np.round(3 + 1.2 * risk_score[rows] + rng.standard_normal(len(rows))), 1, 7)
    return tables


def write_study(folder, **kwargs):
    """Write :func:`simulate_tables` as CSV files into ``folder``; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in simulate_tables(**kwargs).items():
        write_table(frame, folder / f"{name}.csv")
    return folder
