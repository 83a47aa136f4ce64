"""Published numbers: schema and queries."""

from wagk import published


def test_load_validates_and_has_every_chapter():
    d = published.load()
    assert set(d.chapter) == {"6", "7", "8", "9", "10"}
    assert not d.duplicated(["ref", "perspective", "wave", "analysis", "variable", "group", "statistic"]).any()


def test_query():
    rows = published.query(ref="T9.1", perspective="po", statistic="n")
    assert len(rows) == 8
    assert published.query(ref="T8.1", variable="trust", statistic="M")["value"].item() == 6.43
    both = published.query(ref=["T8.1", "T8.2"], variable="trust", statistic="n")
    assert sorted(both.value) == [210, 302]


def test_chapter_of():
    assert published.chapter_of("TB1.4") == "7"
    assert published.chapter_of("SB1-2.3a") == "7"
    assert published.chapter_of("S10.2.5a") == "10"
    assert published.chapter_of("T6.6") == "6"
