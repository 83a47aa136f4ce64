"""The chapter-10 notebook end to end on a small simulated study with outcomes (papermill,
real-data mode, few bootstrap resamples).

Checks that the chapter reads chapter 7's scores (real data: ``monitor.json`` only, so they are
computed from the study), writes a ledger row for every number chapter 10 of the thesis prints
(the logistic tables aside: which predictors have an Exp(B) depends on the selection), writes its
tables, captions and names its figures, glues every number its prose uses, and shows no client id.
"""

from __future__ import annotations

import re

import nbformat
import numpy as np
import pandas as pd
import pytest

from ch10_data import write_dyad_study
from wagk import codebook, ledger, paths, published, runner, scores
from wagk.contract import load_study

SOURCE = paths.NOTEBOOKS / "ch10_dyads.py"


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ch10")
    data = write_dyad_study(tmp / "data", seed=11)
    results = tmp / "results"
    study = load_study(data)
    mon = codebook.load_monitor()
    scores.write(results, scores.score_study(study, mon), mon, data_dir=str(data), row_level=False)
    # min_cell = 30: the smallest outcome group of Table 10.6 (dropout = 1, 22 dyads) is suppressed
    out, error = runner.execute(SOURCE, dict(data_dir=str(data), results_dir=str(results), seed=1, real_data=True,
                                             min_cell=30, n_boot=20, n_boot_cluster=50, n_jobs=2), tmp / "executed")
    assert error is None, error
    return data, results, nbformat.read(out, as_version=4)


def test_a_ledger_row_for_every_published_number(executed):
    _, results, _ = executed
    rows = ledger.read_all(paths.ledger_dir(results))
    assert rows["ref"].str.match(r"^(T|S)10\.").all()
    pub = published.load()
    pub = pub[pub["chapter"] == "10"]
    selection = pub["analysis"].eq("logistic") & pub["variable"].ne("model")
    keys = set(map(tuple, rows[ledger.KEY].astype(str).to_numpy()))
    missing = [k for k in map(tuple, pub.loc[~selection, ledger.KEY].astype(str).to_numpy()) if k not in keys]
    assert missing == []
    # every model of Tables 10.7-10.9 has its n and R2
    models = rows[rows["ref"].isin(["T10.7", "T10.8", "T10.9"]) & (rows["variable"] == "model")]
    assert len(models) == 24 and models["value"].notna().all()


def test_small_outcome_groups_are_suppressed_with_their_test(executed):
    _, results, _ = executed
    rows = ledger.read_all(paths.ledger_dir(results))
    t6 = rows[rows["ref"] == "T10.6"]
    n = t6[(t6["analysis"] == "frequency")].set_index("group")["value"]
    assert np.isnan(n["dropout=1"]) and n["dropout=0"] >= 30  # the count itself is suppressed too
    gone = t6[t6["group"].isin(["dropout=1", "dropout"])]
    assert len(gone) == 1 + 5 * 2 + 5 * 5 and gone["value"].isna().all()  # n, M and SD, the ANOVAs
    kept = t6[t6["group"].isin(["dropout=0", "no_show=1", "no_show"])]
    assert kept["value"].notna().all()
    # the running text's tests of dropout at wave 2 go too; those at wave 1 stay
    text = rows[rows["ref"].isin(["S10.2.5o", "S10.2.5p", "S10.2.5d"])].set_index("ref")["value"]
    assert text[["S10.2.5o", "S10.2.5p"]].isna().all() and text[["S10.2.5d"]].notna().all()


def test_tables_and_figures(executed):
    _, results, nb = executed
    for name in ("ch10_response_surfaces", "ch10_selection_stability", "ch10_selection_models",
                 "ch10_clustered_agreement", "ch10_selected_predictors", "ch10_method_sensitivity"):
        assert len(pd.read_csv(results / "tables" / f"{name}.csv")) > 0, name
    stab = pd.read_csv(results / "tables" / "ch10_selection_stability.csv")
    assert len(stab) == 4 * (8 + 8 + 16) and (stab["n_boot"] == 20).all()
    figures = [c.metadata["mystnb"]["figure"] for c in nb.cells
               if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})]
    names = [f["name"] for f in figures]
    assert names == ["fig-ch10-agreement-w1", "fig-ch10-agreement-w2", "fig-ch10-absdiff", "fig-ch10-surfaces",
                     "fig-ch10-stability"]
    assert all(len(f["caption"]) > 40 for f in figures)
    for c in nb.cells:
        if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {}):
            assert any("image/png" in o.get("data", {}) for o in c.get("outputs", [])), c.metadata["mystnb"]


def test_no_client_id_and_no_traceback_in_real_data_mode(executed):
    data, results, nb = executed
    text = "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                     if "image/png" not in o.get("data", {}))
    ids = set(pd.read_csv(data / "clients.csv")["client_id"])
    assert not set(re.findall(r"\bC\d{3}\b", text)) & ids
    assert "Traceback" not in text and "Pending" not in text
    assert sorted(p.name for p in scores.scores_dir(results).iterdir()) == ["monitor.json"]
    for f in results.rglob("*.csv"):
        found = set(re.findall(r"\bC\d{3}\b", f.read_text(encoding="utf-8")))
        assert not found & ids, f"client ids in {f}"


def test_every_key_the_prose_uses_is_glued():
    text = SOURCE.read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    glued = set()
    for key in re.findall(r'glue\(\s*f?"([^"]+)"', text):
        glued |= {key.replace("{w}", w) for w in ("1", "2")} if "{w}" in key else {key}
    for key in re.findall(r'for key in \(([^)]*)\)', text):  # keys glued in a loop
        glued |= set(re.findall(r'"([^"]+)"', key))
    assert used and used <= glued, sorted(used - glued)
    assert all(k.startswith("ch10-") for k in glued)
