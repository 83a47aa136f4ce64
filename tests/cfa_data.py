"""Simulated item data for the CFA, PCA and reliability tests (and benchmarks/bench_cfa.py).

A 4-factor, 19-item structure shaped like the WA-GK: 5 + 4 + 5 + 5 items, three items with a
cross-loading, correlated factors, a few residual correlations the model does not contain (so the
fit is realistic rather than perfect), answers rounded to the 1-7 scale.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ITEMS = [f"i{j:02d}" for j in range(1, 20)]
FACTORS = {
    "trust": ["i01", "i02", "i03", "i04", "i05", "i10"],
    "goals": ["i06", "i07", "i08", "i09"],
    "bond": ["i10", "i11", "i12", "i13", "i14", "i06", "i15"],
    "reactance": ["i15", "i16", "i17", "i18", "i19"],
}
PHI = np.array([[1.0, 0.55, 0.65, -0.45],
                [0.55, 1.0, 0.50, -0.30],
                [0.65, 0.50, 1.0, -0.40],
                [-0.45, -0.30, -0.40, 1.0]])


def loadings() -> np.ndarray:
    lam = np.zeros((19, 4))
    main = [0.75, 0.70, 0.65, 0.60, 0.55, 0.70, 0.65, 0.60, 0.55, 0.55, 0.70, 0.65, 0.60, 0.50, 0.45,
            0.70, 0.65, 0.60, 0.50]
    fac = [0] * 5 + [1] * 4 + [2] * 5 + [3] * 5
    for i, (l, f) in enumerate(zip(main, fac)):
        lam[i, f] = l
    lam[9, 0] = 0.30   # i10 also on trust
    lam[5, 2] = 0.25   # i06 also on bond
    lam[14, 2] = -0.25  # i15 also on bond
    return lam


def simulate(n: int = 302, seed: int = 11, missing: float = 0.0, discrete: bool = True,
             misfit: float = 0.12) -> pd.DataFrame:
    """Item responses from the model above (plus unmodelled residual correlations ``misfit``)."""
    rng = np.random.default_rng(seed)
    lam = loadings()
    sigma = lam @ PHI @ lam.T
    theta = np.diag(1.0 - np.diag(sigma))
    for a, b in [(0, 6), (3, 12), (16, 17), (7, 8), (1, 14)]:
        theta[a, b] = theta[b, a] = misfit
    sigma = sigma + theta
    z = rng.multivariate_normal(np.zeros(19), sigma, size=n)
    x = 4.5 + 1.3 * z
    if discrete:
        x = np.clip(np.round(x), 1, 7)
    frame = pd.DataFrame(x, columns=ITEMS)
    if missing > 0:
        mask = rng.random(frame.shape) < missing
        frame = frame.mask(mask)
    return frame
