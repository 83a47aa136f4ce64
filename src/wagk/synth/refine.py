"""Refinement of the generated item answers towards the published scale-score distributions and CFA fits.

The latent model (:mod:`wagk.synth.model`) reproduces means, SDs and correlations of the scale
scores, but not every detail of their distributions: medians sit on the wrong multiple of
1/k, and the minima and maxima of scale, change and dyad-difference scores depend on a handful
of respondents, far in the tails, that a smooth model places only roughly. :func:`refine` is a
last step of the exact-moments dataset (``generate.simulate(..., exact=True)``): it edits single
item answers by one scale point, keeping an edit only when it lowers a loss over the published
targets.

Targets (read from ``data/published`` by :mod:`wagk.synth.targets`, tolerances from
``src/wagk/tolerances.yml``):

- M, SD, Mdn, Min and Max of every scale score of Tables 8.1-8.2 and 9.1-9.2 (each wave's
  questionnaires), of the change scores (Tables 8.3 and 9.3: wave 2 minus wave 1 of the same
  client or dyad), and of both sides, the relative and the absolute differences of the dyads
  (Tables 10.2 and 10.3);
- the client-officer correlations (Table 10.1) and the stability of the absolute differences
  (Table 10.4);
- guards that keep what the latent model already reproduces: every correlation between two
  scales of the same questionnaire and between the two waves of a scale keeps its value before
  the refinement (tolerance .05);
- in a second phase, the CFI and RMSEA of the ten CFAs of Appendix 1 Tables 3 and 5 (the
  tolerances are .03 and .010). A CFA's chi-squares (model and independence model) are carried
  through the edits from a FIML fit (:class:`TrackedCFA`): an edit's effect on them costs a few
  small matrix products, so the fit indices join the loss without a refit per proposal. The phase fits the CFAs, proposes edits down the gradient of their loss, fits again
  (the tracked model chi-square keeps the fitted covariance, so it overstates how far a model
  has moved; the refit corrects that), and proposes again (``CFA_ROUNDS``, ``CFA_PROPOSALS``);
- in a third phase, run by the second stage once the clients are in their groups
  (:func:`refine_groups`, called from :mod:`wagk.synth.extend`): the M and SD of the alliance
  scores within the groups of the outcome tables (8.9-8.10, 9.9-9.11, 10.5-10.6) and of the
  running text's group comparisons (:func:`wagk.synth.moments_spec.group_descriptives`), the
  differences between the means of the two groups of a two-group comparison (``D``, on which
  its test hangs), the scores' Spearman correlations with second-stage variables (Tables
  8.4-8.5, 9.4-9.7), tracked as Pearson correlations with the variables' ranks, and their
  Pearson correlations with the clients' SMS scores (Tables 8.6-8.8, 9.8), and the first stage's
  correlations of the alliance scales with the WAI and DRI-R subscales (Appendix 1 Tables
  10-13, the subscales scored by :meth:`Problem.add_scales`), which the edits would otherwise
  blur. A correlation whose
  tolerance band reaches beyond its published significance category aims at the part of the
  band inside the category. The published tests of the group comparisons (an ANOVA's F, a t,
  or only the p's category, :func:`wagk.synth.moments_spec.group_tests`) are targets on
  sqrt(F) over the groups (``F``; for two groups the pooled-variance |t|), aimed at the middle
  of the values whose F and category the reproduction report accepts. The forward selections
  of the logistic models of Tables 10.7-10.9 are guarded by score tests (``L``, kept inside an
  interval, no loss inside; :func:`selection_targets`): a candidate the printed model leaves
  out stays below ``Z_OUT`` given the printed predictors, a printed predictor stays beyond
  ``Z_IN`` given the others; the weights come from a logistic fit on the current answers and
  are renewed between the rounds below. Its edits are drawn from the
  gradient of the whole loss (:meth:`Problem.gradient_proposals`): with every client in several
  groups, an answer is worth moving when the targets of all its groups agree. A printed
  logistic model whose forward selection still comes out differently gets the
  differences of the outcome groups' means it implies as targets (``D``), and the search goes
  on with the proposals below (a group mean's proposal moves either one scale or the
  respondent's whole alliance profile, :meth:`Problem._profile_edits`). The CFAs are fitted
  again at its end.

Loss: the sum over targets of ``huber((value - published) / tolerance)`` (quadratic up to 3
tolerances, linear beyond, so that targets the other published numbers contradict cannot
dominate). A median also pays 0.3 per respondent that keeps it from the published value
(values below ``published - 0.8 tol`` or above ``published + 0.8 tol`` beyond half the sample),
which gives the search a gradient where the median itself moves in steps of 1/k.

Search: a target is drawn with probability proportional to its loss (in the second phase: a
CFA target); it proposes an edit that moves its statistic the right way (for a maximum: the
respondent at the maximum; for a median: a respondent between the published and the current
median; for a mean: anyone; for an SD or a correlation: a respondent whose deviation points the
right way; for a CFA: a random respondent of its sample, and the answers along the gradient of
its loss). An edit changes one to three answers of one respondent in one questionnaire by one
point in the same direction, within 1-7 and never on a missing answer; it is kept when the loss
goes down. Who answered what (the missing pattern, hence every n) is not touched. The random draws come from their own stream, so
the same seed gives the same dataset.

Every statistic the loss looks at is updated from running sums and sorted copies of the score
vectors, so one proposal costs a few microseconds per affected vector (Notes of
:func:`refine`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wagk import codebook, compare, monitor_tables, scoring
from wagk.cfa import fit_indices
from wagk.synth import targets as target_rows

STATS = ("M", "SD", "Mdn", "Min", "Max")
MDN_WINDOW = 0.8  # the median counts as reached inside published +- MDN_WINDOW * tolerance
MDN_COUNT_WEIGHT = 0.3
GUARD_TOL = 0.05
MAX_STEPS = 3
FAIL_WEIGHT = 0.5  # a target whose proposals fail is drawn less often: weight = loss / (1 + 0.5 failures)
ITEM_JITTER = 2.0  # randomness of the choice among the items that lag behind
CFA_STATS = ("CFI", "RMSEA")
CFA_ROUNDS = 2  # fits of the CFAs in the second phase (each followed by CFA_PROPOSALS proposals)
CFA_PROPOSALS = 500
PROFILE_SCALES = ("trust", "goals_restriction", "bond", "reactance")
REPAIR_ROUNDS = 3  # rounds of the logistic models' repair (refine_groups)
REPAIR_PROPOSALS = 1000
PROFILE_SHARE = 0.5  # share of a group mean's proposals that move the respondent's whole profile
GROUP_PROPOSALS = 30000  # proposals of the third phase (:func:`refine_groups`)
GRADIENT_BATCH = 500  # the third phase's proposals are drawn from the gradient in batches of this size


def _interval_loss(x: float, t) -> float:
    """Huber loss of the distance of x from the interval [t.value, t.hi], in units of t.tol."""
    if x < t.value:
        return huber((x - t.value) / t.tol)
    if x > t.hi:
        return huber((x - t.hi) / t.tol)
    return 0.0


def huber(e: float, c: float = 3.0) -> float:
    a = abs(e)
    return e * e if a <= c else 2 * c * a - c * c


def _huber_slope(e: float, c: float = 3.0) -> float:
    return 2 * e if abs(e) <= c else 2 * c * np.sign(e)


def _scored(X: np.ndarray, pos: dict, sc) -> tuple:
    """A scale (codebook.Scale) of the answers X (columns at ``pos``), scored as
    :func:`wagk.scoring.scale_score`: item columns, signs, scores and answered counts."""
    idx = np.array([pos[i] for i in sc.items])
    sign = np.array([-1.0 if i in sc.reversed else 1.0 for i in sc.items])
    block = X[:, idx]
    keyed = np.where(sign < 0, codebook.ITEM_MIN + codebook.ITEM_MAX - block, block)
    ans = ~np.isnan(block)
    cnt = ans.sum(1).astype(float)
    ok = (sc.n_items - cnt) <= sc.n_items / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(ok, np.where(ans, keyed, 0).sum(1) / cnt, np.nan)
    return idx, sign, score, cnt


@dataclass
class Vector:
    """One score vector over the population (NaN outside ``rows``): a signed sum of scale scores."""

    comps: list  # (context, scale index, sign)
    absval: bool
    rows: np.ndarray  # bool, n
    raw: np.ndarray  # signed value (n)
    sorted: np.ndarray = None
    s1: float = 0.0
    s2: float = 0.0
    rawl: list = None  # raw as a list (fast access to single values)
    rowsl: list = None  # rows as a list
    targets: list = field(default_factory=list)  # indices of stat targets
    moments_only: bool = True  # its targets are M and SD only (no order statistics)
    profile: bool = False  # a group's alliance scale: its mean may move with the whole profile
    pairs: list = field(default_factory=list)  # indices of correlation targets

    def value(self, raw):
        return abs(raw) if self.absval else raw

    def at(self, i: int) -> float:
        """The value of respondent i."""
        x = self.rawl[i]
        return abs(x) if self.absval else x

    def reset(self):
        self.rowsl = self.rows.tolist()
        self.rawl = self.raw.tolist()
        x = self.value(self.raw[self.rows])
        self.sorted = np.sort(x).tolist()
        self.s1, self.s2 = float(x.sum()), float((x * x).sum())

    def replace(self, a: float, b: float):
        """One value a becomes b: the sorted copy and the running sums follow."""
        del self.sorted[bisect_left(self.sorted, a)]
        insort(self.sorted, b)
        self.s1 += b - a
        self.s2 += b * b - a * a


@dataclass
class Target:
    kind: str  # a statistic (M, SD, Mdn, Min, Max) or "r"
    v: int  # vector (r: first vector)
    value: float
    tol: float
    w: int = -1  # r: second vector
    sums: tuple = None  # r: n, Sx, Sy, Sxx, Syy, Sxy over the common rows
    common: np.ndarray = None  # r: bool rows with both
    commonl: list = None  # common as a list (fast access to single values)
    si: int = -1  # position of the statistic in STATS (-1: not a vector statistic)
    vids: tuple = ()  # F: the groups' vectors
    weights: list = None  # L: weight per respondent (0 outside the vector's rows)
    cur: float = 0.0  # L: current weighted sum
    hi: float = 0.0  # L: the target is the interval [value, hi]

    def __post_init__(self):
        self.si = STATS.index(self.kind) if self.kind in STATS else -1


@dataclass
class TrackedCFA:
    """The fit of one CFA of Appendix 1 Tables 3 and 5, followed through edits without refitting.

    With S the answers' covariance (N denominator) and Sigma the covariance the last fit implies,
    CMIN = N F with F = log|Sigma| + tr(S Sigma^-1) - log|S| - p, and the independence model's
    CMIN_b = N (sum_j log S_jj - log|S|). An edit d of respondent i's answers changes S by the
    rank-two term a (u d' + d u') + c d d' (u = x_i - mean, a = 1/N, c = (1 - 1/N)/N), so
    :meth:`delta` gives both changes exactly for the fixed Sigma: the trace term is linear, log|S|
    follows from the matrix determinant lemma (a 2 x 2 determinant), log S_jj directly. CMIN_b is
    then exact; CMIN is an upper bound of a refit's, which re-estimates Sigma and absorbs part of
    the change (:meth:`Problem.fit_cfas` refits)."""

    k: str
    label: tuple  # (ref, perspective, wave, model name)
    factors: dict
    rows: np.ndarray  # bool, n: the respondents of the fit
    pos: dict  # column of X[k] -> position among the model's items
    cols: np.ndarray  # columns of X[k], in the model's item order
    n: int = 0
    df: int = 0
    df_b: int = 0
    cmin: float = np.nan
    cmin_b: float = np.nan
    sigma_inv: np.ndarray = None
    S: np.ndarray = None
    S_inv: np.ndarray = None
    mean: np.ndarray = None
    n_obs: np.ndarray = None
    t_cfi: int = -1
    t_rmsea: int = -1
    result: object = None  # the last fit (:class:`wagk.cfa.CFAResult`), the next fit's start

    def centred(self, x: np.ndarray) -> np.ndarray:
        c = x[self.cols] - self.mean
        return np.where(np.isnan(c), 0.0, c)

    def _update(self, u: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """W (p x 2) and C (2 x 2) with dS = W C W'."""
        a = 1.0 / self.n
        return np.column_stack([u, d]), np.array([[0.0, a], [a, a * (1.0 - a)]])

    def delta(self, u: np.ndarray, d: np.ndarray) -> tuple[float, float]:
        """Changes of (CMIN, CMIN_b) when the answers of a respondent centred at u change by d."""
        W, C = self._update(u, d)
        A = np.eye(2) + C @ (W.T @ (self.S_inv @ W))
        dlogdet = float(np.log(A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]))
        dtrace = float(np.sum(C * (W.T @ (self.sigma_inv @ W))))  # tr(dS Sigma^-1) = tr(C W' Sigma^-1 W)
        j = np.flatnonzero(d)
        ds_jj = ((W[j] @ C) * W[j]).sum(axis=1)
        dlogdiag = float(np.log1p(ds_jj / self.S[j, j]).sum())
        return self.n * (dtrace - dlogdet), self.n * (dlogdiag - dlogdet)

    def gradient(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First-order change of (CMIN, CMIN_b) per unit change of each answer of a respondent
        centred at u."""
        w = self.S_inv @ u
        return 2.0 * (self.sigma_inv @ u - w), 2.0 * (u / np.diag(self.S) - w)

    def apply(self, u: np.ndarray, d: np.ndarray, cmin: float, cmin_b: float) -> None:
        """Take the edit: S and its inverse (Woodbury), the means and the chi-squares."""
        W, C = self._update(u, d)
        SW = self.S_inv @ W
        a = C[0, 1]
        K = np.array([[(a - 1.0) / a, 1.0 / a], [1.0 / a, 0.0]]) + W.T @ SW  # C^-1 + W' S^-1 W
        K_inv = np.array([[K[1, 1], -K[0, 1]], [-K[1, 0], K[0, 0]]]) / (K[0, 0] * K[1, 1] - K[0, 1] * K[1, 0])
        self.S = self.S + W @ C @ W.T
        self.S_inv = self.S_inv - SW @ K_inv @ SW.T
        self.mean = self.mean + d / self.n_obs
        self.cmin, self.cmin_b = cmin, cmin_b

    def indices(self, cmin: float, cmin_b: float) -> tuple[float, float]:
        """(CFI, RMSEA) for the chi-squares (:func:`wagk.cfa.fit_indices`), continued beyond
        their bounds where the model chi-square falls below its df (CFI above 1, RMSEA below
        0), so that a fit that has become too good still gives the search a direction."""
        f = fit_indices(cmin, self.df, cmin_b, self.df_b, self.n)
        excess = cmin - self.df
        if excess >= 0 or self.df <= 0 or cmin_b <= self.df_b:
            return f["cfi"], f["rmsea"]
        return 1.0 - excess / (cmin_b - self.df_b), -math.sqrt(-excess / (self.df * self.n))


@dataclass
class AlphaGuard:
    """Running sums for Cronbach's alpha of one scale (respondents with every item answered)."""

    k: str
    si: int
    pos: dict  # item column -> position in the scale
    sign: np.ndarray
    rows: np.ndarray
    s1: list
    s2: list
    total: np.ndarray  # keyed sum per respondent
    t1: float
    t2: float
    m: int
    target: int = -1

    def alpha(self, s1=None, s2=None, t1=None, t2=None) -> float:
        s1 = self.s1 if s1 is None else s1
        s2 = self.s2 if s2 is None else s2
        t1 = self.t1 if t1 is None else t1
        t2 = self.t2 if t2 is None else t2
        m, kk = self.m, len(self.s1)
        item_var = sum(b - a * a / m for a, b in zip(s1, s2))
        tot_var = t2 - t1 * t1 / m
        return kk / (kk - 1) * (1 - item_var / tot_var) if tot_var > 0 else 0.0

    def after(self, X: np.ndarray, i: int, edits: list):
        """New (s1, s2, t1, t2) of the edits on respondent i, or None when they do not touch it."""
        if not self.rows[i]:
            return None
        s1, s2 = list(self.s1), list(self.s2)
        dt = 0.0
        for j, d in edits:
            c = self.pos.get(j)
            if c is None:
                continue
            x = X[i, j] if self.sign[c] > 0 else codebook.ITEM_MIN + codebook.ITEM_MAX - X[i, j]
            dd = d * self.sign[c]
            s1[c] += dd
            s2[c] += (x + dd) ** 2 - x * x
            dt += dd
        if dt == 0 and s1 == self.s1:
            return None
        t0 = float(self.total[i])
        return s1, s2, self.t1 + dt, self.t2 + (t0 + dt) ** 2 - t0 * t0, dt


def _stats_after(vec: Vector, a: float, b: float):
    """M, SD, Mdn, Min and Max of ``vec`` with one value a replaced by b."""
    s = vec.sorted
    m = len(s)
    s1 = vec.s1 - a + b
    s2 = vec.s2 - a * a + b * b
    mean = s1 / m
    var = max((s2 - m * mean * mean) / (m - 1), 0.0)
    r = bisect_left(s, a)
    q = bisect_left(s, b)
    if q > r:
        q -= 1
    mdn = 0.5 * (_after_at(s, r, q, b, (m - 1) // 2) + _after_at(s, r, q, b, m // 2))
    return mean, var ** 0.5, mdn, _after_at(s, r, q, b, 0), _after_at(s, r, q, b, m - 1)


def _after_at(s: list, r: int, q: int, b: float, k: int) -> float:
    """Element k of the sorted list s after removing position r and inserting b at position q."""
    if k == q:
        return b
    if k > q:
        k -= 1
    return s[k] if k < r else s[k + 1]


def _median_count(t: Target, s: list, a: float | None, b: float | None) -> float:
    """The median's extra loss: MDN_COUNT_WEIGHT per value that keeps it from the published
    value (values beyond published -+ MDN_WINDOW tolerances past half the sample), for the
    sorted values s with a replaced by b (a None: as they are)."""
    m = len(s)
    lo, hi = t.value - MDN_WINDOW * t.tol, t.value + MDN_WINDOW * t.tol
    n_lo = bisect_left(s, lo)
    n_hi = m - bisect_right(s, hi)
    if a is not None:
        n_lo += int(b < lo) - int(a < lo)
        n_hi += int(b > hi) - int(a > hi)
    h = (m - 1) // 2
    return MDN_COUNT_WEIGHT * (max(0, n_lo - h) + max(0, n_hi - h))


def _stats(vec: Vector):
    s = vec.sorted
    m = len(s)
    mean = vec.s1 / m
    var = max((vec.s2 - m * mean * mean) / (m - 1), 0.0)
    return mean, var ** 0.5, 0.5 * (s[(m - 1) // 2] + s[m // 2]), s[0], s[-1]


class Problem:
    """The answers of the four questionnaires, their scale scores, the vectors and the targets."""

    def __init__(self, answers: dict, members: dict, monitor=None, lookup: dict | None = None,
                 tolerances: dict | None = None, guards: bool = True):
        monitor = monitor or codebook.load_monitor()
        lookup = target_rows.lookup() if lookup is None else lookup
        tolerances = tolerances or compare.load_tolerances()
        self.n = len(next(iter(members.values())))
        self.X, self.cols, self.S, self.cnt, self.valid, self.scales, self.item_scales = {}, {}, {}, {}, {}, {}, {}
        for k, frame in answers.items():
            persp = "client" if k.startswith("c") else "po"
            cols = list(frame.columns)
            pos = {c: j for j, c in enumerate(cols)}
            X = frame.to_numpy(dtype=float, copy=True)
            X[~np.asarray(members[k], bool)] = np.nan
            names = list(scoring.SCORE_COLUMNS)
            specs = [monitor.scale(persp, s) for s in names]
            if persp == "po":
                for name, item in monitor.contra_reactance.items():
                    names.append(name)
                    specs.append(codebook.Scale(name, (item,), frozenset()))
            S = np.full((self.n, len(names)), np.nan)
            cnt = np.zeros((self.n, len(names)))
            item_scales = {}
            for si, sc in enumerate(specs):
                idx, sign, S[:, si], cnt[:, si] = _scored(X, pos, sc)
                for j, sg in zip(idx, sign):
                    item_scales.setdefault(int(j), []).append((si, float(sg)))
                self.scales.setdefault(k, []).append((names[si], idx, sign))
            self.X[k], self.cols[k], self.S[k], self.cnt[k], self.item_scales[k] = X, cols, S, cnt, item_scales
            self.valid[k] = ~np.isnan(S)
        self.names = {k: [s[0] for s in self.scales[k]] for k in self.scales}
        self.alphas: dict = {}  # (context, scale index) -> AlphaGuard
        self.vectors: list[Vector] = []
        self.targets: list[Target] = []
        self.by_comp: dict = {}  # (context, scale index) -> [(vector, sign)]
        self.vector_ids: dict = {}  # (parts, absolute value, rows) -> vector (one vector per score and rows)
        self.members = {k: np.asarray(v, bool) for k, v in members.items()}
        self.lookup = lookup
        self.tolerances = tolerances
        self.cfas: list[TrackedCFA] = []
        self._build(members, lookup, tolerances, guards)

    # -- construction ---------------------------------------------------------------------------
    def _vector(self, comps, rows, absval=False) -> int:
        """The vector of the score ``comps`` over ``rows`` (where it can be scored): a new one,
        or the one already made for the same score and rows."""
        raw = np.zeros(self.n)
        ok = np.asarray(rows, bool).copy()
        for k, s, sg in comps:
            si = self.names[k].index(s)
            ok &= self.valid[k][:, si]
            raw += sg * np.nan_to_num(self.S[k][:, si])
        resolved = [(k, self.names[k].index(s), sg) for k, s, sg in comps]
        key = (tuple(resolved), absval, ok.tobytes())
        if key in self.vector_ids:
            return self.vector_ids[key]
        vid = self.vector_ids[key] = len(self.vectors)
        vec = Vector(resolved, absval, ok, np.where(ok, raw, np.nan))
        vec.reset()
        self.vectors.append(vec)
        for k, si, sg in vec.comps:
            self.by_comp.setdefault((k, si), []).append((vid, sg))
        return vid

    def score_matrix(self, comps_list: list, rows: np.ndarray | None = None) -> np.ndarray:
        """Current scores (one column per entry of ``comps_list``, each [(context, scale,
        sign)] as in :meth:`_vector`; NaN where a score is missing) over ``rows``."""
        sel = slice(None) if rows is None else rows
        return np.column_stack([sum(sg * self.S[k][sel, self.names[k].index(s)] for k, s, sg in comps)
                                for comps in comps_list])

    def _stat_targets(self, vid, key, lookup, tolerances):
        for stat in STATS:
            kk = key + (stat,)
            if kk in lookup and np.isfinite(lookup[kk]):
                rule = compare.rule_for(stat, key[3], key[4], tolerances)
                tol = rule.limit(lookup[kk])
                self.targets.append(Target(stat, vid, float(lookup[kk]), max(float(tol), 1e-6)))
                self.vectors[vid].targets.append(len(self.targets) - 1)
                self.vectors[vid].moments_only &= stat in ("M", "SD")

    def _pair(self, v, w, value, tol):
        a, b = self.vectors[v], self.vectors[w]
        common = a.rows & b.rows
        if common.sum() < 3:
            return
        t = Target("r", v, float(value), float(tol), w=w, common=common, commonl=common.tolist())
        x, y = a.value(a.raw[common]), b.value(b.raw[common])
        t.sums = tuple(float(v) for v in (common.sum(), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()))
        if not np.isfinite(t.value):
            t.value = _r(t.sums)
        self.targets.append(t)
        a.pairs.append(len(self.targets) - 1)
        b.pairs.append(len(self.targets) - 1)

    def _build(self, members, lookup, tolerances, guards):
        mem = {k: np.asarray(v, bool) for k, v in members.items()}
        tol_r = compare.rule_for("r", "correlation", "", tolerances).amount
        single = {}
        for persp, (k1, k2), refs in (("client", ("c1", "c2"), ("T8.1", "T8.2", "T8.3")),
                                      ("po", ("p1", "p2"), ("T9.1", "T9.2", "T9.3"))):
            for s in self.names[k1]:
                v1 = self._vector([(k1, s, 1.0)], mem[k1])
                v2 = self._vector([(k2, s, 1.0)], mem[k2])
                vd = self._vector([(k2, s, 1.0), (k1, s, -1.0)], mem[k1] & mem[k2])
                single[(k1, s)], single[(k2, s)] = v1, v2
                for vid, ref, wave in ((v1, refs[0], "1"), (v2, refs[1], "2"), (vd, refs[2], "diff")):
                    self._stat_targets(vid, (ref, persp, wave, "descriptives", s, ""), lookup, tolerances)
                if guards:
                    self._pair(v1, v2, np.nan, GUARD_TOL)  # stability of the scale
        if guards:
            for k in ("c1", "c2", "p1", "p2"):
                sc = list(scoring.SCORE_COLUMNS)
                for i, s in enumerate(sc):
                    for s2 in sc[i + 1:]:
                        self._pair(single[(k, s)], single[(k, s2)], np.nan, GUARD_TOL)
        if guards:
            for k in self.scales:
                for si, (name, idx, sign) in enumerate(self.scales[k]):
                    if name not in codebook.SCALES:
                        continue
                    block = self.X[k][:, idx]
                    keyed = np.where(sign < 0, codebook.ITEM_MIN + codebook.ITEM_MAX - block, block)
                    rows = ~np.isnan(keyed).any(axis=1)
                    kz = np.where(rows[:, None], keyed, 0.0)
                    tot = kz.sum(1)
                    ag = AlphaGuard(k, si, {int(j): c for c, j in enumerate(idx)}, sign, rows,
                                    kz.sum(0).tolist(), (kz * kz).sum(0).tolist(), tot,
                                    float(tot[rows].sum()), float((tot[rows] ** 2).sum()), int(rows.sum()))
                    tol_a = compare.rule_for("alpha", "alpha", name, tolerances).amount
                    self.targets.append(Target("alpha", -1, ag.alpha(), float(tol_a)))
                    ag.target = len(self.targets) - 1
                    self.alphas[(k, si)] = ag
        absd = {}
        for wave, (kc, kp), ref in (("1", ("c1", "p1"), "T10.2"), ("2", ("c2", "p2"), "T10.3")):
            dy = mem[kc] & mem[kp]
            for s in scoring.SCORE_COLUMNS:
                vc = self._vector([(kc, s, 1.0)], dy)
                vp = self._vector([(kp, s, 1.0)], dy)
                vr = self._vector([(kc, s, 1.0), (kp, s, -1.0)], dy)
                va = self._vector([(kc, s, 1.0), (kp, s, -1.0)], dy, absval=True)
                absd[(wave, s)] = va
                self._stat_targets(vc, (ref, "client", wave, "descriptives", s, ""), lookup, tolerances)
                self._stat_targets(vp, (ref, "po", wave, "descriptives", s, ""), lookup, tolerances)
                self._stat_targets(vr, (ref, "dyad", wave, "rel_diff", s, ""), lookup, tolerances)
                self._stat_targets(va, (ref, "dyad", wave, "abs_diff", s, ""), lookup, tolerances)
                key = ("T10.1", "dyad", wave, "correlation", s, "client_vs_po", "r")
                if key in lookup:
                    self._pair(vc, vp, lookup[key], tol_r)
        for s in scoring.SCORE_COLUMNS:
            key = ("T10.4", "dyad", "1+2", "correlation", s, "abs_diff_w1_vs_w2", "r")
            if key in lookup:
                self._pair(absd[("1", s)], absd[("2", s)], lookup[key], tol_r)
        self.loss = np.array([self._target_loss(t, self._current(t)) for t in self.targets])

    # -- the CFAs of Appendix 1 Tables 3 and 5 -------------------------------------------------------
    def add_cfas(self) -> list[int]:
        """Targets for the CFI and RMSEA of every published CFA (each questionnaire's respondents
        with a wave-1 client interview, as :func:`wagk.monitor_tables.appendix1_samples`), each
        CFA fitted; returns the indices of the new targets."""
        new = []
        for k in ("c1", "c2", "p1", "p2"):
            persp, wave = ("client" if k.startswith("c") else "po"), k[1]
            for (ref, name), factors in monitor_tables.appendix1_models(persp).items():
                keys = {stat: (ref, persp, wave, "cfa_fit", "wa_gk_model", name, stat) for stat in CFA_STATS}
                if not all(key in self.lookup for key in keys.values()):
                    continue
                items = list(dict.fromkeys(i for its in factors.values() for i in its))
                cols = np.array([self.cols[k].index(i) for i in items])
                m = TrackedCFA(k, (ref, persp, wave, name), factors, self.members[k] & self.members["c1"],
                              {int(c): q for q, c in enumerate(cols)}, cols)
                mi = len(self.cfas)
                for stat in CFA_STATS:
                    tol = compare.rule_for(stat, "cfa_fit", "wa_gk_model", self.tolerances).amount
                    self.targets.append(Target(stat, mi, self.lookup[keys[stat]], tol))
                    new.append(len(self.targets) - 1)
                m.t_cfi, m.t_rmsea = new[-2], new[-1]
                self.cfas.append(m)
        self.loss = np.r_[self.loss, np.zeros(len(new))]
        self.fit_cfas()
        return new

    def _new_losses(self, new: list[int]) -> list[int]:
        """Append the current losses of the new targets ``new``; returns ``new``."""
        self.loss = np.r_[self.loss, [self._target_loss(self.targets[t], self._current(self.targets[t])) for t in new]]
        return new

    # -- statistics within groups of clients (after the second stage) --------------------------------
    def add_groups(self, groups: list[dict]) -> list[int]:
        """Targets for the M and SD of scores within groups of the population: each group a dict
        of ``comps`` (as :meth:`_vector`), ``rows`` (bool, n), ``absval`` and ``stats``
        (statistic -> (published value, tolerance)). Returns the indices of the new targets."""
        new = []
        for grp in groups:
            vid = self._vector(grp["comps"], grp["rows"], absval=grp.get("absval", False))
            if self.vectors[vid].rows.sum() < 2:
                continue
            comps = grp["comps"]
            self.vectors[vid].profile = (len(comps) == 1 and not grp.get("absval", False)
                                         and comps[0][1] in PROFILE_SCALES + ("total",))
            for stat, (value, tol) in grp["stats"].items():
                if stat not in ("M", "SD"):
                    raise ValueError(f"group statistic {stat!r}: only M and SD are tracked")
                self.targets.append(Target(stat, vid, float(value), max(float(tol), 1e-6)))
                self.vectors[vid].targets.append(len(self.targets) - 1)
                new.append(len(self.targets) - 1)
        return self._new_losses(new)

    def add_scales(self, k: str, scales: list[tuple]) -> None:
        """More scales of context k's questionnaire, each (name, codebook.Scale), scored as the
        analysis scores them, so that targets can name them (e.g. the instrument subscales of
        Appendix 1 Tables 10-13). Names already there are left as they are."""
        pos = {c: j for j, c in enumerate(self.cols[k])}
        for name, sc in scales:
            if name in self.names[k]:
                continue
            si = len(self.names[k])
            idx, sign, score, cnt = _scored(self.X[k], pos, sc)
            self.S[k] = np.column_stack([self.S[k], score])
            self.cnt[k] = np.column_stack([self.cnt[k], cnt])
            self.valid[k] = ~np.isnan(self.S[k])
            for j, sg in zip(idx, sign):
                self.item_scales[k].setdefault(int(j), []).append((si, float(sg)))
            self.scales[k].append((name, idx, sign))
            self.names[k].append(name)

    def add_correlations(self, pairs: list[dict]) -> list[int]:
        """Targets for the correlation of two scores over the rows where both are known: each a
        dict of ``comps``, ``comps_b``, ``rows``, ``value`` and ``tol``. Returns the indices of the
        new targets."""
        new = []
        for c in pairs:
            before = len(self.targets)
            self._pair(self._vector(c["comps"], c["rows"]), self._vector(c["comps_b"], c["rows"]), c["value"], c["tol"])
            new += list(range(before, len(self.targets)))
        return self._new_losses(new)

    def add_fixed_correlations(self, pairs: list[dict]) -> list[int]:
        """Targets for the correlation of a score with a fixed variable of the second stage
        (each a dict of ``comps``, ``rows``, ``other``: the variable's values over the
        population, NaN unknown, ``value`` and ``tol``). Returns the indices of the new targets."""
        new = []
        for c in pairs:
            v = self._vector(c["comps"], np.ones(self.n, bool))
            ok = np.asarray(c["rows"], bool) & self.vectors[v].rows & ~np.isnan(c["other"])
            w = len(self.vectors)
            fixed = Vector([], False, ok, np.where(ok, c["other"], np.nan))
            fixed.reset()
            self.vectors.append(fixed)
            before = len(self.targets)
            self._pair(v, w, c["value"], c["tol"])
            new += list(range(before, len(self.targets)))
        return self._new_losses(new)

    def add_contrasts(self, contrasts: list[dict]) -> list[int]:
        """Targets for differences of means between two groups (``D`` = mean over ``rows`` minus
        mean over ``rows_b``, disjoint): each a dict of ``comps``, ``rows``, ``rows_b``,
        ``value`` and ``tol``. Returns the indices of the new targets."""
        new = []
        for c in contrasts:
            v = self._vector(c["comps"], c["rows"], absval=c.get("absval", False))
            w = self._vector(c["comps"], c["rows_b"], absval=c.get("absval", False))
            if self.vectors[v].rows.sum() < 1 or self.vectors[w].rows.sum() < 1:
                continue
            self.targets.append(Target("D", v, float(c["value"]), max(float(c["tol"]), 1e-6), w=w))
            ti = len(self.targets) - 1
            self.vectors[v].pairs.append(ti)
            self.vectors[w].pairs.append(ti)
            new.append(ti)
        return self._new_losses(new)

    def add_tests(self, tests: list[dict]) -> list[int]:
        """Targets for a one-way ANOVA's F over groups of the population, as sqrt(F) (for two
        groups the pooled-variance |t|): each a dict of ``comps``, ``groups`` (bool row masks,
        disjoint), ``absval``, ``value`` and ``tol``. Returns the indices of the new targets."""
        new = []
        for c in tests:
            vids = tuple(self._vector(c["comps"], rows, absval=c.get("absval", False)) for rows in c["groups"])
            sizes = [int(self.vectors[v].rows.sum()) for v in vids]
            if min(sizes) < 1 or sum(sizes) <= len(vids):
                continue
            self.targets.append(Target("F", vids[0], float(c["value"]), max(float(c["tol"]), 1e-6), vids=vids))
            ti = len(self.targets) - 1
            for v in vids:
                self.vectors[v].pairs.append(ti)
            new.append(ti)
        return self._new_losses(new)

    def add_linear(self, items: list[dict]) -> list[int]:
        """Targets for weighted sums of a score, sum_i weight_i x_i, kept inside an interval (no
        loss inside): each a dict of ``comps``, ``rows``, ``weights`` (n), ``lo``, ``hi`` and
        ``tol``. The weights can be renewed (:meth:`set_linear`). Returns the new indices."""
        new = []
        for c in items:
            v = self._vector(c["comps"], c["rows"])
            self.targets.append(Target("L", v, float(c["lo"]), max(float(c["tol"]), 1e-6)))
            ti = len(self.targets) - 1
            self.vectors[v].pairs.append(ti)
            self.set_linear(ti, c["weights"], c["lo"], c["hi"], update_loss=False)
            new.append(ti)
        return self._new_losses(new)

    def set_linear(self, ti: int, weights: np.ndarray, lo: float, hi: float, update_loss: bool = True) -> None:
        t = self.targets[ti]
        vec = self.vectors[t.v]
        w = np.where(vec.rows, weights, 0.0)
        t.weights, t.value, t.hi = w.tolist(), float(lo), float(hi)
        t.cur = float(w[vec.rows] @ vec.value(vec.raw[vec.rows]))
        if update_loss:
            self.loss[ti] = self._target_loss(t, self._current(t))

    def fit_cfas(self) -> None:
        """Fit the CFAs to the current answers (:func:`wagk.monitor_tables.fit_model`, starting
        from the last fit) and track them from there (:class:`TrackedCFA`). An improper or
        failed fit takes its targets out until the next fit."""
        for m in self.cfas:
            x = self.X[m.k][m.rows][:, m.cols]
            names = [self.cols[m.k][c] for c in m.cols]
            start = m.result if m.result is not None and m.result.converged else None
            res = m.result = monitor_tables.fit_model(pd.DataFrame(x, columns=names), m.factors, start=start)
            if not res.converged:
                m.sigma_inv = None
                self.loss[[m.t_cfi, m.t_rmsea]] = 0.0
                continue
            sigma = _implied_covariance(res, names)
            S = np.ma.cov(np.ma.masked_invalid(x), rowvar=False, bias=True).filled(0.0)
            m.n, m.df, m.df_b = res.n, res.df, res.baseline_df
            m.cmin, m.cmin_b = res.cmin, res.baseline_cmin
            m.sigma_inv, m.S, m.S_inv = np.linalg.inv(sigma), S, np.linalg.inv(S)
            m.n_obs = (~np.isnan(x)).sum(axis=0)
            m.mean = np.nanmean(x, axis=0)
            self.loss[[m.t_cfi, m.t_rmsea]] = self._cfa_losses(m, m.cmin, m.cmin_b)

    def _cfa_losses(self, m: TrackedCFA, cmin: float, cmin_b: float) -> tuple[float, float]:
        cfi, rmsea = m.indices(cmin, cmin_b)
        tc, tr = self.targets[m.t_cfi], self.targets[m.t_rmsea]
        return huber((cfi - tc.value) / tc.tol), huber((rmsea - tr.value) / tr.tol)

    # -- losses ---------------------------------------------------------------------------------
    def _current(self, t: Target):
        if t.kind == "alpha":
            return (t.value,)
        if t.kind == "r":
            return (_r(t.sums),)
        if t.kind == "D":
            return (self._contrast(t),)
        if t.kind == "F":
            return (self._root_f(t),)
        if t.kind == "L":
            return (t.cur,)
        vec = self.vectors[t.v]
        return _stats(vec) + (vec.sorted, None, None)

    def _target_loss(self, t: Target, cur) -> float:
        if t.kind in ("r", "alpha", "D", "F"):
            return huber((cur[0] - t.value) / t.tol)
        if t.kind == "L":
            return _interval_loss(cur[0], t)
        loss = huber((cur[t.si] - t.value) / t.tol)
        if t.kind == "Mdn":
            loss += _median_count(t, *cur[5:8])
        return loss

    def total_loss(self) -> float:
        return float(self.loss.sum())

    # -- proposals ------------------------------------------------------------------------------
    def score_deltas(self, k: str, i: int, edits: list) -> dict:
        """Scale-score changes of respondent i in context k for edits [(item index, +-1)]."""
        out = {}
        for j, d in edits:
            for si, sg in self.item_scales[k].get(j, ()):
                if self.valid[k][i, si]:
                    out[si] = out.get(si, 0.0) + sg * d / self.cnt[k][i, si]
        return out

    def evaluate(self, k: str, i: int, edits: list):
        """(change of the loss, bookkeeping for :meth:`apply`) of the edits."""
        ds = self.score_deltas(k, i, edits)
        newraw = {}
        vectors = self.vectors
        for si, d in ds.items():
            for vid, sg in self.by_comp.get((k, si), ()):
                if vectors[vid].rowsl[i]:
                    newraw[vid] = newraw.get(vid, vectors[vid].rawl[i]) + sg * d
        delta = 0.0
        newloss = {}
        newstats = {}
        for vid, raw in newraw.items():
            vec = vectors[vid]
            a, b = vec.at(i), (abs(raw) if vec.absval else raw)
            if a == b:
                continue
            newstats[vid] = (a, b)
            if not vec.targets:
                continue
            if vec.moments_only:  # M and SD only: no need to place b in the sorted copy
                m = len(vec.sorted)
                mean = (vec.s1 - a + b) / m
                sd = max((vec.s2 - a * a + b * b - m * mean * mean) / (m - 1), 0.0) ** 0.5
                for ti in vec.targets:
                    t = self.targets[ti]
                    nl = huber(((mean if t.kind == "M" else sd) - t.value) / t.tol)
                    newloss[ti] = nl
                    delta += nl - self.loss[ti]
                continue
            st = _stats_after(vec, a, b)
            for ti in vec.targets:
                t = self.targets[ti]
                e = (st[t.si] - t.value) / t.tol
                nl = huber(e)
                if t.si == 2:
                    nl += _median_count(t, vec.sorted, a, b)
                newloss[ti] = nl
                delta += nl - self.loss[ti]
        for vid in newstats:
            for ti in self.vectors[vid].pairs:
                if ti in newloss:
                    continue
                t = self.targets[ti]
                if t.kind == "L":
                    a, b = newstats[t.v]
                    nl = _interval_loss(t.cur + t.weights[i] * (b - a), t)
                    newloss[ti] = nl
                    delta += nl - self.loss[ti]
                    continue
                if t.kind in ("D", "F"):
                    nl = huber(((self._contrast(t, newstats) if t.kind == "D" else self._root_f(t, newstats))
                                - t.value) / t.tol)
                    newloss[ti] = nl
                    delta += nl - self.loss[ti]
                    continue
                if not t.commonl[i]:
                    continue
                sums = self._pair_sums(t, i, newstats)
                nl = huber((_r(sums) - t.value) / t.tol)
                newloss[ti] = nl
                delta += nl - self.loss[ti]
        alpha_new = {}
        for si in ds:
            ag = self.alphas.get((k, si))
            if ag is None:
                continue
            new = ag.after(self.X[k], i, edits)
            if new is None:
                continue
            t = self.targets[ag.target]
            nl = huber((ag.alpha(*new[:4]) - t.value) / t.tol)
            alpha_new[(k, si)] = new
            newloss[ag.target] = nl
            delta += nl - self.loss[ag.target]
        cfa_new = {}
        for mi, m in enumerate(self.cfas):
            if m.k != k or m.sigma_inv is None or not m.rows[i]:
                continue
            d = np.zeros(len(m.cols))
            for j, dd in edits:
                if j in m.pos:
                    d[m.pos[j]] += dd
            if not d.any():
                continue
            u = m.centred(self.X[k][i])
            dc, db = m.delta(u, d)
            cfa_new[mi] = (u, d, m.cmin + dc, m.cmin_b + db)
            for ti, nl in zip((m.t_cfi, m.t_rmsea), self._cfa_losses(m, m.cmin + dc, m.cmin_b + db)):
                newloss[ti] = nl
                delta += nl - self.loss[ti]
        return delta, (k, i, edits, ds, newraw, newloss, alpha_new, cfa_new)

    def score_gradient(self) -> dict:
        """Context -> (n x scales) d loss / d scale score, from the M, SD, r and D targets (the
        order statistics, alphas and CFAs are left to :meth:`evaluate`)."""
        g = {k: np.zeros_like(S) for k, S in self.S.items()}
        cache = {}

        def values(vid):
            if vid not in cache:
                vec = self.vectors[vid]
                rows = np.flatnonzero(vec.rows)
                raw = vec.raw[rows]
                cache[vid] = (rows, vec.value(raw), np.sign(raw) if vec.absval else None)
            return cache[vid]

        def push(vid, rows, dx, sgn):
            vec = self.vectors[vid]
            if sgn is not None:
                dx = dx * sgn
            for k, si, sg in vec.comps:
                g[k][rows, si] += sg * dx

        for ti, t in enumerate(self.targets):
            if self.loss[ti] < 1e-9 or t.kind not in ("M", "SD", "r", "D", "F", "L"):
                continue
            if t.kind in ("M", "SD"):
                rows, x, sgn = values(t.v)
                n = len(x)
                if n < 2:
                    continue
                mean = self.vectors[t.v].s1 / n
                if t.kind == "M":
                    w = _huber_slope((mean - t.value) / t.tol) / t.tol
                    push(t.v, rows, np.full(n, w / n), sgn)
                else:
                    sd = max((self.vectors[t.v].s2 - n * mean * mean) / (n - 1), 1e-12) ** 0.5
                    w = _huber_slope((sd - t.value) / t.tol) / t.tol
                    push(t.v, rows, w * (x - mean) / ((n - 1) * sd), sgn)
            elif t.kind == "D":
                w = _huber_slope((self._contrast(t) - t.value) / t.tol) / t.tol
                for vid, sign in ((t.v, 1.0), (t.w, -1.0)):
                    rows, x, sgn = values(vid)
                    push(vid, rows, np.full(len(x), sign * w / len(x)), sgn)
            elif t.kind == "L":
                e = (t.cur - t.value) if t.cur < t.value else (t.cur - t.hi)
                w = _huber_slope(e / t.tol) / t.tol
                rows, x, sgn = values(t.v)
                push(t.v, rows, w * np.asarray(t.weights)[rows], sgn)
            elif t.kind == "F":
                sums, N, m, ssb, ssw = self._anova(t)
                k = len(sums)
                c = (N - k) / (k - 1)
                root = max(c * ssb / ssw, 1e-12) ** 0.5
                w = _huber_slope((root - t.value) / t.tol) / t.tol
                for vid, (n, mg, _) in zip(t.vids, sums):
                    rows, x, sgn = values(vid)
                    dF = c * (2 * (mg - m) * ssw - ssb * 2 * (x - mg)) / ssw ** 2
                    push(vid, rows, w * dF / (2 * root), sgn)
            else:
                r = _r(t.sums)
                w = _huber_slope((r - t.value) / t.tol) / t.tol
                c = np.flatnonzero(t.common)
                vx, vy = self.vectors[t.v], self.vectors[t.w]
                x, y = vx.value(vx.raw[c]), vy.value(vy.raw[c])
                xc, yc = x - x.mean(), y - y.mean()
                sxx, syy = float(xc @ xc), float(yc @ yc)
                if sxx <= 0 or syy <= 0:
                    continue
                q = (sxx * syy) ** 0.5
                push(t.v, c, w * (yc / q - r * xc / sxx), np.sign(vx.raw[c]) if vx.absval else None)
                push(t.w, c, w * (xc / q - r * yc / syy), np.sign(vy.raw[c]) if vy.absval else None)
        return g

    def item_gradient(self) -> dict:
        """Context -> (n x items) d loss / d answer (NaN-free, 0 where no scale counts it)."""
        out = {}
        for k, gs in self.score_gradient().items():
            with np.errstate(invalid="ignore", divide="ignore"):
                per = np.where(self.valid[k], gs / self.cnt[k], 0.0)
            G = np.zeros_like(self.X[k])
            for si, (_name, idx, sign) in enumerate(self.scales[k]):
                G[:, idx] += per[:, [si]] * sign
            out[k] = np.where(np.isnan(self.X[k]), 0.0, G)
        return out

    def gradient_proposals(self, g: np.random.Generator, size: int) -> list:
        """``size`` single-answer edits drawn with probability proportional to the loss's
        gradient, each one point down the gradient within 1-7."""
        keys, flat = [], []
        for k, G in self.item_gradient().items():
            X = self.X[k]
            d = -np.sign(G)
            ok = (d != 0) & ~np.isnan(X) & (X + d >= codebook.ITEM_MIN) & (X + d <= codebook.ITEM_MAX)
            w = np.where(ok, np.abs(G), 0.0)
            keys.append((k, G.shape[1], d))
            flat.append(w.ravel())
        w = np.concatenate(flat)
        nz = np.flatnonzero(w > 0)
        if not len(nz):
            return []
        pick = g.choice(nz, size=min(size, len(nz)), replace=False, p=w[nz] / w[nz].sum())
        out, offs = [], np.cumsum([0] + [len(f) for f in flat])
        for p in pick:
            c = int(np.searchsorted(offs, p, side="right") - 1)
            k, m, d = keys[c]
            i, j = divmod(int(p - offs[c]), m)
            out.append((k, i, [(j, float(d[i, j]))]))
        return out

    def _contrast(self, t: Target, newstats: dict | None = None) -> float:
        """Mean of vector t.v minus mean of vector t.w (after the changes ``newstats``)."""
        out = 0.0
        for vid, sign in ((t.v, 1.0), (t.w, -1.0)):
            vec = self.vectors[vid]
            s1 = vec.s1
            if newstats and vid in newstats:
                a, b = newstats[vid]
                s1 += b - a
            out += sign * s1 / len(vec.sorted)
        return out

    def _group_sums(self, vid: int, newstats: dict | None = None) -> tuple[int, float, float]:
        """n, mean and sum of squared deviations of vector vid (after the changes ``newstats``)."""
        vec = self.vectors[vid]
        s1, s2 = vec.s1, vec.s2
        if newstats and vid in newstats:
            a, b = newstats[vid]
            s1, s2 = s1 + b - a, s2 + b * b - a * a
        n = len(vec.sorted)
        return n, s1 / n, max(s2 - s1 * s1 / n, 0.0)

    def _anova(self, t: Target, newstats: dict | None = None) -> tuple[list, int, float, float, float]:
        """The one-way ANOVA over the groups t.vids (after the changes ``newstats``): each group's
        (n, mean, SS), N, the grand mean, the SS between and the SS within the groups."""
        sums = [self._group_sums(v, newstats) for v in t.vids]
        N = sum(n for n, _, _ in sums)
        m = sum(n * mg for n, mg, _ in sums) / N
        ssb = sum(n * (mg - m) ** 2 for n, mg, _ in sums)
        ssw = max(sum(ss for _, _, ss in sums), 1e-12)
        return sums, N, m, ssb, ssw

    def _root_f(self, t: Target, newstats: dict | None = None) -> float:
        """sqrt(F) of the one-way ANOVA over the groups t.vids (after the changes ``newstats``)."""
        _sums, N, _m, ssb, ssw = self._anova(t, newstats)
        k = len(t.vids)
        return ((N - k) / (k - 1) * ssb / ssw) ** 0.5

    def _pair_sums(self, t: Target, i: int, newstats: dict) -> np.ndarray:
        vx, vy = self.vectors[t.v], self.vectors[t.w]
        x0, y0 = vx.at(i), vy.at(i)
        x1 = newstats[t.v][1] if t.v in newstats else x0
        y1 = newstats[t.w][1] if t.w in newstats else y0
        n, sx, sy, sxx, syy, sxy = t.sums
        return (n, sx - x0 + x1, sy - y0 + y1, sxx - x0 * x0 + x1 * x1, syy - y0 * y0 + y1 * y1,
                sxy - x0 * y0 + x1 * y1)

    def apply(self, book) -> None:
        k, i, edits, ds, newraw, newloss, alpha_new, cfa_new = book
        for mi, args in cfa_new.items():
            self.cfas[mi].apply(*args)
        for key, (s1, s2, t1, t2, dt) in alpha_new.items():
            ag = self.alphas[key]
            ag.s1, ag.s2, ag.t1, ag.t2 = s1, s2, t1, t2
            ag.total[i] += dt
        changed = {vid: (self.vectors[vid].at(i), self.vectors[vid].value(raw)) for vid, raw in newraw.items()}
        seen = set()
        for vid in changed:
            for ti in self.vectors[vid].pairs:
                t = self.targets[ti]
                if ti in seen:
                    continue
                if t.kind == "L":
                    seen.add(ti)
                    a, b = changed[t.v]
                    t.cur += t.weights[i] * (b - a)
                    continue
                if t.kind in ("D", "F") or not t.commonl[i]:
                    continue
                seen.add(ti)
                t.sums = self._pair_sums(t, i, changed)
        for j, d in edits:
            self.X[k][i, j] += d
        for si, d in ds.items():
            self.S[k][i, si] += d
        for vid, raw in newraw.items():
            vec = self.vectors[vid]
            vec.replace(*changed[vid])
            vec.raw[i] = raw
            vec.rawl[i] = raw
        for ti, nl in newloss.items():
            self.loss[ti] = nl

    def propose(self, ti: int, g: np.random.Generator):
        """Edits (context, respondent, [(item, +-1)]) that move target ti towards its value, or None."""
        t = self.targets[ti]
        if t.kind == "alpha":
            return None
        if t.kind in CFA_STATS:
            return self._cfa_edits(self.cfas[t.v], g)
        if t.kind == "L":
            want = 1.0 if t.cur < t.value else -1.0
            rows = np.flatnonzero(self.vectors[t.v].rows)
            i = int(rows[g.integers(len(rows))])
            dv = want * np.sign(t.weights[i])
            return self._edits(t.v, i, dv, 1, g) if dv else None
        if t.kind == "F":  # a respondent of one group moves away from (or towards) the grand mean
            sums, _N, m, _ssb, _ssw = self._anova(t)
            gi = int(g.integers(len(t.vids)))
            rows = np.flatnonzero(self.vectors[t.vids[gi]].rows)
            dv = np.sign(t.value - self._root_f(t)) * (np.sign(sums[gi][1] - m) or 1.0)
            if not len(rows) or dv == 0:
                return None
            return self._edits(t.vids[gi], int(rows[g.integers(len(rows))]), dv, 1, g)
        if t.kind == "D":
            want = np.sign(t.value - self._contrast(t))
            v, dv = (t.v, want) if g.random() < 0.5 else (t.w, -want)
            rows = np.flatnonzero(self.vectors[v].rows)
            if not len(rows) or dv == 0:
                return None
            return self._edits(v, int(rows[g.integers(len(rows))]), dv, 1, g)
        if t.kind == "r":
            v, w = (t.v, t.w) if g.random() < 0.5 else (t.w, t.v)
            if not self.vectors[v].comps:
                v, w = w, v
            vx, vy = self.vectors[v], self.vectors[w]
            rows = np.flatnonzero(t.common)
            i = int(rows[g.integers(len(rows))])
            want = np.sign(t.value - _r(t.sums))
            y = vy.value(vy.raw[rows])
            dv = want * np.sign(vy.value(vy.raw[i]) - y.mean())
            return self._edits(v, i, dv, 1, g)
        vec = self.vectors[t.v]
        cur = _stats(vec)[STATS.index(t.kind)]
        want = np.sign(t.value - cur)
        if want == 0:
            return None
        rows = np.flatnonzero(vec.rows)
        vals = vec.value(vec.raw[rows])
        steps = 1
        if t.kind == "M":
            i = int(rows[g.integers(len(rows))])
            dv = want
            if vec.profile and g.random() < PROFILE_SHARE:
                return self._profile_edits(t.v, i, dv, g)
        elif t.kind == "SD":
            i = int(rows[g.integers(len(rows))])
            dv = want * np.sign(vec.value(vec.raw[i]) - vals.mean())
        elif t.kind in ("Min", "Max"):
            extreme = (t.kind == "Min") == (want > 0)  # raise the minimum / lower the maximum: the extreme one
            order = np.argsort(vals if t.kind == "Min" else -vals, kind="stable")
            pick = order[:1] if extreme else order[:5]
            if extreme:
                ties = np.flatnonzero(vals == vals[order[0]])
                pick = ties
            i = int(rows[pick[g.integers(len(pick))]])
            dv = want
            steps = MAX_STEPS
        else:  # Mdn: a respondent between the published and the current median crosses over
            lo, hi = t.value - MDN_WINDOW * t.tol, t.value + MDN_WINDOW * t.tol
            band = (vals >= lo) & (vals <= cur) if want < 0 else (vals <= hi) & (vals >= cur)
            cand = np.flatnonzero(band)
            if not len(cand):
                return None
            i = int(rows[cand[g.integers(len(cand))]])
            dv = want
            steps = int(g.integers(1, MAX_STEPS + 1))
        if dv == 0:
            dv = 1.0 if g.random() < 0.5 else -1.0
        return self._edits(t.v, i, dv, steps, g)

    def _cfa_edits(self, m: TrackedCFA, g: np.random.Generator):
        """Edits of a random respondent of the CFA's sample down the gradient of its fit loss:
        the one to three answers whose move changes the loss most (to first order)."""
        if m.sigma_inv is None:
            return None
        rows = np.flatnonzero(m.rows)
        i = int(rows[g.integers(len(rows))])
        lc = [sum(self._cfa_losses(m, m.cmin + e, m.cmin_b)) for e in (-0.5, 0.5)]
        lb = [sum(self._cfa_losses(m, m.cmin, m.cmin_b + e)) for e in (-0.5, 0.5)]
        gc, gb = m.gradient(m.centred(self.X[m.k][i]))
        grad = (lc[1] - lc[0]) * gc + (lb[1] - lb[0]) * gb  # d loss / d answers
        d = -np.sign(grad)
        x = self.X[m.k][i, m.cols]
        ok = ~np.isnan(x) & (d != 0) & (x + d >= codebook.ITEM_MIN) & (x + d <= codebook.ITEM_MAX)
        cand = np.flatnonzero(ok)
        if not len(cand):
            return None
        order = np.argsort(-np.abs(grad[cand]) * (0.5 + g.random(len(cand))), kind="stable")
        pick = cand[order[:int(g.integers(1, MAX_STEPS + 1))]]
        return m.k, i, [(int(m.cols[q]), float(d[q])) for q in pick]

    def _profile_edits(self, vid: int, i: int, dv: float, g: np.random.Generator):
        """One answer of each alliance subscale of respondent i, moved with the targeted scale
        (reactance against the others): the group's mean moves while the respondent's profile,
        hence the correlations between the scales within the group, keeps its shape."""
        k, si, _sg = self.vectors[vid].comps[0]
        name = self.scales[k][si][0]
        edits = []
        for s_name in PROFILE_SCALES:
            # reactance runs against the other scales (and the total, where it is reverse keyed)
            sdv = dv if (s_name == "reactance") == (name == "reactance") else -dv
            _n, idx, sign = self.scales[k][self.names[k].index(s_name)]
            x = self.X[k][i, idx]
            d = sdv * sign
            ok = ~np.isnan(x) & (x + d >= codebook.ITEM_MIN) & (x + d <= codebook.ITEM_MAX)
            ok &= ~np.isin(idx, [j for j, _ in edits])  # an item of two subscales moves once
            cand = np.flatnonzero(ok)
            if not len(cand):
                continue
            keyed = np.where(sign < 0, codebook.ITEM_MIN + codebook.ITEM_MAX - x, x)[cand]
            c = cand[np.argmin(keyed * sdv + ITEM_JITTER * g.random(len(cand)))]
            edits.append((int(idx[c]), float(d[c])))
        return (k, i, edits) if edits else None

    def _edits(self, vid: int, i: int, dv: float, steps: int, g: np.random.Generator):
        vec = self.vectors[vid]
        if vec.absval:
            sgn = np.sign(vec.raw[i])
            dv = dv * (sgn if sgn != 0 else (1.0 if g.random() < 0.5 else -1.0))
        k, si, sg = vec.comps[g.integers(len(vec.comps))]
        _name, idx, sign = self.scales[k][si]
        x = self.X[k][i, idx]
        d = dv * sg * sign  # raw direction per item of the scale
        ok = ~np.isnan(x) & (x + d >= codebook.ITEM_MIN) & (x + d <= codebook.ITEM_MAX)
        cand = np.flatnonzero(ok)
        if not len(cand):
            return None
        # prefer the items that lag behind the move (keyed value low when the score goes up):
        # the respondent's answers become more consistent, which keeps the scale's alpha
        keyed = np.where(sign < 0, codebook.ITEM_MIN + codebook.ITEM_MAX - x, x)[cand]
        order = np.argsort(keyed * (dv * sg) + ITEM_JITTER * g.random(len(cand)), kind="stable")
        pick = cand[order[:steps]]
        return k, i, [(int(idx[c]), float(d[c])) for c in pick]


def _r(sums) -> float:
    n, sx, sy, sxx, syy, sxy = sums
    vx, vy = n * sxx - sx * sx, n * syy - sy * sy
    if vx <= 0 or vy <= 0:
        return 0.0
    return (n * sxy - sx * sy) / (vx * vy) ** 0.5


def _implied_covariance(res, items: list[str]) -> np.ndarray:
    """Sigma = Lambda Phi Lambda' + Theta of a fitted CFA (:class:`wagk.cfa.CFAResult`, no
    residual covariances), in the items' units and the order of ``items``."""
    lam = res.loadings.loc[items]
    phi = res.factor_corr.loc[lam.columns, lam.columns].to_numpy()
    return lam.to_numpy() @ phi @ lam.to_numpy().T + np.diag(res.residual_var.loc[items].to_numpy())


def refine(answers: dict, members: dict, g: np.random.Generator, proposals: int = 2500,
           cfa_rounds: int = CFA_ROUNDS, cfa_proposals: int = CFA_PROPOSALS,
           problem: Problem | None = None, **kw) -> tuple[dict, dict]:
    """Edit item answers so that the scale-score statistics come closer to the published ones.

    Parameters
    ----------
    answers : dict
        Context (``c1``, ``c2``, ``p1``, ``p2``) -> DataFrame of item answers (one row per person
        of the population, NaN = missing), as :func:`wagk.synth.generate.simulate` builds them.
    members : dict
        Context -> bool array: who has that questionnaire.
    g : numpy Generator
        The refinement's own random stream.
    proposals : int
        Number of proposed edits of the first phase (each kept only when the loss goes down).
    cfa_rounds, cfa_proposals : int
        The second phase: rounds of fitting the Appendix 1 CFAs, each followed by this many
        proposals for their targets (0 rounds: no second phase).

    Returns
    -------
    (answers, info)
        New DataFrames (same shape, dtype float, same missing cells) and a dict with the loss
        before and after, the number of first-phase proposals, the kept edits of both phases,
        ``cfa_fits`` (per round: the fitted CFI and RMSEA of each CFA, None for an improper or
        failed fit) and the ``problem``.

    Notes
    -----
    Module docstring: targets, loss and search. For each proposal only the vectors that contain
    the edited respondent's changed scale scores are updated: mean and SD from running sums,
    median, minimum and maximum by locating the replaced value in the vector's sorted copy,
    correlations from running cross-products. Validated against a from-scratch computation in
    ``tests/test_synth_refine.py``.
    """
    prob = problem or Problem(answers, members, **kw)
    before = prob.total_loss()
    fails = np.zeros(len(prob.targets))
    kept = _search(prob, g, proposals, fails, np.arange(len(prob.targets)))
    fit = {}
    if cfa_rounds:
        ids = np.array(prob.add_cfas(), dtype=int)
        fails = np.r_[fails, np.zeros(len(ids))]
        for r in range(cfa_rounds):
            if r:
                prob.fit_cfas()
            fit[r] = {m.label: m.indices(m.cmin, m.cmin_b) if m.sigma_inv is not None else None for m in prob.cfas}
            kept += _search(prob, g, cfa_proposals, fails, ids)
    out = {}
    for k, frame in answers.items():
        new = frame.copy()
        X = prob.X[k]
        rows = ~np.isnan(X).all(axis=1)
        vals = frame.to_numpy(dtype=float, copy=True)
        vals[rows] = X[rows]
        out[k] = new.__class__(vals, index=frame.index, columns=frame.columns)
    return out, dict(loss_before=before, loss_after=prob.total_loss(), proposals=proposals, kept=kept,
                     cfa_fits=fit, problem=prob)


def refine_groups(prob: Problem, groups: list[dict], g: np.random.Generator,
                  proposals: int = GROUP_PROPOSALS, models: list[dict] | None = None,
                  correlations: list[dict] | None = None, contrasts: list[dict] | None = None,
                  tests: list[dict] | None = None, score_correlations: list[dict] | None = None) -> dict:
    """The third phase, after the second stage has placed the clients in groups (outcomes, RISc
    categories, ...): targets for the published M and SD of the alliance scores within those
    groups join the loss of :func:`refine`'s problem (:meth:`Problem.add_groups`), and so do
    ``contrasts``, differences between two groups' means (:meth:`Problem.add_contrasts`),
    ``tests``, one-way ANOVAs over groups (:meth:`Problem.add_tests`), ``correlations``, the
    scores' correlations with fixed variables of the second stage
    (:meth:`Problem.add_fixed_correlations`), and ``score_correlations``, correlations between
    two scores (:meth:`Problem.add_correlations`), which the edits would otherwise blur, and the
    score tests of each model's candidates (:func:`selection_targets`). The edits
    are drawn from the gradient of the whole loss (:meth:`Problem.gradient_proposals`), so the
    first two phases' targets keep their weight.

    ``models``: the logistic models of Tables 10.7-10.9, each a dict of ``comps`` (candidate
    scores), ``rows``, ``y`` (the outcome on those rows), ``selected`` (the indices of the
    printed predictors) and ``contrasts`` (the group contrasts the printed model implies, for
    :meth:`Problem.add_contrasts`). After the search, a model whose forward selection
    (:func:`wagk.logistic.forward_stepwise`'s rules) differs from the printed one gets its
    contrasts as targets, the score tests are renewed at the current fits, and the search goes
    on (``REPAIR_ROUNDS`` x ``REPAIR_PROPOSALS``).
    The CFAs are fitted again at the end. Returns the loss before and after, the number of
    kept edits, the new targets and the models repaired."""
    ids = prob.add_contrasts(contrasts or [])
    ids += prob.add_tests(tests or [])
    ids += prob.add_fixed_correlations(correlations or [])
    ids += prob.add_correlations(score_correlations or [])
    ids += prob.add_groups(groups)
    zt = [prob.add_linear(selection_targets(prob, m)) for m in models or []]
    ids += [t for z in zt for t in z]
    before = prob.total_loss()
    fails = np.zeros(len(prob.targets))
    kept = _gradient_search(prob, g, proposals)
    repaired = []
    for _ in range(REPAIR_ROUNDS if models else 0):
        bad = [mi for mi, m in enumerate(models) if mi not in repaired and selection(prob, m) != m["selected"]]
        if not bad:
            break
        for m, tis in zip(models, zt):  # the score tests at the current fits
            for ti, spec in zip(tis, selection_targets(prob, m)):
                prob.set_linear(ti, spec["weights"], spec["lo"], spec["hi"])
        for mi in bad:
            ids += prob.add_contrasts(models[mi]["contrasts"])
        repaired += bad
        fails = np.r_[fails, np.zeros(len(prob.targets) - len(fails))]
        kept += _search(prob, g, REPAIR_PROPOSALS, fails, np.arange(len(prob.targets)))
    if prob.cfas:  # the CFAs' tracked chi-squares drift: fit again and mend their targets
        prob.fit_cfas()
        cfa = np.array([ti for m in prob.cfas for ti in (m.t_cfi, m.t_rmsea)], dtype=int)
        kept += _search(prob, g, CFA_PROPOSALS, fails, cfa)
    return dict(loss_before=before, loss_after=prob.total_loss(), kept=kept, targets=np.array(ids, dtype=int),
                repaired=repaired)


Z_OUT = 1.5  # |score z| of a candidate the printed model leaves out stays below
Z_IN = 2.5  # |score z| of a printed predictor, given the others, stays above
Z_TOL = 0.05  # their tolerance: so tight that they act as constraints


def selection_targets(prob: Problem, model: dict) -> list[dict]:
    """Score tests of a logistic model's candidates as targets (:meth:`Problem.add_linear`):
    Rao's score statistic of a candidate the printed model leaves out, given the printed
    predictors, and of each printed predictor, given the other printed ones, as the weighted
    sum z = sum_i x_i (y_i - p_i) / sqrt(V) at the current fit (p_i, V fixed until renewed)."""
    from wagk.logistic import _newton, _score_parts

    X = prob.score_matrix(model["comps"], model["rows"])
    X = X - X.mean(axis=0)
    y = model["y"]
    idx = np.flatnonzero(model["rows"])
    sel = sorted(model["selected"])
    out = []
    for k in range(X.shape[1]):
        given = [j for j in sel if j != k]
        D = np.column_stack([np.ones(len(y))] + [X[:, j] for j in given])
        fit = _newton(D, y)
        x = X[:, k]
        _U, V, _Icc = _score_parts(D, x[:, None], y, fit.p)
        weights = np.zeros(prob.n)
        if V is not None and V[0] > 1e-12:
            weights[idx] = (y - fit.p) / V[0] ** 0.5
        z = float(weights[idx] @ x)
        if k in sel:
            lo, hi = (Z_IN, 1e9) if z >= 0 else (-1e9, -Z_IN)
        else:
            lo, hi = -Z_OUT, Z_OUT
        out.append(dict(comps=model["comps"][k], rows=model["rows"], weights=weights, lo=lo, hi=hi, tol=Z_TOL))
    return out


def selection(prob: Problem, model: dict) -> set:
    """Indices of the candidates a forward stepwise logistic regression (LR removal, entry
    p < .05, removal p > .10, as the analysis) selects on the current answers."""
    from wagk.logistic import _select

    X = prob.score_matrix(model["comps"], model["rows"])
    sel = _select(X, model["y"], "lr", 0.05, 0.10, 2 * X.shape[1])[0]
    return set(sel)


def _gradient_search(prob: Problem, g: np.random.Generator, proposals: int, batch: int = GRADIENT_BATCH) -> int:
    """Propose edits in batches drawn from the loss's gradient (:meth:`Problem.gradient_proposals`,
    recomputed for each batch); keep an edit when the whole loss goes down. Returns the number
    kept."""
    kept = done = 0
    while done < proposals:
        for prop in prob.gradient_proposals(g, min(batch, proposals - done)):
            delta, book = prob.evaluate(*prop)
            if delta < -1e-9:
                prob.apply(book)
                kept += 1
        done += batch
    return kept


def _search(prob: Problem, g: np.random.Generator, proposals: int, fails: np.ndarray, ids: np.ndarray) -> int:
    """Propose edits for the targets ``ids`` (drawn by loss, less often after failures); keep an
    edit when the whole loss goes down. Returns the number kept."""
    kept = 0
    for _ in range(proposals):
        weight = prob.loss[ids] / (1.0 + fails[ids])
        tot = weight.sum()
        if tot <= 1e-9:
            break
        pick = int(np.searchsorted(np.cumsum(weight), g.random() * tot, side="right"))
        ti = int(ids[min(pick, len(ids) - 1)])
        prop = prob.propose(ti, g)
        if prop is not None:
            delta, book = prob.evaluate(*prop)
            if delta < -1e-9:
                prob.apply(book)
                kept += 1
                fails[ti] = 0.0
                continue
        fails[ti] += FAIL_WEIGHT
    return kept
