"""wagk.diagrams: path diagrams drawn from the model specification."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch  # noqa: E402

from wagk import codebook, diagrams  # noqa: E402


def spec(persp="po"):
    mon = codebook.load_monitor("appendix1")
    return {s: list(mon.scale(persp, s).items) for s in codebook.SCALES}


def test_item_order_puts_shared_items_next_to_the_later_factor():
    f = spec("po")
    order = diagrams.item_order(f)
    assert len(order) == len(set(order)) == 17
    goals = [i for i in order if i in f["goals_restriction"] and i not in f["trust"]]
    # wai_04 and wai_01 (also on bond) close the goals block; md_05 (also on reactance) too
    assert set(goals[-3:]) == {"wai_04", "wai_01", "md_05"}


def test_one_arrow_per_loading_and_per_factor_pair():
    f = spec("client")
    n_load = sum(len(v) for v in f.values())
    lo = pd.DataFrame(0.5, index=diagrams.item_order(f), columns=list(f))
    phi = pd.DataFrame(0.3, index=list(f), columns=list(f))
    fig = diagrams.path_diagram(f, loadings=lo, factor_corr=phi, reversed_items=["dri_31"])
    ax = fig.axes[0]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) == n_load + 6
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 4
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == len(lo)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count(".50") == n_load and texts.count(".30") == 6
    assert any(t.endswith("(R)") for t in texts)
    plt.close(fig)
