"""A statcheck-style audit of the thesis's own printed statistics, computed from the published rows.

The audit reads ``data/published`` only. It recomputes what the printed numbers imply and says,
finding by finding, whether the thesis agrees with itself. It never reads the ``remark`` column:
the known contradictions noted there must be found again from the numbers.

Checks
------
p_value
    p recomputed from F(df1, df2), t(df), chi2(df), r or rS with df or n, or the Wald statistic of a
    logistic coefficient, against the printed p (a number such as ``.03`` or a bound such as
    ``<.01``) of the same finding.
stars
    Significance stars against p. The p is recomputed from (a) the statistic in the same cell,
    (b) the statistic of the same comparison in the running text, or (c) the group means, SDs and
    sizes printed in the table (one-way ANOVA, or a paired t-test from the mean and SD of the
    differences). A cell without stars in a table that uses stars claims p >= .05.
eta2
    Eta squared against F and its degrees of freedom: eta2 = F df1 / (F df1 + df2) (one-way).
effect_size
    phi / Cramer's V against chi2 and n (V = sqrt(chi2 / n) for a table with a two-level side);
    Cohen's d_z of a paired t-test against t and df (d_z = t / sqrt(df + 1)).
df
    Degrees of freedom against the group sizes printed for the same comparison: df2 = N - k for a
    one-way ANOVA of k groups, df = n1 + n2 - 2 for a t-test (Welch: between min(n) - 1 and
    n1 + n2 - 2), and df + 1 pairs at most min(n) for a paired t-test.
grim
    GRIM-style granularity (Brown & Heathers 2017): a scale score is the mean of the j answered
    items of a k-item 1-7 scale (j >= k - floor(k / 2)), so a printed minimum, maximum or median
    (one person's score, or the midpoint of two for an even n) must be s / j for an integer s;
    differences (change scores, client minus officer) must be differences of two such values.
    Means over many people are not testable this way (n k >= 100) and are skipped.

Verdicts
--------
consistent     the printed number follows from the others as printed.
rounding       it follows only when the other printed numbers are allowed to move within their
               rounding interval (statcheck's logic: recompute at both ends of the interval); for
               GRIM, when it is one unit off in its last digit (a rounding slip).
inconsistent   it does not follow. ``decision_error`` is set when, in addition, significance at
               .05 flips (p-value and stars checks).

Findings are the published rows grouped by (ref, perspective, wave, analysis, variable, group).

Notes
-----
Spearman's rS is tested like Pearson's r: t = r sqrt(df / (1 - r^2)) with df = n - 2 (the
approximation SPSS uses for its p-value). A df printed with a correlation ("r(266)") is taken as
degrees of freedom, as in APA style. p-values are two-sided for t, r and Wald tests, upper-tail for
F and chi2. Star levels are read from the table itself: '**' means .001 <= p < .01 only when the
same table uses '***'; a cell marked '+' claims .05 <= p < .10.

References
----------
Nuijten, M. B., Hartgerink, C. H. J., van Assen, M. A. L. M., Epskamp, S., & Wicherts, J. M.
(2016). The prevalence of statistical reporting errors in psychology (1985-2013). Behavior
Research Methods, 48(4), 1205-1226.
Brown, N. J. L., & Heathers, J. A. J. (2017). The GRIM test: A simple technique detects numerous
anomalies in the reporting of results in psychology. Social Psychological and Personality
Science, 8(4), 363-369.

Validated against hand computations with scipy.stats (tests/test_audit.py) and against the
statcheck rules described by Nuijten et al. (2016).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import optimize, stats

from wagk import codebook, published

VERDICTS = ("consistent", "rounding", "inconsistent")
CHECKS = ("p_value", "stars", "eta2", "effect_size", "df", "grim")
FINDING_KEY = ["ref", "perspective", "wave", "analysis", "variable", "group"]
COLUMNS = ["chapter", "ref", "section", "perspective", "wave", "analysis", "variable", "group",
           "check", "verdict", "decision_error", "printed", "recomputed", "source", "remark",
           "value", "recomputed_value", "lo", "hi"]
SCALES = codebook.SCALES + ("total",)
#: analyses whose findings carry a test, and their test family (text and table are linked by family)
FAMILY = {"anova": "F", "manova": "F", "ttest": "t", "paired_ttest": "paired", "chi2": "chi2",
          "correlation": "r", "spearman": "rs", "logistic": "wald"}
ALPHA = 0.05
EPS = 1e-9


# --------------------------------------------------------------------------------------------
# GRIM-style granularity (kept from the first version of this module)
# --------------------------------------------------------------------------------------------

def mean_possible(value: float, k: int, decimals: int = 2, lo: int = 1, hi: int = 7,
                  max_missing_share: float = 0.5) -> bool:
    """Can a mean over a k-item scale (up to half the items missing) print as ``value``?"""
    tol = 0.5 * 10 ** (-decimals) + 1e-9
    for missing in range(0, math.floor(k * max_missing_share) + 1):
        j = k - missing
        s = round(value * j)
        for cand in (s - 1, s, s + 1):
            if lo * j <= cand <= hi * j and abs(cand / j - value) <= tol:
                return True
    return False


def item_counts(value: float, candidates=range(1, 25), decimals: int = 2) -> list[int]:
    """The item counts among ``candidates`` whose scale means can print as ``value``."""
    return [k for k in candidates if mean_possible(value, k, decimals)]


#: candidate item counts per scale (monitor variants as_reported / appendix1)
CANDIDATES = {"goals_restriction": (5, 6, 7), "total": (17, 19)}


def goals_restriction_evidence() -> pd.DataFrame:
    """Published minima and medians of goals_restriction and the total, with the item counts
    (among the competing definitions) that can produce each value.

    Medians of an even number of people can be the midpoint of two scale values; minima cannot,
    so minima are the decisive rows.
    """
    rows = published.query(ref=["T8.1", "T8.2", "T9.1", "T9.2"], statistic=["Min", "Mdn", "Max"],
                           variable=list(CANDIDATES))
    rows = rows[rows["value"].notna() & ~rows["value"].isin([1.0, 7.0])]
    out = []
    for r in rows.itertuples():
        ks = [k for k in CANDIDATES[r.variable] if mean_possible(r.value, k)]
        out.append(dict(ref=r.ref, perspective=r.perspective, wave=r.wave, variable=r.variable,
                        statistic=r.statistic, printed=r.printed, possible_item_counts=ks))
    return pd.DataFrame(out)


@lru_cache(maxsize=64)
def score_grid(k: int, lo: int = 1, hi: int = 7, max_missing_share: float = 0.5) -> np.ndarray:
    """Every value a k-item scale score (mean of j answered items, j >= k - floor(k/2)) can take."""
    vals = set()
    for missing in range(0, math.floor(k * max_missing_share) + 1):
        j = k - missing
        vals.update(s / j for s in range(lo * j, hi * j + 1))
    return np.array(sorted(vals))


@lru_cache(maxsize=64)
def _combined_grid(k1: int, k2: int, kind: str) -> np.ndarray:
    """Values of (a - b), |a - b| or (a + b) / 2 for scale scores a (k1 items) and b (k2 items)."""
    a, b = score_grid(k1), score_grid(k2)
    if kind == "diff":
        g = (a[:, None] - b[None, :]).ravel()
    elif kind == "absdiff":
        g = np.abs(a[:, None] - b[None, :]).ravel()
    elif kind == "mid":
        g = ((a[:, None] + b[None, :]) / 2).ravel()
    else:
        raise ValueError(f"unknown grid kind {kind!r}")
    return np.unique(np.round(g, 9))


def grid_for(kind: str, k1: int, k2: int | None = None) -> np.ndarray:
    """The grid of possible values: 'single', 'mid' (median of an even n), 'diff', 'absdiff'."""
    if kind == "single":
        return score_grid(k1)
    return _combined_grid(k1, k2 if k2 is not None else k1, kind)


def grid_distance(value: float, grid: np.ndarray) -> float:
    """Distance from ``value`` to the nearest grid value."""
    i = np.searchsorted(grid, value)
    near = grid[max(i - 1, 0):i + 1]
    return float(np.min(np.abs(near - value)))


def grid_coverage(grid: np.ndarray, decimals: int = 2) -> float:
    """Share of the values printable with ``decimals`` between the grid's ends that the grid can
    produce; near 1 the check has no power (every printed value is possible)."""
    step = 10 ** (-decimals)
    lo, hi = grid[0], grid[-1]
    printable = np.round(np.arange(round(lo / step), round(hi / step) + 1) * step, decimals)
    ok = np.isin(printable, np.unique(np.round(grid + 1e-12, decimals)))
    return float(ok.mean())


# --------------------------------------------------------------------------------------------
# Parsing what the thesis prints
# --------------------------------------------------------------------------------------------

_NUM = re.compile(r"[-\u2212]?\s?(?:\d+[.,]\d+|[.,]\d+|\d+)")


def decimals_of(printed: str, value: float) -> int:
    """Decimals with which ``value`` is printed in ``printed`` ('.17**' -> 2, '20,76' -> 2).

    The number in the printed text that equals ``value`` decides; when none does (a typo such as
    '88' read as .88), the decimals of the value itself are used.
    """
    for m in _NUM.finditer(printed or ""):
        text = m.group(0).replace("\u2212", "-").replace(" ", "").replace(",", ".")
        try:
            num = float(text)
        except ValueError:
            continue
        if abs(num - value) < 1e-9:
            return len(text.split(".")[1]) if "." in text else 0
    text = f"{value:.10g}"
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Number:
    """A printed number and its rounding interval."""

    value: float
    decimals: int
    printed: str = ""

    @property
    def half(self) -> float:
        return 0.5 * 10 ** (-self.decimals)

    @property
    def lo(self) -> float:
        return self.value - self.half

    @property
    def hi(self) -> float:
        return self.value + self.half


@dataclass(frozen=True)
class PClaim:
    """What a printed p claims: p == value (to its decimals), lo <= p < hi (a bound or stars)."""

    kind: str  # "eq" or "range"
    lo: float
    hi: float
    text: str
    value: float = float("nan")
    decimals: int = 0

    def holds(self, p: float) -> bool:
        if self.kind == "eq":
            return abs(p - self.value) <= 0.5 * 10 ** (-self.decimals) + EPS
        return self.lo - EPS <= p < self.hi

    def overlaps(self, p_lo: float, p_hi: float) -> bool:
        if self.kind == "eq":
            half = 0.5 * 10 ** (-self.decimals)
            return p_lo <= self.value + half + EPS and p_hi >= self.value - half - EPS
        return p_lo < self.hi and p_hi >= self.lo - EPS

    @property
    def significant(self) -> bool:
        """Does the printed p claim significance at .05? (p = .05 counts, as in statcheck)."""
        if self.kind == "eq":
            return self.value <= ALPHA + EPS
        return self.hi <= ALPHA + EPS


_BOUND = re.compile(r"^(?:p)?([<>=\u2264])?(\d*\.?\d+)$")


def parse_p(printed: str, value: float = float("nan")) -> PClaim | None:
    """The claim of a printed p: '.03' -> p in [.025, .035]; '<.01' -> p in [0, .01); 'n.s.'."""
    raw = (printed or "").strip()
    text = raw.lower().replace(" ", "").replace(",", ".")
    if text in ("n.s.", "ns", "n.s", "ns."):
        return PClaim("range", ALPHA, 1.0 + EPS, raw)
    m = _BOUND.match(text)
    if not m:
        if not np.isnan(value):
            return PClaim("eq", value, value, raw, value, decimals_of(raw, value))
        return None
    op, num = m.group(1) or "=", m.group(2)
    number = float(num)
    if op in ("<", "\u2264"):
        return PClaim("range", 0.0, number, raw)
    if op == ">":
        return PClaim("range", number, 1.0 + EPS, raw)
    decimals = len(num.split(".")[1]) if "." in num else 0
    return PClaim("eq", number, number, raw, number, decimals)


def star_claim(bound: float | None, top: int, plus: bool, text: str) -> PClaim:
    """The p range a star category claims in a table whose highest level is ``top`` stars.

    ``bound`` is .001, .01, .05 or .10 for '***', '**', '*', '+'; None for an unmarked cell.
    """
    if bound is None:
        return PClaim("range", 0.10 if plus else ALPHA, 1.0 + EPS, text or "no stars")
    if bound <= 0.001:
        return PClaim("range", 0.0, 0.001, text)
    if bound <= 0.01:
        return PClaim("range", 0.001 if top >= 3 else 0.0, 0.01, text)
    if bound <= 0.05:
        return PClaim("range", 0.01 if top >= 2 else 0.0, 0.05, text)
    return PClaim("range", ALPHA, 0.10, text)


def star_count(printed: str) -> int:
    m = re.search(r"\*+", printed or "")
    return len(m.group(0)) if m else 0


# --------------------------------------------------------------------------------------------
# p from test statistics
# --------------------------------------------------------------------------------------------

def p_value(stat: str, x: float, df1: float | None = None, df2: float | None = None) -> float:
    """p of a test statistic: 'F' (df1, df2), 't' (df), 'chi2' (df), 'r'/'rs' (df = n - 2), 'z'.

    t, r and z are two-sided; F and chi2 upper-tail.
    """
    if stat == "F":
        return float(stats.f.sf(max(x, 0.0), df1, df2))
    if stat == "t":
        return float(2 * stats.t.sf(abs(x), df1))
    if stat == "chi2":
        return float(stats.chi2.sf(max(x, 0.0), df1))
    if stat in ("r", "rs"):
        r = min(abs(x), 1.0)
        if r >= 1.0:
            return 0.0
        t = r * math.sqrt(df1 / (1.0 - r * r))
        return float(2 * stats.t.sf(t, df1))
    if stat == "z":
        return float(2 * stats.norm.sf(abs(x)))
    raise ValueError(f"unknown statistic {stat!r}")


def p_interval(stat: str, x: Number, df1: float | None = None, df2: float | None = None) -> tuple[float, float, float]:
    """(p at the printed value, smallest p, largest p) over the statistic's rounding interval."""
    p = p_value(stat, x.value, df1, df2)
    size = abs(x.value)
    big = size + x.half
    small = max(size - x.half, 0.0)
    if stat in ("r", "rs"):
        big = min(big, 1.0)
    return p, p_value(stat, big, df1, df2), p_value(stat, small, df1, df2)


def wald_interval(expb: Number, se: Number) -> tuple[float, float, float]:
    """z = |ln Exp(B)| / SE(B) at the printed values and at the ends of their rounding boxes."""
    z = abs(math.log(expb.value)) / se.value
    lo_b, hi_b = max(expb.lo, 1e-9), expb.hi
    logs = [abs(math.log(lo_b)), abs(math.log(hi_b))]
    b_min = 0.0 if lo_b <= 1.0 <= hi_b else min(logs)
    b_max = max(logs)
    se_lo, se_hi = max(se.lo, 1e-9), se.hi
    return z, b_min / se_hi, b_max / se_lo


def judge(claim: PClaim, p: float, p_lo: float, p_hi: float) -> tuple[str, bool]:
    """statcheck's verdict on a p claim: (verdict, decision_error)."""
    if claim.holds(p):
        return "consistent", False
    if claim.overlaps(p_lo, p_hi):
        return "rounding", False
    recomputed_sig_all = p_hi <= ALPHA + EPS
    recomputed_ns_all = p_lo > ALPHA + EPS
    flip = (claim.significant and recomputed_ns_all) or (not claim.significant and recomputed_sig_all)
    return "inconsistent", bool(flip)


def judge_value(printed: Number, point: float, lo: float, hi: float) -> str:
    """Verdict on a printed value against a recomputed one (point, and range over rounding)."""
    if abs(point - printed.value) <= printed.half + EPS:
        return "consistent"
    if lo <= printed.hi + EPS and hi >= printed.lo - EPS:
        return "rounding"
    return "inconsistent"


# --------------------------------------------------------------------------------------------
# One-way ANOVA and paired t from printed summaries, with their rounding boxes
# --------------------------------------------------------------------------------------------

def anova_from_summary(means, sds, ns, decimals_m: int = 2, decimals_sd: int = 2) -> dict:
    """One-way ANOVA F from group means, SDs and sizes, and F's range over their rounding box.

    Notes
    -----
    F = [sum n_i (m_i - m)^2 / (k - 1)] / [sum (n_i - 1) s_i^2 / (N - k)], m the weighted grand
    mean. The within part is monotone in each SD; the between part is a convex quadratic in the
    means, so its maximum is at a corner of the box and its minimum is found by bounded
    minimisation.
    """
    m = np.asarray(means, float)
    s = np.asarray(sds, float)
    n = np.asarray(ns, float)
    k, N = len(m), n.sum()
    hm, hs = 0.5 * 10 ** (-decimals_m), 0.5 * 10 ** (-decimals_sd)

    def bss(mm):
        grand = (n * mm).sum() / N
        return float((n * (mm - grand) ** 2).sum())

    def wss(ss):
        return float(((n - 1) * ss ** 2).sum())

    df1, df2 = k - 1, N - k
    F = (bss(m) / df1) / (wss(s) / df2)
    corners = [bss(m + hm * np.array(sign)) for sign in itertools.product((-1, 1), repeat=k)]
    res = optimize.minimize(bss, m, bounds=[(v - hm, v + hm) for v in m], method="L-BFGS-B")
    b_min = min(float(res.fun), bss(m))
    F_lo = (b_min / df1) / (wss(s + hs) / df2)
    F_hi = (max(corners) / df1) / (wss(np.maximum(s - hs, 1e-9)) / df2)
    return dict(F=F, F_lo=F_lo, F_hi=F_hi, df1=df1, df2=df2,
                p=p_value("F", F, df1, df2), p_lo=p_value("F", F_hi, df1, df2), p_hi=p_value("F", F_lo, df1, df2))


def paired_from_summary(mean: Number, sd: Number, n: int) -> dict:
    """Paired t from the mean and SD of the differences: t = M / (SD / sqrt(n)), df = n - 1."""
    t = mean.value / (sd.value / math.sqrt(n))
    t_hi = (abs(mean.value) + mean.half) / (max(sd.lo, 1e-9) / math.sqrt(n))
    t_lo = max(abs(mean.value) - mean.half, 0.0) / (sd.hi / math.sqrt(n))
    df = n - 1
    return dict(t=t, t_lo=t_lo, t_hi=t_hi, df=df, p=p_value("t", t, df),
                p_lo=p_value("t", t_hi, df), p_hi=p_value("t", t_lo, df))


# --------------------------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------------------------

def _fmt(x: float, digits: int = 3) -> str:
    """Format like the thesis: no leading zero for |x| < 1 ('.032', '-.22')."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    s = f"{x:.{digits}f}"
    if s.startswith("0."):
        return s[1:]
    if s.startswith("-0."):
        return "-" + s[2:]
    return s


def _fmt_p(p: float) -> str:
    if p < 0.001:
        return "< .001" if p >= 1e-4 else f"{p:.1e}"
    return _fmt(p, 3)


def _norm_group(group: str) -> str:
    return group[len("outcome="):] if group.startswith("outcome=") else group


class Finding:
    """The published rows of one finding (ref, perspective, wave, analysis, variable, group)."""

    def __init__(self, key: tuple, rows: list[dict]) -> None:
        self.key = key
        self.rows = rows
        self.by_stat = {r["statistic"]: r for r in rows}
        (self.ref, self.perspective, self.wave, self.analysis, self.variable, self.group) = key
        self.chapter = rows[0]["chapter"]
        self.section = rows[0]["section"]

    def stat(self, name: str) -> dict | None:
        """The row of statistic ``name`` when it carries a number."""
        r = self.by_stat.get(name)
        if r is None or r["value"] is None or (isinstance(r["value"], float) and math.isnan(r["value"])):
            return None
        return r

    @property
    def statistics(self) -> list[str]:
        return [r["statistic"] for r in self.rows]

    def base(self) -> dict:
        return dict(chapter=self.chapter, ref=self.ref, section=self.section, perspective=self.perspective,
                    wave=self.wave, analysis=self.analysis, variable=self.variable, group=self.group)


class _Published:
    """The published rows, indexed for the audit."""

    def __init__(self, rows: pd.DataFrame) -> None:
        rows = rows[rows["analysis"] != "model_spec"].copy()
        for c in ("ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic", "printed"):
            rows[c] = rows[c].fillna("").astype(str)
        rows["chapter"] = rows["ref"].map(published.chapter_of)
        rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
        records = rows[["chapter"] + FINDING_KEY + ["section", "statistic", "value", "printed"]].to_dict("records")
        grouped: dict[tuple, list[dict]] = {}
        self.by_ref: dict[str, list[dict]] = {}
        for r in records:
            grouped.setdefault(tuple(r[k] for k in FINDING_KEY), []).append(r)
            self.by_ref.setdefault(r["ref"], []).append(r)
        self.findings = {k: Finding(k, v) for k, v in grouped.items()}
        self.text_index: dict[tuple, list[Finding]] = {}
        self.table_index: dict[tuple, list[Finding]] = {}
        for f in self.findings.values():
            idx_key = (f.chapter, f.perspective, f.wave, f.variable, _norm_group(f.group), FAMILY.get(f.analysis))
            target = self.text_index if f.ref.startswith("S") else self.table_index
            target.setdefault(idx_key, []).append(f)
        self.top_stars, self.plus, self._starred = {}, {}, {}
        for ref, rs in self.by_ref.items():
            self._starred[ref] = self._is_starred(ref, rs)
            top = max((star_count(r["printed"]) for r in rs), default=0)
            bounds = [parse_p(r["printed"]) for r in rs if r["statistic"] == "p"]
            if self._starred[ref]:
                for c in bounds:
                    if c is not None and c.kind == "range" and c.lo == 0.0:
                        top = max(top, {0.001: 3, 0.01: 2, 0.05: 1}.get(round(c.hi, 3), 0))
            self.top_stars[ref] = top
            self.plus[ref] = any(re.search(r"\d\s*\+", r["printed"]) for r in rs) or any(
                c is not None and c.kind == "range" and abs(c.hi - 0.10) < 1e-9 for c in bounds)

    def _is_starred(self, ref: str, rs: list[dict]) -> bool:
        if any("*" in r["printed"] for r in rs):
            return True
        if not ref.startswith("T"):
            return False
        # p rows of findings without a test statistic: the marks sit on group cells or row labels
        return any(f.ref == ref and f.statistics == ["p"] for f in self.findings.values())

    def starred(self, ref: str) -> bool:
        """Does the table mark significance with stars (on a statistic or on group cells)?"""
        return self._starred[ref]


def _number(row: dict) -> Number:
    return Number(float(row["value"]), decimals_of(row["printed"], float(row["value"])), row["printed"])


def _test_of(f: Finding) -> dict | None:
    """The test statistic of a finding: kind, Number, dfs, label; None when it has none usable."""
    fam = FAMILY.get(f.analysis)
    get = f.stat
    if fam == "F":
        F, d1, d2 = get("F"), get("df1"), get("df2")
        if F is None or d1 is None or d2 is None:
            return None
        return dict(stat="F", x=_number(F), df1=float(d1["value"]), df2=float(d2["value"]),
                    label=f"F({d1['printed']}, {d2['printed']}) = {F['printed']}")
    if fam in ("t", "paired"):
        t, df = get("t"), get("df")
        if t is None or df is None:
            return None
        return dict(stat="t", x=_number(t), df1=float(df["value"]), df2=None,
                    label=f"t({df['printed']}) = {t['printed']}")
    if fam == "chi2":
        c, df = get("chi2"), get("df")
        if c is None or df is None:
            return None
        return dict(stat="chi2", x=_number(c), df1=float(df["value"]), df2=None,
                    label=f"chi2({df['printed']}) = {c['printed']}")
    if fam in ("r", "rs"):
        r = get(fam)
        if r is None:
            return None
        df, n = get("df"), get("n")
        if df is not None:
            d, lab = float(df["value"]), f"{fam}({df['printed']}) = {r['printed']}"
        elif n is not None:
            d, lab = float(n["value"]) - 2, f"{fam} = {r['printed']} (n = {n['printed']})"
        else:
            return None
        if d <= 0:
            return None
        return dict(stat=fam, x=_number(r), df1=d, df2=None, label=lab)
    if fam == "wald":
        e, se = get("ExpB"), get("SE")
        if e is None or se is None or float(e["value"]) <= 0 or float(se["value"]) <= 0:
            return None
        same = e["printed"] == se["printed"]
        label = f"Exp(B) (SE) = {e['printed']}" if same else f"Exp(B) = {e['printed']}, SE = {se['printed']}"
        return dict(stat="z", expb=_number(e), se=_number(se), label=label)
    return None


def _p_of_test(test: dict) -> tuple[float, float, float]:
    if test["stat"] == "z":
        z, z_lo, z_hi = wald_interval(test["expb"], test["se"])
        return p_value("z", z), p_value("z", z_hi), p_value("z", z_lo)
    return p_interval(test["stat"], test["x"], test["df1"], test["df2"])


def _recomputed_text(p: float, p_lo: float, p_hi: float) -> str:
    point = _fmt_p(p)
    head = f"p {point}" if point.startswith("<") else f"p = {point}"
    if abs(p_hi - p_lo) < 5e-4:
        return head
    return f"{head} [{_fmt_p(p_lo)}, {_fmt_p(p_hi)}]"


def _claim_text(claim: PClaim) -> str:
    if claim.kind == "eq":
        return ""
    if claim.hi > 1.0:
        return f"claims p >= {_fmt(claim.lo, 3)}"
    if claim.lo <= 0.0:
        return f"claims p < {_fmt(claim.hi, 3)}"
    return f"claims {_fmt(claim.lo, 3)} <= p < {_fmt(claim.hi, 3)}"


def _p_remark(claim: PClaim, p_hi: float) -> str:
    if claim.kind == "eq" and p_hi < claim.value - 0.5 * 10 ** (-claim.decimals) and claim.value in (0.05, 0.01, 0.001):
        return f"recomputed p is below the printed {claim.text}: the printed value may stand for p < {claim.text.lstrip('=')}"
    return ""


def _is_star_finding(f: Finding) -> bool:
    """Is the p of this finding a star mark on its statistic rather than a written p?"""
    return any(re.search(r"\*|\d\s*\+\s*$", r["printed"]) for r in f.rows if r["statistic"] != "p")


def _row(f_base: dict, **kw) -> dict:
    out = dict(f_base)
    out.update(kw)
    return out


def _star_claim_of(pub: _Published, f: Finding | None, ref: str) -> PClaim:
    top, plus = pub.top_stars[ref], pub.plus[ref]
    if f is None:
        return star_claim(None, top, plus, "no stars")
    c0 = parse_p(f.by_stat["p"]["printed"], f.by_stat["p"]["value"])
    if c0 is None:
        return star_claim(None, top, plus, "no stars")
    if c0.kind == "range" and c0.lo == 0.0:
        return star_claim(c0.hi, top, plus, c0.text)
    return c0


def check_p_values(pub: _Published) -> list[dict]:
    """p_value, and stars on a statistic: the p or stars of a finding against its own statistic.

    A statistic printed without stars in a table that uses stars claims p >= .05 (or >= .10 when
    the table uses '+').
    """
    out = []
    for f in pub.findings.values():
        test = _test_of(f)
        if test is None:
            continue
        star = _is_star_finding(f)
        prow = f.by_stat.get("p")
        if prow is not None:
            claim = parse_p(prow["printed"], prow["value"])
            if claim is None:
                continue
            if star and claim.kind == "range" and claim.lo == 0.0:
                claim = star_claim(claim.hi, pub.top_stars[f.ref], pub.plus[f.ref], claim.text)
            check = "stars" if star else "p_value"
            printed_p = prow["printed"]
        elif f.ref.startswith("T") and pub.starred(f.ref):
            claim = star_claim(None, pub.top_stars[f.ref], pub.plus[f.ref], "no stars")
            check, star, printed_p = "stars", True, "no stars"
        else:
            continue
        p, p_lo, p_hi = _p_of_test(test)
        verdict, derr = judge(claim, p, p_lo, p_hi)
        if check == "p_value":
            sep = " " if printed_p.strip()[:1] in "<>=\u2264" else " = "
            text = f"{test['label']}, p{sep}{printed_p.strip()}"
        elif printed_p == "no stars":
            text = f"{test['label']}, printed without stars in a table that uses them"
        else:
            text = test["label"]
        remark = "; ".join(x for x in (_claim_text(claim) if star else "", _p_remark(claim, p_hi)) if x)
        out.append(_row(f.base(), check=check, verdict=verdict, decision_error=derr, printed=text,
                        recomputed=_recomputed_text(p, p_lo, p_hi), source="same cell" if star else "same sentence",
                        remark=remark, value=prow["value"] if prow is not None else np.nan,
                        recomputed_value=p, lo=p_lo, hi=p_hi))
    return out


def _group_cells(rs: list[dict], persp: str, wave: str, variable: str, grouping: str) -> list[dict]:
    """Group cells (level, M, SD, n) of one variable split by ``grouping`` in one table's rows."""
    prefix = f"{grouping}="
    cells = [r for r in rs if r["perspective"] == persp and r["wave"] == wave and r["variable"] == variable
             and r["group"].startswith(prefix) and r["analysis"] in ("descriptives", "abs_diff", "rel_diff")]
    if len({r["analysis"] for r in cells}) != 1:
        return []
    sizes = [r for r in rs if r["perspective"] == persp and r["wave"] == wave and r["statistic"] == "n"
             and r["group"].startswith(prefix)]
    levels: dict[str, dict] = {}
    for r in cells:
        levels.setdefault(r["group"], {})[r["statistic"]] = r
    out = []
    for level, st in levels.items():
        M, SD = st.get("M"), st.get("SD")
        if M is None or SD is None or np.isnan(M["value"]) or np.isnan(SD["value"]):
            return []
        if "n" in st and not np.isnan(st["n"]["value"]):
            n, n_from = int(st["n"]["value"]), "cell"
        else:
            ns = {r["value"] for r in sizes if r["group"] == level and not np.isnan(r["value"])}
            if len(ns) != 1:
                return []
            n, n_from = int(ns.pop()), "column header"
        out.append(dict(level=level, M=_number(M), SD=_number(SD), n=n, printed=M["printed"], n_from=n_from))
    return out


def _groupings(rs: list[dict]) -> list[str]:
    return sorted({r["group"].split("=", 1)[0] for r in rs
                   if "=" in r["group"] and not r["group"].startswith("outcome=")})


def check_table_stars(pub: _Published) -> list[dict]:
    """Stars on group cells: against the running text's test for the same comparison, and against
    the group means, SDs and sizes printed in the table."""
    out = []
    for ref, rs in pub.by_ref.items():
        if not ref.startswith("T") or not pub.starred(ref):
            continue
        claimed = {f.key: f for f in pub.findings.values()
                   if f.ref == ref and f.statistics == ["p"] and FAMILY.get(f.analysis) is not None}
        # against the running text
        for f in claimed.values():
            claim = _star_claim_of(pub, f, ref)
            idx = (f.chapter, f.perspective, f.wave, f.variable, _norm_group(f.group), FAMILY.get(f.analysis))
            for f2 in pub.text_index.get(idx, []):
                test = _test_of(f2)
                if test is None:
                    continue
                p, p_lo, p_hi = _p_of_test(test)
                verdict, derr = judge(claim, p, p_lo, p_hi)
                out.append(_row(f.base(), check="stars", verdict=verdict, decision_error=derr,
                                printed=f"{ref}: {claim.text} (stars); {f2.ref}: {test['label']}",
                                recomputed=_recomputed_text(p, p_lo, p_hi), source=f"text {f2.ref}",
                                remark=_claim_text(claim), value=np.nan, recomputed_value=p, lo=p_lo, hi=p_hi))
        # against the group summaries, for every variable x grouping of the table
        tests = {f.analysis for f in claimed.values()}
        section = rs[0]["section"]
        if "paired_ttest" in tests:
            out += _paired_summaries(pub, ref, rs, claimed, section)
            continue
        style = {_norm_group(f.group): f.group for f in claimed.values()}
        combos = list(dict.fromkeys((r["perspective"], r["wave"], r["variable"]) for r in rs))
        for grouping in _groupings(rs):
            for persp, wave, variable in combos:
                cells = _group_cells(rs, persp, wave, variable, grouping)
                if len(cells) < 2:
                    continue
                gname = style.get(grouping, grouping)
                f = claimed.get((ref, persp, wave, "anova", variable, gname))
                claim = _star_claim_of(pub, f, ref)
                base = f.base() if f is not None else dict(
                    chapter=published.chapter_of(ref), ref=ref, section=section, perspective=persp, wave=wave,
                    analysis="anova", variable=variable, group=gname)
                dm = max(c["M"].decimals for c in cells)
                ds = max(c["SD"].decimals for c in cells)
                a = anova_from_summary([c["M"].value for c in cells], [c["SD"].value for c in cells],
                                       [c["n"] for c in cells], dm, ds)
                verdict, derr = judge(claim, a["p"], a["p_lo"], a["p_hi"])
                cells_txt = "; ".join(f"{c['level']}: {c['printed']}, n = {c['n']}" for c in cells)
                n_note = ("group sizes from the column headers (a variable with missing scores has fewer)"
                          if any(c["n_from"] == "column header" for c in cells) else "")
                out.append(_row(base, check="stars", verdict=verdict, decision_error=derr,
                                printed=f"{cells_txt}" + ("" if f is not None else " (no stars)"),
                                recomputed=f"F({a['df1']}, {a['df2']:.0f}) = {a['F']:.2f} [{a['F_lo']:.2f}, {a['F_hi']:.2f}], "
                                           + _recomputed_text(a["p"], a["p_lo"], a["p_hi"]),
                                source="table group summaries",
                                remark="; ".join(x for x in (_claim_text(claim), n_note) if x),
                                value=np.nan, recomputed_value=a["p"], lo=a["p_lo"], hi=a["p_hi"]))
    return out


def _paired_summaries(pub: _Published, ref: str, rs: list[dict], claimed: dict, section: str) -> list[dict]:
    """Stars of a paired client-officer comparison against the mean and SD of the differences."""
    out = []
    for variable in dict.fromkeys(r["variable"] for r in rs if r["analysis"] == "rel_diff"):
        rel = {r["statistic"]: r for r in rs if r["analysis"] == "rel_diff" and r["variable"] == variable and r["group"] == ""}
        M, SD = rel.get("M"), rel.get("SD")
        if M is None or SD is None or np.isnan(M["value"]) or np.isnan(SD["value"]):
            continue
        wave = M["wave"]
        if "n" in rel and not np.isnan(rel["n"]["value"]):
            ns = {rel["n"]["value"]}
        else:
            ns = {r["value"] for r in rs if r["analysis"] == "descriptives" and r["variable"] == variable
                  and r["statistic"] == "n" and r["group"] == "" and r["perspective"] in ("client", "po")}
        if len(ns) != 1:
            continue
        n = int(ns.pop())
        f = claimed.get((ref, "dyad", wave, "paired_ttest", variable, "client_vs_po"))
        claim = _star_claim_of(pub, f, ref)
        base = f.base() if f is not None else dict(
            chapter=published.chapter_of(ref), ref=ref, section=section, perspective="dyad", wave=wave,
            analysis="paired_ttest", variable=variable, group="client_vs_po")
        a = paired_from_summary(_number(M), _number(SD), n)
        verdict, derr = judge(claim, a["p"], a["p_lo"], a["p_hi"])
        out.append(_row(base, check="stars", verdict=verdict, decision_error=derr,
                        printed=f"difference client - officer M (SD) = {M['printed']}, n = {n}"
                                + ("" if f is not None else " (no stars)"),
                        recomputed=f"t({a['df']}) = {a['t']:.2f} [{a['t_lo']:.2f}, {a['t_hi']:.2f}], "
                                   + _recomputed_text(a["p"], a["p_lo"], a["p_hi"]),
                        source="table mean and SD of the differences", remark=_claim_text(claim),
                        value=np.nan, recomputed_value=a["p"], lo=a["p_lo"], hi=a["p_hi"]))
    return out


def _round_half_up(x: float, decimals: int) -> float:
    return float(Decimal(repr(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def _judge_effect(printed: Number, point: float, lo: float, hi: float) -> tuple[str, str]:
    """judge_value, plus 'rounding' for a value that only fits when rounded twice (to one more
    decimal first, then to the printed decimals)."""
    verdict = judge_value(printed, point, lo, hi)
    if verdict != "inconsistent":
        return verdict, ""
    for x in (lo, point, hi):
        twice = _round_half_up(_round_half_up(x, printed.decimals + 1), printed.decimals)
        if abs(twice - printed.value) < EPS:
            return "rounding", f"fits only when rounded twice ({x:.4f} -> {_round_half_up(x, printed.decimals + 1)} -> {twice})"
    return verdict, ""


def check_eta2(pub: _Published) -> list[dict]:
    """Eta squared against F and df: eta2 = F df1 / (F df1 + df2)."""
    out = []
    for f in pub.findings.values():
        e = f.stat("eta2")
        test = _test_of(f) if e is not None else None
        if test is None or test["stat"] != "F":
            continue
        x, d1, d2 = test["x"], test["df1"], test["df2"]
        eta = lambda F: F * d1 / (F * d1 + d2)
        point, lo, hi = eta(x.value), eta(max(x.lo, 0.0)), eta(x.hi)
        printed = _number(e)
        verdict, remark = _judge_effect(printed, point, lo, hi)
        out.append(_row(f.base(), check="eta2", verdict=verdict, decision_error=False,
                        printed=f"{test['label']}, eta2 = {e['printed']}",
                        recomputed=f"eta2 = {point:.4f} [{lo:.4f}, {hi:.4f}]", source="same sentence",
                        remark=remark, value=printed.value, recomputed_value=point, lo=lo, hi=hi))
    return out


def check_effect_sizes(pub: _Published) -> list[dict]:
    """phi / Cramer's V against chi2 and n; paired d_z against t and df."""
    out = []
    for f in pub.findings.values():
        if f.analysis == "chi2":
            c, n = f.stat("chi2"), f.stat("n")
            es, name = f.stat("phi"), "phi"
            if es is None:
                es, name = f.stat("V"), "V"
            if c is None or n is None or es is None:
                continue
            x, N = _number(c), float(n["value"])
            g = lambda v: math.sqrt(max(v, 0.0) / N)
            point, lo, hi = g(x.value), g(x.lo), g(x.hi)
            printed = _number(es)
            verdict, remark = _judge_effect(printed, point, lo, hi)
            out.append(_row(f.base(), check="effect_size", verdict=verdict, decision_error=False,
                            printed=f"chi2 = {c['printed']}, n = {n['printed']}, {name} = {es['printed']}",
                            recomputed=f"{name} = sqrt(chi2 / n) = {point:.4f} [{lo:.4f}, {hi:.4f}]",
                            source="same sentence",
                            remark="; ".join(x for x in ("assumes one side of the table has two levels", remark) if x),
                            value=printed.value, recomputed_value=point, lo=lo, hi=hi))
        elif f.analysis == "paired_ttest":
            t, df, d = f.stat("t"), f.stat("df"), f.stat("d")
            if t is None or df is None or d is None:
                continue
            x, n = _number(t), float(df["value"]) + 1
            g = lambda v: abs(v) / math.sqrt(n)
            point, lo, hi = g(x.value), g(max(abs(x.value) - x.half, 0)), g(abs(x.value) + x.half)
            printed = _number(d)
            verdict, remark = _judge_effect(Number(abs(printed.value), printed.decimals), point, lo, hi)
            out.append(_row(f.base(), check="effect_size", verdict=verdict, decision_error=False,
                            printed=f"t({df['printed']}) = {t['printed']}, d = {d['printed']}",
                            recomputed=f"d_z = |t| / sqrt(df + 1) = {point:.4f} [{lo:.4f}, {hi:.4f}]",
                            source="same sentence",
                            remark="; ".join(x for x in ("Cohen's d_z for paired data; sign ignored", remark) if x),
                            value=printed.value, recomputed_value=point, lo=lo, hi=hi))
    return out


def _group_sizes(pub: _Published, f: Finding) -> tuple[str, list[tuple[str, int]], bool] | None:
    """Group sizes printed for the comparison of ``f``: in its own table, or in the table of the same
    chapter that shows the same comparison (same perspective, wave, variable and grouping).

    Returns (table, [(level, n)], whether the sizes belong to this variable's own cells).
    """
    grouping = _norm_group(f.group)
    if not grouping or "=" in grouping or grouping in ("client_vs_po", "sample_vs_population"):
        return None
    refs = [f.ref] if f.ref.startswith("T") else []
    idx = (f.chapter, f.perspective, f.wave, f.variable, grouping, FAMILY.get(f.analysis))
    refs += [g.ref for g in pub.table_index.get(idx, [])]
    prefix = f"{grouping}="
    for ref in dict.fromkeys(refs):
        rs = pub.by_ref[ref]
        own = [r for r in rs if r["perspective"] == f.perspective and r["wave"] == f.wave
               and r["variable"] == f.variable and r["statistic"] == "n" and r["group"].startswith(prefix)]
        rows = own or [r for r in rs if r["perspective"] == f.perspective and r["wave"] == f.wave
                       and r["statistic"] == "n" and r["analysis"] == "frequency" and r["group"].startswith(prefix)]
        sizes: dict[str, set] = {}
        for r in rows:
            if not np.isnan(r["value"]):
                sizes.setdefault(r["group"], set()).add(r["value"])
        if len(sizes) >= 2 and all(len(s) == 1 for s in sizes.values()):
            return ref, [(lvl, int(next(iter(s)))) for lvl, s in sizes.items()], bool(own)
    return None


def check_df(pub: _Published) -> list[dict]:
    """Degrees of freedom against the group sizes printed for the same comparison.

    With sizes from the variable's own cells the df must match exactly; with sizes from a column
    header (the same for every variable of the table) a variable with missing scores may have
    fewer cases, so only more cases than the groups hold is inconsistent.
    """
    out = []
    for f in pub.findings.values():
        fam = FAMILY.get(f.analysis)
        if fam not in ("F", "t", "paired"):
            continue
        test = _test_of(f)
        if test is None:
            continue
        if fam == "paired":
            row = _paired_df(pub, f, test)
            if row:
                out.append(row)
            continue
        found = _group_sizes(pub, f)
        if found is None:
            continue
        ref2, sizes, own = found
        k, N = len(sizes), sum(n for _, n in sizes)
        sizes_txt = " + ".join(str(n) for _, n in sizes)
        source = "same table" if ref2 == f.ref else f"table {ref2}"
        if fam == "F":
            got1, got2 = test["df1"], test["df2"]
            implied = got2 + got1 + 1
            rec = f"df = ({k - 1}, {N - k}) from {k} groups, N = {sizes_txt} = {N}"
            problems = []
            if abs(got1 - (k - 1)) >= EPS:
                problems.append(f"df1 = {got1:g} implies {got1 + 1:g} groups, the table has {k}")
            value, want = got2, N - k
        else:
            if k != 2:
                continue
            got = test["df1"]
            n1, n2 = sizes[0][1], sizes[1][1]
            problems = []
            if abs(got - round(got)) > EPS:  # Welch
                implied = None
                if not (min(n1, n2) - 1 - EPS <= got <= n1 + n2 - 2 + EPS):
                    problems.append(f"Welch df = {got:g} outside [{min(n1, n2) - 1}, {n1 + n2 - 2}]")
                rec = f"Welch df between {min(n1, n2) - 1} and {n1 + n2 - 2} (n = {n1}, {n2})"
            else:
                implied = got + 2
                rec = f"df = {n1 + n2 - 2} from n = {n1} + {n2}"
            value, want = got, n1 + n2 - 2
        note = ""
        if implied is not None and abs(implied - N) >= EPS:
            if implied > N:
                problems.append(f"the df imply N = {implied:g}, more than the {N} in the groups")
            elif own:
                problems.append(f"the df imply N = {implied:g}, the variable's groups hold {N}")
            else:
                note = f"the df imply N = {implied:g} of the {N} in the groups (missing scores)"
        verdict = "inconsistent" if problems else "consistent"
        out.append(_row(f.base(), check="df", verdict=verdict, decision_error=False,
                        printed=f"{test['label']}; {ref2} group sizes {sizes_txt}", recomputed=rec, source=source,
                        remark="; ".join(problems) or note, value=value, recomputed_value=want, lo=np.nan, hi=np.nan))
    return out


def _paired_df(pub: _Published, f: Finding, test: dict) -> dict | None:
    """A paired t-test has df + 1 pairs, no more than either side has scores."""
    ns = []
    for side in ("client", "po"):
        for g in pub.table_index.get((f.chapter, side, f.wave, f.variable, "", None), []):
            n = g.stat("n") if g.analysis == "descriptives" else None
            if n is not None:
                ns.append((g.ref, side, int(n["value"])))
    if {side for _, side, _ in ns} != {"client", "po"}:
        return None
    pairs = int(round(test["df1"])) + 1
    limit = min(n for _, _, n in ns)
    ok = pairs <= limit
    where = ", ".join(f"{side} n = {n}" for _, side, n in ns)
    return _row(f.base(), check="df", verdict="consistent" if ok else "inconsistent", decision_error=False,
                printed=f"{test['label']}; {ns[0][0]}: {where}",
                recomputed=f"df + 1 = {pairs} pairs, at most {limit}", source=f"table {ns[0][0]}",
                remark="" if ok else f"{pairs} pairs, but one side has only {limit} scores",
                value=test["df1"], recomputed_value=limit - 1, lo=np.nan, hi=np.nan)


def _items(monitor: codebook.Monitor, perspective: str, variable: str) -> int | None:
    if variable not in SCALES or perspective not in codebook.PERSPECTIVES:
        return None
    return monitor.scale(perspective, variable).n_items


def check_grim(pub: _Published, monitor: codebook.Monitor | None = None,
               min_power: float = 0.05) -> tuple[list[dict], dict]:
    """GRIM-style granularity of person-level values (Min, Max, Mdn) of scale scores.

    Returns the findings and the counts of values skipped as not testable (means over many
    people; grids so dense that every printable value is possible).
    """
    monitor = monitor or codebook.load_monitor("as_reported")
    out, skipped = [], {"mean over many people": 0, "grid too dense": 0}
    for f in pub.findings.values():
        if f.variable not in SCALES or f.analysis not in ("descriptives", "abs_diff", "rel_diff"):
            continue
        if f.perspective == "dyad":
            if f.wave not in ("1", "2") or f.analysis == "descriptives":
                continue
            k1, k2 = _items(monitor, "client", f.variable), _items(monitor, "po", f.variable)
            kind = "absdiff" if f.analysis == "abs_diff" else "diff"
            what = f"client ({k1} items) minus officer ({k2} items)"
        elif f.perspective in ("client", "po") and f.analysis == "descriptives":
            k1 = k2 = _items(monitor, f.perspective, f.variable)
            if f.wave == "diff":
                kind, what = "diff", f"wave 2 minus wave 1, {k1} items"
            elif f.wave in ("1", "2"):
                kind, what = "single", f"{k1} items"
            else:
                continue
        else:
            continue
        if k1 is None or k2 is None:
            continue
        n_row = f.stat("n")
        n = int(n_row["value"]) if n_row is not None else None
        if f.stat("M") is not None:
            skipped["mean over many people"] += 1
        for stat in ("Min", "Max", "Mdn"):
            r = f.stat(stat)
            if r is None:
                continue
            g_kind, note = kind, ""
            if stat == "Mdn" and (n is None or n % 2 == 0):
                if kind != "single":
                    skipped["grid too dense"] += 1
                    continue
                g_kind, note = "mid", "median of an even (or unknown) n: the midpoint of two scores"
            grid = grid_for(g_kind, k1, k2)
            printed = _number(r)
            if 1.0 - grid_coverage(grid, printed.decimals) < min_power:
                skipped["grid too dense"] += 1
                continue
            dist = grid_distance(printed.value, grid)
            nearest = float(grid[np.argmin(np.abs(grid - printed.value))])
            if dist <= printed.half + EPS:
                verdict = "consistent"
            elif dist <= 10 ** (-printed.decimals) + printed.half + EPS:
                verdict = "rounding"
            else:
                verdict = "inconsistent"
            remark = note
            if verdict != "consistent" and g_kind == "single":
                fits = item_counts(printed.value, decimals=printed.decimals)
                remark = "; ".join(x for x in (note, f"item counts that fit: {fits[:8]}" if fits else "no item count up to 24 fits") if x)
            out.append(_row(f.base(), check="grim", verdict=verdict, decision_error=False,
                            printed=f"{stat} = {r['printed']}" + (f" (n = {n})" if n else ""),
                            recomputed=f"nearest possible value {nearest:.4f} ({what}, up to half missing)",
                            source=f"monitor definition ({monitor.variant})", remark=remark,
                            value=printed.value, recomputed_value=nearest, lo=np.nan, hi=np.nan))
    return out, skipped


def run(published_rows: pd.DataFrame | None = None, monitor: codebook.Monitor | None = None) -> pd.DataFrame:
    """Every check on every finding: one row per finding, check and source, in the thesis's order.

    Columns: chapter, ref, section, perspective, wave, analysis, variable, group (the finding),
    check, verdict, decision_error, printed (what the thesis prints), recomputed, source (where
    the other numbers came from), remark, and the numbers value, recomputed_value, lo, hi.
    """
    rows = published.load() if published_rows is None else published_rows
    pub = _Published(rows)
    found = check_p_values(pub) + check_table_stars(pub) + check_eta2(pub) + check_effect_sizes(pub) + check_df(pub)
    grim, _ = check_grim(pub, monitor)
    frame = pd.DataFrame(found + grim, columns=COLUMNS)
    frame["decision_error"] = frame["decision_error"].astype(bool)
    for c in ("value", "recomputed_value", "lo", "hi"):
        frame[c] = pd.to_numeric(frame[c], errors="coerce").astype(float)
    order = {c: i for i, c in enumerate(("6", "7", "8", "9", "10"))}
    frame["_c"] = frame["chapter"].map(order).fillna(99)
    frame["_r"] = frame["ref"].map(_ref_sort_key)
    frame["_k"] = frame["check"].map({c: i for i, c in enumerate(CHECKS)})
    frame = frame.sort_values(["_c", "_r", "_k", "perspective", "wave", "variable", "group", "source"],
                              kind="mergesort").drop(columns=["_c", "_r", "_k"])
    return frame.reset_index(drop=True)


def _ref_sort_key(ref: str) -> tuple:
    """'T8.10' after 'T8.9'; tables before running text."""
    parts = re.findall(r"\d+|[A-Za-z]+", ref)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def summary(audit: pd.DataFrame, by: str | list[str] = "check") -> pd.DataFrame:
    """Counts of verdicts (and decision errors) per check (or chapter), with a total row."""
    by = [by] if isinstance(by, str) else by
    table = pd.crosstab([audit[b] for b in by], audit["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    table["decision_errors"] = audit.groupby(by)["decision_error"].sum().reindex(table.index).fillna(0).astype(int)
    table["findings"] = table[list(VERDICTS)].sum(axis=1)
    if by == ["check"]:
        table = table.reindex([c for c in CHECKS if c in table.index]).fillna(0)
    elif by == ["chapter"]:
        table = table.reindex(sorted(table.index, key=lambda c: int(c) if str(c).isdigit() else 99))
    table.loc["total"] = table.sum()
    table.columns.name = None
    return table.astype(int)


def skipped_counts(published_rows: pd.DataFrame | None = None) -> dict:
    """What the GRIM check could not test, and why."""
    rows = published.load() if published_rows is None else published_rows
    return check_grim(_Published(rows))[1]
