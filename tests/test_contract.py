"""The data contract: one error per rule, counted handlings, a .sav round trip."""

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from conftest import write_dataset
from wagk.contract import load_study
from wagk.io import DataError


def errors(folder) -> str:
    with pytest.raises(DataError) as exc:
        load_study(folder)
    return str(exc.value)


def test_valid_dataset_loads_with_funnel(dataset):
    study = load_study(dataset)
    assert set(study.tables) == {"clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2", "registry"}
    f = study.funnel.set_index(["table", "step"])
    assert f.loc[("client_w1", "read"), "rows"] == 8
    assert f.loc[("client_w2", "valid and linked"), "rows"] == 7
    assert study.questionnaire("po", 1).index.name == "client_id"


def test_out_of_range_item(tmp_path, tables):
    tables["client_w1"].loc[2, "wai_03"] = 8
    msg = errors(write_dataset(tmp_path, tables))
    assert "client_w1.csv: column wai_03: values ['8'] outside 1-7 in lines 4 (client_id C03)" in msg


def test_grade_range_is_1_to_10(tmp_path, tables):
    tables["po_w2"].loc[0, "grade"] = 10
    load_study(write_dataset(tmp_path / "ok", tables))
    tables["po_w2"].loc[0, "grade"] = 11
    assert "column grade: values ['11'] outside 1-10" in errors(write_dataset(tmp_path / "bad", tables))


def test_non_numeric_code(tmp_path, tables):
    t = tables["client_w2"].astype({"md_02": object})
    t.loc[[1, 4], "md_02"] = "weet niet"
    tables["client_w2"] = t
    msg = errors(write_dataset(tmp_path, tables))
    assert "client_w2.csv: column md_02: non-numeric values ['weet niet'] in lines 3, 6" in msg


def test_undeclared_missing_code_gets_a_hint(tmp_path, tables):
    tables["po_w1"].loc[0, "dri_02"] = 9
    assert "declare them" in errors(write_dataset(tmp_path, tables))


def test_declared_missing_codes_are_counted(tmp_path, tables):
    tables["po_w1"].loc[[0, 1], "dri_02"] = 9
    folder = write_dataset(tmp_path, tables)
    (folder / "mapping.yml").write_text("missing_codes:\n  '*': [9]\n")
    study = load_study(folder)
    assert study.tables["po_w1"]["dri_02"].isna().sum() == 2
    row = study.funnel[study.funnel.step == "user-missing codes set to missing"]
    assert row.detail.item() == "2 cells in 1 columns"


def test_missing_required_table(tmp_path, tables):
    del tables["po_w2"]
    assert "required table 'po_w2' missing" in errors(write_dataset(tmp_path, tables))


def test_optional_registry_absent_is_noted(tmp_path, tables):
    del tables["registry"]
    study = load_study(write_dataset(tmp_path, tables))
    assert not study.has("registry")
    assert any("registry" in n for n in study.notes)


def test_missing_required_column(tmp_path, tables):
    tables["client_w1"] = tables["client_w1"].drop(columns=["dri_31"])
    assert "client_w1.csv: required columns missing: ['dri_31']" in errors(write_dataset(tmp_path, tables))


def test_duplicate_ids(tmp_path, tables):
    tables["client_w1"].loc[3, "client_id"] = "C01"
    assert "client_w1.csv: column client_id: duplicate ids ['C01'] in lines 2, 5" in errors(write_dataset(tmp_path, tables))


def test_officer_rows_pointing_to_unknown_client(tmp_path, tables):
    tables["po_w1"].loc[0, "client_id"] = "C99"
    assert "po_w1.csv: column client_id: 1 rows point to unknown clients ['C99']" in errors(write_dataset(tmp_path, tables))


def test_unknown_officer(tmp_path, tables):
    tables["clients"].loc[0, "po_id"] = "P9"
    assert "clients.csv: column po_id: 1 rows point to unknown officers ['P9']" in errors(write_dataset(tmp_path, tables))


def test_wave2_without_wave1_is_kept_and_counted(tmp_path, tables):
    tables["client_w1"] = tables["client_w1"].iloc[1:]
    study = load_study(write_dataset(tmp_path, tables))
    row = study.funnel[(study.funnel.table == "client_w2") & (study.funnel.step == "wave 2 without wave 1")]
    assert row.rows.item() == 1


def test_empty_wave(tmp_path, tables):
    tables["client_w2"] = tables["client_w2"].iloc[0:0]
    assert "client_w2.csv: the table has no rows" in errors(write_dataset(tmp_path, tables))


def test_column_mapping(tmp_path, tables):
    tables["client_w1"] = tables["client_w1"].rename(columns={"client_id": "RESPNR", "dri_31": "V3_11"})
    folder = write_dataset(tmp_path, tables)
    (folder / "mapping.yml").write_text("columns:\n  client_w1:\n    RESPNR: client_id\n    V3_11: dri_31\n")
    study = load_study(folder)
    assert "dri_31" in study.tables["client_w1"].columns


def test_sav_round_trip_keeps_user_missing_and_labels(tmp_path, tables):
    folder = write_dataset(tmp_path, tables)
    (folder / "client_w1.csv").unlink()
    t = tables["client_w1"].copy()
    t.loc[0, "wai_01"] = 9
    pyreadstat.write_sav(t, str(folder / "client_w1.sav"), missing_ranges={"wai_01": [9]},
                         variable_value_labels={"wai_01": {1: "helemaal oneens", 7: "helemaal eens", 9: "weet niet"}})
    study = load_study(folder)
    w1 = study.tables["client_w1"]
    assert np.isnan(w1.loc[0, "wai_01"])
    pd.testing.assert_series_equal(w1["wai_02"].iloc[1:].reset_index(drop=True),
                                   t["wai_02"].iloc[1:].astype(float).reset_index(drop=True))
    assert list(w1["client_id"]) == list(t["client_id"])


def test_sav_labels_outside_range_are_an_error(tmp_path, tables):
    folder = write_dataset(tmp_path, tables)
    (folder / "client_w1.csv").unlink()
    pyreadstat.write_sav(tables["client_w1"], str(folder / "client_w1.sav"),
                         variable_value_labels={"wai_01": {1: "oneens", 7: "eens", 8: "n.v.t."}})
    assert "column wai_01: value labels {8.0: 'n.v.t.'} use codes outside" in errors(folder)


def test_every_problem_is_reported_at_once(tmp_path, tables):
    tables["client_w1"].loc[0, "wai_01"] = 0
    tables["po_w2"].loc[1, "md_03"] = 12
    msg = errors(write_dataset(tmp_path, tables))
    assert "client_w1.csv" in msg and "po_w2.csv" in msg


def test_item_warnings_constant_and_entirely_missing(tmp_path, tables):
    tables["client_w1"]["wai_01"] = 4
    tables["po_w2"]["md_02"] = np.nan
    study = load_study(write_dataset(tmp_path, tables))
    assert study.unusable_items("client", 1) == {"wai_01": "constant"}
    assert study.unusable_items("po", 2) == {"md_02": "entirely missing"}
    line = study.funnel[(study.funnel.table == "client_w1") & (study.funnel.step == "items constant")]
    assert "wai_01" in line.detail.item()


def test_real_data_mode_keeps_ids_and_text_out_of_messages(tmp_path, tables):
    t = tables["client_w2"].astype({"md_02": object})
    t.loc[1, "md_02"] = "Jansen"
    tables["client_w2"] = t
    tables["po_w1"].loc[0, "client_id"] = "C99"
    folder = write_dataset(tmp_path, tables)
    with pytest.raises(DataError) as exc:
        load_study(folder, real_data=True)
    msg = str(exc.value)
    assert "client_w2.csv: column md_02: non-numeric 1 distinct values (not shown" in msg and "lines 3" in msg
    assert "Jansen" not in msg and "C02" not in msg
    assert "Jansen" in errors(folder)


def test_study_repr_shows_no_rows(dataset):
    text = repr(load_study(dataset))
    assert "C01" not in text and "clients: 8 rows" in text


def test_wagk_check_prints_funnel_or_problems(tmp_path, tables, capsys):
    from wagk import cli

    assert cli.main(["check", "--data", str(write_dataset(tmp_path / "ok", tables))]) == 0
    out = capsys.readouterr().out
    assert "valid and linked" in out and "all_items_missing" in out
    tables["client_w1"].loc[2, "wai_03"] = 8
    assert cli.main(["check", "--data", str(write_dataset(tmp_path / "bad", tables))]) == 1
    assert "values ['8'] outside 1-7 in lines 4 (client_id C03)" in capsys.readouterr().err


def test_typed_columns_of_parquet_files(tmp_path, tables):
    """A date among the background columns stays a date; a date in an item column is an error."""
    tables["clients"]["intake"] = pd.Timestamp("2014-03-01")
    folder = write_dataset(tmp_path / "ok", tables, suffix=".parquet")
    assert pd.api.types.is_datetime64_any_dtype(load_study(folder).tables["clients"]["intake"])
    tables["client_w2"]["wai_05"] = pd.Timestamp("2014-03-01")
    msg = errors(write_dataset(tmp_path / "bad", tables, suffix=".parquet"))
    assert "client_w2.parquet: column wai_05: non-numeric values ['2014-03-01 00:00:00']" in msg


def test_mapping_new_names_must_be_text(tmp_path, tables):
    folder = write_dataset(tmp_path, tables)
    (folder / "mapping.yml").write_text("columns:\n  client_w1:\n    V1: 12\n")
    assert "mapping.yml: columns of 'client_w1': new names must be text" in errors(folder)
