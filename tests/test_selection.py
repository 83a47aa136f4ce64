"""wagk.selection: the item selection of Appendix 1 section 1.

References: wagk.groups.ttest_ind (Student t, itself validated against scipy) for the vectorised
t-tests, scipy.stats.pearsonr for the correlations, hand-made qualification patterns for
criteria a-d, and the documented pending behaviour when outcomes are absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from ch07_data import simulate_tables, write_study
from wagk import codebook, contract, selection
from wagk.association import correlation_table
from wagk.groups import ttest_ind


@pytest.fixture(scope="module")
def with_outcomes(tmp_path_factory):
    return contract.load_study(write_study(tmp_path_factory.mktemp("sel") / "data", seed=11, outcomes=True))


@pytest.fixture(scope="module")
def without_outcomes(tmp_path_factory):
    return contract.load_study(write_study(tmp_path_factory.mktemp("sel0") / "data", seed=11, outcomes=False))


def samples_of(study):
    return {(p, w): study.questionnaire(p, w) for p in ("client", "po") for w in (1, 2)}


def test_criteria_found_and_missing(with_outcomes, without_outcomes):
    crit = selection.criteria(with_outcomes)
    assert crit.available == ["no_show", "formal_action", "dropout", "early_help", "risk_increased"]
    assert crit.sources["risk_increased"] == "po_w2.out_risk_increased" and crit.missing == []
    assert crit.sources["no_show"] == "po_w2: out_late + out_no_show"
    assert set(crit.frame["dropout"].dropna().unique()) <= {0.0, 1.0}
    # no_show: late + absent counted 1 (once) or 2 (several times), at least two events
    po2 = with_outcomes.tables["po_w2"].set_index("client_id")
    count = po2[["out_late", "out_no_show"]].replace({1: 1, 2: 2, 3: 0, 4: np.nan})
    complete = count.notna().all(axis=1)
    want = (count.sum(axis=1) >= 2).astype(float)[complete]
    assert crit.frame.loc[want.index, "no_show"].eq(want).all() and want.sum() > 5
    # formal_action: "don't know" on one question and "no" on the others is missing, not 0
    dk = po2.index[po2["out_warning"] == 4]
    unknown = dk[(po2.loc[dk, ["out_instruction", "out_commissioner_continuation"]] == 3).all(axis=1)]
    assert len(unknown) and crit.frame.loc[unknown, "formal_action"].isna().all()
    none = selection.criteria(without_outcomes)
    assert none.available == [] and len(none.missing) == 5 and not none.has_risk


def test_criteria_reject_bad_codes(with_outcomes):
    class Fake:
        tables = {k: v.copy() for k, v in with_outcomes.tables.items()}

        def has(self, t):
            return t in self.tables

    fake = Fake()
    fake.tables["po_w2"].loc[3, "out_risk_increased"] = 9
    with pytest.raises(ValueError, match=r"po_w2\.out_risk_increased.*1 value.*data rows 5") as err:
        selection.criteria(fake)
    assert "C0" not in str(err.value)  # the message names rows, never ids


def test_vectorised_ttests_equal_wagk_groups(with_outcomes):
    crit = selection.criteria(with_outcomes)
    data = selection.datasets(samples_of(with_outcomes), crit)
    frame = data["po_w2"]
    items = selection.item_pool("po")[:25]
    ours = selection.ttests(frame, items, "no_show").set_index("item")
    ref = ttest_ind(frame, items, "no_show", levels=(1.0, 0.0)).set_index("dv")
    np.testing.assert_allclose(ours["t"], ref["t"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours["p"], ref["p"], rtol=1e-9, atol=1e-14)
    assert (ours["n1"] == ref["n1"]).all() and (ours["n"] == ref["n1"] + ref["n2"]).all()


def test_ttests_edge_cases():
    frame = pd.DataFrame({"a": [1, 2, 3, 4, 5, 6.0], "b": [3, 3, 3, 3, 3, 3.0], "c": [1, np.nan, np.nan, 2, 3, 4],
                          "y": [1, 1, 0, 0, 0, 0.0]})
    t = selection.ttests(frame, ["a", "b", "c"], "y").set_index("item")
    assert t.loc["a", "status"] == "ok"
    assert np.isnan(t.loc["b", "t"]) and t.loc["b", "status"] == "not_computed"
    assert t.loc["c", "note"] == "fewer than two cases in a group"


def test_correlations_equal_scipy(with_outcomes):
    crit = selection.criteria(with_outcomes)
    data = selection.datasets(samples_of(with_outcomes), crit)
    tests = selection.item_tests({"client_w1": data["client_w1"]}, crit)
    row = tests[(tests["item"] == "wai_04") & (tests["test"] == "r:risk_increased")].iloc[0]
    f = data["client_w1"][["wai_04", "risk_increased"]].dropna()
    ref = stats.pearsonr(f["wai_04"], f["risk_increased"])
    assert row["statistic"] == pytest.approx(ref.statistic, abs=1e-12)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-9) and row["n"] == len(f)


def test_vectorised_correlations_equal_wagk_association(with_outcomes):
    data = selection.datasets(samples_of(with_outcomes), selection.criteria(with_outcomes))
    frame = data["diff_w2"]
    items = [c for c in frame.columns if c.startswith(("wai", "dri", "md"))]
    frame = frame.copy()
    frame.loc[frame.index[:3], items[0]] = np.nan
    ours = selection.correlations(frame, items, "grade").set_index("item")
    ref = correlation_table(frame, items, ["grade"]).set_index("x")
    np.testing.assert_allclose(ours["r"], ref["r"], atol=1e-12)
    np.testing.assert_allclose(ours["p"], ref["p"], rtol=1e-9, atol=1e-15)
    assert (ours["n"] == ref["n"]).all()
    edge = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 2, 2], "c": [1.0, np.nan, np.nan, 2], "y": [1.0, 3, 2, 4]})
    e = selection.correlations(edge, ["a", "b", "c"], "y").set_index("item")
    assert e.loc["a", "status"] == "ok" and np.isnan(e.loc["b", "r"]) and e.loc["c", "n"] == 2
    assert e.loc["c", "note"] == "fewer than three complete pairs"


def test_difference_datasets_are_client_minus_officer(with_outcomes):
    s = samples_of(with_outcomes)
    data = selection.datasets(s, selection.criteria(with_outcomes))
    d = data["diff_w1"]
    both = s[("client", 1)].index.intersection(s[("po", 1)].index)
    assert len(d) == len(both)
    cid = both[0]
    assert d.loc[cid, "wai_04"] == s[("client", 1)].loc[cid, "wai_04"] - s[("po", 1)].loc[cid, "wai_04"] or \
        np.isnan(d.loc[cid, "wai_04"])
    assert "cr_01" not in d.columns and "cr_01" in data["po_w1"].columns


def _per(flags: dict) -> pd.DataFrame:
    """flags: dataset -> (differentiates, correlates)."""
    return pd.DataFrame([dict(dataset=k, item="x", differentiates=v[0], correlates=v[1]) for k, v in flags.items()])


def test_criteria_a_to_d():
    all4 = {d: (True, True) for d in selection.DATASETS}
    assert selection._criterion(_per(all4), False)[:2] == ("a", "X")
    b = {"client_w1": (True, True), "client_w2": (True, True), "po_w1": (True, False), "po_w2": (False, False)}
    assert selection._criterion(_per(b), False)[:2] == ("b", "X")
    c = {"client_w2": (True, True), "po_w2": (True, True), "client_w1": (False, True), "po_w1": (False, True)}
    letter, mark, qual = selection._criterion(_per(c), False)
    assert (letter, mark, qual) == ("c", "X", ["client_w2", "po_w2"])
    d = {"diff_w2": (True, False), "client_w1": (True, True)}
    assert selection._criterion(_per(d), False)[:2] == ("d", "Xa")
    assert selection._criterion(_per(d), True)[:2] == ("", "")
    none = {"client_w1": (True, True), "po_w2": (True, True)}
    assert selection._criterion(_per(none), False)[0] == ""


def test_without_outcomes_steps_are_pending(without_outcomes):
    sel = selection.select(samples_of(without_outcomes), selection.criteria(without_outcomes))
    assert sel.status["step1"].startswith("partial") and sel.status["step2"].startswith("pending")
    assert sel.status["step3"].startswith("pending")
    assert set(sel.tests["test"]) == {"r:grade"}
    t1 = selection.table1(sel, codebook.load_monitor("appendix1"), only_selected=True)
    assert len(t1) == 34 and (t1[["a", "b", "c", "d", "logistic"]] == "pending").all().all()
    assert selection.ledger_rows(sel).empty
    assert sel.counts()["step2"] is None
    st = selection.status_table(sel)
    assert "no_show" in st.set_index("step").loc["variables missing", "status"]


def test_with_outcomes_every_step_computed(with_outcomes):
    sel = selection.select(samples_of(with_outcomes), selection.criteria(with_outcomes))
    assert set(sel.status.values()) == {"computed"}
    it = sel.items
    s1, s2, s3 = it["step1"].astype(bool), it["step2"].astype(bool), it["step3"].astype(bool)
    assert (s2 <= s1).all() and (s3 <= s2).all() and s3.any() and (~s2).any()
    c = sel.counts()
    assert c["step3"] == c["step3_parallel"] + c["step3_po_only"]
    rows = selection.ledger_rows(sel).set_index(["ref", "perspective", "variable"])["value"]
    assert rows[("S7.2b", "sample", "items_selected_step2")] == c["step2"]
    assert rows[("SB1-1d", "sample", "items_dropped_step3")] == c["step2"] - c["step3"]
    # the logistic summary follows its rule
    lg = sel.simple_logistic
    assert set(lg["dataset"]) == set(selection.DATASETS) and set(lg["outcome"]) == set(selection.OUTCOMES)
    hits = lg.assign(sig=lg["p"] < 0.05).groupby("item")["sig"].sum()
    chosen = lg.groupby("item")["selected"].sum()
    passed = it.set_index("item").loc[hits.index, "step3"].astype(bool)
    assert ((hits >= 2) | (chosen > 0)).eq(passed).all()
    t1 = selection.table1(sel, codebook.load_monitor("appendix1"))
    assert not (t1 == "pending").any().any()


def test_partial_outcomes(tmp_path):
    t = simulate_tables(seed=5, outcomes=True)
    t["po_w2"] = t["po_w2"].drop(columns=["out_late", "out_no_show", "out_warning", "out_instruction",
                                          "out_commissioner_continuation"])
    from ch07_data import write_table
    for name, frame in t.items():
        write_table(frame, (tmp_path / f"{name}.csv"))
    study = contract.load_study(tmp_path)
    crit = selection.criteria(study)
    assert crit.outcomes == ["dropout", "early_help"] and crit.has_risk
    sel = selection.select(samples_of(study), crit)
    assert sel.status["step1"].startswith("partial: missing no_show")
    assert sel.status["step2"].startswith("partial") and sel.status["step3"].startswith("partial")
    assert selection.ledger_rows(sel).empty  # partial steps do not stand in for the thesis's counts



def test_without_the_risk_report_step_2_is_computed_but_step_1_is_partial(tmp_path):
    t = simulate_tables(seed=6, outcomes=True)
    t["po_w2"] = t["po_w2"].drop(columns=["out_risk_increased"])
    from ch07_data import write_table
    for name, frame in t.items():
        write_table(frame, (tmp_path / f"{name}.csv"))
    study = contract.load_study(tmp_path)
    sel = selection.select(samples_of(study), selection.criteria(study))
    assert sel.status["step1"] == "partial: missing risk_increased"
    assert sel.status["step2"].startswith("computed;") and sel.status["step3"] == "computed"
    refs = set(selection.ledger_rows(sel)["ref"])
    assert "S7.2a" not in refs and {"S7.2b", "S7.2c"} <= refs
    strict = selection.select(samples_of(study), selection.criteria(study), require_correlation=True)
    assert strict.status["step2"].startswith("partial") and strict.status["step3"].startswith("partial")
