"""The synthetic-data generator: schema, design n's, nesting, determinism, a fidelity smoke test.

Exact fidelity figures live in data/synthetic/FIDELITY.md (``wagk synth --report``); the tests
check what must hold for every seed (the design) and wide bounds on a few headline numbers.
"""

from __future__ import annotations

import filecmp

import numpy as np
import pandas as pd
import pytest

from wagk import codebook, contract, descriptives, dyads, scoring
from wagk.contract import load_study
from wagk.synth import generate, model, pipeline, structure

PARAMS = generate.load_params()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    generate.write(generate.generate(PARAMS), out)
    return out


@pytest.fixture(scope="module")
def study(written):
    return load_study(written)


def test_schema_loads_through_the_contract(study):
    t = study.tables
    assert len(t["client_w1"]) == 302 and len(t["client_w2"]) == 210
    assert len(t["po_w1"]) == 273 and len(t["po_w2"]) == 180
    assert t["clients"]["client_id"].is_unique and t["officers"]["po_id"].is_unique
    for name, persp in (("client_w1", "client"), ("client_w2", "client"), ("po_w1", "po"), ("po_w2", "po")):
        items = codebook.questionnaire_items(persp)
        ids = ["client_id"] + (["po_id"] if persp == "po" else [])
        assert list(t[name].columns) == ids + items
        x = t[name][items]
        top = pd.Series({c: 10 if c == "grade" else 7 for c in items})
        assert ((x >= 1) | x.isna()).all().all() and ((x <= top) | x.isna()).all().all()
        assert ((x % 1 == 0) | x.isna()).all().all()


def test_integers_in_the_csv(written):
    text = (written / "client_w1.csv").read_text()
    assert ".0," not in text and "\r" not in text


def _n(frame, col):
    return int(frame[col].notna().sum())


def test_design_gives_the_printed_ns(study):
    """Tables 8.1, 8.2, 9.1, 9.2 and 10.1: the n's follow from the sample and missing design, for
    any seed."""
    mon = codebook.load_monitor()
    sc = descriptives.wave_scores(study, "client", mon)
    assert [_n(sc[1], s) for s in scoring.SCORE_COLUMNS] == [302, 294, 302, 302, 302]
    assert [_n(sc[2], s) for s in scoring.SCORE_COLUMNS] == [210] * 5
    ch = scoring.change_scores(sc[1], sc[2])
    assert [_n(ch, s) for s in scoring.SCORE_COLUMNS] == [204, 200, 204, 204, 204]
    po = descriptives.wave_scores(study, "po", mon)
    cols = list(scoring.SCORE_COLUMNS) + list(mon.contra_reactance)
    assert [_n(po[1], c) for c in cols] == [272, 273, 273, 273, 273, 267, 267, 271]
    assert [_n(po[2], c) for c in cols] == [180, 180, 179, 180, 180, 176, 176, 177]
    agree = {w: dyads.agreement(sc[w], po[w]) for w in (1, 2)}
    assert agree[1]["n"].tolist()[:4] == [266, 260, 267, 267]
    assert agree[2]["n"].tolist()[:4] == [173] * 4


def test_officer_nesting(written):
    clients = pd.read_csv(written / "clients.csv")
    w1 = pd.read_csv(written / "po_w1.csv", usecols=["client_id", "po_id"])
    w2 = pd.read_csv(written / "po_w2.csv", usecols=["client_id", "po_id"])
    c1 = set(pd.read_csv(written / "client_w1.csv", usecols=["client_id"])["client_id"])
    matched = w1[w1["client_id"].isin(c1)]
    sizes = matched.groupby("po_id").size().value_counts().sort_index().to_dict()
    assert sizes == {1: 110, 2: 42, 3: 23, 4: 1}  # 176 officers (chapter 6)
    assert w1["po_id"].nunique() == 180
    assert w2.groupby("po_id").size().value_counts().sort_index().to_dict() == {1: 56, 2: 36, 3: 16, 4: 1}
    assert len(clients) == 309 and set(w1["po_id"]) <= set(clients["po_id"]) | set(w2["po_id"])


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate.write(generate.generate(PARAMS, 7), a)
    generate.write(generate.generate(PARAMS, 7), b)
    generate.write(generate.generate(PARAMS, 8), c)
    for name in generate.TABLES:
        assert filecmp.cmp(a / f"{name}.csv", b / f"{name}.csv", shallow=False)
    assert not filecmp.cmp(a / "client_w1.csv", c / "client_w1.csv", shallow=False)


def test_committed_dataset_is_the_generated_one(tmp_path):
    """data/synthetic is what `wagk synth` writes from the committed parameters (both stages)."""
    from wagk.synth import extend

    generate.main(out=tmp_path)
    for name in extend.ALL_TABLES:
        assert filecmp.cmp(tmp_path / f"{name}.csv", generate.paths.SYNTHETIC / f"{name}.csv", shallow=False), name


def test_fidelity_smoke(study):
    """Wide bounds around a few headline numbers (the exact figures are in FIDELITY.md)."""
    rows = pipeline.computed_rows(study, cfa=True)
    get = {tuple(r[:-1]): r[-1] for r in rows[["ref", "perspective", "wave", "analysis", "variable", "group",
                                                 "statistic", "value"]].itertuples(index=False, name=None)}
    assert 6.2 < get[("T8.1", "client", "1", "descriptives", "trust", "", "M")] < 6.6  # ceiling: 6.43 printed
    assert get[("T8.1", "client", "1", "descriptives", "trust", "", "Mdn")] >= 6.6
    assert 4.7 < get[("T9.1", "po", "1", "descriptives", "trust", "", "M")] < 5.2
    assert 0.05 < get[("T10.1", "dyad", "1", "correlation", "reactance", "client_vs_po", "r")] < 0.45
    assert 1.2 < get[("T10.2", "dyad", "1", "rel_diff", "trust", "", "M")] < 1.8
    assert 0.75 < get[("TB1.3", "client", "1", "cfa_fit", "wa_gk_model", "initial", "CFI")] < 0.95
    assert 0.03 < get[("TB1.5", "po", "1", "cfa_fit", "wa_gk_model", "final", "RMSEA")] < 0.09


def test_ceiling_is_in_the_items(study):
    """Client trust items answered 7 by most clients: the ceiling lives in the item answers."""
    x = study.questionnaire("client", 1)[["dri_02", "dri_01", "dri_03"]]
    assert ((x == 7).mean() > 0.5).all()


def test_surrogate_reproduces_the_dataset():
    """The calibration's smooth re-simulation equals the generated dataset (before the
    refinement of the answers, which the calibration leaves out) at the simulated parameters: every statistic it computes matches the package's (Spearman excepted, which it
    approximates)."""
    from wagk.ledger import KEY
    from wagk.synth import surrogate

    sim = generate.simulate(PARAMS, keep_responses=True, refine=False)
    rows = pipeline.computed_rows(contract.from_tables(sim.tables), cfa=False)
    real = {tuple(r): v for r, v in zip(rows[KEY].itertuples(index=False, name=None), rows["value"])}
    for k in model.CONTEXTS:
        st = surrogate.Surrogate(PARAMS, sim, k).stats(PARAMS)
        for key, v in st.items():
            if key[-1] != "rs":
                assert v == pytest.approx(real[key], abs=1e-9), key
    joint = surrogate.JointSurrogate(PARAMS, sim).stats(PARAMS)
    for key, v in joint.items():
        assert v == pytest.approx(real[key], abs=1e-9), key


def test_nearest_correlation_and_tails():
    m = np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])
    fixed = model.nearest_correlation(m, 0.05)
    assert np.allclose(np.diag(fixed), 1) and np.linalg.eigvalsh(fixed).min() > 0
    z = np.linspace(-4, 4, 81)
    for g, h in ((-0.3, 0.1), (0.2, 0.0), (0.0, 0.2)):
        assert np.all(np.diff(model.gh(z, g, h)) > 0)


def test_top_k_is_exact_and_stable():
    score = np.array([0.5, 0.1, 0.5, 0.9])
    assert structure.top_k(score, 2).tolist() == [True, False, False, True]


def test_polish_keeps_the_start_unless_a_step_does_better():
    """calibrate.polish_knobs: the returned parameters score at least the start's share on the
    chapter 8-10 tables, and only the between-set knobs' parameters may differ."""
    import copy

    from wagk.synth import calibrate

    cal = calibrate.Calibration(copy.deepcopy(PARAMS))
    start = cal.share(cal.stats(cal.simulate(), cfa=False, appendix=False))
    out = calibrate.polish_knobs(cal, iterations=2)
    cal.params = copy.deepcopy(out)
    assert cal.share(cal.stats(cal.simulate(), cfa=False, appendix=False)) >= start - 1e-12
    moved = {kn.apply.path for kn in cal.knobs}
    for k in ("c1", "c2", "p1", "p2"):
        for it, spec in out["items"][k].items():
            for field, v in spec.items():
                if ("items", k, it, field) not in moved:
                    assert v == PARAMS["items"][k][it][field], (k, it, field)
