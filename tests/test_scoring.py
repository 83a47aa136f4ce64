"""Scoring rules on hand-computed fixtures."""

import numpy as np
import pandas as pd
import pytest

from wagk import codebook, scoring
from wagk.codebook import Scale


def frame(rows):
    return pd.DataFrame(rows, index=[f"c{i}" for i in range(len(rows))], dtype=float)


def test_mean_and_reverse_key():
    sc = Scale("x", ("a", "b", "c"), frozenset({"c"}))
    s = scoring.scale_score(frame([{"a": 7, "b": 5, "c": 1}]), sc)
    assert s.iloc[0] == pytest.approx((7 + 5 + 7) / 3)


def test_missing_rule_half_is_allowed_more_is_not():
    sc4 = Scale("x", ("a", "b", "c", "d"), frozenset())
    rows = [{"a": 2, "b": 4, "c": np.nan, "d": np.nan},   # 2 of 4 missing: scored
            {"a": 2, "b": np.nan, "c": np.nan, "d": np.nan}]  # 3 of 4: no score
    s = scoring.scale_score(frame(rows), sc4)
    assert s.iloc[0] == 3.0 and np.isnan(s.iloc[1])
    sc7 = Scale("y", tuple("abcdefg"), frozenset())
    three = {k: (np.nan if k in "abc" else 4.0) for k in "abcdefg"}
    four = {k: (np.nan if k in "abcd" else 4.0) for k in "abcdefg"}
    s7 = scoring.scale_score(frame([three, four]), sc7)
    assert s7.iloc[0] == 4.0 and np.isnan(s7.iloc[1])


def test_total_counts_double_members_once_and_reverses_reactance():
    mon = codebook.load_monitor("as_reported")
    items = list(mon.total("po").items)
    row = {i: 6.0 for i in items}
    for i in ("md_19", "md_21", "md_16"):   # reactance items: high = bad
        row[i] = 2.0
    row["md_05"] = 2.0                       # reactance and (reversed) goals_restriction
    row["dri_31"] = 2.0                      # reversed in trust
    scores = scoring.score(frame([row]), mon, "po")
    # all 19 items turn into 6 after keying: the total is 6 exactly
    assert scores.loc["c0", "total"] == pytest.approx(6.0)
    assert scores.loc["c0", "reactance"] == pytest.approx(2.0)
    assert scores.loc["c0", "goals_restriction"] == pytest.approx(6.0)
    # wai_04 belongs to goals_restriction and bond: changing it moves the total by 1/19, not 2/19
    row2 = dict(row, wai_04=7.0)
    t2 = scoring.score(frame([row2]), mon, "po").loc["c0", "total"]
    assert t2 - 6.0 == pytest.approx(1 / 19)


def test_contra_reactance_single_items_unreversed():
    mon = codebook.load_monitor()
    items = {i: 4.0 for i in mon.all_items("po")}
    items["cr_01"] = 7.0
    scores = scoring.score(frame([items]), mon, "po")
    assert scores.loc["c0", "cr23_says_cooperates"] == 7.0


def test_change_and_dyads():
    w1 = pd.DataFrame({"trust": [5.0, 6.0, 4.0]}, index=["a", "b", "c"])
    w2 = pd.DataFrame({"trust": [6.0, 5.5]}, index=["b", "a"])
    ch = scoring.change_scores(w1, w2)
    assert ch.loc["a", "trust"] == 0.5 and ch.loc["b", "trust"] == 0.0 and "c" not in ch.index
    po = pd.DataFrame({"trust": [6.0, 4.5]}, index=["a", "c"])
    d = scoring.dyad_differences(w1, po)
    assert d["relative"].loc["a", "trust"] == -1.0
    assert d["absolute"].loc["a", "trust"] == 1.0
    assert list(d["relative"].index) == ["a", "c"]


def test_scoring_counts():
    mon = codebook.load_monitor()
    items = pd.DataFrame([{i: 4.0 for i in mon.all_items("client")}] * 3, index=list("xyz"))
    items.loc["z", list(mon.scale("client", "trust").items)[:3]] = np.nan
    counts = scoring.scoring_counts(items, mon, "client").set_index("scale")
    assert counts.loc["trust", "not_scored"] == 1
    assert counts.loc["total", "scored"] == 3


def test_scoring_counts_tell_all_missing_from_partly_missing():
    mon = codebook.load_monitor()
    items = pd.DataFrame([{i: 4.0 for i in mon.all_items("client")}] * 4, index=list("wxyz"))
    trust = list(mon.scale("client", "trust").items)
    items.loc["y", trust[: len(trust) // 2 + 1]] = np.nan  # more than half missing
    items.loc["z", trust] = np.nan  # every item missing
    counts = scoring.scoring_counts(items, mon, "client").set_index("scale")
    assert counts.loc["trust", "not_scored"] == 2
    assert counts.loc["trust", "all_items_missing"] == 1
    assert counts.loc["bond", "all_items_missing"] == 0
