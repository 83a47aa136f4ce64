"""wagk.scores: the scale scores chapter 7 writes for chapters 8-10 (round trip, staleness, determinism)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ch07_data import write_study
from wagk import codebook, contract, scores, scoring


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return contract.load_study(write_study(tmp_path_factory.mktemp("study") / "data", n_clients=60,
                                           n_officers=20, sizes=(40, 50, 30)))


def test_round_trip(study, tmp_path):
    mon = codebook.load_monitor("as_reported")
    sc = scores.score_study(study, mon)
    scores.write(tmp_path, sc, mon, data_dir="somewhere")
    back = scores.load(tmp_path)
    assert back.variant == "as_reported"
    for (p, w), frame in sc.items():
        got = back.get(p, w)
        assert list(got.index) == sorted(study.questionnaire(p, w).index)
        pd.testing.assert_frame_equal(got.drop(columns=["po_id"], errors="ignore"),
                                      frame.drop(columns=["po_id"], errors="ignore"), check_exact=False, rtol=1e-9, check_index_type=False)
    assert "po_id" in back.get("po", 1).columns
    # change and dyad files follow the scoring rules
    direct = scoring.score(study.questionnaire("client", 2), mon, "client") - scoring.score(
        study.questionnaire("client", 1), mon, "client")
    both = direct.dropna(how="all").index.intersection(back.change("client").index)
    assert len(both) == 40
    np.testing.assert_allclose(back.change("client").loc[both, "trust"], direct.loc[both, "trust"], atol=1e-9)
    rel = back.dyad(1)
    np.testing.assert_allclose(back.dyad(1, "absolute").to_numpy(), rel.abs().to_numpy())
    c1, p1 = back.get("client", 1), back.get("po", 1)
    ids = rel.index
    np.testing.assert_allclose(rel["bond"], c1.loc[ids, "bond"] - p1.loc[ids, "bond"], atol=1e-9)
    spec = json.loads((scores.scores_dir(tmp_path) / "monitor.json").read_text())
    assert spec["scales"]["po"]["goals_restriction"][3] == "-md_05"
    assert spec["rows"]["po_w2"] == 30


def test_files_are_byte_identical(study, tmp_path):
    mon = codebook.load_monitor()
    for out in ("a", "b"):
        scores.write(tmp_path / out, scores.score_study(study, mon), mon)
    for f in sorted((tmp_path / "a" / "scores").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / "scores" / f.name).read_bytes()


def test_stale_or_missing_scores_are_refused(study, tmp_path):
    with pytest.raises(FileNotFoundError, match="run chapter 7 first"):
        scores.load(tmp_path)
    mon = codebook.load_monitor("appendix1")
    folder = scores.write(tmp_path, scores.score_study(study, mon), mon)
    spec = json.loads((folder / "monitor.json").read_text())
    spec["scales"]["client"]["trust"] = spec["scales"]["client"]["trust"][:-1]
    (folder / "monitor.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="rerun chapter 7"):
        scores.load(tmp_path)
    with pytest.raises(KeyError):
        scores.write(tmp_path, {}, mon)


def test_real_data_mode_writes_no_rows_and_load_recomputes(study, tmp_path):
    mon = codebook.load_monitor("as_reported")
    sc = scores.score_study(study, mon)
    scores.write(tmp_path, sc, mon)  # an earlier synthetic run left files ...
    folder = scores.write(tmp_path, sc, mon, row_level=False)  # ... the real-data run removes them
    assert sorted(p.name for p in folder.iterdir()) == ["monitor.json"]
    with pytest.raises(FileNotFoundError, match="wrote no row-level score files"):
        scores.load(tmp_path).get("client", 1)
    back = scores.load(tmp_path, study=study)
    ref = scores.write(tmp_path / "full", sc, mon)
    full = scores.load(tmp_path / "full")
    for p, w in scores.QUESTIONNAIRES:
        pd.testing.assert_frame_equal(back.get(p, w), full.get(p, w), check_index_type=False, atol=1e-9)
    pd.testing.assert_frame_equal(back.change("po"), full.change("po"), check_index_type=False, atol=1e-9)
    pd.testing.assert_frame_equal(back.dyad(2, "absolute"), full.dyad(2, "absolute"), check_index_type=False,
                                  atol=1e-9)
    assert ref.exists()
