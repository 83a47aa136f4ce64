"""wagk.privacy: small-cell suppression, refusing row-level frames, binned scatterplots."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from wagk.privacy import Privacy, has_ids, row_level

DESC = pd.DataFrame({"group": ["a", "b", "c", "d"], "n": [12, 3, 0, 5], "M": [5.1, 4.2, np.nan, 6.0],
                     "SD": [1.0, 0.5, np.nan, 0.8]})


def test_synthetic_mode_changes_nothing_but_adds_the_flag():
    out = Privacy(False).table(DESC, count_cols=["n"])
    pd.testing.assert_frame_equal(out.drop(columns="suppressed"), DESC.astype({"n": float}))
    assert not out["suppressed"].any()


def test_real_mode_suppresses_small_cells_in_tidy_tables():
    out = Privacy(True).table(DESC, count_cols=["n"])
    assert out["suppressed"].tolist() == [False, True, False, False]  # 0 discloses nothing; 5 is shown
    assert np.isnan(out.loc[1, "n"]) and np.isnan(out.loc[1, "M"]) and np.isnan(out.loc[1, "SD"])
    assert out.loc[0, "M"] == 5.1 and out.loc[3, "n"] == 5
    assert DESC.loc[1, "n"] == 3  # input untouched


def test_display_tables_mark_suppressed_cells():
    out = Privacy(True, min_cell=10).table(DESC, count_cols=["n"], display=True)
    assert out["n"].tolist() == [12, "<10", 0, "<10"]
    assert out.loc[1, "M"] == "-" and out.loc[3, "SD"] == "-" and out.loc[0, "SD"] == 1.0


def test_cross_table_cells_are_suppressed_one_by_one():
    tab = pd.DataFrame({"dropout=0": [40, 2], "dropout=1": [7, 11]}, index=["man", "vrouw"])
    out = Privacy(True).table(tab, count_cols=list(tab.columns), value_cols=[], display=True)
    assert out.loc["vrouw", "dropout=0"] == "<5" and out.loc["vrouw", "dropout=1"] == 11


def test_ledger_rows_of_a_small_cell_are_emptied():
    rows = pd.DataFrame({
        "ref": "T8.5", "section": "", "perspective": "client", "wave": "1", "analysis": "anova",
        "variable": "trust", "group": ["LVB", "LVB", "LVB", "geen", "geen"],
        "statistic": ["n", "M", "SD", "n", "M"], "value": [4.0, 5.2, 1.1, 120.0, 5.6]})
    out = Privacy(True).ledger(rows)
    assert out["value"].isna().tolist() == [True, True, True, False, False]
    assert out["suppressed"].tolist() == [True, True, True, False, False]
    assert Privacy(False).ledger(rows)["value"].notna().all()


def test_min_cell_is_validated():
    with pytest.raises(ValueError):
        Privacy(True, min_cell=0)


def test_show_refuses_row_level_frames_in_real_mode(capsys):
    clients = pd.DataFrame({"client_id": ["A1", "A2"], "age": [30, 40]})
    p = Privacy(True)
    p.show(clients.head())
    p.show(clients.set_index("client_id"))
    p.show(clients["client_id"])
    p.show(row_level(pd.DataFrame({"trust": [5.0, 6.0]})))
    out = capsys.readouterr().out
    assert "A1" not in out and out.count("is not shown") == 4
    assert "withheld" not in p.summary() and "not shown" in p.summary()


def test_show_displays_aggregates_and_everything_on_synthetic_data(capsys):
    Privacy(True).show(DESC)
    Privacy(False).show(pd.DataFrame({"client_id": ["A1"]}))
    out = capsys.readouterr().out
    assert "group" in out and "A1" in out


def test_has_ids():
    assert has_ids(pd.DataFrame(columns=["po_id", "x"]))
    assert has_ids(pd.Series([1], index=pd.Index(["a"], name="client_id")))
    assert not has_ids(DESC)


def test_scatter_points_or_hexbins():
    x = np.r_[np.linspace(1, 7, 50), [np.nan]]
    y = np.r_[np.linspace(7, 1, 50), [3.0]]
    fig, ax = plt.subplots()
    pts = Privacy(False).scatter(ax, x, y)
    assert pts.get_offsets().shape == (50, 2) and pts.wagk_dropped == 1
    fig, ax = plt.subplots()
    hexes = Privacy(True, min_cell=5).scatter(ax, x, y, gridsize=4)
    counts = hexes.get_array()
    assert len(counts) > 0 and counts.min() >= 5  # no bin with fewer than min_cell people is drawn
    assert not ax.collections[0].get_offsets().shape == (50, 2)
    plt.close("all")


def test_private_data_folder_is_git_ignored():
    import shutil
    import subprocess

    from wagk import paths

    if shutil.which("git") is None or not (paths.ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    for name in ("data/private/client_w1.sav", "data/private/sub/mapping.yml"):
        rc = subprocess.run(["git", "check-ignore", "-q", name], cwd=paths.ROOT).returncode
        assert rc == 0, f"{name} is not ignored by git"
