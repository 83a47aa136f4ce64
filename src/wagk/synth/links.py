"""Machinery of the background, motivation and outcome generator (the links to the alliance).

The generator of background variables, motivation and outcomes (:mod:`wagk.synth.extend`) draws
every new variable *conditionally on the alliance data that the item-level generator produced*:

1. :func:`population` scores the generated questionnaires exactly as the analysis does and
   builds the predictor matrix ``X``: the standardised scale scores of every questionnaire
   (``c1_trust`` ... ``p2_cr25``), the changes (``cd_``, ``pd_``), the absolute client-officer
   differences (``a1_``, ``a2_``) and the participation flags. A client without a questionnaire
   gets a stand-in score, predicted from the latent factors of that questionnaire plus noise, so
   that ``X`` is complete; analyses never see stand-ins (they only use observed scores).
2. :func:`latent` makes a standard-normal latent variable whose in-sample correlations with
   chosen predictors are the requested ones: ``L = X_S b + sqrt(1 - b'C b) e`` with
   ``b = (C_SS + ridge I)^-1 rho_S`` and a noise ``e`` orthogonal to every predictor
   (:func:`orthogonal_noise`), so chance correlations do not blur the links.
3. :func:`allocate` decides, per cell of clients with the same participation and score
   availability, how many have a missing value and how many each level, by a small integer
   programme: the n's of the published tests (the design file) are met where they can be, and
   otherwise the cells follow the latent variable's own thresholds. :func:`assign` then gives
   the levels within each cell by the rank of the latent variable and the missing values at
   random.
4. :func:`quantile_map` turns a latent variable into values with a given distribution (exact
   proportions of a discrete distribution, or quantiles of a continuous one) by rank.

The requested correlations are the calibrated parameters (``params_bg_v1.json``); the
calibration (:mod:`wagk.synth.calibrate_bg`) moves them until the analysis recomputes the
published statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, sparse

from wagk import codebook, scoring

SHORT = {"trust": "trust", "goals_restriction": "goals", "bond": "bond", "reactance": "reactance",
         "total": "total", "cr23_says_cooperates": "cr23", "cr24_energy": "cr24", "cr25_extra_strict": "cr25"}
CLIENT_SCORES = ("trust", "goals_restriction", "bond", "reactance", "total")
PO_SCORES = CLIENT_SCORES + ("cr23_says_cooperates", "cr24_energy", "cr25_extra_strict")
CONTEXT_TABLE = {"c1": "client_w1", "c2": "client_w2", "p1": "po_w1", "p2": "po_w2"}
CONTEXT_PERSPECTIVE = {"c1": "client", "c2": "client", "p1": "po", "p2": "po"}


@dataclass
class Population:
    """Everyone in the clients table, with flags and the complete predictor matrix."""

    ids: pd.Index  # client_id, sorted
    flags: pd.DataFrame  # bool columns: c1, c2, p1, p2, extra, has_<ctx>_<score>
    X: pd.DataFrame  # standardised predictors, complete
    raw: pd.DataFrame  # observed scores (NaN when not observed), same names as X
    po1: pd.Series  # officer at wave 1 (clients.po_id)
    po2: pd.Series  # officer of the wave-2 questionnaire ("" when none)


def _scores(tables: dict, ctx: str, monitor) -> pd.DataFrame:
    q = tables[CONTEXT_TABLE[ctx]].set_index("client_id")
    persp = CONTEXT_PERSPECTIVE[ctx]
    items = q[[c for c in codebook.questionnaire_items(persp) if c in q.columns]].astype(float)
    sc = scoring.score(items, monitor, persp)
    cols = CLIENT_SCORES if persp == "client" else PO_SCORES
    return sc[list(cols)].rename(columns=SHORT)


def _impute(obs: pd.DataFrame, latent: pd.DataFrame, ids: pd.Index, rng: np.random.Generator) -> pd.DataFrame:
    """Complete score columns: observed where present, else OLS prediction from the latent
    factors of the same questionnaire plus normal noise with the residual SD."""
    F = np.column_stack([np.ones(len(ids)), latent.reindex(ids).to_numpy(float)])
    out = obs.reindex(ids).copy()
    noise = rng.standard_normal((len(ids), out.shape[1]))
    for j, c in enumerate(out.columns):
        y = out[c].to_numpy(float).copy()
        ok = ~np.isnan(y)
        beta, *_ = np.linalg.lstsq(F[ok], y[ok], rcond=None)
        pred = F @ beta
        sd = float(np.std(y[ok] - pred[ok], ddof=F.shape[1])) if ok.sum() > F.shape[1] else 0.0
        y[~ok] = pred[~ok] + sd * noise[~ok, j]
        out[c] = y
    return out


def population(sim, monitor=None, rng: np.random.Generator | None = None) -> Population:
    """Scores, flags and the predictor matrix of a simulated study (:class:`Simulation`)."""
    monitor = monitor or codebook.load_monitor()
    rng = rng or np.random.default_rng(0)
    tables = sim.tables
    ids = pd.Index(sorted(tables["clients"]["client_id"]), name="client_id")
    members = sim.members.reindex(ids)
    flags = pd.DataFrame(index=ids)
    for k in ("c1", "c2", "p1", "p2"):
        flags[k] = members[k].astype(bool).to_numpy()
    flags["extra"] = ~flags["c1"]
    obs, full = {}, {}
    for k in ("c1", "c2", "p1", "p2"):
        obs[k] = _scores(tables, k, monitor).reindex(ids)
        for c in obs[k].columns:
            flags[f"has_{k}_{c}"] = obs[k][c].notna().to_numpy()
        full[k] = _impute(obs[k], sim.latent[k], ids, rng)
    raw, comp = {}, {}
    for k in obs:
        for c in obs[k].columns:
            raw[f"{k}_{c}"] = obs[k][c]
            comp[f"{k}_{c}"] = full[k][c]
    for pre, a, b, cols in (("cd", "c1", "c2", obs["c1"].columns), ("pd", "p1", "p2", obs["p1"].columns)):
        for c in cols:
            raw[f"{pre}_{c}"] = obs[b][c] - obs[a][c]
            comp[f"{pre}_{c}"] = full[b][c] - full[a][c]
    for w in (1, 2):
        for c in obs["c1"].columns:
            raw[f"a{w}_{c}"] = (obs[f"c{w}"][c] - obs[f"p{w}"][c]).abs()
            comp[f"a{w}_{c}"] = (full[f"c{w}"][c] - full[f"p{w}"][c]).abs()
    for k in ("c2", "p1", "p2"):
        comp[f"in_{k}"] = flags[k].astype(float)
        raw[f"in_{k}"] = flags[k].astype(float)
    X = pd.DataFrame(comp, index=ids)
    X = (X - X.mean()) / X.std(ddof=0).replace(0, 1)
    po1 = tables["clients"].set_index("client_id")["po_id"].reindex(ids)
    po2 = tables["po_w2"].set_index("client_id")["po_id"].reindex(ids).fillna("")
    return Population(ids, flags, X, pd.DataFrame(raw, index=ids), po1, po2)


# ------------------------------------------------------------------------------------------
# latent variables
# ------------------------------------------------------------------------------------------

def orthogonal_noise(rng: np.random.Generator, X: np.ndarray, m: int, Q: np.ndarray | None = None) -> np.ndarray:
    """m noise columns with mean 0, unit variance, uncorrelated with each other and with every
    column of X in this sample (``Q``: an orthonormal basis of [1, X], :func:`basis`, if at hand)."""
    n = X.shape[0]
    E = rng.standard_normal((n, m))
    Q = basis(X) if Q is None else Q
    E = E - Q @ (Q.T @ E)
    cov = E.T @ E / n
    w = np.linalg.cholesky(cov + 1e-12 * np.eye(m))
    return E @ np.linalg.inv(w).T


def basis(X: np.ndarray) -> np.ndarray:
    """Orthonormal basis of the column space of [1, X] (thin QR, rank-revealing by SVD)."""
    A = np.column_stack([np.ones(X.shape[0]), X])
    U, s, _ = np.linalg.svd(A, full_matrices=False)
    return U[:, s > s[0] * 1e-10]


def weights(C: np.ndarray, rho: np.ndarray, ridge: float = 0.02, vmax: float = 0.92) -> tuple[np.ndarray, float]:
    """Regression weights b with C b ~ rho (ridge-regularised), scaled so that b'Cb <= vmax."""
    k = len(rho)
    if k == 0:
        return np.zeros(0), 0.0
    b = np.linalg.solve(C + ridge * np.eye(k), rho)
    v = float(b @ C @ b)
    if v > vmax:
        b = b * np.sqrt(vmax / v)
        v = vmax
    return b, v


def latent(X: pd.DataFrame, rho: dict, noise: np.ndarray, ridge: float = 0.02, vmax: float = 0.92) -> np.ndarray:
    """A standard-normal latent variable with the requested correlations to columns of X.

    Parameters
    ----------
    X : DataFrame
        Standardised predictors (complete).
    rho : dict
        Predictor name -> requested correlation (names absent from X raise ``KeyError``).
    noise : ndarray
        A unit-variance noise column orthogonal to X (:func:`orthogonal_noise`).
    """
    names = [k for k, v in rho.items() if v != 0]
    if not names:
        return noise.copy()
    XS = X[names].to_numpy(float)
    C = np.corrcoef(XS, rowvar=False) if len(names) > 1 else np.ones((1, 1))
    b, v = weights(np.atleast_2d(C), np.array([rho[k] for k in names], float), ridge, vmax)
    return XS @ b + np.sqrt(max(1.0 - v, 0.0)) * noise


def standardise(x) -> np.ndarray:
    x = np.asarray(x, float)
    sd = np.nanstd(x)
    return (x - np.nanmean(x)) / (sd if sd > 0 else 1.0)


# ------------------------------------------------------------------------------------------
# availability and levels
# ------------------------------------------------------------------------------------------

def select(flags: pd.DataFrame, where) -> np.ndarray:
    """Persons matching every flag of ``where`` ("c1", "!p2", "known:risc_category" ...)."""
    keep = np.ones(len(flags), bool)
    for f in where or ():
        neg = f.startswith("!")
        col = flags[f[1:] if neg else f].to_numpy(bool)
        keep &= ~col if neg else col
    return keep


def allocate(cell: np.ndarray, states: list, natural: np.ndarray, targets: list[tuple[np.ndarray, np.ndarray, float, float]],
             reg: float = 1.0, time_limit: float = 5.0) -> np.ndarray:
    """Integer counts per cell and state that meet the targets and otherwise stay near ``natural``.

    Parameters
    ----------
    cell : ndarray of int
        Cell index (0..C-1) of every person.
    states : list
        The states (e.g. ["missing", 0, 1]).
    natural : ndarray (C x S)
        Counts the latent variable alone would give.
    targets : list of (cells, states, value, weight)
        ``cells`` bool (C), ``states`` bool (S): the sum of those counts should equal ``value``.

    Returns
    -------
    ndarray (C x S) of int, each row summing to the cell size.
    """
    C, S = natural.shape
    size = np.bincount(cell, minlength=C)
    T = len(targets)
    nx = C * S
    # variables: x (nx, int), dp, dm (T), ep, em (nx)
    nv = nx + 2 * T + 2 * nx
    c = np.zeros(nv)
    for t, (_, _, _, w) in enumerate(targets):
        c[nx + t] = c[nx + T + t] = w
    c[nx + 2 * T:] = reg
    rows, lo, hi = [], [], []
    A = sparse.lil_matrix((C + T + nx, nv))
    r = 0
    for i in range(C):
        A[r, i * S:(i + 1) * S] = 1
        lo.append(size[i]); hi.append(size[i]); r += 1
    for t, (cm, sm, val, _) in enumerate(targets):
        for i in np.flatnonzero(cm):
            for s in np.flatnonzero(sm):
                A[r, i * S + s] = 1
        A[r, nx + t] = -1
        A[r, nx + T + t] = 1
        lo.append(val); hi.append(val); r += 1
    for j in range(nx):
        A[r, j] = 1
        A[r, nx + 2 * T + j] = -1
        A[r, nx + 2 * T + nx + j] = 1
        v = natural.flat[j]
        lo.append(v); hi.append(v); r += 1
    integrality = np.zeros(nv)
    integrality[:nx] = 1
    ub = np.full(nv, np.inf)
    ub[:nx] = np.repeat(size, S)
    res = optimize.milp(c, constraints=optimize.LinearConstraint(A.tocsr(), lo, hi), integrality=integrality,
                        bounds=optimize.Bounds(np.zeros(nv), ub), options={"time_limit": time_limit})
    if res.x is None:
        raise RuntimeError(f"allocation failed: {res.message}")
    return np.rint(res.x[:nx]).astype(int).reshape(C, S)


def natural_counts(cell: np.ndarray, n_cells: int, score: np.ndarray, eligible: np.ndarray, level_counts: list[int],
                   miss_rate: float) -> np.ndarray:
    """Counts per cell of [missing, level 1, level 2, ...] when the levels are global bands of
    ``score`` (exact overall counts among eligible persons) and missing values fall evenly."""
    S = len(level_counts) + 1
    out = np.zeros((n_cells, S))
    idx = np.flatnonzero(eligible)
    order = idx[np.argsort(score[idx], kind="mergesort")]
    band = np.zeros(len(cell), int)
    total = sum(level_counts)
    bounds = np.cumsum([0] + list(level_counts)) / total * len(order)
    for j in range(len(level_counts)):
        band[order[int(round(bounds[j])):int(round(bounds[j + 1]))]] = j + 1
    for i in range(len(cell)):
        if not eligible[i]:
            out[cell[i], 0] += 1
            continue
        out[cell[i], 0] += miss_rate
        out[cell[i], band[i]] += 1 - miss_rate
    return out


def assign(cell: np.ndarray, counts: np.ndarray, score: np.ndarray, order: np.ndarray) -> np.ndarray:
    """State index per person: in each cell, missing (state 0) for the first persons of the
    random ``order``, then levels 1, 2, ... by ascending ``score``."""
    out = np.zeros(len(cell), int)
    rank = np.empty(len(order), int)
    rank[order] = np.arange(len(order))
    for i in range(counts.shape[0]):
        members = np.flatnonzero(cell == i)
        if not len(members):
            continue
        members = members[np.argsort(rank[members], kind="mergesort")]
        k0 = counts[i, 0]
        rest = members[k0:]
        rest = rest[np.argsort(score[rest], kind="mergesort")]
        start = 0
        for s in range(1, counts.shape[1]):
            out[rest[start:start + counts[i, s]]] = s
            start += counts[i, s]
    return out


def cells_of(flags: pd.DataFrame, used: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Cell index per person for the combinations of the ``used`` flags, and the cell table."""
    if not used:
        return np.zeros(len(flags), int), pd.DataFrame(index=[0])
    key = flags[used].to_numpy(bool).astype(np.int64)
    code = key @ (1 << np.arange(len(used), dtype=np.int64))
    uniq, first, cell = np.unique(code, return_index=True, return_inverse=True)
    tab = pd.DataFrame(key[first].astype(bool), columns=used)
    return cell.ravel(), tab


# ------------------------------------------------------------------------------------------
# distributions
# ------------------------------------------------------------------------------------------

def quantile_map_discrete(score: np.ndarray, values, probs) -> np.ndarray:
    """Values with exactly the given proportions (largest-remainder rounding), by rank of score."""
    n = len(score)
    probs = np.asarray(probs, float) / np.sum(probs)
    raw = probs * n
    k = np.floor(raw).astype(int)
    rem = n - k.sum()
    k[np.argsort(-(raw - k), kind="mergesort")[:rem]] += 1
    order = np.argsort(score, kind="mergesort")
    out = np.empty(n, float)
    start = 0
    for v, c in zip(values, k):
        out[order[start:start + c]] = v
        start += c
    return out


def quantile_map_continuous(score: np.ndarray, quantile_fn) -> np.ndarray:
    """Values quantile_fn(u) at the mid-rank plotting positions of score."""
    n = len(score)
    ranks = np.empty(n)
    ranks[np.argsort(score, kind="mergesort")] = np.arange(n)
    return quantile_fn((ranks + 0.5) / n)
