"""The chapter 8 and 9 notebooks end to end (papermill) on a simulated study with every
background column: real-data mode (no row-level output, no ids), the ledgers, the table of all
tests, the glue keys, and a dataset without some variables (the sections say what is pending).
"""

from __future__ import annotations

import re

import nbformat
import pandas as pd
import pytest

from ch89_data import write_background_study
from wagk import codebook, contract, ledger, paths, perspective_page, runner, scores

CHAPTERS = {"ch08_clients": "ch08", "ch09_officers": "ch09"}


def _chapter7(data, results, real_data):
    """What chapter 7 hands over: the scores (or, on real data, only the monitor definition)."""
    mon = codebook.load_monitor()
    study = contract.load_study(data)
    scores.write(results, scores.score_study(study, mon), mon, data_dir=str(data), row_level=not real_data)


def _outputs(nb) -> str:
    return "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def real_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("ch89nb")
    data = write_background_study(work / "data", seed=9)
    results, executed = work / "results", work / "executed"
    _chapter7(data, results, real_data=True)
    out = {}
    for stem in CHAPTERS:
        nb_path, error = runner.execute(paths.NOTEBOOKS / f"{stem}.py", dict(
            data_dir=str(data), results_dir=str(results), seed=1, real_data=True, min_cell=5), executed)
        out[stem] = (nb_path, error)
    return data, results, out


@pytest.mark.parametrize("stem", list(CHAPTERS))
def test_chapter_runs_in_real_data_mode_and_writes_its_ledger(real_run, stem):
    data, results, out = real_run
    nb_path, error = out[stem]
    assert error is None, error
    rows = ledger.read_all(paths.ledger_dir(results))
    ch = CHAPTERS[stem]
    expected = ({"S8.3.1", "S8.4.1a", "T8.4", "T8.5", "S8.6.1a", "S8.7.2b", "T8.6", "T8.7", "T8.8", "S8.9.2a",
                 "S8.9.3a", "T8.9", "T8.10", "S8.9.5h"} if ch == "ch08" else
                {"S9.3.1a", "T9.4", "T9.5", "S9.5.1a", "S9.6.1b", "T9.6", "T9.7", "T9.8", "S9.8.1a", "T9.9",
                 "T9.10", "T9.11", "S9.9.3i"})
    assert expected <= set(rows["ref"])
    tests = pd.read_csv(results / "tables" / f"{ch}_all_tests.csv")
    assert {"MANOVA Pillai", "MANOVA Wilks", "ANOVA", "Spearman", "Pearson"} <= set(tests["test"])
    assert tests.loc[tests["test"] == "ANOVA", "p_cr1"].notna().mean() > 0.95
    nb = nbformat.read(nb_path, as_version=4)
    text = _outputs(nb)
    assert "Traceback" not in text
    ids = set(pd.read_csv(data / "clients.csv")["client_id"]) | set(pd.read_csv(data / "officers.csv")["po_id"])
    assert not any(f"'{i}'" in text or f">{i}<" in text for i in ids)
    for f in results.rglob("*"):
        if f.is_file():
            found = set(re.findall(r"\b[CP]\d{3}\b", f.read_text(encoding="utf-8", errors="replace")))
            assert not found & ids, f"ids in {f}"
    figures = [c for c in nb.cells if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})]
    assert len(figures) == 2
    assert all(any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in c.outputs)
               for c in figures)


@pytest.mark.parametrize("stem", list(CHAPTERS))
def test_every_key_the_prose_uses_is_glued(stem):
    text = (paths.NOTEBOOKS / f"{stem}.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    glued = set(re.findall(r'glue\(\s*"([^"]+)"', text))
    glued |= {f"{CHAPTERS[stem]}-{k}" for k in perspective_page.GLUED}  # the sections the chapters share
    assert used and used <= glued, sorted(used - glued)
    assert all(k.startswith(CHAPTERS[stem] + "-") for k in glued)


def test_the_shared_page_glues_the_keys_it_declares():
    """perspective_page.GLUED (used above) lists exactly the keys its sections glue."""
    text = (paths.ROOT / "src" / "wagk" / "perspective_page.py").read_text(encoding="utf-8")
    keys = set(re.findall(r'_glue\(f"\{self\.ch\}-([^"]+)"', text))
    for key in [k for k in keys if "{key}" in k]:  # the reproduction keys
        keys.remove(key)
        keys |= {key.replace("{key}", part) for part in ("tables", "text", "all")}
    assert keys == set(perspective_page.GLUED)


def test_a_dataset_without_some_variables_shows_what_is_pending(tmp_path):
    data = write_background_study(tmp_path / "data", n_clients=150, n_officers=60, seed=4,
                                  drop=("risc_category", "exp_advisor", "out_warning"))
    results = tmp_path / "results"
    _chapter7(data, results, real_data=False)
    nb_path, error = runner.execute(paths.NOTEBOOKS / "ch08_clients.py", dict(
        data_dir=str(data), results_dir=str(results), seed=1, real_data=False, min_cell=5), tmp_path / "executed")
    assert error is None, error
    text = _outputs(nbformat.read(nb_path, as_version=4))
    assert "pending: the dataset has no risc_category" in text
    assert "pending: the dataset has no formal_action" in text
