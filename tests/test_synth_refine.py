"""The refinement of the generated answers (wagk.synth.refine) on a small invented study.

Reference: the statistics it keeps up to date incrementally are checked against a from-scratch
computation with the package's scoring (wagk.scoring) and numpy; the search is checked to do
what its docstring claims (the loss goes down, targeted statistics move towards their values,
missing answers, ranges and other columns stay as they were, same seed -> same answers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wagk import codebook, scoring
from wagk.synth import generate, refine

N = 90


def _answers(seed: int = 5):
    g = np.random.default_rng(seed)
    members = {"c1": np.arange(N) < 80, "c2": np.arange(N) >= 30, "p1": np.arange(N) % 7 != 0,
               "p2": (np.arange(N) >= 30) & (np.arange(N) % 5 != 0)}
    answers = {}
    for k in ("c1", "c2", "p1", "p2"):
        cols = generate.questionnaire_columns("client" if k.startswith("c") else "po")
        person = g.normal(size=(N, 1))
        x = np.clip(np.rint(5.2 + 1.2 * person + 1.1 * g.normal(size=(N, len(cols)))), 1, 7)
        frame = pd.DataFrame(x, columns=cols)
        frame[g.random(frame.shape) < 0.02] = np.nan  # a few missing answers
        answers[k] = frame
    return answers, members


def _lookup(answers, members):
    """Invented published values: the client trust median one step lower, the maximum of the
    client bond change lower, the officer reactance mean higher."""
    mon = codebook.load_monitor()
    sc1 = scoring.score(answers["c1"][members["c1"]], mon, "client")
    sp1 = scoring.score(answers["p1"][members["p1"]], mon, "po")
    both = members["c1"] & members["c2"]
    change = (scoring.score(answers["c2"][both], mon, "client") - scoring.score(answers["c1"][both], mon, "client"))
    return {
        ("T8.1", "client", "1", "descriptives", "trust", "", "Mdn"): float(sc1["trust"].median()) - 0.4,
        ("T8.3", "client", "diff", "descriptives", "bond", "", "Max"): float(change["bond"].max()) - 1.0,
        ("T9.1", "po", "1", "descriptives", "reactance", "", "M"): float(sp1["reactance"].mean()) + 0.3,
    }


@pytest.fixture(scope="module")
def refined():
    answers, members = _answers()
    lookup = _lookup(answers, members)
    out, info = refine.refine(answers, members, np.random.default_rng(1), proposals=1500, lookup=lookup)
    return answers, members, lookup, out, info


def test_incremental_statistics_equal_a_fresh_computation(refined):
    answers, members, lookup, out, info = refined
    prob = info["problem"]
    fresh = refine.Problem(out, members, lookup=lookup)
    assert len(fresh.vectors) == len(prob.vectors)
    for a, b in zip(prob.vectors, fresh.vectors):
        assert np.allclose(refine._stats(a), refine._stats(b), atol=1e-9)
    for ta, tb in zip(prob.targets, fresh.targets):
        if ta.kind == "r":
            assert refine._r(ta.sums) == pytest.approx(refine._r(tb.sums), abs=1e-9)
    for key, ag in prob.alphas.items():
        assert ag.alpha() == pytest.approx(fresh.alphas[key].alpha(), abs=1e-9)
    # and the package's scoring agrees with the vectors: client trust at wave 1
    mon = codebook.load_monitor()
    trust = scoring.score(out["c1"][members["c1"]], mon, "client")["trust"].dropna().to_numpy()
    vec = fresh.vectors[fresh.names["c1"].index("trust") * 3]  # (w1, w2, change) per scale, trust first
    assert sorted(trust.tolist()) == pytest.approx(vec.sorted, abs=1e-12)


def test_refinement_moves_the_targets_and_lowers_the_loss(refined):
    answers, members, lookup, out, info = refined
    assert info["kept"] > 0 and info["loss_after"] < info["loss_before"]
    mon = codebook.load_monitor()

    def stats(ans):
        c1 = scoring.score(ans["c1"][members["c1"]], mon, "client")
        both = members["c1"] & members["c2"]
        ch = scoring.score(ans["c2"][both], mon, "client") - scoring.score(ans["c1"][both], mon, "client")
        p1 = scoring.score(ans["p1"][members["p1"]], mon, "po")
        return [c1["trust"].median(), ch["bond"].max(), p1["reactance"].mean()]

    before, after = stats(answers), stats(out)
    for b, a, target in zip(before, after, lookup.values()):
        assert abs(a - target) < abs(b - target)


def test_answers_stay_integers_in_range_with_the_same_missing_cells(refined):
    answers, members, lookup, out, info = refined
    edited = 0
    for k, frame in answers.items():
        new = out[k]
        assert list(new.columns) == list(frame.columns)
        assert (new.isna() == frame.isna()).all().all()
        items = [c for c in frame.columns if c != "grade" and not c.startswith("sms_")]
        x = new[items].to_numpy()
        ok = ~np.isnan(x)
        assert (x[ok] == np.rint(x[ok])).all() and x[ok].min() >= 1 and x[ok].max() <= 7
        diff = np.abs(np.nan_to_num(x) - np.nan_to_num(frame[items].to_numpy()))
        edited += int((diff > 0).sum())
        # rows without this questionnaire and columns outside the scales are untouched
        pd.testing.assert_frame_equal(new[~members[k]], frame[~members[k]])
        pd.testing.assert_series_equal(new["grade"], frame["grade"])
    assert edited > 0


def test_same_stream_same_answers():
    answers, members = _answers(6)
    lookup = _lookup(answers, members)
    a, _ = refine.refine(answers, members, np.random.default_rng(3), proposals=300, lookup=lookup)
    b, _ = refine.refine(answers, members, np.random.default_rng(3), proposals=300, lookup=lookup)
    for k in a:
        pd.testing.assert_frame_equal(a[k], b[k])
