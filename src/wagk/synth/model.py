"""The latent model of the synthetic dataset.

Every client has four sets of latent factor scores, one per questionnaire ("context"): c1, c2
(the client at waves 1 and 2) and p1, p2 (the officer about that client at waves 1 and 2). Per
context the factors are trust, goals_restriction, bond, reactance and toughness (the DRI-R's
punitive side); officers have a sixth, contra-reactance.

Joint distribution
    Standardised components zeta (22 of them) are multivariate normal; within a context they are
    uncorrelated, between contexts only the same factor correlates: the wave-to-wave stability
    per factor (``stability``), client-officer agreement per wave and factor (``agreement``) and
    a cross-lagged term (``crosslag``: client wave 1 with officer wave 2 and vice versa). A
    context's factor scores are Phi_k^(1/2) zeta_k, so its factor correlations (``phi``) are
    exactly Phi_k and move nothing else.
Officers
    An officer effect (random intercepts per factor, shared by an officer's clients) takes a
    share ``officer_icc`` of each factor's variance: clients are nested in officers.
Tails
    Each factor's scores pass through a Tukey g-and-h transform, g for skew and h for tail
    weight: the few very hostile clients (trust minimum 1.25 against a mean of 6.43) are real
    outliers, not a transformation of scale scores.
Items
    Y = factors . loadings + method factors . method loadings + unique; the answer is
    clip(round(mu + sigma * Y), 1, 7) (grade: 1-10). Ceiling effects arise from this censoring in
    the item distributions. Method factors: the source instrument (WAI, DRI-R, Menger & Donker),
    which builds in the misfit of a clean four-factor model, and one minor factor per WA-GK scale.
    A share ``ustab`` of an item's unique part persists from wave 1 to wave 2.
"""

from __future__ import annotations

import numpy as np

CONTEXTS = ("c1", "c2", "p1", "p2")
PERSPECTIVE = {"c1": "client", "c2": "client", "p1": "po", "p2": "po"}
WAVE = {"c1": 1, "c2": 2, "p1": 1, "p2": 2}
FACTORS = {
    "client": ("trust", "goals_restriction", "bond", "reactance", "toughness"),
    "po": ("trust", "goals_restriction", "bond", "reactance", "toughness", "contra"),
}
SHARED = FACTORS["client"]
#: at most this share of an item's latent variance is common (factors and method factors);
#: larger loadings are scaled down, so every item keeps some unique variance
MAX_COMMON = 0.9
METHODS = ("wai", "dri", "md", "s_trust", "s_goals_restriction", "s_bond", "s_reactance")


def context_of(perspective: str, wave: int) -> str:
    return ("c" if perspective == "client" else "p") + str(wave)


def layout() -> list[tuple[str, str]]:
    """(context, factor) in the order of the joint correlation matrix."""
    return [(k, f) for k in CONTEXTS for f in FACTORS[PERSPECTIVE[k]]]


def sqrtm(m: np.ndarray) -> np.ndarray:
    """Symmetric square root of a positive definite matrix."""
    vals, vecs = np.linalg.eigh(m)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def nearest_correlation(m: np.ndarray, floor: float = 1e-3) -> np.ndarray:
    """Symmetric, unit-diagonal, positive definite: eigenvalues clipped at ``floor``."""
    m = 0.5 * (m + m.T)
    vals, vecs = np.linalg.eigh(m)
    if vals.min() >= floor:
        return m
    m = (vecs * np.clip(vals, floor, None)) @ vecs.T
    d = np.sqrt(np.diag(m))
    return m / np.outer(d, d)


def cross_correlation(latent: dict) -> np.ndarray:
    """Correlation matrix of the standardised factor components zeta (order: :func:`layout`).

    Within a context the components are uncorrelated; between contexts only the same factor
    correlates: per factor a 4 x 4 matrix over (c1, c2, p1, p2) with the wave-to-wave stability
    of clients and officers, the client-officer agreement per wave and the cross-lagged term
    (client wave 1 with officer wave 2 and vice versa), repaired to positive definite.
    """
    lay = layout()
    psi = np.eye(len(lay))
    st, ag, xl = latent["stability"], latent["agreement"], latent["crosslag"]
    for f in FACTORS["po"]:
        where = {k: lay.index((k, f)) for k in CONTEXTS if (k, f) in lay}
        m = np.eye(4)
        ks = list(CONTEXTS)
        pairs = {("c1", "c2"): st["client"].get(f), ("p1", "p2"): st["po"].get(f),
                 ("c1", "p1"): ag["1"].get(f), ("c2", "p2"): ag["2"].get(f),
                 ("c1", "p2"): xl.get(f), ("c2", "p1"): xl.get(f)}
        for (a, b), v in pairs.items():
            if v is not None and a in where and b in where:
                m[ks.index(a), ks.index(b)] = m[ks.index(b), ks.index(a)] = v
        present = [i for i, k in enumerate(ks) if k in where]
        m = nearest_correlation(m[np.ix_(present, present)], 0.02)
        for i, a in enumerate([ks[j] for j in present]):
            for j, b in enumerate([ks[j] for j in present]):
                psi[where[a], where[b]] = m[i, j]
    return psi


def joint_correlation(latent: dict) -> np.ndarray:
    """The correlation matrix of all context factors (order: :func:`layout`):
    blockdiag(Phi_k^(1/2)) Psi blockdiag(Phi_k^(1/2)) with Psi from :func:`cross_correlation`."""
    lay = layout()
    root = np.zeros((len(lay), len(lay)))
    for k in CONTEXTS:
        idx = [i for i, (kk, _) in enumerate(lay) if kk == k]
        root[np.ix_(idx, idx)] = sqrtm(nearest_correlation(np.asarray(latent["phi"][k], float)))
    return root @ cross_correlation(latent) @ root.T


def gh(z: np.ndarray, g: float, h: float) -> np.ndarray:
    """Tukey's g-and-h transform: ((exp(g z) - 1) / g) * exp(h z^2 / 2); g = 0 gives z exp(h z^2/2)."""
    base = z if abs(g) < 1e-9 else np.expm1(g * z) / g
    return base * np.exp(0.5 * max(h, 0.0) * z * z)


def item_matrix(items: dict, factors: tuple[str, ...]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Arrays of one context's item parameters: names, loadings (J x F), method loadings
    (J x M), mu, sigma, unique stability."""
    names = list(items)
    lam = np.array([[items[j]["load"].get(f, 0.0) for f in factors] for j in names], float)
    gam = np.array([[items[j].get("method", {}).get(m, 0.0) for m in METHODS] for j in names], float)
    mu = np.array([items[j]["mu"] for j in names], float)
    sig = np.array([items[j]["sigma"] for j in names], float)
    ust = np.array([items[j].get("ustab", 0.0) for j in names], float)
    return names, lam, gam, mu, sig, ust


def shrunk_loadings(lam: np.ndarray, gam: np.ndarray, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loadings scaled down where the common share would exceed MAX_COMMON; returns (lam, gam, common)."""
    common = np.einsum("jf,fg,jg->j", lam, phi, lam) + (gam ** 2).sum(axis=1)
    shrink = np.sqrt(np.minimum(1.0, MAX_COMMON / np.maximum(common, 1e-12)))
    return lam * shrink[:, None], gam * shrink[:, None], np.minimum(common, MAX_COMMON)


def implied_correlation(lam: np.ndarray, gam: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Correlation of the latent responses Y implied by the loadings (normal factors)."""
    lam, gam, _common = shrunk_loadings(lam, gam, phi)
    r = lam @ phi @ lam.T + gam @ gam.T
    np.fill_diagonal(r, 1.0)
    return r


def responses(eta: np.ndarray, phi: np.ndarray, lam: np.ndarray, gam: np.ndarray, methods: np.ndarray,
              unique: np.ndarray, mu: np.ndarray, sig: np.ndarray, top: np.ndarray,
              return_latent: bool = False):
    """Integer answers clip(round(mu + sigma * Y), 1, top) for one context (n x J); with
    ``return_latent`` also Y."""
    lam, gam, common = shrunk_loadings(lam, gam, phi)
    psi = np.sqrt(1.0 - common)
    y = eta @ lam.T + methods @ gam.T + unique * psi
    x = np.clip(np.rint(mu + sig * y), 1, top)
    return (x, y) if return_latent else x
