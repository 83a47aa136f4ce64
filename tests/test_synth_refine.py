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


# --- the second phase: CFA fits ------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_answers():
    """The synthetic study before refinement, as the refinement sees it: every client's
    answers per questionnaire (NaN where there is none) and who has which questionnaire."""
    sim = generate.simulate(generate.load_params(), refine=False)
    ids = sim.members.index
    names = {"c1": "client_w1", "c2": "client_w2", "p1": "po_w1", "p2": "po_w2"}
    answers, members = {}, {}
    for k, name in names.items():
        cols = generate.questionnaire_columns("client" if k.startswith("c") else "po")
        answers[k] = sim.tables[name].set_index("client_id").reindex(ids)[cols].astype(float).reset_index(drop=True)
        members[k] = sim.members[k].to_numpy()
    return answers, members


def test_tracked_chi_squares_predict_a_refit(study_answers):
    """One edit's change of CMIN and of the independence model's CMIN, predicted by TrackedCFA,
    against fitting the CFA again (FIML) after the edit."""
    answers, members = study_answers
    prob = refine.Problem(answers, members)
    prob.add_cfas()
    m = next(m for m in prob.cfas if m.label == ("TB1.3", "client", "2", "initial"))
    names = [prob.cols[m.k][c] for c in m.cols]
    g = np.random.default_rng(2)
    pred, real = [], []
    for _ in range(6):
        prop = prob._cfa_edits(m, g)
        assert prop is not None
        k, i, edits = prop
        d = np.zeros(len(m.cols))
        for j, dd in edits:
            d[m.pos[j]] += dd
        dc, db = m.delta(m.centred(prob.X[k][i]), d)
        X = prob.X[k].copy()
        for j, dd in edits:
            X[i, j] += dd
        res = refine.monitor_tables.fit_model(pd.DataFrame(X[m.rows][:, m.cols], columns=names), m.factors)
        pred.append((dc, db))
        real.append((res.cmin - m.cmin, res.baseline_cmin - m.cmin_b))
    pred, real = np.array(pred), np.array(real)
    assert np.abs(real).max(axis=0).min() > 0.5  # the edits matter to both
    err = np.abs(pred - real).max(axis=0)
    # the model's CMIN: the refit re-estimates Sigma (the prediction keeps it); the independence
    # model's: exact but for FIML against the pairwise covariances
    assert err[0] <= 0.15 * np.abs(real[:, 0]).max()
    assert err[1] <= 0.06 * np.abs(real[:, 1]).max()


def test_cfa_phase_brings_the_fits_closer(study_answers):
    """The second phase alone (no first phase): refitting its output gives CFIs and RMSEAs
    closer to the published values than the fits at its start."""
    answers, members = study_answers
    out, info = refine.refine(answers, members, np.random.default_rng(4), proposals=0, cfa_rounds=2,
                              cfa_proposals=300)
    prob = info["problem"]
    after = refine.Problem(out, members)
    after.add_cfas()

    def loss(fits):
        return sum(refine.huber((v - prob.targets[t].value) / prob.targets[t].tol)
                   for m in prob.cfas for v, t in zip(fits[m.label], (m.t_cfi, m.t_rmsea)))

    # the tracked covariances and their inverses (updated edit by edit) equal a fresh computation
    for m in prob.cfas:
        x = prob.X[m.k][m.rows][:, m.cols]
        S = np.ma.cov(np.ma.masked_invalid(x), rowvar=False, bias=True).filled(0.0)
        assert np.allclose(m.S_inv @ m.S, np.eye(len(m.cols)), atol=1e-8)
        assert np.allclose(m.mean, np.nanmean(x, axis=0), atol=1e-9)
        complete = ~np.isnan(x).any(axis=0)
        assert np.allclose(m.S[np.ix_(complete, complete)], S[np.ix_(complete, complete)], atol=1e-9)
    start = loss(info["cfa_fits"][0])
    end = loss({m.label: (m.result.cfi, m.result.rmsea) for m in after.cfas})
    assert info["kept"] > 0 and end < 0.7 * start


def test_group_phase_tracks_group_statistics_and_contrasts():
    """The third phase (refine_groups): the M and SD within a group and the difference of two
    groups' means, kept up to date through the edits, equal a fresh computation with the
    package's scoring, and the targeted statistics move towards their values."""
    answers, members = _answers(7)
    lookup = _lookup(answers, members)
    _out, info = refine.refine(answers, members, np.random.default_rng(1), proposals=300, cfa_rounds=0,
                               lookup=lookup)
    prob = info["problem"]
    mon = codebook.load_monitor()
    group = np.arange(N) % 3 == 0
    trust0 = scoring.score(pd.DataFrame(prob.X["c1"], columns=prob.cols["c1"])[members["c1"] & group], mon,
                           "client")["trust"]
    groups = [dict(comps=[("c1", "trust", 1.0)], rows=members["c1"] & group,
                   stats={"M": (float(trust0.mean()) - 0.3, 0.05), "SD": (float(trust0.std()), 0.05)})]
    contrasts = [dict(comps=[("p1", "bond", 1.0)], rows=members["p1"] & group, rows_b=members["p1"] & ~group,
                      value=0.4, tol=0.05)]
    d_target = prob.targets[prob.add_contrasts(contrasts)[0]]
    res = refine.refine_groups(prob, groups, np.random.default_rng(2), proposals=800)
    assert res["kept"] > 0 and res["loss_after"] < res["loss_before"]
    X = {k: pd.DataFrame(prob.X[k], columns=prob.cols[k]) for k in prob.X}
    trust = scoring.score(X["c1"][members["c1"] & group], mon, "client")["trust"]
    m_vec = prob.targets[res["targets"][0]]
    assert refine._stats(prob.vectors[m_vec.v])[:2] == pytest.approx((trust.mean(), trust.std()), abs=1e-9)
    bond = scoring.score(X["p1"][members["p1"]], mon, "po")["bond"]
    in_group = pd.Series(group[members["p1"]], index=bond.index)
    fresh = bond[in_group].mean() - bond[~in_group].mean()
    assert prob._contrast(d_target) == pytest.approx(fresh, abs=1e-9)
    assert abs(trust.mean() - (trust0.mean() - 0.3)) < 0.3 / 2  # moved at least half way
    assert abs(fresh - 0.4) < abs(_initial_contrast(answers, members, group) - 0.4)


def _initial_contrast(answers, members, group):
    bond = scoring.score(answers["p1"][members["p1"]], codebook.load_monitor(), "po")["bond"]
    in_group = pd.Series(group[members["p1"]], index=bond.index)
    return bond[in_group].mean() - bond[~in_group].mean()


def test_selection_is_the_analysis_forward_stepwise():
    """The repair of the logistic models judges a model by the same forward selection as the
    analysis (wagk.logistic.forward_stepwise, LR removal): the same predictors on the same
    answers, here with an outcome that depends on two of the eight candidates."""
    from wagk import logistic

    answers, members = _answers(8)
    prob = refine.Problem(answers, members, lookup={}, guards=False)
    rows = members["c1"] & members["p1"]
    comps = [[(k, s, 1.0)] for k in ("c1", "p1") for s in ("trust", "goals_restriction", "bond", "reactance")]
    X = np.column_stack([prob.S[cc[0][0]][:, prob.names[cc[0][0]].index(cc[0][1])] for cc in comps])
    rows &= ~np.isnan(X).any(axis=1)
    g = np.random.default_rng(4)
    z = 1.5 * (X[:, 0] - np.nanmean(X[:, 0])) - 1.2 * (X[:, 7] - np.nanmean(X[:, 7]))
    y = (g.random(len(z)) < 1 / (1 + np.exp(-(z - 1.0)))).astype(float)
    model = dict(comps=comps, rows=rows, y=y[rows])
    names = [f"x{j}" for j in range(len(comps))]
    data = pd.DataFrame(X[rows], columns=names).assign(y=y[rows])
    expected = logistic.forward_stepwise(data, "y", names, removal="lr").selected
    assert refine.selection(prob, model) == {names.index(n) for n in expected}
    assert expected  # the test means something: some predictor enters


def test_gradient_matches_finite_differences():
    """The third phase draws its edits from the gradient of the loss (Problem.item_gradient):
    for M, SD, correlation and fixed-correlation targets it equals the change of the loss when
    one answer moves by one point, to first order (here checked on the answers whose move
    changes the loss most, where the second-order part is small against the first)."""
    answers, members = _answers(9)
    lookup = _lookup(answers, members)
    prob = refine.Problem(answers, members, lookup=lookup)
    group = members["c1"] & (np.arange(N) % 4 == 0)
    prob.add_groups([dict(comps=[("c1", "bond", 1.0)], rows=group, stats={"M": (6.5, 0.05), "SD": (0.5, 0.05)})])
    other = np.where(members["p1"], np.arange(N) % 6, np.nan).astype(float)
    prob.add_fixed_correlations([dict(comps=[("p1", "trust", 1.0)], rows=members["p1"], other=other,
                                      value=0.6, tol=0.05)])
    G = prob.item_gradient()
    checked = 0
    for k in ("c1", "p1"):
        order = np.argsort(-np.abs(G[k]), axis=None)[:40]
        for flat in order:
            i, j = divmod(int(flat), G[k].shape[1])
            d = -np.sign(G[k][i, j])
            if not 1 <= prob.X[k][i, j] + d <= 7:
                continue
            delta, _ = prob.evaluate(k, i, [(j, d)])
            # alphas and order statistics are not in the gradient; their share is small here
            assert delta == pytest.approx(d * G[k][i, j], rel=0.35, abs=0.02)
            checked += 1
    assert checked >= 20


def test_gradient_phase_lowers_the_loss_and_keeps_answers_in_range():
    """refine_groups with fixed correlations: the loss goes down, the tracked correlation with
    the fixed variable equals a fresh one, and every answer stays an integer in 1-7 (an item
    of two subscales is moved once by a profile edit)."""
    answers, members = _answers(10)
    _out, info = refine.refine(answers, members, np.random.default_rng(1), proposals=200, cfa_rounds=0,
                               lookup=_lookup(answers, members))
    prob = info["problem"]
    before = {k: np.isnan(x) for k, x in prob.X.items()}
    other = np.where(members["c1"], np.arange(N) % 5, np.nan).astype(float)
    groups = [dict(comps=[(k, s, 1.0)], rows=members[k] & (np.arange(N) % 2 == 0),
                   stats={"M": (6.8, 0.05)}) for k in ("c1", "p1") for s in ("trust", "bond", "total")]
    res = refine.refine_groups(prob, groups, np.random.default_rng(3), proposals=600,
                               correlations=[dict(comps=[("c1", "bond", 1.0)], rows=members["c1"], other=other,
                                                  value=0.5, tol=0.05)])
    assert res["loss_after"] < res["loss_before"]
    t = prob.targets[res["targets"][0]]
    bond = scoring.score(pd.DataFrame(prob.X["c1"], columns=prob.cols["c1"])[members["c1"]],
                         codebook.load_monitor(), "client")["bond"]
    ok = ~np.isnan(bond.to_numpy()) & ~np.isnan(other[members["c1"]])
    fresh = np.corrcoef(bond.to_numpy()[ok], other[members["c1"]][ok])[0, 1]
    assert refine._r(t.sums) == pytest.approx(fresh, abs=1e-9)
    for k, x in prob.X.items():
        assert np.array_equal(np.isnan(x), before[k])
        scale_items = [j for j, c in enumerate(prob.cols[k]) if c.split("_")[0] in ("wai", "dri", "md", "cr")]
        v = x[:, scale_items][~np.isnan(x[:, scale_items])]
        assert ((v >= 1) & (v <= 7) & (v == np.round(v))).all()


def test_profile_edits_move_each_item_once():
    """A profile edit moves one answer of each alliance subscale; an item that belongs to two
    subscales must not be moved twice (it could leave 1-7)."""
    answers, members = _answers(11)
    prob = refine.Problem(answers, members, lookup={}, guards=False)
    vid = prob._vector([("c1", "trust", 1.0)], members["c1"])
    g = np.random.default_rng(0)
    checked = False
    for i in np.flatnonzero(members["c1"]):
        for dv in (1.0, -1.0):
            prop = prob._profile_edits(vid, int(i), dv, g)
            if prop is None:
                continue
            items = [j for j, _ in prop[2]]
            assert len(items) == len(set(items))
            x = prob.X["c1"][i, items] + np.array([d for _, d in prop[2]])
            assert ((x >= 1) & (x <= 7)).all()
            checked = True
    assert checked


def test_anova_and_score_targets_track_fresh_statistics_and_their_gradient():
    """The third phase's test targets: sqrt(F) of a one-way ANOVA over three groups
    (Problem.add_tests) and a weighted sum of a score (Problem.add_linear, the score tests of the
    logistic models) are kept up to date through the edits (equal to scipy's F and a fresh sum
    afterwards), and their gradient equals the change of the loss when one answer moves by one
    point, to first order."""
    from scipy import stats

    answers, members = _answers(11)
    prob = refine.Problem(answers, members, lookup={}, guards=False)
    thirds = [members["c1"] & (np.arange(N) % 3 == j) for j in range(3)]
    f_id = prob.add_tests([dict(comps=[("c1", "trust", 1.0)], groups=thirds, value=3.0, tol=0.2)])[0]
    weights = np.where(members["p1"], np.sin(np.arange(N)), 0.0)
    l_id = prob.add_linear([dict(comps=[("p1", "bond", 1.0)], rows=members["p1"], weights=weights,
                                 lo=40.0, hi=45.0, tol=1.0)])[0]
    assert prob.loss[f_id] > 0 and prob.loss[l_id] > 0  # both start outside their targets

    def fresh():
        X = {k: pd.DataFrame(prob.X[k], columns=prob.cols[k]) for k in ("c1", "p1")}
        trust = scoring.score(X["c1"], codebook.load_monitor(), "client")["trust"].to_numpy()
        bond = scoring.score(X["p1"], codebook.load_monitor(), "po")["bond"].to_numpy()
        F = stats.f_oneway(*[trust[g & ~np.isnan(trust)] for g in thirds]).statistic
        ok = members["p1"] & ~np.isnan(bond)
        return F ** 0.5, float(weights[ok] @ bond[ok])

    G = prob.item_gradient()
    checked = 0
    for k in ("c1", "p1"):
        for flat in np.argsort(-np.abs(G[k]), axis=None)[:30]:
            i, j = divmod(int(flat), G[k].shape[1])
            d = -np.sign(G[k][i, j])
            if d == 0 or not 1 <= prob.X[k][i, j] + d <= 7:
                continue
            delta, _ = prob.evaluate(k, i, [(j, d)])
            assert delta == pytest.approx(d * G[k][i, j], rel=0.35, abs=0.02)
            checked += 1
    assert checked >= 20
    before = prob.total_loss()
    kept = refine._gradient_search(prob, np.random.default_rng(5), 600)
    assert kept > 0 and prob.total_loss() < before
    root_f, wsum = fresh()
    assert prob._root_f(prob.targets[f_id]) == pytest.approx(root_f, abs=1e-9)
    assert prob.targets[l_id].cur == pytest.approx(wsum, abs=1e-9)


def test_selection_targets_are_the_score_tests_of_the_selection():
    """The score-test targets of a logistic model (selection_targets): for a candidate the printed
    model leaves out, z squared is the score statistic the forward selection uses
    (wagk.logistic._score_tests) for adding it to the printed predictors; the interval keeps it
    below Z_OUT in absolute value; a printed predictor's interval lies beyond Z_IN."""
    from wagk import logistic

    answers, members = _answers(8)
    prob = refine.Problem(answers, members, lookup={}, guards=False)
    comps = [[(k, s, 1.0)] for k in ("c1", "p1") for s in ("trust", "goals_restriction", "bond", "reactance")]
    X = prob.score_matrix(comps)
    rows = members["c1"] & members["p1"] & ~np.isnan(X).any(axis=1)
    g = np.random.default_rng(4)
    Xr = X[rows] - X[rows].mean(axis=0)
    y = (g.random(len(Xr)) < 1 / (1 + np.exp(-(1.5 * Xr[:, 0] - 1.0)))).astype(float)
    model = dict(comps=comps, rows=rows, y=y, selected={0})
    specs = refine.selection_targets(prob, model)
    assert len(specs) == len(comps)
    D = np.column_stack([np.ones(len(y)), Xr[:, 0]])
    fit = logistic._newton(D, y)
    S = logistic._score_tests(D, Xr[:, 1:], y, fit.p)
    for k in range(1, len(comps)):
        z = float(specs[k]["weights"][rows] @ Xr[:, k])
        assert z ** 2 == pytest.approx(S[k - 1], rel=1e-6)
        assert (specs[k]["lo"], specs[k]["hi"]) == (-refine.Z_OUT, refine.Z_OUT)
    z0 = float(specs[0]["weights"][rows] @ Xr[:, 0])
    assert abs(z0) > 2 and (specs[0]["lo"] >= refine.Z_IN or specs[0]["hi"] <= -refine.Z_IN)


def test_added_scales_are_scored_as_the_analysis_and_their_correlations_tracked():
    """Problem.add_scales scores more scales of a questionnaire (here the WAI and DRI-R subscales
    of Appendix 1 Tables 10-13) as wagk.scoring does, and the correlation targets between two
    scores (Problem.add_correlations) stay equal to a fresh correlation through the edits."""
    answers, members = _answers(12)
    prob = refine.Problem(answers, members, lookup={}, guards=False)
    subscales = codebook.load_subscales()
    prob.add_scales("c1", [(f"subscale:{name}", sc) for name, sc in subscales.items()])
    X = pd.DataFrame(prob.X["c1"], columns=prob.cols["c1"])
    for name, sc in subscales.items():
        col = prob.S["c1"][:, prob.names["c1"].index(f"subscale:{name}")]
        np.testing.assert_allclose(col, scoring.scale_score(X, sc).to_numpy(), equal_nan=True)
    pair = dict(comps=[("c1", "trust", 1.0)], comps_b=[("c1", "subscale:dri_fairness", 1.0)],
                rows=members["c1"], value=0.9, tol=0.05)
    ti = prob.add_correlations([pair])[0]
    before = prob.total_loss()
    assert refine._gradient_search(prob, np.random.default_rng(6), 400) > 0
    assert prob.total_loss() < before
    X = pd.DataFrame(prob.X["c1"], columns=prob.cols["c1"])[members["c1"]]
    trust = scoring.score(X, codebook.load_monitor(), "client")["trust"]
    fair = scoring.scale_score(X, subscales["dri_fairness"])
    ok = trust.notna() & fair.notna()
    assert refine._r(prob.targets[ti].sums) == pytest.approx(np.corrcoef(trust[ok], fair[ok])[0, 1], abs=1e-9)


def test_tracked_fit_indices_go_on_beyond_their_bounds():
    """The CFA targets' indices equal wagk.cfa.fit_indices while the model chi-square exceeds its
    df; below it (a fit grown too good, where CFI is 1 and RMSEA 0) they go on past 1 and 0 and
    keep moving with the chi-square, so the search can bring such a fit back."""
    from wagk.cfa import fit_indices

    m = refine.TrackedCFA("p2", ("TB1.3", "po", "2", "initial"), {}, np.ones(5, bool), {}, np.arange(3),
                          n=175, df=180, df_b=210)
    f = fit_indices(300.0, 180, 1500.0, 210, 175)
    assert m.indices(300.0, 1500.0) == pytest.approx((f["cfi"], f["rmsea"]))
    cfi_a, rmsea_a = m.indices(175.0, 1500.0)
    cfi_b, rmsea_b = m.indices(160.0, 1500.0)
    assert fit_indices(160.0, 180, 1500.0, 210, 175)["cfi"] == 1.0  # the bounded index is flat here
    assert 1.0 < cfi_a < cfi_b and 0.0 > rmsea_a > rmsea_b
