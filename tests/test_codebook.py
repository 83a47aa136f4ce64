"""The codebook and the monitor definition (data/codebook)."""

import pytest

from wagk import audit, codebook


def test_items_unique_and_perspectives():
    items = codebook.load_items()
    assert items.index.is_unique
    assert len(codebook.questionnaire_items("client")) == 12 + 28 + 22 + 12 + 1  # WAI, DRI-R, MD, SMS, grade
    assert len(codebook.questionnaire_items("po")) == 12 + 28 + 22 + 9 + 1  # ..., contra-reactance, grade


@pytest.mark.parametrize("variant, persp, k_goals, k_total", [
    ("as_reported", "client", 7, 19), ("as_reported", "po", 7, 19),
    ("appendix1", "client", 6, 19), ("appendix1", "po", 5, 17),
])
def test_variants(variant, persp, k_goals, k_total):
    mon = codebook.load_monitor(variant)
    assert mon.scale(persp, "goals_restriction").n_items == k_goals
    assert mon.total(persp).n_items == k_total


def test_total_orientation():
    """Reactance reversed in the total; item 6 (dri_31) reversed in trust and total; item 17
    (md_05) reversed in goals_restriction and in the total, counted once."""
    mon = codebook.load_monitor("as_reported")
    total = mon.total("po")
    assert total.items.count("md_05") == 1
    assert total.reversed == {"dri_31", "md_19", "md_21", "md_16", "md_05"}
    assert mon.scale("client", "trust").reversed == {"dri_31"}
    assert mon.scale("client", "reactance").reversed == frozenset()


def test_selection_numbers_map_to_items():
    mon = codebook.load_monitor()
    items = codebook.load_items()
    for number, item in mon.selection.items():
        assert items.loc[item, "selection_no"] == number


def test_conflicting_orientation_is_an_error(tmp_path):
    text = (codebook.paths.MONITOR_YML).read_text().replace(
        "reactance: [md_19, md_21, md_16, md_05]", "reactance: [md_19, md_21, md_16, -md_05]")
    path = tmp_path / "monitor.yml"
    path.write_text(text)
    with pytest.raises(ValueError, match="both reversed and unreversed"):
        codebook.load_monitor("as_reported", path=path)


def test_goals_restriction_evidence_needs_seven_items():
    """The decisive printed values (officer minima, client median) only arise from 7 items, and
    the officer totals from 19: the as_reported variant."""
    ev = audit.goals_restriction_evidence()
    decisive = ev[(ev.variable == "goals_restriction") & (ev.possible_item_counts.map(len) == 1)]
    assert len(decisive) >= 5
    assert all(ks == [7] for ks in decisive.possible_item_counts)
    po_total = ev[(ev.variable == "total") & (ev.perspective == "po")]
    assert all(19 in ks for ks in po_total.possible_item_counts)
    assert sum(ks == [19] for ks in po_total.possible_item_counts) >= 4
    assert codebook.load_monitor().variant == "as_reported"


@pytest.mark.parametrize("value, k, ok", [(6.14, 7, True), (6.14, 6, False), (2.86, 5, False),
                                          (1.25, 4, True), (1.83, 6, True), (1.83, 5, False)])
def test_mean_possible(value, k, ok):
    assert audit.mean_possible(value, k) is ok
