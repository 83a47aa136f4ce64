"""Background codebook, its data contract, derived variables and the per-client analysis frame."""

import numpy as np
import pandas as pd
import pytest

from conftest import tiny_tables, write_dataset
from wagk import background, codebook
from wagk.contract import load_study, table_specs
from wagk.io import DataError


def test_codebook_entries_are_complete():
    spec = background.load_background()
    items = codebook.load_items()
    assert len(spec) >= 50
    for name, v in spec.items():
        assert v.item in ("registry", "derived") or v.item in items.index, name
        if v.type in ("binary", "nominal", "ordinal", "likert"):
            assert v.codes, name
        if v.type in ("count", "numeric"):
            assert v.range is not None and v.range[0] < v.range[1], name
    # names of the published tables have a home
    for name in ("client_gender", "client_age", "client_age_group", "detention_history", "court_case",
                 "prior_supervision", "advice_report", "po_change", "living_situation", "work_situation",
                 "community_service", "sanction_type", "risc_category", "lvb", "conscience_normal",
                 "client_difficult", "po_competent", "po_gender", "po_age", "po_education", "po_experience_years",
                 "exp_prior_supervision", "exp_court_case", "exp_advisor", "exp_previous_po", "dropout", "early_help"):
        assert name in spec, name
    assert background.columns_of("registry")[:2] == ["risc_category", "risc_scale_01_02"]


def test_contract_knows_the_background_columns():
    specs = table_specs()
    assert specs["clients"].coded["client_gender"] == (1.0, 2.0)
    assert specs["registry"].coded["risc_category"] == (1.0, 2.0, 3.0, 4.0)
    assert specs["clients"].ranges["client_age"] == (15.0, 90.0)
    assert specs["po_w1"].coded["lvb"] == tuple(float(i) for i in range(1, 8))
    assert "living_situation" in specs["client_w1"].coded and "living_situation" in specs["client_w2"].coded


def _with_background(tables):
    t = {k: v.copy() for k, v in tables.items()}
    n = len(t["clients"])
    t["clients"]["client_gender"] = [1, 2] * (n // 2)
    t["clients"]["client_age"] = np.linspace(18, 70, n).round()
    t["clients"]["client_age_group"] = [1, 2, 3, 4] * (n // 4)
    t["registry"]["risc_category"] = [1, 2, 3, 4] * (n // 4)
    t["po_w1"]["lvb"] = 3
    t["officers"]["po_experience_years"] = [1.5, 10, np.nan]
    return t


def test_valid_background_columns_load(tmp_path):
    study = load_study(write_dataset(tmp_path / "d", _with_background(tiny_tables())))
    assert study.tables["clients"]["client_gender"].tolist()[:2] == [1.0, 2.0]
    assert study.tables["officers"]["po_experience_years"].isna().sum() == 1


@pytest.mark.parametrize("table, column, value, message", [
    ("clients", "client_gender", 3, "client_gender: values ['3'] outside 1-2"),
    ("clients", "client_age", 150, "client_age: values ['150'] outside 15-90"),
    ("registry", "risc_category", 0, "risc_category: values ['0'] outside 1-4"),
    ("po_w1", "lvb", 8, "lvb: values ['8'] outside 1-7"),
])
def test_bad_background_values_are_errors_naming_the_column_and_line(tmp_path, table, column, value, message):
    t = _with_background(tiny_tables())
    t[table].loc[2, column] = value
    with pytest.raises(DataError) as err:
        load_study(write_dataset(tmp_path / "d", t))
    text = str(err.value)
    assert message in text and "lines 4" in text


def test_labelled_and_derived_variables():
    s = pd.Series([1.0, 4.0, np.nan, 6.0])
    lab = background.labelled(s, "living_situation")
    assert lab.tolist()[:2] == ["with_partner", "alone"] and pd.isna(lab.iloc[2])
    ages = pd.Series([17, 20, 21, 30, 31, 70, 71, np.nan])
    dec = background.age_decade(ages)
    assert dec[:7].astype(str).tolist() == ["up_to_20", "up_to_20", "21-30", "21-30", "31-40", "61-70", "71+"]
    assert pd.isna(dec.iloc[7])
    po = pd.DataFrame({"addiction_alcohol": [1, 6, np.nan], "addiction_cannabis": [2, 3, np.nan],
                       "addiction_harddrugs": [1, 1, np.nan], "addiction_gambling": [1, 7, np.nan]})
    assert background.addiction_score(po).tolist()[:2] == [2.0, 7.0] and np.isnan(background.addiction_score(po)[2])
    exp = background.experience_group(pd.Series([1, 3, 4, 5, 7]))
    assert list(exp) == ["negative", "negative", "neutral", "positive", "positive"]
    f = background.add_derived(pd.DataFrame({"work_situation_w1": [1, 2, 3, np.nan],
                                             "living_situation_w1": [2, 4, 5, 6],
                                             "client_age_group": [1, 2, np.nan, 6], "po_change": [0, 1, 3, np.nan]}))
    assert f["paid_work_w1"].tolist()[:2] == [0.0, 1.0] and f["paid_work_w1"].isna().sum() == 2
    assert list(f["living_group_w1"]) == ["partner_or_children", "alone", "other", "supervised"]
    assert f["young_adult"].tolist()[:2] == [1.0, 0.0] and np.isnan(f["young_adult"][2])
    assert f["po_changed"].tolist()[:3] == [0.0, 1.0, 1.0]


def test_analysis_frame_without_and_with_background(tmp_path):
    study = load_study(write_dataset(tmp_path / "a", tiny_tables()))
    f = background.analysis_frame(study)
    assert len(f) == 8 and f["in_client_w2"].sum() == 7
    assert {"client1_trust", "po2_cr23_says_cooperates", "clientdiff_bond", "abs1_total", "dropout"} <= set(f.columns)
    assert "sms_intrinsic_w1" in f and "sms_amotivation_diff" in f
    assert "client_gender" not in f
    study = load_study(write_dataset(tmp_path / "b", _with_background(tiny_tables())))
    f = background.analysis_frame(study)
    assert f["client_gender"].notna().all() and "po_experience_years_w1" in f
    # the wave-1 officer's experience is carried to the client
    off = study.tables["officers"].set_index("po_id")["po_experience_years"]
    cl = study.tables["clients"].set_index("client_id")["po_id"]
    assert f["po_experience_years_w1"].equals(cl.map(off).astype(float).reindex(f.index))


def test_analysis_frame_takes_chapter_7s_scores(tmp_path):
    """The frame built from the handed-over score files equals the frame that scores again."""
    from wagk import scores

    study = load_study(write_dataset(tmp_path / "data", tiny_tables(n_clients=12, seed=4)))
    mon = codebook.load_monitor()
    scores.write(tmp_path / "results", scores.score_study(study, mon), mon)
    handed = scores.load(tmp_path / "results")
    own = background.analysis_frame(study)
    got = background.analysis_frame(study, scores=handed)
    cols = [c for c in own.columns if c.startswith(("client1_", "po2_", "clientdiff_", "podiff_", "abs1_"))]
    assert len(cols) > 20
    pd.testing.assert_frame_equal(got[cols], own[cols], check_exact=False, rtol=1e-9)


def test_analysis_frame_refuses_scores_of_another_dataset(tmp_path):
    from wagk import scores

    big = load_study(write_dataset(tmp_path / "big", tiny_tables(n_clients=12, seed=4)))
    small = load_study(write_dataset(tmp_path / "small", tiny_tables(n_clients=8, seed=4)))
    mon = codebook.load_monitor()
    scores.write(tmp_path / "results", scores.score_study(big, mon), mon)
    with pytest.raises(ValueError, match="another dataset"):
        background.analysis_frame(small, scores=scores.load(tmp_path / "results"))
