"""Helpers of the book's computing pages: the reproduction report, the audit, the data page.

``interactive_table`` renders a frame as a self-contained HTML table with client-side filters,
paging, sorting and coloured verdicts (no CDN, no network: the rows travel as JSON inside the
page). The other functions prepare the reproduction report for display.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import compare, ledger, paths

#: chapters in the scope of the compendium (Appendix 1 belongs to chapter 7)
SCOPE = ("7", "8", "9", "10")

VERDICT_COLOURS = {
    # reproduction report
    "within": "#d8f0d8", "outside": "#f6d0cc", "not_computed": "#ececec",
    "not_published": "#e4ecf7", "not_comparable": "#f4f0dc",
    # audit
    "consistent": "#d8f0d8", "rounding": "#f7ecc8", "inconsistent": "#f6d0cc",
}


def load_reproduction(results_dir: Path | str = paths.RESULTS) -> tuple[pd.DataFrame, str]:
    """The reproduction report of ``results_dir``, and where it came from.

    Reads ``<results_dir>/reproduction.csv`` (written by ``wagk compare``); when it is missing,
    compares the ledgers found there (none at all: every published number is 'not_computed').
    """
    path = Path(results_dir) / "reproduction.csv"
    if path.exists():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for c in ("published", "computed", "diff"):
            frame[c] = pd.to_numeric(frame[c].replace("", None), errors="coerce").astype(float)
        return frame, str(path)
    computed = ledger.read_all(paths.ledger_dir(results_dir))
    return compare.compare(computed), f"compared now from {paths.ledger_dir(results_dir)} ({len(computed)} rows)"


def tolerance_ratio(report: pd.DataFrame) -> pd.Series:
    """|difference| / allowed difference per row (1 = at the tolerance); NaN where not numeric."""
    tol = compare.load_tolerances()
    out = []
    for r in report[["statistic", "analysis", "variable", "published", "diff"]].itertuples(index=False):
        rule = compare.rule_for(r.statistic, r.analysis, r.variable, tol)
        if rule is None or rule.kind == "category" or pd.isna(r.diff):
            out.append(np.nan)
            continue
        limit = rule.limit(r.published)
        out.append(abs(r.diff) / limit if limit > 0 else (0.0 if abs(r.diff) < 1e-9 else np.inf))
    return pd.Series(out, index=report.index, dtype=float)


def share_text(x: float) -> str:
    """'87.3%' (plain string, for glue); an em dash when nothing is counted."""
    return "\u2014" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.1f}%"


def scope_shares(report: pd.DataFrame) -> pd.DataFrame:
    """Share within tolerance per chapter of the compendium's scope (7-10) and overall."""
    inscope = report[report["chapter"].isin(SCOPE)]
    table = compare.shares(inscope, "chapter")
    order = [c for c in SCOPE if c in table.index] + ["overall"]
    return table.reindex(order)


def table_shares(report: pd.DataFrame) -> pd.DataFrame:
    """Share within tolerance per published table or text section (ref), in the scope."""
    inscope = report[report["chapter"].isin(SCOPE)]
    counted = inscope[inscope["verdict"].isin(["within", "outside", "not_computed"])]
    g = counted.groupby(["chapter", "ref"], sort=False)["verdict"]
    table = pd.DataFrame({
        "published": g.size(),
        "within": g.apply(lambda s: int((s == "within").sum())),
        "outside": g.apply(lambda s: int((s == "outside").sum())),
        "not_computed": g.apply(lambda s: int((s == "not_computed").sum())),
    })
    table["percent_within"] = (100 * table["within"] / table["published"]).round(1)
    return table.reset_index()


def _json_value(v):
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) or math.isinf(v) else float(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    return str(v)


def interactive_table(frame: pd.DataFrame, *, table_id: str, filters: list[str] = (),
                      colour_by: str | None = "verdict", ratio: str | None = None,
                      page_size: int = 50, number_format: dict | None = None,
                      caption: str = "") -> str:
    """A self-contained HTML table with filters, paging and sorting.

    Parameters
    ----------
    frame
        The rows; every column is shown except those starting with '_'.
    table_id
        HTML id (unique on the page).
    filters
        Columns that get a drop-down filter; a filter on 'ref' lists only the refs of the chapter
        chosen in a filter on 'chapter'.
    colour_by
        Column whose value colours that cell (VERDICT_COLOURS).
    ratio
        Column holding |difference| / tolerance: shades the 'diff' cell (green within, red beyond).
    number_format
        Column -> number of decimals for display (default: up to 4 significant decimals).
    """
    number_format = number_format or {}
    shown = [c for c in frame.columns if not str(c).startswith("_")]
    records = [[_json_value(v) for v in row] for row in frame[shown + ([ratio] if ratio else [])].itertuples(index=False)]
    data = json.dumps({"columns": shown, "rows": records, "filters": list(filters),
                       "colour": colour_by, "ratio": len(shown) if ratio else None,
                       "colours": VERDICT_COLOURS, "page": page_size, "decimals": number_format},
                      separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    controls = "".join(
        f'<label>{html.escape(c)} <select data-col="{html.escape(c)}"><option value="">all</option></select></label>'
        for c in filters)
    head = "".join(f'<th data-i="{i}" title="click to sort">{html.escape(c)}</th>' for i, c in enumerate(shown))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"""<div class="wagk-table" id="{html.escape(table_id)}">
<style>
#{table_id} .wagk-controls {{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;margin:.4em 0;font-size:.9em}}
#{table_id} .wagk-scroll {{max-height:38em;overflow:auto;border:1px solid #ccc}}
#{table_id} table {{border-collapse:collapse;font-size:.8em;width:100%;margin:0}}
#{table_id} th {{position:sticky;top:0;background:#f3f3f3;cursor:pointer;white-space:nowrap}}
#{table_id} td, #{table_id} th {{padding:.15em .4em;border-bottom:1px solid #e3e3e3;text-align:left}}
#{table_id} td.num {{text-align:right;font-variant-numeric:tabular-nums}}
#{table_id} .wagk-pager {{margin:.3em 0;font-size:.9em}}
</style>
<div class="wagk-controls">{controls}<label>search <input type="search" placeholder="any text"></label>
<span class="wagk-count"></span></div>
<noscript>The table needs JavaScript; the same rows are in the CSV file linked on this page.</noscript>
<div class="wagk-scroll"><table class="wagk-data">{cap}<thead><tr>{head}</tr></thead><tbody></tbody></table></div>
<div class="wagk-pager"><button type="button" data-step="-1">previous</button> <span class="wagk-pageno"></span>
<button type="button" data-step="1">next</button></div>
<script type="application/json" class="wagk-json">{data}</script>
<script>{_TABLE_JS.replace("__ID__", table_id)}</script>
</div>"""


_TABLE_JS = r"""
(function () {
  var root = document.getElementById("__ID__");
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var spec = JSON.parse(root.querySelector(".wagk-json").textContent);
  var cols = spec.columns, rows = spec.rows, page = 0, sortCol = -1, sortDir = 1;
  var colourIdx = cols.indexOf(spec.colour), diffIdx = cols.indexOf("diff");
  var selects = Array.prototype.slice.call(root.querySelectorAll("select"));
  var search = root.querySelector("input[type=search]");
  var tbody = root.querySelector("tbody");
  function uniq(i, keep) {
    var seen = {}, out = [];
    rows.forEach(function (r) { if (keep(r) && r[i] !== null && !seen[r[i]]) { seen[r[i]] = 1; out.push(r[i]); } });
    return out;
  }
  function fill(sel) {
    var i = cols.indexOf(sel.dataset.col), current = sel.value;
    var chapSel = root.querySelector('select[data-col="chapter"]');
    var ci = cols.indexOf("chapter");
    var keep = function (r) { return !(sel.dataset.col === "ref" && chapSel && chapSel.value && String(r[ci]) !== chapSel.value); };
    while (sel.options.length > 1) sel.remove(1);
    uniq(i, keep).forEach(function (v) { var o = document.createElement("option"); o.value = String(v); o.textContent = String(v); sel.appendChild(o); });
    sel.value = current;
    if (sel.value !== current) sel.value = "";
  }
  function fmt(v, c) {
    if (v === null) return "";
    if (typeof v === "number") {
      var d = spec.decimals[c];
      if (d !== undefined) return v.toFixed(d);
      return String(Math.round(v * 1e4) / 1e4);
    }
    return String(v);
  }
  function matches(r) {
    for (var k = 0; k < selects.length; k++) {
      var s = selects[k];
      if (s.value && String(r[cols.indexOf(s.dataset.col)]) !== s.value) return false;
    }
    var q = search.value.trim().toLowerCase();
    if (q) { var txt = r.slice(0, cols.length).join(" ").toLowerCase(); if (txt.indexOf(q) < 0) return false; }
    return true;
  }
  function shade(ratio) {
    if (ratio === null || ratio === undefined) return "";
    if (ratio <= 1) return "rgba(60,160,60," + (0.12 + 0.25 * ratio).toFixed(2) + ")";
    return "rgba(210,50,40," + Math.min(0.15 + 0.12 * ratio, 0.7).toFixed(2) + ")";
  }
  function render() {
    var list = rows.filter(matches);
    if (sortCol >= 0) {
      list = list.slice().sort(function (a, b) {
        var x = a[sortCol], y = b[sortCol];
        if (x === y) return 0; if (x === null) return 1; if (y === null) return -1;
        return (x < y ? -1 : 1) * sortDir;
      });
    }
    var pages = Math.max(1, Math.ceil(list.length / spec.page));
    page = Math.min(page, pages - 1);
    var html = [];
    list.slice(page * spec.page, (page + 1) * spec.page).forEach(function (r) {
      html.push("<tr>");
      for (var i = 0; i < cols.length; i++) {
        var style = "", cls = typeof r[i] === "number" ? "num" : "";
        if (i === colourIdx && spec.colours[r[i]]) style = "background:" + spec.colours[r[i]];
        if (i === diffIdx && spec.ratio !== null && shade(r[spec.ratio])) style = "background:" + shade(r[spec.ratio]);
        var t = fmt(r[i], cols[i]).replace(/&/g, "&amp;").replace(/</g, "&lt;");
        html.push('<td class="' + cls + '"' + (style ? ' style="' + style + '"' : "") + ">" + t + "</td>");
      }
      html.push("</tr>");
    });
    tbody.innerHTML = html.join("");
    root.querySelector(".wagk-count").textContent = list.length + " of " + rows.length + " rows";
    root.querySelector(".wagk-pageno").textContent = "page " + (page + 1) + " of " + pages;
  }
  selects.forEach(function (s) {
    fill(s);
    s.addEventListener("change", function () {
      if (s.dataset.col === "chapter") selects.forEach(function (t) { if (t.dataset.col === "ref") fill(t); });
      page = 0; render();
    });
  });
  search.addEventListener("input", function () { page = 0; render(); });
  root.querySelectorAll("button[data-step]").forEach(function (b) {
    b.addEventListener("click", function () { page = Math.max(0, page + Number(b.dataset.step)); render(); });
  });
  root.querySelectorAll("th").forEach(function (th) {
    th.addEventListener("click", function () {
      var i = Number(th.dataset.i); sortDir = sortCol === i ? -sortDir : 1; sortCol = i; render();
    });
  });
  render();
})();
"""


def static_table(frame: pd.DataFrame, *, colour_by: str | None = None, percent: tuple[str, ...] = (),
                 index: bool = True, small: bool = False) -> str:
    """A static HTML table (summaries), percentages formatted, verdict cells coloured; ``small``
    sets a smaller font for wide tables of text."""
    out = frame.copy()
    for c in percent:
        if c in out.columns:
            out[c] = out[c].map(lambda x: share_text(x))
    styler = out.style
    if colour_by and colour_by in out.columns:
        styler = styler.map(lambda v: f"background-color: {VERDICT_COLOURS.get(v, '')}" if v in VERDICT_COLOURS else "",
                            subset=[colour_by])
    if not index:
        styler = styler.hide(axis="index")
    attrs = 'class="table wagk-static"' + (' style="font-size:.8em"' if small else "")
    return styler.format(precision=3, na_rep="").set_table_attributes(attrs).to_html()
