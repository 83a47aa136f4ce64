"""wagk.layout: thesis-style formatting of ledger rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from wagk import layout


def test_stars_boundaries():
    assert [layout.stars(p) for p in (0.2, 0.05, 0.0499, 0.01, 0.0099, 0.001, 0.0009)] == \
        ["", "", "*", "*", "**", "**", "***"]
    assert layout.stars(0.0001, top=2) == "**"
    assert layout.stars(np.nan) == ""


def test_number_formats():
    assert layout.fmt(0.3612, 2, leading_zero=False) == ".36"
    assert layout.fmt(-0.3812, 2, leading_zero=False) == "-.38"
    assert layout.fmt(-0.001, 2) == "0.00"
    assert layout.fmt(1.0, 2, leading_zero=False) == "1.00"
    assert layout.cell(0.25, 0.0004) == ".25***"
    assert layout.cell(np.nan, 0.01) == ""
    assert layout.m_sd(5.4312, 1.024) == "5.43 (1.02)"
    assert layout.p_text(0.0004) == "<.001" and layout.p_text(0.0123) == ".012" and layout.p_text(np.nan) == ""


def _rows():
    rows = []
    for w, (r, p, n) in {"1": (0.36, 0.0001, 302), "2": (-0.2, 0.004, 204)}.items():
        for stat, v in (("r", r), ("p", p), ("n", n)):
            rows.append(dict(ref="T", perspective="client", wave=w, analysis="correlation", variable="trust",
                             group="bond", statistic=stat, value=v))
    return pd.DataFrame(rows)


def test_triangle_table():
    t = layout.triangle_table(_rows(), ["trust", "bond"])
    assert t.loc[("bond", "r"), ("trust", "M1")] == ".36***"
    assert t.loc[("bond", "r"), ("trust", "M2")] == "-.20**"
    assert t.loc[("bond", "n"), ("trust", "M2")] == "204"


def test_coefficient_table_and_fit_table():
    t = layout.coefficient_table(_rows(), row="variable", col=["wave"])
    assert t.loc[("trust", "r"), "1"] == ".36***" and t.loc[("trust", "n"), "2"] == "204"
    fit = pd.DataFrame([dict(perspective="po", wave="1", group="final", statistic=s, value=v)
                        for s, v in (("CMIN", 222.2), ("p", 0.0002), ("df", 113), ("CFI", 0.912),
                                     ("RMSEA", 0.0621), ("n", 267))])
    ft = layout.fit_table(fit, statistics=("CMIN", "df", "p", "CFI", "RMSEA", "n"))
    col = ("po", "1", "final")
    assert ft.loc["CMIN", col] == "222.20***" and ft.loc["CFI", col] == ".91" and ft.loc["RMSEA", col] == ".062"
    assert ft.loc["n", col] == "267" and ft.loc["p", col] == "<.001"


def test_html_escapes_cell_text():
    html = layout.to_html(pd.DataFrame({"p": ["<.001"]}, index=["<a>"]))
    assert "&lt;.001" in html and "&lt;a&gt;" in html and "<.001" not in html
