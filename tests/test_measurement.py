"""wagk.measurement: alpha steps, omega beside alpha, invariance and the ceiling table.

References: the direct alpha formula, wagk.cfa.fit_cfa_groups (lavaan-validated, tests/test_cfa.py)
for the invariance rows, counts by hand for the ceiling table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ch07_data import simulate_tables
from wagk import codebook, measurement, scoring
from wagk.cfa import fit_cfa_groups


def direct_alpha(x: pd.DataFrame) -> float:
    x = x.dropna()
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(ddof=1).sum() / x.sum(axis=1).var(ddof=1))


@pytest.fixture(scope="module")
def samples():
    t = simulate_tables(seed=3)
    return {(p, w): t[f"{p}_w{w}"].set_index("client_id") for p in ("client", "po") for w in (1, 2)}


def test_alpha_optimisation_table(samples):
    start, final = codebook.load_cfa_model("sem_initial"), codebook.load_monitor("appendix1")
    t = measurement.alpha_optimisation_table(samples, start, final)
    assert len(t) == 16
    row = t[(t.perspective == "po") & (t.wave == 1) & (t.scale == "goals_restriction")].iloc[0]
    assert row.dropped_in_thesis == "md_02,dri_09" and row.k_start == 7
    keyed = scoring.keyed_items(samples[("po", 1)], final.scale("po", "goals_restriction"))
    assert row.alpha_final == pytest.approx(direct_alpha(keyed), abs=1e-12)
    assert row.n_final == len(keyed.dropna())
    keyed0 = samples[("po", 1)][start["goals_restriction"]].astype(float)
    keyed0["md_05"] = 8 - keyed0["md_05"]  # item 17 is reversed in goals_restriction
    assert row.alpha_start == pytest.approx(direct_alpha(keyed0), abs=1e-12)
    assert t.agrees.dtype == bool


def test_toughness_alpha_rows(samples):
    rows = measurement.toughness_alpha_rows(samples)
    assert set(rows.ref) == {"SB1-2.3a"} and len(rows) == 4
    items = samples[("client", 2)][["dri_06", "dri_07", "dri_08", "dri_09", "dri_10"]]
    got = rows[(rows.perspective == "client") & (rows.wave == "2")].value.iloc[0]
    assert got == pytest.approx(direct_alpha(items), abs=1e-12)


def test_reliability_table(samples):
    mon = codebook.load_monitor("appendix1")
    sub = {k: v for k, v in samples.items() if k == ("client", 1)}
    t = measurement.reliability_table(sub, mon, seed=5, n_boot=200, fiml=True)
    assert list(t.scale) == list(codebook.SCALES)
    for r in t.itertuples():
        keyed = scoring.keyed_items(samples[("client", 1)], mon.scale("client", r.scale))
        assert r.alpha == pytest.approx(direct_alpha(keyed), abs=1e-12)
        assert r.n == len(keyed.dropna())
        assert r.omega_low <= r.omega <= r.omega_high
        assert 0 < r.omega_fiml < 1
    again = measurement.reliability_table(sub, mon, seed=5, n_boot=200, fiml=True)
    pd.testing.assert_frame_equal(t, again)
    assert "omega_fiml" not in measurement.reliability_table(sub, mon, seed=5, n_boot=50).columns


def test_shared_factors():
    sh = measurement.shared_factors(codebook.load_monitor("appendix1"))
    assert sh["goals_restriction"] == ["wai_04", "wai_02", "dri_12", "wai_01"]
    assert len(sh["trust"]) == 5 and len(sh["bond"]) == 6 and len(sh["reactance"]) == 4


def test_verdict_rule():
    base = dict(converged=True, delta_CFI=-0.005, delta_RMSEA=0.002)
    assert measurement._verdict(base) == "supported"
    assert measurement._verdict({**base, "delta_CFI": -0.011}) == "doubtful"
    assert measurement._verdict({**base, "delta_CFI": -0.02, "delta_RMSEA": 0.02}) == "not supported"
    assert measurement._verdict({**base, "converged": False}) == "not converged"
    assert measurement._verdict({**base, "delta_CFI": np.nan}) == ""


def test_invariance_rows_are_the_multigroup_fits(samples):
    mon = codebook.load_monitor("appendix1")
    t = measurement.invariance_comparisons(samples, mon)
    assert len(t) == 12 and list(t.model[:3]) == ["configural", "metric", "scalar"]
    metric = fit_cfa_groups({"wave 1": samples[("po", 1)], "wave 2": samples[("po", 2)]},
                            measurement.factors_of(mon, "po"), equal=("loadings",))
    row = t[(t.comparison == "waves, po") & (t.model == "metric")].iloc[0]
    assert row.CMIN == pytest.approx(metric.cmin, abs=1e-6) and row.df == metric.df
    assert row.CFI == pytest.approx(metric.cfi, abs=1e-9)
    conf = t[(t.comparison == "waves, po") & (t.model == "configural")].iloc[0]
    assert row.delta_CFI == pytest.approx(row.CFI - conf.CFI, abs=1e-12)
    assert row.delta_df == row.df - conf.df > 0


def test_ceiling_table_counts(samples):
    mon = codebook.load_monitor("appendix1")
    t = measurement.ceiling_table({("po", 2): samples[("po", 2)]}, mon)
    keyed = scoring.keyed_items(samples[("po", 2)], mon.scale("po", "trust"))
    row = t[t.scale == "trust"].iloc[0]
    assert row.answers == keyed.notna().sum().sum()
    assert row.at_7 == pytest.approx((keyed == 7).sum().sum() / row.answers)
    assert row.at_1 == pytest.approx((keyed == 1).sum().sum() / row.answers)


def test_text_rows_summarise_the_table_rows(samples):
    rows = pd.DataFrame([
        dict(ref="TB1.4", perspective="client", wave="1", analysis="alpha", variable="trust", group="",
             statistic="alpha", value=0.68),
        dict(ref="TB1.4", perspective="po", wave="2", analysis="alpha", variable="bond", group="",
             statistic="alpha", value=0.85),
        dict(ref="TB1.4", perspective="client", wave="1", analysis="alpha", variable="reactance", group="",
             statistic="alpha", value=0.50),
        dict(ref="TB1.7", perspective="client", wave="1", analysis="correlation", variable="trust", group="bond",
             statistic="r", value=-0.23),
        dict(ref="TB1.7", perspective="client", wave="2", analysis="correlation", variable="trust", group="total",
             statistic="r", value=0.82),
        dict(ref="TB1.12", perspective="po", wave="1", analysis="correlation", variable="trust", group="dri_trust",
             statistic="r", value=1.0),
        dict(ref="TB1.12", perspective="po", wave="1", analysis="correlation", variable="reactance",
             group="wai_goal", statistic="r", value=-0.41),
    ])
    out = measurement.text_rows(rows, samples, codebook.load_cfa_model("sem_initial"))
    got = out.set_index(["ref", "statistic"])["value"]
    assert got[("S7.2d", "Min")] == 0.68 and got[("S7.2d", "Max")] == 0.85  # reactance left out
    assert got[("S7.2f", "Min")] == 0.23 and got[("S7.2f", "Max")] == 0.82
    assert got[("S7.2h", "Min")] == -0.41 and got[("S7.2h", "Max")] == 1.0
    assert "S7.2g" not in out["ref"].values
    assert "SB1-4.3" not in out["ref"].values  # no client rows of Tables 10-11 given
    pct = out[out["ref"] == "SB1-0"]["value"].iloc[0]
    from wagk.pca import pca_varimax
    from wagk.selection import item_pool
    x = samples[("client", 2)][item_pool("client")]
    r = x.corr().to_numpy()
    assert pct == pytest.approx(100 * np.sort(np.linalg.eigvalsh(r))[-4:].sum() / len(r), abs=1e-9)
    sem = out[out["variable"] == "cases_complete_sem"]["value"].iloc[0]
    items = samples[("client", 2)]
    model = codebook.load_cfa_model("sem_initial")
    cols = {i for s in codebook.SCALES for i in model[s]}
    assert len(cols) == 21 and sem == items[sorted(cols)].notna().all(axis=1).sum()


def test_keyed_scale_takes_reverse_keys_from_the_variants():
    model = codebook.load_cfa_model("sem_initial")
    g = measurement.keyed_scale("goals_restriction", model["goals_restriction"], "client")
    r = measurement.keyed_scale("reactance", model["reactance"], "client")
    t = measurement.keyed_scale("trust", model["trust"], "po")
    assert g.reversed == {"md_05"} and r.reversed == set() and t.reversed == {"dri_31"}
