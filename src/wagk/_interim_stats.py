"""Interim PCA, Cronbach's alpha and CFA, used only until ``wagk.pca``, ``wagk.reliability`` and
``wagk.cfa`` exist in the package; :mod:`wagk.monitor_tables` prefers those when importable.

- :func:`pca_varimax`: eigen-decomposition of the pairwise correlation matrix, k components scaled
  by sqrt(eigenvalue), varimax with Kaiser normalisation (factor_analyzer's Rotator); this is the
  recipe DESIGN.md measured to agree with psych::principal to three decimals.
- :func:`cronbach_alpha`: alpha on the complete cases (SPSS's listwise default).
- :func:`fit_cfa`: maximum likelihood with semopy on the pairwise covariance matrix and N = number
  of rows: a stand-in for full-information ML when few values are missing, not a replacement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class PCAResult:
    loadings: pd.DataFrame
    eigenvalues: np.ndarray


def pca_varimax(data: pd.DataFrame, n_components: int = 4) -> PCAResult:
    """Principal components of the pairwise correlation matrix, varimax-rotated."""
    from factor_analyzer.rotator import Rotator

    corr = data.astype(float).corr(method="pearson", min_periods=3).to_numpy()
    vals, vecs = np.linalg.eigh(corr)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    load = vecs[:, :n_components] * np.sqrt(np.clip(vals[:n_components], 0, None))
    rot = Rotator(method="varimax", normalize=True).fit_transform(load) if n_components > 1 else load
    cols = [f"PC{k + 1}" for k in range(n_components)]
    return PCAResult(pd.DataFrame(rot, index=data.columns, columns=cols), vals)


def cronbach_alpha(data: pd.DataFrame) -> tuple[float, int]:
    """Cronbach's alpha on the complete cases and their number."""
    x = data.astype(float).dropna().to_numpy()
    n, k = x.shape
    if n < 2 or k < 2:
        return np.nan, n
    item_var = x.var(axis=0, ddof=1).sum()
    total_var = x.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_var / total_var)), n


@dataclass
class CFAResult:
    cmin: float
    df: int
    p: float
    cfi: float
    tli: float
    rmsea: float
    n: int
    converged: bool
    notes: list = field(default_factory=list)


def fit_cfa(data: pd.DataFrame, factors: dict[str, list[str]]) -> CFAResult:
    """ML CFA with correlated factors (semopy, objective MLW) on the pairwise covariance."""
    import semopy

    items = list(dict.fromkeys(i for its in factors.values() for i in its))
    x = data[items].astype(float)
    desc = "\n".join(f"{f} =~ " + " + ".join(its) for f, its in factors.items())
    model = semopy.Model(desc)
    cov = x.cov(min_periods=3)
    res = model.fit(cov=cov, n_samples=len(x), obj="MLW")
    st = semopy.calc_stats(model).iloc[0]
    return CFAResult(cmin=float(st["chi2"]), df=int(st["DoF"]), p=float(st["chi2 p-value"]),
                     cfi=float(st["CFI"]), tli=float(st["TLI"]), rmsea=float(st["RMSEA"]), n=len(x),
                     converged=bool(getattr(res, "success", True)))
