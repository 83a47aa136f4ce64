"""The chapter-7 notebook end to end on a small simulated study (papermill, real-data mode).

Checks that the chapter runs with the outcomes present (every selection step computed), writes
its ledger, the tidy tables and the monitor definition for chapters 8-10, and in real-data mode
leaves no row-level score file and no client id in the executed notebook.
"""

from __future__ import annotations

import json

import nbformat
import pandas as pd
import pytest

from ch07_data import write_study
from wagk import ledger, paths, runner, scores


def test_chapter7_runs_in_real_data_mode(tmp_path):
    data = write_study(tmp_path / "data", seed=21, outcomes=True)
    results, executed = tmp_path / "results", tmp_path / "executed"
    source = paths.NOTEBOOKS / "ch07_monitor.py"
    out, error = runner.execute(source, dict(data_dir=str(data), results_dir=str(results), seed=1,
                                             real_data=True), executed)
    assert error is None, error
    rows = ledger.read_all(paths.ledger_dir(results))
    assert {"TB1.3", "TB1.5", "TB1.6", "TB1.13", "S7.2b", "SB1-2.3a"} <= set(rows["ref"])
    cfa = rows[(rows["ref"] == "TB1.5") & (rows["statistic"] == "CFI")]
    assert len(cfa) == 6 and cfa["value"].between(0, 1).all()
    folder = scores.scores_dir(results)
    assert sorted(p.name for p in folder.iterdir()) == ["monitor.json"]
    assert json.loads((folder / "monitor.json").read_text())["variant"] == "as_reported"
    for name in ("ch07_selection_tests.csv", "ch07_omega.csv", "ch07_invariance.csv", "ch07_ceiling.csv"):
        assert len(pd.read_csv(results / "tables" / name)) > 0
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    ids = pd.read_csv(data / "clients.csv")["client_id"]
    assert not any(f"'{i}'" in text or f">{i}<" in text for i in ids)
    assert "Traceback" not in text
    import re
    for f in results.rglob("*"):
        if f.is_file():
            found = set(re.findall(r"\bC\d{3}\b", f.read_text(encoding="utf-8", errors="replace")))
            assert not found & set(ids), f"client ids in {f}"


def test_every_key_the_prose_uses_is_glued():
    import re

    text = (paths.NOTEBOOKS / "ch07_monitor.py").read_text(encoding="utf-8")
    used = set(re.findall(r"\{glue:text\}`([^`:]+)", text))
    glued = set(re.findall(r'glue\(\s*f?"([^"]+)"', text))
    # keys built with f-strings: expand the perspective/wave placeholders
    expanded = set()
    for key in glued:
        if "{" in key:
            for p in ("client", "po"):
                for w in (1, 2):
                    expanded.add(key.replace("{p}", p).replace("{w}", str(w)).replace("{persp}", p))
        else:
            expanded.add(key)
    assert used and used <= expanded, sorted(used - expanded)
    assert all(k.startswith("ch07-") for k in expanded)
