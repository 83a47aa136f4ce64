"""Real-data mode: what a chapter notebook may show when it runs on the confidential files.

A chapter makes one :class:`Privacy` from its papermill parameters and sends everything it shows
or writes through it::

    privacy = Privacy(real_data, min_cell=min_cell)
    privacy.show(privacy.table(descriptives, count_cols=["n"]))      # display, small cells marked
    ledger.write(privacy.ledger(rows), path)                         # tidy rows, small cells empty
    privacy.scatter(ax, scores["trust"], scores["bond"])              # points, or hexagonal bins

With ``real_data=False`` (the synthetic data) everything passes unchanged, so the chapters read
the same in both modes. With ``real_data=True``:

- **Small cells.** A count ``n`` with ``0 < n < min_cell`` (default 5) is suppressed together
  with every statistic computed from the same people: in tidy tables the values become empty
  and ``suppressed`` is True; in display tables the count reads ``<5`` and the statistics ``-``.
  A count of 0 discloses nothing and is shown. The rule is the usual threshold rule of
  statistical disclosure control (e.g. Hundepool et al. 2012, ch. 5); it does not guard
  against differencing between overlapping tables, which the chapters avoid by design (each
  table is one breakdown of the whole sample).
- **Row-level frames.** :meth:`Privacy.show` refuses to display a frame that carries ids
  (``client_id``, ``po_id`` as column or index level) or is marked row-level (see
  :func:`row_level`): it prints a one-line notice with the frame's shape instead. This guards
  against ``head()`` and id lists; the canary test (``tests/test_privacy_pipeline.py``) proves the
  whole pipeline leaks nothing.
- **Scatterplots.** :meth:`Privacy.scatter` draws hexagonal bins holding at least ``min_cell``
  people (``mincnt``) instead of points.

References
----------
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E., Spicer, K.,
& de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wagk import ledger as _ledger

ID_COLUMNS = ("client_id", "po_id")
DEFAULT_MIN_CELL = 5
SUPPRESSED_VALUE = "-"
ROW_LEVEL = "wagk_row_level"


def row_level(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark a frame as row-level (one row per person) so that :meth:`Privacy.show` refuses it."""
    frame.attrs[ROW_LEVEL] = True
    return frame


def has_ids(obj) -> bool:
    """Whether a frame, series or index carries ids (as a column, index level or name)."""
    names: list = []
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        names += list(obj.index.names)
    if isinstance(obj, pd.DataFrame):
        for c in obj.columns:
            names += list(c) if isinstance(c, tuple) else [c]
        names += list(obj.columns.names)
    if isinstance(obj, (pd.Series, pd.Index)):
        names.append(obj.name)
    if isinstance(obj, pd.Index):
        names += list(obj.names)
    return any(str(n) in ID_COLUMNS for n in names if n is not None)


@dataclass
class Privacy:
    """What a chapter may show, by mode. See the module docstring.

    Parameters
    ----------
    real_data : bool
        True on the confidential data.
    min_cell : int
        smallest count shown in real-data mode (default 5; ``wagk run --min-cell``).
    """

    real_data: bool = False
    min_cell: int = DEFAULT_MIN_CELL
    #: what was suppressed or withheld, for the chapter's closing note
    log: list = field(default_factory=list)

    def __post_init__(self):
        self.real_data = bool(self.real_data)
        self.min_cell = int(self.min_cell)
        if self.min_cell < 1:
            raise ValueError(f"min_cell must be at least 1, got {self.min_cell}")

    @property
    def mark(self) -> str:
        return f"<{self.min_cell}"

    def small(self, counts) -> np.ndarray:
        """True where a count must be suppressed: 0 < n < min_cell (always False on synthetic data)."""
        n = pd.to_numeric(pd.Series(np.asarray(counts).ravel()), errors="coerce").to_numpy(dtype=float)
        if not self.real_data:
            return np.zeros(n.shape, dtype=bool)
        return (n > 0) & (n < self.min_cell)

    def table(self, frame: pd.DataFrame, count_cols, value_cols=None, display: bool = False) -> pd.DataFrame:
        """Suppress small cells of a wide table (one row per cell or group).

        Parameters
        ----------
        frame : DataFrame
            one row per group (e.g. ``group, n, M, SD``) or a cross table of counts.
        count_cols : list of str
            columns holding numbers of people. Each small count is suppressed.
        value_cols : list of str, optional
            statistics computed from the people counted in the same row; suppressed in every row
            with a small count. Default: every other numeric column.
        display : bool
            False: tidy table, suppressed values become NaN and a boolean column ``suppressed``
            is added (present in both modes, so the schema does not depend on the mode).
            True: text for showing, counts ``<5`` and statistics ``-``.

        Returns
        -------
        DataFrame
            a copy; the input is not changed.
        """
        count_cols = [count_cols] if isinstance(count_cols, str) else list(count_cols)
        missing = [c for c in count_cols if c not in frame.columns]
        if missing:
            raise KeyError(f"count columns {missing} not in the table")
        if value_cols is None:
            value_cols = [c for c in frame.columns if c not in count_cols
                          and pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
        out = frame.copy()
        small = {c: self.small(out[c]) for c in count_cols}
        row_small = np.logical_or.reduce([small[c] for c in count_cols]) if count_cols else np.zeros(len(out), bool)
        if display:
            out = out.astype(object)
            for c in count_cols:
                out.loc[small[c], c] = self.mark
            for c in value_cols:
                out.loc[row_small, c] = SUPPRESSED_VALUE
        else:
            for c in count_cols:
                out[c] = out[c].astype(float).mask(small[c])
            for c in value_cols:
                out[c] = out[c].astype(float).mask(row_small)
            out["suppressed"] = row_small
        n_cells = int(sum(s.sum() for s in small.values()))
        if n_cells:
            self.log.append(f"{n_cells} cells with fewer than {self.min_cell} people suppressed")
        return out

    def ledger(self, rows: pd.DataFrame, count_statistic: str = "n") -> pd.DataFrame:
        """Suppress small cells of tidy ledger rows (:mod:`wagk.ledger` schema).

        A cell is every row sharing ref, perspective, wave, analysis, variable and group; when
        its ``n`` row (``count_statistic``) is small, all its values become NaN. The result
        keeps the ledger columns and adds ``suppressed``; ``ledger.write`` keeps the ledger
        columns, so the written CSV has empty values where cells were suppressed.
        """
        out = rows.copy()
        out["suppressed"] = False
        if not self.real_data or out.empty:
            return out
        cell = [k for k in _ledger.KEY if k != "statistic"]
        is_n = out["statistic"] == count_statistic
        small_n = is_n & self.small(out["value"])
        if not small_n.any():
            return out
        keys = out.loc[small_n, cell].drop_duplicates()
        hit = out[cell].merge(keys.assign(_hit=True), on=cell, how="left")["_hit"].fillna(False).to_numpy(dtype=bool)
        out.loc[hit, "value"] = np.nan
        out.loc[hit, "suppressed"] = True
        self.log.append(f"{len(keys)} ledger cells with fewer than {self.min_cell} people suppressed")
        return out

    def allowed(self, frame) -> bool:
        """Whether ``frame`` may be shown in this mode."""
        if not self.real_data or not isinstance(frame, (pd.DataFrame, pd.Series, pd.Index)):
            return True
        return not (has_ids(frame) or getattr(frame, "attrs", {}).get(ROW_LEVEL, False))

    def show(self, frame, **kwargs):
        """Display a table; in real-data mode refuse row-level frames with a notice instead."""
        from IPython.display import display

        if self.allowed(frame):
            display(frame, **kwargs)
            return
        rows, cols = frame.shape if isinstance(frame, pd.DataFrame) else (len(frame), 1)
        notice = (f"[real-data mode: a row-level table ({rows} rows x {cols} columns) is not shown; "
                  "only aggregates are]")
        self.log.append(notice)
        print(notice)

    def scatter(self, ax, x, y, gridsize: int = 12, **kwargs):
        """Points on synthetic data; in real-data mode hexagonal bins with at least min_cell people.

        Pairs with a missing value are left out on both paths (their number is returned in the
        artist's ``wagk_dropped`` attribute for the caption).
        """
        x = pd.to_numeric(pd.Series(np.asarray(x, dtype=float)), errors="coerce")
        y = pd.to_numeric(pd.Series(np.asarray(y, dtype=float)), errors="coerce")
        keep = x.notna() & y.notna()
        if self.real_data:
            artist = ax.hexbin(x[keep], y[keep], gridsize=gridsize, mincnt=self.min_cell, cmap=kwargs.pop("cmap", "Blues"),
                               **kwargs)
        else:
            artist = ax.scatter(x[keep], y[keep], **{"s": 12, "alpha": 0.6, **kwargs})
        artist.wagk_dropped = int((~keep).sum())
        return artist

    def summary(self) -> str:
        """One line for the chapter's end: what real-data mode held back."""
        if not self.real_data:
            return "Synthetic data: nothing suppressed."
        if not self.log:
            return f"Real-data mode (cells under {self.min_cell} suppressed): nothing needed suppressing."
        return f"Real-data mode (cells under {self.min_cell} suppressed): " + "; ".join(dict.fromkeys(self.log)) + "."
