"""Moment matching for categorical variables: who gets which level, so that group statistics fit.

After the design has fixed how many clients of each cell have each level
(:func:`wagk.synth.links.allocate`) and the latent variable has given a first assignment
(:func:`wagk.synth.links.assign`), :func:`refine` exchanges the levels of pairs of clients who
are alike in everything the targets look at (same cell, same score availability), so that every
n stays as designed, and keeps an exchange when it brings the group statistics closer to their
targets. The targets (``params["moments"]``, taken from the published tables by the calibration,
:mod:`wagk.synth.moments_spec`) are of these kinds:

=====  =====================================================================================
kind   statistic (over the clients of ``subset`` with a score and a level)
=====  =====================================================================================
M, SD  mean / SD of ``score`` among clients with one of ``levels``
D      difference of means: ``levels`` minus ``levels_b`` (group contrasts are fitted as
       differences, so that a shift of the whole sample, which this stage cannot change, does
       not distort them)
F      one-way ANOVA F of ``score`` over ``groups`` (lists of levels)
r      correlation of ``score`` with the level codes (Spearman: of the score's ranks with the
       levels' mid-ranks)
phi    association with another categorical column: signed phi for 2 x 2 tables, otherwise
       sqrt(chi2 / n); ``chi`` the chi-square itself
=====  =====================================================================================

The objective is the weighted sum of squared errors in units of each target's tolerance.
Exchanges are proposed in batches; the best of a batch is kept when it lowers the objective.
Every statistic is kept as running sums per level, so a batch is evaluated in one vectorised
step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BATCH = 96


@dataclass
class Target:
    kind: str
    elig: np.ndarray  # bool (n): in the subset and with a score (phi: with the other variable)
    x: np.ndarray  # score (n); ranks for a Spearman target
    value: float
    tol: float
    weight: float = 1.0
    levels: tuple = ()  # M, SD, D: state indices counted as the group
    levels_b: tuple = ()  # D: the comparison group
    groups: tuple = ()  # F: tuple of tuples of state indices
    codes: np.ndarray | None = None  # r: value per state index
    other: np.ndarray | None = None  # phi/chi: the other variable's code per person, -1 = missing
    rows: tuple = ()  # phi/chi: state indices used
    cols: tuple = ()  # phi/chi: the other variable's codes used
    spearman: bool = False  # r: the level codes become their mid-ranks among the eligible


# ------------------------------------------------------------------------------------------
# direct evaluation (reference implementation, used by the tests)
# ------------------------------------------------------------------------------------------

def _table_stat(tab: np.ndarray, kind: str) -> float:
    tab = tab[tab.sum(1) > 0][:, tab.sum(0) > 0]
    if tab.shape[0] < 2 or tab.shape[1] < 2:
        return np.nan
    n = tab.sum()
    exp = np.outer(tab.sum(1), tab.sum(0)) / n
    chi2 = float(((tab - exp) ** 2 / exp).sum())
    if kind == "chi":
        return chi2
    if tab.shape == (2, 2):
        (a, b), (c, d) = tab
        return float((a * d - b * c) / np.sqrt(tab.sum(1).prod() * tab.sum(0).prod()))
    return float(np.sqrt(chi2 / n))


def statistic(t: Target, state: np.ndarray) -> float:
    """The target's statistic for a state vector, computed from scratch."""
    e = t.elig
    if t.kind in ("M", "SD"):
        x = t.x[e & np.isin(state, t.levels)]
        if len(x) < 2:
            return np.nan
        return float(x.mean()) if t.kind == "M" else float(x.std(ddof=1))
    if t.kind == "D":
        a, b = t.x[e & np.isin(state, t.levels)], t.x[e & np.isin(state, t.levels_b)]
        return float(a.mean() - b.mean()) if len(a) and len(b) else np.nan
    if t.kind == "F":
        arrays = [t.x[e & np.isin(state, g)] for g in t.groups]
        arrays = [a for a in arrays if len(a)]
        n = sum(len(a) for a in arrays)
        k = len(arrays)
        if k < 2 or n - k < 1:
            return np.nan
        grand = np.concatenate(arrays).mean()
        ssb = sum(len(a) * (a.mean() - grand) ** 2 for a in arrays)
        ssw = sum(((a - a.mean()) ** 2).sum() for a in arrays)
        return float((ssb / (k - 1)) / (ssw / (n - k))) if ssw > 0 else np.nan
    if t.kind == "r":
        e = e & (state > 0)
        codes = _codes(t, state)
        c = codes[state[e]]
        x = t.x[e]
        if np.std(c) == 0 or np.std(x) == 0:
            return np.nan
        return float(np.corrcoef(x, c)[0, 1])
    if t.kind in ("phi", "chi"):
        m = t.elig & np.isin(state, t.rows) & np.isin(t.other, t.cols)
        tab = np.zeros((len(t.rows), len(t.cols)))
        ri = {s: i for i, s in enumerate(t.rows)}
        ci = {s: i for i, s in enumerate(t.cols)}
        for a, b in zip(state[m], t.other[m]):
            tab[ri[a], ci[b]] += 1
        return _table_stat(tab, t.kind)
    raise ValueError(f"unknown target kind {t.kind!r}")


def _codes(t: Target, state: np.ndarray) -> np.ndarray:
    """Level scores of an r target: the codes, or their mid-ranks among the eligible."""
    if not t.spearman:
        return np.asarray(t.codes, float)
    L = len(t.codes)
    cnt = np.bincount(state[t.elig & (state > 0)], minlength=L).astype(float)[:L]
    out = np.zeros(L)
    start = 0.0
    for o in [o for o in np.argsort(t.codes, kind="mergesort") if o > 0]:
        out[o] = start + (cnt[o] + 1) / 2
        start += cnt[o]
    return out


def objective(targets: list[Target], state: np.ndarray) -> float:
    """The objective computed from scratch (slow; for tests and checks)."""
    total = 0.0
    for t in targets:
        v = statistic(t, state)
        if not np.isnan(v):
            total += t.weight * ((v - t.value) / t.tol) ** 2
    return total


# ------------------------------------------------------------------------------------------
# incremental evaluation
# ------------------------------------------------------------------------------------------

def _table_stats(tabs: np.ndarray, kind: str) -> np.ndarray:
    """:func:`_table_stat` over a stack of tables (m x R x C); empty rows and columns drop out."""
    n = tabs.sum((1, 2))
    rs = tabs.sum(2)
    cs = tabs.sum(1)
    with np.errstate(all="ignore"):
        exp = rs[:, :, None] * cs[:, None, :] / n[:, None, None]
        chi2 = np.where(exp > 0, (tabs - exp) ** 2 / np.where(exp > 0, exp, 1), 0.0).sum((1, 2))
        if kind == "chi":
            return chi2
        if tabs.shape[1:] == (2, 2):
            a, b, c, d = tabs[:, 0, 0], tabs[:, 0, 1], tabs[:, 1, 0], tabs[:, 1, 1]
            return (a * d - b * c) / np.sqrt(rs.prod(1) * cs.prod(1))
        return np.sqrt(chi2 / n)


class _Engine:
    """Running sums per target and level; a batch of exchanges is evaluated at once."""

    def __init__(self, targets: list[Target], state: np.ndarray, n_states: int):
        self.L = n_states
        self.sum_t = [t for t in targets if t.kind in ("M", "SD", "D", "F", "r")]
        n = len(state)
        T = len(self.sum_t)
        self.E = np.array([t.elig for t in self.sum_t], float).reshape(T, n)
        self.X = np.array([np.where(t.elig, t.x, 0.0) for t in self.sum_t], float).reshape(T, n)
        oh = np.zeros((n, n_states))
        oh[np.arange(n), state] = 1
        self.N = self.E @ oh
        self.S1 = self.X @ oh
        self.S2 = (self.X ** 2) @ oh
        self.kind = np.array([t.kind for t in self.sum_t])
        self.val = np.array([t.value for t in self.sum_t], float)
        self.w = np.array([t.weight / t.tol ** 2 for t in self.sum_t], float)
        self.lv = np.zeros((T, n_states))
        self.lvb = np.zeros((T, n_states))
        self.codes = np.zeros((T, n_states))
        self.f_idx = np.flatnonzero(self.kind == "F")
        G = max([len(self.sum_t[k].groups) for k in self.f_idx] + [1])
        self.G = np.zeros((len(self.f_idx), G, n_states))
        self.r_idx = np.flatnonzero(self.kind == "r")
        self.has_d = bool((self.kind == "D").any())
        for k, t in enumerate(self.sum_t):
            if t.kind in ("M", "SD", "D"):
                self.lv[k, list(t.levels)] = 1
                self.lvb[k, list(t.levels_b)] = 1
            elif t.kind == "r":
                self.lv[k, 1:] = 1
                c = _codes(t, state)
                self.codes[k, :len(c)] = c
        for j, k in enumerate(self.f_idx):
            for g, levels in enumerate(self.sum_t[k].groups):
                self.G[j, g, list(levels)] = 1
        self.tabs = []
        for t in targets:
            if t.kind not in ("phi", "chi"):
                continue
            ri = np.full(n_states, -1)
            for i, s_ in enumerate(t.rows):
                ri[s_] = i
            ci = {c: i for i, c in enumerate(t.cols)}
            oc = np.array([ci.get(int(o), -1) for o in t.other])
            oc = np.where(t.elig, oc, -1)
            tab = np.zeros((len(t.rows), len(t.cols)))
            for a, b in zip(state[oc >= 0], oc[oc >= 0]):
                if ri[a] >= 0:
                    tab[ri[a], b] += 1
            self.tabs.append(dict(t=t, ri=ri, oc=oc, tab=tab))

    def _sum_stats(self, N, S1, S2) -> np.ndarray:
        """Statistic per target (an optional leading batch dimension)."""
        sub = "...tl,tl->...t"
        with np.errstate(all="ignore"):
            n = np.einsum(sub, N, self.lv)
            s1 = np.einsum(sub, S1, self.lv)
            s2 = np.einsum(sub, S2, self.lv)
            out = np.where(self.kind == "M", s1 / n, np.sqrt((s2 - s1 ** 2 / n) / (n - 1)))
            if self.has_d:
                nb = np.einsum(sub, N, self.lvb)
                s1b = np.einsum(sub, S1, self.lvb)
                out = np.where(self.kind == "D", s1 / n - s1b / np.where(nb > 0, nb, np.nan), out)
            if len(self.f_idx):
                f = self.f_idx
                ng = np.einsum("...tl,tgl->...tg", N[..., f, :], self.G)
                s1g = np.einsum("...tl,tgl->...tg", S1[..., f, :], self.G)
                s2g = np.einsum("...tl,tgl->...tg", S2[..., f, :], self.G)
                valid = ng > 0
                safe = np.where(valid, ng, 1)
                k = valid.sum(-1)
                nt = ng.sum(-1)
                ssw = np.where(valid, s2g - s1g ** 2 / safe, 0).sum(-1)
                ssb = np.where(valid, s1g ** 2 / safe, 0).sum(-1) - s1g.sum(-1) ** 2 / nt
                out[..., f] = (ssb / (k - 1)) / (ssw / (nt - k))
            if len(self.r_idx):
                r = self.r_idx
                lv, cd = self.lv[r], self.codes[r] * self.lv[r]
                Nr, S1r, S2r = N[..., r, :], S1[..., r, :], S2[..., r, :]
                nn = np.einsum(sub, Nr, lv)
                sx = np.einsum(sub, S1r, lv)
                sxx = np.einsum(sub, S2r, lv)
                sc = np.einsum(sub, Nr, cd)
                scc = np.einsum(sub, Nr, cd * self.codes[r])
                sxc = np.einsum(sub, S1r, cd)
                out[..., r] = (sxc - sx * sc / nn) / np.sqrt((sxx - sx ** 2 / nn) * (scc - sc ** 2 / nn))
        return out

    def _loss(self, stats: np.ndarray) -> np.ndarray:
        d = np.where(np.isnan(stats), 0.0, stats - self.val)
        return (self.w * d ** 2).sum(-1)

    def current(self) -> float:
        loss = float(self._loss(self._sum_stats(self.N, self.S1, self.S2))) if len(self.sum_t) else 0.0
        for tb in self.tabs:
            v = _table_stats(tb["tab"][None], tb["t"].kind)[0]
            if not np.isnan(v):
                loss += tb["t"].weight * ((v - tb["t"].value) / tb["t"].tol) ** 2
        return loss

    def batch(self, I: np.ndarray, J: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, list]:
        """Loss after each exchange (I[c], J[c]) and the association tables it would give."""
        A, B = state[I], state[J]
        m = len(I)
        c = np.arange(m)
        if len(self.sum_t):
            mask = self.E[:, I].T
            dx = (self.X[:, J] - self.X[:, I]).T * mask
            dq = (self.X[:, J] ** 2 - self.X[:, I] ** 2).T * mask
            move = np.zeros((m, self.L))
            move[c, A] += 1
            move[c, B] -= 1
            S1 = self.S1[None] + dx[..., None] * move[:, None, :]
            S2 = self.S2[None] + dq[..., None] * move[:, None, :]
            N = np.broadcast_to(self.N[None], S1.shape)
            loss = self._loss(self._sum_stats(N, S1, S2))
        else:
            loss = np.zeros(m)
        tabs = []
        for tb in self.tabs:
            T = np.repeat(tb["tab"][None], m, axis=0)
            oi, oj = tb["oc"][I], tb["oc"][J]
            ra, rb = tb["ri"][A], tb["ri"][B]
            for o, src, dst in ((oi, ra, rb), (oj, rb, ra)):
                k = (o >= 0) & (src >= 0)
                np.add.at(T, (c[k], src[k], o[k]), -1)
                k = (o >= 0) & (dst >= 0)
                np.add.at(T, (c[k], dst[k], o[k]), 1)
            v = _table_stats(T, tb["t"].kind)
            loss = loss + np.where(np.isnan(v), 0.0, tb["t"].weight * ((v - tb["t"].value) / tb["t"].tol) ** 2)
            tabs.append(T)
        return loss, tabs

    def accept(self, i: int, j: int, state: np.ndarray, tabs: list, k: int) -> None:
        a, b = state[i], state[j]
        if len(self.sum_t):
            mask = self.E[:, i]
            dx = (self.X[:, j] - self.X[:, i]) * mask
            dq = (self.X[:, j] ** 2 - self.X[:, i] ** 2) * mask
            self.S1[:, a] += dx
            self.S1[:, b] -= dx
            self.S2[:, a] += dq
            self.S2[:, b] -= dq
        for tb, T in zip(self.tabs, tabs):
            tb["tab"] = T[k]


def _classes(targets: list[Target], cell: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Exchange class per person: same cell and the same eligibility for every target, so that
    an exchange keeps the n of every statistic; -1 for persons without a level."""
    key = [cell.astype(np.int64)] + [t.elig.astype(np.int64) for t in targets]
    K = np.unique(np.column_stack(key), axis=1)
    _, cls = np.unique(K, axis=0, return_inverse=True)
    cls = np.asarray(cls).ravel().copy()
    cls[~known] = -1
    return cls


def refine(state: np.ndarray, targets: list[Target], cell: np.ndarray, rng: np.random.Generator,
           n_states: int | None = None, max_batches: int = 300, patience: int = 25,
           temperature: float = 0.0) -> np.ndarray:
    """Exchange levels between alike persons while the objective falls (module docstring).

    Parameters
    ----------
    state : ndarray of int
        Level index per person (0 = missing).
    targets : list of Target
    cell : ndarray of int
        The allocation cell of every person (exchanges stay inside a cell).
    rng : numpy Generator
    n_states : int, optional
        Number of states including "missing" (default: the largest index + 1).
    max_batches, patience : int
        At most ``max_batches`` batches; stop after ``patience`` batches without improvement
        (25: longer searches, up to 800 batches with a patience of 100, changed the share of the
        published numbers within tolerance by less than one percentage point).

    Returns
    -------
    The new state (a copy); every count per cell and level is unchanged.
    """
    state = np.asarray(state, int).copy()
    if not targets:
        return state
    cls = _classes(targets, cell, state > 0)
    groups = []
    for c in np.unique(cls[cls >= 0]):
        idx = np.flatnonzero(cls == c)
        if len(idx) > 1 and len(np.unique(state[idx])) > 1:
            groups.append(idx)
    if not groups:
        return state
    flat = np.concatenate(groups)
    sizes = np.array([len(g) for g in groups])
    offs = np.r_[0, np.cumsum(sizes)[:-1]]
    prob = sizes / sizes.sum()
    eng = _Engine(targets, state, int(state.max()) + 1 if n_states is None else int(n_states))
    best = eng.current()
    cur = best
    best_state = state.copy()
    stale = 0
    for it in range(max_batches):
        temp = temperature * (1 - it / max_batches)
        g = rng.choice(len(groups), size=BATCH, p=prob)
        I = flat[offs[g] + (rng.random(BATCH) * sizes[g]).astype(int)]
        J = flat[offs[g] + (rng.random(BATCH) * sizes[g]).astype(int)]
        keep = state[I] != state[J]
        I, J = I[keep], J[keep]
        if not len(I):
            stale += 1
            if stale >= patience:
                break
            continue
        loss, tabs = eng.batch(I, J, state)
        k = int(np.argmin(loss))
        delta = loss[k] - cur
        if delta < -1e-9 or (temp > 0 and rng.random() < np.exp(-delta / temp)):
            eng.accept(I[k], J[k], state, tabs, k)
            state[I[k]], state[J[k]] = state[J[k]], state[I[k]]
            cur = float(loss[k])
        if cur < best - 1e-9:
            best = cur
            best_state = state.copy()
            stale = 0
        else:
            stale += 1
        if (temp == 0 and stale >= patience) or best < 1e-6:
            break
    return best_state
