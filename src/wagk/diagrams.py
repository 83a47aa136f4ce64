"""Path diagrams of a factor model, drawn from its specification (Figures 7.1 and 7.2).

The thesis shows the client and the officer model as drawings. Here the drawing is generated
from the same specification the CFA is fitted with (factor -> items), so figure and model cannot
disagree: factors are ellipses on the left, items boxes on the right, one arrow per loading
(an item with two loadings gets two arrows), curved double-headed arrows for the factor
correlations. When a fitted :class:`wagk.cfa.CFAResult` is given, the arrows carry its
standardised loadings and correlations; a negative loading is drawn dashed.

Examples
--------
>>> from wagk import codebook, diagrams
>>> mon = codebook.load_monitor("appendix1")
>>> spec = {s: list(mon.scale("client", s).items) for s in codebook.SCALES}
>>> fig = diagrams.path_diagram(spec)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

from wagk.layout import fmt

__all__ = ["item_order", "path_diagram"]


def item_order(factors: Mapping[str, Sequence[str]]) -> list[str]:
    """Items top to bottom: factor by factor, each item once, at its first factor.

    Within a factor's block, items that also load on a later factor go last, next to that
    factor's block, so their second arrow stays short.
    """
    names = list(factors)
    seen: list[str] = []
    for k, f in enumerate(names):
        own = [i for i in factors[f] if i not in seen]
        later = {i for g in names[k + 1:] for i in factors[g]}
        own.sort(key=lambda i: i in later)  # stable: shared items to the end
        seen += own
    return seen


def path_diagram(factors: Mapping[str, Sequence[str]], *, item_labels: Mapping[str, str] | None = None,
                 factor_labels: Mapping[str, str] | None = None, loadings: pd.DataFrame | None = None,
                 factor_corr: pd.DataFrame | None = None, reversed_items: Sequence[str] = (),
                 ax=None, row_height: float = 0.42, width: float = 8.0):
    """Draw the path diagram of a correlated-factor model.

    Parameters
    ----------
    factors : dict of str to list of str
        Factor -> its items (the CFA specification).
    item_labels, factor_labels : dict, optional
        Display text of items and factors (default: their names).
    loadings : DataFrame, optional
        Item x factor standardised loadings (``CFAResult.std_loadings``); printed on the arrows.
    factor_corr : DataFrame, optional
        Factor correlations (``CFAResult.factor_corr``); printed on the arcs.
    reversed_items : list of str
        Items marked "(R)": reverse-worded items that enter the scale score as 8 - x.
    ax : matplotlib Axes, optional
        Draw into this axes; a new figure is made otherwise.

    Returns
    -------
    matplotlib Figure
    """
    if not factors:
        raise ValueError("factors is empty")
    item_labels = dict(item_labels or {})
    factor_labels = dict(factor_labels or {})
    items = item_order(factors)
    names = list(factors)
    n = len(items)
    if ax is None:
        fig, ax = plt.subplots(figsize=(width, max(3.0, row_height * n + 0.6)))
    else:
        fig = ax.figure
    y_item = {it: n - 1 - k for k, it in enumerate(items)}
    # factor heights: centre of the items that load on it, spread to avoid overlaps
    centres = np.array([np.mean([y_item[i] for i in factors[f]]) for f in names])
    order = np.argsort(-centres)
    y_fac = np.empty(len(names))
    min_gap = 2.1
    last = np.inf
    for k in order:
        y = min(centres[k], last - min_gap)
        y_fac[k] = y
        last = y
    shift = (y_fac.max() + y_fac.min()) / 2 - (n - 1) / 2
    if y_fac.min() - shift < 0 or y_fac.max() - shift > n - 1:
        y_fac -= shift
    x_fac, x_item = 0.22, 0.58
    ew, eh = 0.32, 1.55
    box_w = 0.58
    ax.set_xlim(-0.3, x_item + box_w + 0.02)
    ax.set_ylim(-0.8, n - 0.2)
    ax.axis("off")
    aspect = _aspect(ax)
    for k, f in enumerate(names):
        ax.add_patch(Ellipse((x_fac, y_fac[k]), ew, eh, facecolor="#e8eef6", edgecolor="#2b4a6f", lw=1.2, zorder=3))
        ax.text(x_fac, y_fac[k], factor_labels.get(f, f), ha="center", va="center", fontsize=8, zorder=4,
                linespacing=1.1)
    rev = set(reversed_items)
    incoming: dict[str, int] = {}
    for it in items:
        label = item_labels.get(it, it) + ("  (R)" if it in rev else "")
        ax.add_patch(FancyBboxPatch((x_item, y_item[it] - 0.32), box_w, 0.64, boxstyle="round,pad=0.0,rounding_size=0.04",
                                    facecolor="white", edgecolor="#555555", lw=0.9, zorder=3))
        ax.text(x_item + 0.012, y_item[it], label, ha="left", va="center", fontsize=7.5, zorder=4)
    for k, f in enumerate(names):
        for it in factors[f]:
            val = None
            if loadings is not None and it in loadings.index and f in loadings.columns:
                val = float(loadings.loc[it, f])
            dashed = val is not None and val < 0
            start = (x_fac + ew / 2, y_fac[k])
            end = (x_item, y_item[it])
            ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=9, lw=0.9,
                                         color="#2b4a6f", linestyle="--" if dashed else "-", zorder=2,
                                         shrinkA=0, shrinkB=1))
            k_in = incoming.get(it, 0)
            incoming[it] = k_in + 1
            if val is not None:
                t = 0.8 - 0.2 * k_in  # a second arrow into the same item gets its label further back
                xm, ym = start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1])
                ax.text(xm, ym, fmt(val, 2, leading_zero=False), fontsize=6.5, ha="center", va="center",
                        zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
    # factor correlations: arcs on the left, wider for factors further apart
    pairs = [(a, b) for a in range(len(names)) for b in range(a + 1, len(names))]
    for a, b in pairs:
        ya, yb = y_fac[a], y_fac[b]
        dist = abs(b - a)
        rad = 0.35 + 0.12 * (dist - 1)
        start, end = (x_fac - ew / 2, ya), (x_fac - ew / 2, yb)
        style = f"arc3,rad={rad if ya > yb else -rad}"
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=style, arrowstyle="<|-|>", mutation_scale=7,
                                     lw=0.7, color="#777777", zorder=1))
        if factor_corr is not None:
            r = float(factor_corr.loc[names[a], names[b]])
            # the arc's apex lies left of the chord by about rad * chord length
            xm = x_fac - ew / 2 - 0.5 * rad * abs(ya - yb) * aspect
            ax.text(xm, (ya + yb) / 2, fmt(r, 2, leading_zero=False), fontsize=6.5, ha="center", va="center",
                    zorder=5, bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none"))
    return fig


def _aspect(ax) -> float:
    """x data units per y data unit of the same length on screen (arcs bend in display space).

    An ``arc3`` connection with curvature ``rad`` between two points a vertical distance ``d``
    apart reaches ``rad * d / 2`` (display units) to the side at its middle.
    """
    w, h = ax.figure.get_size_inches()
    pos = ax.get_position()
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    return ((x1 - x0) / (w * pos.width)) / ((y1 - y0) / (h * pos.height))
