"""The malformed-data corpus: every case gives its declared error or counted handling, and
nothing but a DataError (without library internals) ever escapes ``load_study``.

The corpus is built from data/synthetic when it holds a dataset, else from the small test
dataset of conftest.py.
"""

from __future__ import annotations

import re

import pytest

from conftest import tiny_tables, write_dataset
from wagk import paths
from wagk.contract import load_study
from wagk.testing import corpus


def _synthetic_present() -> bool:
    return any(paths.SYNTHETIC.glob("clients.*"))


@pytest.fixture(scope="session")
def base_dir(tmp_path_factory):
    if _synthetic_present():
        return paths.SYNTHETIC
    return write_dataset(tmp_path_factory.mktemp("base"), tiny_tables())


@pytest.fixture(scope="session")
def built(base_dir, tmp_path_factory):
    return corpus.build(base_dir, tmp_path_factory.mktemp("corpus"))


def test_base_dataset_is_valid(base_dir):
    study = load_study(base_dir)
    assert (study.funnel["step"] == "valid and linked").sum() >= 6


def test_corpus_size_and_coverage(built):
    assert len(corpus.CASES) >= 30
    covered = {t for c in corpus.CASES.values() for t in c.covers}
    assert covered == set(corpus.TOPICS)
    kinds = {type(o).__name__ for b in built.values() for o in b.outcomes}
    assert kinds == {"Error", "Counted", "Check"}


@pytest.mark.parametrize("name", list(corpus.CASES))
def test_case(built, name):
    assert corpus.verify(built[name]) == []


def test_verify_catches_a_wrong_expectation(built, tmp_path):
    """The checker itself can fail: a case whose declared rows are wrong is reported."""
    b = built["item_out_of_range"]
    wrong = corpus.Built(b.case, b.folder, [corpus.Error("client_w1.csv", "outside 1-7", "wai_01", "lines 999")])
    assert corpus.verify(wrong)
    ok_case = built["registry_absent"]
    assert corpus.verify(corpus.Built(ok_case.case, ok_case.folder, [corpus.Error("registry", "missing")]))


def test_no_other_exception_escapes(built, monkeypatch):
    """A library error inside load_study is reported by verify as an escaped exception."""
    def boom(*a, **k):
        raise KeyError("inside pandas")
    monkeypatch.setattr(corpus, "load_study", boom)
    out = corpus.verify(built["item_out_of_range"])
    assert out and "other than DataError escaped" in out[0]


def test_book_page_lists_every_case():
    page = (paths.BOOK / "data_contract.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", page, flags=re.M))
    assert listed == set(corpus.CASES)


def test_book_page_table_is_current(tmp_path):
    """The table in book/data_contract.md is the one the corpus generates (no drift)."""
    page = (paths.BOOK / "data_contract.md").read_text(encoding="utf-8")
    table = corpus.markdown_table(write_dataset(tmp_path / "base", tiny_tables()))
    assert table in page, "regenerate: python -m wagk.testing.corpus BASE --markdown"
