"""The chapter tables of chapters 6 and 8-10 (wagk.sample, wagk.perspective, wagk.outcomes).

A random dataset with every background column feeds the recipes; the tests check that the rows
carry the published keys (every published number of the target tables is computed), and
recompute a few numbers by hand with scipy.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import tiny_tables, write_dataset
from wagk import background, ledger, outcomes, perspective, sample
from wagk.contract import load_study


def _random_background(tables: dict, seed: int = 1) -> dict:
    rng = np.random.default_rng(seed)
    spec = background.load_background()
    out = {k: v.copy() for k, v in tables.items()}
    for name, frame in out.items():
        for col in background.columns_of(name, spec):
            v = spec[col]
            if v.codes:
                vals = rng.choice(list(v.codes), size=len(frame)).astype(float)
            else:
                lo, hi = v.range
                vals = np.round(rng.uniform(lo, min(hi, lo + 40), size=len(frame)))
            vals[rng.random(len(frame)) < 0.05] = np.nan
            frame[col] = vals
    # answers that only exist after a yes
    cl = out["clients"].set_index("client_id")
    w1 = out["client_w1"]
    w1.loc[w1["client_id"].map(cl["court_case"]) != 1, "exp_court_case"] = np.nan
    return out


@pytest.fixture(scope="module")
def frame_and_study(tmp_path_factory):
    tables = _random_background(tiny_tables(n_clients=120, seed=3))
    study = load_study(write_dataset(tmp_path_factory.mktemp("bg") / "data", tables))
    return background.analysis_frame(study), study


@pytest.fixture(scope="module")
def rows(frame_and_study):
    data, study = frame_and_study
    parts = [sample.chapter6_rows(data, study), perspective.chapter8_rows(data), perspective.chapter9_rows(data),
             outcomes.dyad_outcome_rows(data)]
    return pd.concat(parts, ignore_index=True)


def test_rows_are_valid_ledger_rows(rows):
    checked = ledger.check(rows, "chapter tables")
    assert len(checked) == len(rows) > 2000


def test_every_published_number_of_the_target_tables_has_a_key(rows):
    """Naming drift guard: the recipes produce every key the thesis prints (logistic selections
    and the national-population comparisons aside)."""
    from wagk import published  # tests may read published numbers

    pub = published.load()
    target = (r"^(T6\.(6|7|8|9|10|11|12)|S6\.9a|S6\.12\.|T8\.([4-9]|10)$|S8\.[3-9]|T9\.([4-9]|1[01])$"
              r"|S9\.[3-9]|T10\.[56]$|S10\.2\.[456])")
    pub = pub[pub["ref"].str.match(target) & (pub["perspective"] != "population") & (pub["analysis"] != "model_spec")]
    pub = pub[~(pub["ref"].isin(["T6.6", "T6.7"]) & pub["analysis"].isin(["chi2", "ttest"]))]
    keys = set(map(tuple, rows[ledger.KEY].astype(str).to_numpy()))
    missing = [k for k in map(tuple, pub[ledger.KEY].astype(str).to_numpy()) if k not in keys]
    assert not missing, missing[:10]


def test_a_group_mean_and_anova_by_hand(frame_and_study, rows):
    data, _ = frame_and_study
    c1 = data[data["in_client_w1"]]
    y = c1["client1_reactance"]
    g = c1["paid_work_w1"]
    got = rows[(rows.ref == "S8.3.1")].set_index(["group", "statistic"])["value"]
    assert got[("paid_work=yes", "M")] == pytest.approx(y[g == 1].mean())
    assert got[("paid_work=no", "SD")] == pytest.approx(y[g == 0].std(ddof=1))
    ref = stats.f_oneway(y[(g == 1) & y.notna()], y[(g == 0) & y.notna()])
    assert got[("paid_work", "F")] == pytest.approx(ref.statistic)
    assert got[("paid_work", "df2")] == ((g.notna() & y.notna()).sum() - 2)


def test_outcome_split_by_hand(frame_and_study, rows):
    data, _ = frame_and_study
    p2 = data[data["in_po_w2"]]
    x = p2["po2_trust"]
    o = p2["formal_action"]
    got = rows[rows.ref == "T9.10"].set_index(["analysis", "group", "statistic", "variable"])["value"]
    assert got[("descriptives", "formal_action=1", "M", "trust")] == pytest.approx(x[o == 1].mean())
    ref = stats.f_oneway(x[(o == 1) & x.notna()], x[(o == 0) & x.notna()])
    assert got[("anova", "outcome=formal_action", "p", "trust")] == pytest.approx(ref.pvalue)


def test_text_correlations_print_n_as_df(frame_and_study, rows):
    data, _ = frame_and_study
    c1 = data[data["in_client_w1"]]
    pair = c1[["client1_trust", "addiction_w1"]].dropna()
    got = rows[rows.ref == "S8.6.1a"].set_index("statistic")["value"]
    assert got["df"] == len(pair)
    assert got["rs"] == pytest.approx(stats.spearmanr(pair.iloc[:, 0], pair.iloc[:, 1]).statistic)


def test_contra_reactance_correlations_of_the_dyads_by_hand(frame_and_study, rows):
    """10.2.6: officer's item against the client's scale, Spearman over the wave-2 dyads."""
    data, _ = frame_and_study
    d2 = data[data["in_client_w2"] & data["in_po_w2"]]
    pair = d2[["po2_cr24_energy", "client2_reactance"]].dropna()
    got = rows[rows.ref == "S10.2.6f"].set_index("statistic")["value"]
    ref = stats.spearmanr(pair.iloc[:, 0], pair.iloc[:, 1])
    assert got["rs"] == pytest.approx(ref.statistic) and got["p"] == pytest.approx(ref.pvalue)
    assert got["df"] == len(pair)


def test_logistic_tables_report_the_selected_predictors(frame_and_study):
    data, _ = frame_and_study
    res = outcomes.logistic_models(data, "T10.8")
    assert set(res) == set(outcomes.OUTCOMES)
    for r in res.values():
        assert set(r.selected) <= {p + s for p in ("client2_", "po2_")
                                   for s in ("trust", "goals_restriction", "bond", "reactance")}


def test_recipes_on_a_frame_without_a_column_give_empty_rows_and_say_why(frame_and_study, rows):
    """A dataset without a background variable: the same keys, empty values, and the reason."""
    from wagk._recipes import missing_columns

    data, _ = frame_and_study
    less = data.drop(columns=["risc_category", "formal_action"])
    got = pd.concat([perspective.chapter8_rows(less), perspective.chapter9_rows(less)], ignore_index=True)
    full = rows[rows["ref"].str.match(r"^[ST][89]\.")]
    assert set(map(tuple, got[ledger.KEY].to_numpy())) == set(map(tuple, full[ledger.KEY].to_numpy()))
    assert got.loc[got["ref"] == "S8.4.1a", "value"].isna().all()
    assert got.loc[got["ref"] == "S8.9.1b", "value"].isna().all()
    assert got.loc[got["ref"] == "S8.4.1c", "value"].notna().any()
    gone = missing_columns(perspective.client_background_recipes(), less)
    assert gone["S8.4.1a"] == ["risc_category"] and "S8.4.1c" not in gone
