"""Logistic regression of the outcomes on alliance scales (chapter 10, Tables 10.7-10.9).

The thesis joins the client's and the officer's four scale scores in one model per outcome
(late / no-show, formal actions, dropout, early-help notification) and reports the predictors
that "stepwise forward selection" kept, each with Exp(B) and the S.E. of B, plus an R2
(SPSS LOGISTIC REGRESSION; the R2 type is not stated, Nagelkerke's is SPSS's usual choice).

What SPSS does, and what :func:`forward_stepwise` implements
--------------------------------------------------------------
SPSS's three forward methods (``FSTEP(COND)``, ``FSTEP(LR)``, ``FSTEP(WALD)``; menu names
"Forward: Conditional / LR / Wald") share the entry test and differ only in the removal test:

entry    the score (Rao) statistic of each candidate, computed at the current model's
         estimates, 1 df; the candidate with the smallest p enters if p < PIN (.05)
removal  after each entry every variable in the model is tested; the one with the largest
         p leaves if p > POUT (.10), and removal is tried again before the next entry:
         ``"lr"``           likelihood-ratio test against the model refitted without it
         ``"conditional"``  SPSS's "conditional statistic" (its syntax default), which
                            the SPSS documentation describes as a likelihood ratio based
                            on conditional parameter estimates; implemented as the
                            reduced model's parameters approximated from the full fit
                            in one step (Lawless & Singhal 1978). No SPSS output was
                            available to check this reading.
         ``"wald"``         Wald chi-square (B/SE)^2
stop     when no candidate enters and none leaves, or when a step would return to a model
         already visited (SPSS's cycle rule), or after ``max_steps``.

The thesis names none of the three (ch. 10.3: "de procedure van stepwise forward
selection"; table titles: "logistische regressie, forward selection"; the same paragraph
contrasts it with "de enter procedure", SPSS's name for forced entry, so the software was
SPSS LOGISTIC REGRESSION, but the removal criterion is not recorded). Because the entry test
is the same and removal only acts when an entered variable's p later rises above .10, the
three usually give the same model; ``removal`` is an explicit keyword, the default ``"lr"``
(the exact test the other two approximate), and :func:`method_sensitivity` runs all three so a
chapter can show whether the choice matters on its data.

Cases: listwise deletion over the outcome and *all* candidate predictors, as SPSS does (the
thesis's n per column, e.g. n = 156 in Table 10.7).

Beyond the thesis: :func:`selection_stability` (how often each predictor is selected over
bootstrap resamples) and :func:`l1_logistic` (an L1-penalised model with cross-validated
penalty) show how fragile a stepwise selection among correlated scales is.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.linalg.lapack import dposv as _dposv
from scipy.special import chdtrc, erfc, expit, ndtri

from wagk._stats import Notes, as_list, frame, numeric, require_columns, require_frame

REMOVAL = ("lr", "conditional", "wald")
COEF_COLUMNS = ["term", "B", "SE", "Wald", "df", "p", "ExpB", "ExpB_low", "ExpB_high"]
FIT_COLUMNS = ["outcome", "n", "n_events", "n_excluded", "m2LL", "m2LL_null", "chi2", "df",
               "p", "R2_CS", "R2", "converged", "separation", "status", "note"]
STEP_COLUMNS = ["step", "action", "variable", "test", "statistic", "df", "p", "model", "m2LL",
                "R2_CS", "R2"]
CAND_COLUMNS = ["step", "variable", "score", "df", "p"]


# --------------------------------------------------------------------------------------------
# R2 measures
# --------------------------------------------------------------------------------------------

def cox_snell_r2(ll_null: float, ll_model: float, n: int) -> float:
    """Cox & Snell R2: :math:`1 - (L_0/L_1)^{2/n} = 1 - \\exp(2(\\ell_0 - \\ell_1)/n)`.

    ``ll_null`` and ``ll_model`` are log-likelihoods (natural log) of the intercept-only and
    the fitted model on the same n cases.

    References
    ----------
    Cox, D. R., & Snell, E. J. (1989). *Analysis of binary data* (2nd ed.).

    Validated against the likelihood-ratio form computed by hand in ``tests/test_logistic.py``.
    """
    return float(-np.expm1(2.0 * (ll_null - ll_model) / n))


def nagelkerke_r2(ll_null: float, ll_model: float, n: int) -> float:
    """Nagelkerke R2: Cox & Snell R2 divided by its maximum :math:`1 - L_0^{2/n}`.

    .. math::

        R^2_N = \\frac{1 - (L_0/L_1)^{2/n}}{1 - L_0^{2/n}}

    References
    ----------
    Nagelkerke, N. J. D. (1991). A note on a general definition of the coefficient of
    determination. *Biometrika*, 78, 691-692.

    Validated against the formula with likelihoods (not log-likelihoods) computed by hand in
    ``tests/test_logistic.py``.
    """
    max_cs = -np.expm1(2.0 * ll_null / n)
    return float(cox_snell_r2(ll_null, ll_model, n) / max_cs) if max_cs > 0 else np.nan


# --------------------------------------------------------------------------------------------
# numpy core: Newton-Raphson fit, score tests, removal tests
# --------------------------------------------------------------------------------------------

class _Fit:
    """A Newton-Raphson fit; the covariance (inverse information at the estimate) is computed
    on first use, since most fits of a selection (the LR refits) never need it."""

    __slots__ = ("beta", "ll", "p", "converged", "suspect", "_X", "_cov", "_done")

    def __init__(self, beta, ll, p, converged, suspect, X=None, cov=None):
        self.beta, self.ll, self.p = beta, ll, p
        self.converged = converged
        self.suspect = suspect  # diverging or fitted probabilities at 0/1: separation likely
        self._X, self._cov, self._done = X, cov, cov is not None or X is None

    @property
    def cov(self) -> np.ndarray | None:
        if not self._done:
            self._done = True
            w = self.p * (1 - self.p)
            H = self._X.T @ (self._X * w[:, None])
            try:
                cov = np.linalg.inv(H)
                self._cov = cov if np.isfinite(cov).all() else None
            except np.linalg.LinAlgError:
                self._cov = None
        return self._cov


def _loglik(eta: np.ndarray, y: np.ndarray) -> float:
    return float(y @ eta - np.logaddexp(0.0, eta).sum())


def _newton(X: np.ndarray, y: np.ndarray, beta0: np.ndarray | None = None,
            max_iter: int = 100, tol: float = 1e-8) -> _Fit:
    """Maximum likelihood by Newton-Raphson; converged when the largest parameter change is
    below ``tol`` (SPSS stops at .001; the fast path stops after a step below sqrt(tol),
    which leaves an error of order tol). A design with one column is the constant-only model
    (closed form).

    Fast path: plain Newton steps, the log-likelihood evaluated once at the end (it is
    concave, and from the warm starts of the selection plain Newton
    converges in a few steps). When a step is large (> 5), the Cholesky factorisation of the
    information fails, or 25 iterations do not converge, the fit is redone with step halving
    on the likelihood.
    """
    k = X.shape[1]
    m = y.mean() if (k == 1 or beta0 is None) else 0.5
    if k == 1 and 0 < m < 1:
        # constant only: closed form, b0 = logit(mean y), var = 1 / (n m (1 - m))
        b0 = np.log(m / (1 - m))
        ll = float(len(y) * (m * np.log(m) + (1 - m) * np.log1p(-m)))
        return _Fit(beta=np.array([b0]), ll=ll, p=np.full(len(y), m), converged=True,
                    suspect=False, cov=np.array([[1.0 / (len(y) * m * (1 - m))]]))
    if beta0 is None:
        start = np.zeros(k)
        if 0 < m < 1:
            start[0] = np.log(m / (1 - m))
    else:
        start = beta0.astype(float).copy()
    fit = _newton_path(X, y, start, max_iter=25, tol=tol, safe=False)
    if fit is None:
        fit = _newton_path(X, y, start, max_iter=max_iter, tol=tol, safe=True)
    return fit


def _newton_path(X, y, beta, *, max_iter, tol, safe):
    eta = X @ beta
    ll = _loglik(eta, y) if safe else np.nan
    converged = False
    for _ in range(max_iter):
        p = expit(eta)
        H = X.T @ (X * (p * (1 - p))[:, None])
        _c, step, info = _dposv(H, X.T @ (y - p))
        if info != 0:
            if not safe:
                return None
            break
        size = np.abs(step).max()
        if not safe:
            if not size < 5.0:
                return None
            beta = beta + step
            eta = X @ beta
            # Newton converges quadratically: after a step of size s the remaining error is
            # of order s^2, so a step below sqrt(tol) leaves an error below tol. A stationary
            # point of the concave log-likelihood is its maximum.
            if size * size < tol:
                converged = True
                break
            continue
        nb = beta + step
        neta = X @ nb
        nll = _loglik(neta, y)
        t = 1.0
        while nll < ll - 1e-10 * (1 + abs(ll)) and t > 1e-6:
            t *= 0.5
            nb = beta + t * step
            neta = X @ nb
            nll = _loglik(neta, y)
        beta, eta, ll = nb, neta, nll
        if not np.isfinite(ll):
            break
        if t * size < tol:
            converged = True
            break
    if not safe:
        if not converged:
            return None
        ll = _loglik(eta, y)
    p = expit(eta)
    suspect = (not converged) or bool(np.abs(eta).max() > 25)
    fit = _Fit(beta=beta, ll=ll, p=p, converged=converged, suspect=suspect, X=X)
    if safe and fit.cov is None:
        fit.suspect = True
    return fit


def _score_tests(X_model: np.ndarray, X_cand: np.ndarray, y: np.ndarray,
                 p: np.ndarray, inv_info: np.ndarray | None = None) -> np.ndarray:
    """Score statistics (1 df) for adding each column of X_cand to the fitted model.

    :math:`S_j = U_j^2 / (I_{jj} - I_{jM} I_{MM}^{-1} I_{Mj})` with :math:`U = X_c'(y-\\hat p)`
    and :math:`I = X'WX`, :math:`W = \\hat p(1-\\hat p)`: Rao's efficient score test at the
    current model's estimates. NaN for a candidate the model already spans.
    """
    U, V, Icc = _score_parts(X_model, X_cand, y, p, inv_info)
    if V is None:
        return np.full(X_cand.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        S = U ** 2 / V
    S[~(V > 1e-10 * np.maximum(Icc, 1e-300))] = np.nan
    return S


def _score_parts(X_model: np.ndarray, X_cand: np.ndarray, y: np.ndarray, p: np.ndarray,
                 inv_info: np.ndarray | None = None):
    """The parts of :func:`_score_tests`: the scores U, their variances V given the model (None
    when the model's information is singular) and the candidates' own information I_jj."""
    w = p * (1 - p)
    r = y - p
    U = X_cand.T @ r
    WXc = X_cand * w[:, None]
    Icc = np.einsum("ij,ij->j", WXc, X_cand)
    IcM = WXc.T @ X_model
    if inv_info is not None:  # the current fit's covariance is I_MM^-1 at the same p
        sol = inv_info @ IcM.T
    else:
        IMM = (X_model * w[:, None]).T @ X_model
        try:
            sol = np.linalg.solve(IMM, IcM.T)
        except np.linalg.LinAlgError:
            return U, None, Icc
    V = Icc - np.einsum("ij,ji->i", IcM, sol)
    return U, V, Icc


def _chi2_1(stat):
    """Upper tail of chi-square with 1 df: P(X > x) = erfc(sqrt(x / 2)) (NaN stays NaN).

    The same values as ``scipy.stats.chi2.sf(x, 1)`` (the chi-square with 1 df is the square of
    a standard normal), and several times faster than ``chdtrc`` on the short arrays of a
    selection step.
    """
    return erfc(np.sqrt(0.5 * np.asarray(stat, dtype=float)))


def _nanargmin(a: np.ndarray) -> int:
    """Index of the smallest non-NaN value (a has at least one); numpy's nanargmin is slow on
    short arrays."""
    return int(np.where(np.isnan(a), np.inf, a).argmin())


def _nanargmax(a: np.ndarray) -> int:
    return int(np.where(np.isnan(a), -np.inf, a).argmax())


def _removal_stats(X: np.ndarray, y: np.ndarray, fit: _Fit, how: str, refit) -> np.ndarray:
    r"""Removal chi-squares (1 df) of predictors 1..k of design X (column 0: the constant).

    ``refit(i)`` returns the fit without predictor i (0-based), used by the LR test.
    LR: :math:`2(\ell_M - \ell_{M\setminus j})`. Conditional (Lawless & Singhal 1978):
    :math:`2(\ell_M - \ell(\tilde\beta))`, :math:`\tilde\beta = \hat\beta_{-j} -
    \Sigma_{-j,j}\Sigma_{jj}^{-1}\hat\beta_j`, an upper bound of the LR statistic because
    the reduced model's maximum is at least :math:`\ell(\tilde\beta)`. Wald:
    :math:`\hat\beta_j^2/\Sigma_{jj}`.
    """
    k = X.shape[1] - 1
    out = np.full(k, np.nan)
    for i in range(k):
        j = i + 1
        if how == "lr":
            out[i] = max(2.0 * (fit.ll - refit(i).ll), 0.0)
        elif fit.cov is None or not fit.cov[j, j] > 0:
            continue
        elif how == "wald":
            out[i] = fit.beta[j] ** 2 / fit.cov[j, j]
        else:
            keep = [q for q in range(k + 1) if q != j]
            approx = fit.beta[keep] - fit.cov[keep, j] / fit.cov[j, j] * fit.beta[j]
            out[i] = max(2.0 * (fit.ll - _loglik(X[:, keep] @ approx, y)), 0.0)
    return out


def _select(Xc: np.ndarray, y: np.ndarray, removal: str, p_enter: float, p_remove: float,
            max_steps: int, record: bool = False):
    """Forward stepwise selection on a complete-case design (no constant column in Xc).

    Design columns are kept in candidate order (sorted indices) so fits can be cached per set
    of predictors; ``model`` keeps the entry order for reporting.

    Returns (model in entry order, fit of the final model (betas in sorted-index order, the
    constant of the centred predictors), null log-likelihood, steps, candidates, stop note).
    """
    n, m = Xc.shape
    # Centring changes only the constant: likelihoods, slopes and every test stay the same,
    # and warm starts stay close (no large jumps of the constant when a predictor enters).
    Xc = Xc - Xc.mean(axis=0)
    ones = np.ones((n, 1))
    cache: dict[tuple, _Fit] = {}

    designs: dict[tuple, np.ndarray] = {(): ones}

    def design(cols):
        key = tuple(cols)
        if key not in designs:
            designs[key] = np.hstack([ones, Xc[:, list(key)]])
        return designs[key]

    def fit_of(cols, warm=None):
        key = tuple(sorted(cols))
        if key not in cache:
            cache[key] = _newton(design(key), y, beta0=warm)
        return cache[key]

    def warm_start(old_key, new_key):
        old = cache.get(old_key)
        if old is None:
            return None
        pos = {c: i + 1 for i, c in enumerate(old_key)}
        return np.array([old.beta[0]] + [old.beta[pos[c]] if c in pos else 0.0
                                         for c in new_key])

    model: list[int] = []
    fit = fit_of(())
    ll0 = fit.ll
    visited = {()}
    steps, cands = [], []
    note = ""
    step = 0

    def log(action, var, test, stat, pval):
        if record:
            steps.append(dict(step=step, action=action, variable=var, test=test, statistic=stat,
                              df=1, p=pval, model=list(model), m2LL=-2 * fit.ll,
                              R2_CS=cox_snell_r2(ll0, fit.ll, n),
                              R2=nagelkerke_r2(ll0, fit.ll, n)))

    while step < max_steps:
        key = tuple(sorted(model))
        out = [c for c in range(m) if c not in model]
        if not out:
            break
        S = _score_tests(design(key), Xc[:, out], y, fit.p, fit.cov)
        P = _chi2_1(S)
        if record:
            for c, s_, p_ in zip(out, S, P):
                cands.append(dict(step=step, variable=c, score=s_, df=1, p=p_))
        if np.isnan(P).all():
            break
        best = _nanargmin(P)
        if not P[best] < p_enter:
            break
        new = out[best]
        new_key = tuple(sorted(model + [new]))
        if new_key in visited:
            note = "stopped: the next entry would return to an earlier model"
            break
        step += 1
        model.append(new)
        fit = fit_of(new_key, warm_start(key, new_key))
        visited.add(new_key)
        log("enter", new, "score", float(S[best]), float(P[best]))
        while model and step < max_steps:
            key = tuple(sorted(model))

            def refit(i, key=key, fit=fit):
                rest = tuple(x for x in key if x != key[i])
                if fit.cov is None:
                    return fit_of(rest, warm_start(key, rest))
                # start from the conditional (one-step) estimate of the reduced model
                j = i + 1
                if not fit.cov[j, j] > 0:  # numerically singular information (near separation)
                    return fit_of(rest, warm_start(key, rest))
                keep = [q for q in range(len(key) + 1) if q != j]
                start = fit.beta[keep] - fit.cov[keep, j] / fit.cov[j, j] * fit.beta[j]
                return fit_of(rest, start)

            stats_ = _removal_stats(design(key), y, fit, removal, refit)
            rp = _chi2_1(stats_)
            if np.isnan(rp).all():
                break
            worst = _nanargmax(rp)
            if not rp[worst] > p_remove:
                break
            gone = key[worst]
            rest = tuple(x for x in key if x != gone)
            if rest in visited:
                note = "stopped: the next removal would return to an earlier model"
                break
            step += 1
            model.remove(gone)
            fit = fit_of(rest, warm_start(key, rest))
            visited.add(rest)
            log("remove", gone, removal, float(stats_[worst]), float(rp[worst]))
        if note:
            break
    if step >= max_steps and not note:
        note = f"stopped after max_steps = {max_steps}"
    return model, fit, ll0, steps, cands, note


# --------------------------------------------------------------------------------------------
# separation
# --------------------------------------------------------------------------------------------

def detect_separation(X: np.ndarray, y: np.ndarray, *, tol: float = 1e-7) -> str:
    """Whether the maximum likelihood estimate exists: "none", "quasi-complete" or "complete".

    Parameters
    ----------
    X : ndarray (n, k)
        Design matrix *including* the constant column.
    y : ndarray (n,)
        0/1 outcome.

    Notes
    -----
    With :math:`s_i = 2y_i - 1`, the MLE does not exist iff some :math:`\\beta` has
    :math:`s_i x_i'\\beta \\ge 0` for all i and > 0 for at least one (Albert & Anderson 1984).
    Linear programme (Konis 2007): maximise :math:`\\sum_i s_i x_i'\\beta` subject to
    :math:`s_i x_i'\\beta \\ge 0`, :math:`-1 \\le \\beta \\le 1`; a positive optimum means
    separation. It is *complete* when some :math:`\\beta` makes every :math:`s_i x_i'\\beta`
    positive (maximise t subject to :math:`s_i x_i'\\beta \\ge t`, t <= 1), otherwise
    quasi-complete. Columns are scaled to unit maximum first.

    References
    ----------
    Albert, A., & Anderson, J. A. (1984). On the existence of maximum likelihood estimates in
    logistic regression models. *Biometrika*, 71, 1-10.
    Konis, K. (2007). *Linear programming algorithms for detecting separated data in binary
    logistic regression models* (DPhil thesis, University of Oxford).

    Validated in ``tests/test_logistic.py`` on textbook cases of complete, quasi-complete and
    no separation.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    scale = np.max(np.abs(X), axis=0)
    scale[scale == 0] = 1.0
    A = (2 * y - 1)[:, None] * (X / scale)
    n, k = A.shape
    res = optimize.linprog(-A.sum(0), A_ub=-A, b_ub=np.zeros(n), bounds=[(-1, 1)] * k,
                           method="highs")
    if res.status != 0 or -res.fun <= tol * n:
        return "none"
    c = np.zeros(k + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-A, np.ones((n, 1))])
    res2 = optimize.linprog(c, A_ub=A_ub, b_ub=np.zeros(n),
                            bounds=[(-1, 1)] * k + [(None, 1)], method="highs")
    if res2.status == 0 and -res2.fun > tol:
        return "complete"
    return "quasi-complete"


# --------------------------------------------------------------------------------------------
# data preparation
# --------------------------------------------------------------------------------------------

def _prepare(data: pd.DataFrame, outcome: str, predictors: Sequence[str]):
    require_frame(data)
    predictors = as_list(predictors)
    if outcome in predictors:
        raise ValueError(f"outcome {outcome!r} is also among the predictors")
    if len(set(predictors)) != len(predictors):
        raise ValueError(f"predictors repeat a name: {predictors}")
    require_columns(data, [outcome] + predictors)
    y = numeric(data, outcome)
    bad = y.notna() & ~y.isin([0.0, 1.0])
    if bad.any():
        raise ValueError(f"outcome column {outcome!r} must be coded 0/1: rows "
                         f"{y.index[bad][:10].tolist()} hold {y[bad].unique()[:5].tolist()}")
    cols = data[predictors]
    if all(pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t) for t in cols.dtypes):
        X = cols.to_numpy(dtype=float)  # what numeric() gives column by column, at once
    else:
        X = np.column_stack([numeric(data, c).to_numpy(float) for c in predictors])
    ok = y.notna().to_numpy() & ~np.isnan(X).any(axis=1)
    return y.to_numpy(float)[ok], X[ok], predictors, int((~ok).sum())


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------

@dataclass
class LogitResult:
    """A fitted logistic model.

    Attributes
    ----------
    coefficients : DataFrame
        One row per term (``"constant"`` first): ``term, B, SE, Wald, df, p, ExpB, ExpB_low,
        ExpB_high`` (Wald 95% interval of Exp(B)).
    fit : DataFrame
        One row: ``outcome, n, n_events, n_excluded, m2LL`` (-2 log-likelihood),
        ``m2LL_null, chi2, df, p`` (model likelihood-ratio test), ``R2_CS`` (Cox & Snell),
        ``R2`` (Nagelkerke), ``converged, separation`` ("none", "quasi-complete",
        "complete"), ``status, note``.
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame

    @property
    def status(self) -> str:
        return str(self.fit["status"].iloc[0])


def _fit_table(outcome, y, X, names, n_excl, notes: Notes) -> LogitResult:
    """statsmodels Logit on a complete-case design; separation checked by linear programming."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

    n = len(y)
    ev = int(y.sum()) if n else 0
    base = dict(outcome=outcome, n=n, n_events=ev, n_excluded=n_excl, df=len(names))
    if n_excl:
        notes.warn(f"{n_excl} case(s) with a missing value left out (listwise)")
    if n == 0:
        notes.fail("no complete cases")
    elif ev == 0 or ev == n:
        notes.fail("the outcome does not vary in the complete cases")
    if notes.failed:
        return LogitResult(frame([], COEF_COLUMNS),
                           frame([{**base, **notes.fields()}], FIT_COLUMNS))
    design = np.hstack([np.ones((n, 1)), X]) if X.size else np.ones((n, 1))
    const = [names[j] for j in range(X.shape[1]) if np.ptp(X[:, j]) == 0]
    if const:
        notes.fail(f"constant predictor(s): {const}")
    elif np.linalg.matrix_rank(design) < design.shape[1]:
        notes.fail("predictors are collinear (design matrix not of full rank)")
    if notes.failed:
        return LogitResult(frame([], COEF_COLUMNS),
                           frame([{**base, **notes.fields()}], FIT_COLUMNS))
    sep = detect_separation(design, y)
    if sep != "none":
        notes.fail(f"{sep} separation: the maximum likelihood estimates do not exist "
                   "(coefficients diverge)")
        return LogitResult(frame([], COEF_COLUMNS),
                           frame([{**base, "separation": sep, "converged": False,
                                   **notes.fields()}], FIT_COLUMNS))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sm.Logit(y, design).fit(method="newton", maxiter=100, disp=0)
        ll0 = sm.Logit(y, np.ones((n, 1))).fit(method="newton", maxiter=100, disp=0).llf
    for w in caught:
        if isinstance(w.message, PerfectSeparationWarning):
            notes.warn("statsmodels reports perfect prediction")
        else:
            notes.warn(f"{type(w.message).__name__}: {str(w.message).splitlines()[0]}")
    converged = bool(res.mle_retvals.get("converged", True))
    if not converged:
        notes.warn("the fit did not converge")
    b, se = np.asarray(res.params), np.asarray(res.bse)
    z = ndtri(0.975)
    coefs = pd.DataFrame({"term": ["constant"] + list(names), "B": b, "SE": se,
                          "Wald": (b / se) ** 2, "df": 1, "p": np.asarray(res.pvalues),
                          "ExpB": np.exp(b), "ExpB_low": np.exp(b - z * se),
                          "ExpB_high": np.exp(b + z * se)})
    ll = float(res.llf)
    chi2 = 2 * (ll - ll0)
    fit = {**base, "m2LL": -2 * ll, "m2LL_null": -2 * ll0, "chi2": chi2,
           "p": float(chdtrc(len(names), chi2)) if names else np.nan,
           "R2_CS": cox_snell_r2(ll0, ll, n), "R2": nagelkerke_r2(ll0, ll, n),
           "converged": converged, "separation": sep, **notes.fields()}
    return LogitResult(coefs[COEF_COLUMNS], frame([fit], FIT_COLUMNS))


def fit_logit(data: pd.DataFrame, outcome: str, predictors: str | Iterable[str]) -> LogitResult:
    """Unpenalised logistic regression ("Enter"), listwise, with Exp(B) and R2.

    Parameters
    ----------
    data : DataFrame
        One row per case.
    outcome : str
        0/1 outcome column (1 = the event, e.g. dropout).
    predictors : str or list of str
        Numeric predictors, all entered.

    Returns
    -------
    LogitResult
        ``.coefficients`` and ``.fit`` (see :class:`LogitResult`).

    Notes
    -----
    Maximum likelihood by ``statsmodels.api.Logit`` (Newton). Wald = (B/SE)^2 with 1 df,
    Exp(B) = e^B, the odds ratio per unit of the predictor. R2 as :func:`cox_snell_r2` and
    :func:`nagelkerke_r2`. Separation (complete or quasi-complete, :func:`detect_separation`)
    is tested before fitting; when present no coefficients are returned and the status says
    so, instead of the huge coefficients and SEs SPSS prints after hitting its iteration limit.

    Validated against the numpy Newton-Raphson fit of this module and R2 by formula in
    ``tests/test_logistic.py``.
    """
    y, X, names, n_excl = _prepare(data, outcome, as_list(predictors))
    return _fit_table(outcome, y, X, names, n_excl, Notes())


@dataclass
class StepwiseResult:
    """Result of :func:`forward_stepwise`.

    Attributes
    ----------
    selected : list of str
        Predictors in the final model, in entry order.
    steps : DataFrame
        One row per entry or removal: ``step, action`` ("enter"/"remove"), ``variable, test``
        ("score" for entries, the removal test otherwise), ``statistic, df, p, model``
        (predictors after the step, "+"-joined), ``m2LL, R2_CS, R2``.
    candidates : DataFrame
        SPSS's "Variables not in the Equation": per step (0 = constant only) the score test
        of every predictor not in the model: ``step, variable, score, df, p``.
    coefficients, fit : DataFrame
        The final model as :func:`fit_logit` reports it, on the same listwise cases; ``fit``
        has ``removal`` and ``p_enter, p_remove`` added.
    """

    selected: list
    steps: pd.DataFrame
    candidates: pd.DataFrame
    coefficients: pd.DataFrame
    fit: pd.DataFrame

    @property
    def status(self) -> str:
        return str(self.fit["status"].iloc[0])


def forward_stepwise(data: pd.DataFrame, outcome: str, candidates: Sequence[str], *,
                     removal: str = "lr", p_enter: float = 0.05, p_remove: float = 0.10,
                     max_steps: int | None = None) -> StepwiseResult:
    """Forward stepwise logistic regression as SPSS's LOGISTIC REGRESSION /METHOD=FSTEP does it.

    Parameters
    ----------
    data : DataFrame
        One row per case (dyad).
    outcome : str
        0/1 outcome column.
    candidates : list of str
        Candidate predictors (e.g. the four client and four officer scales).
    removal : {"lr", "conditional", "wald"}
        Removal test: SPSS's Forward: LR, Forward: Conditional or Forward: Wald (module
        docstring). The entry test is always the score test.
    p_enter, p_remove : float
        SPSS's PIN and POUT (defaults .05 and .10). ``p_remove`` must exceed ``p_enter``;
        ``p_remove = 1`` never removes (pure forward selection).
    max_steps : int, optional
        Safety limit on entries plus removals (default twice the number of candidates).

    Returns
    -------
    StepwiseResult

    Notes
    -----
    Cases: listwise over the outcome and every candidate (SPSS), counted in
    ``fit.n_excluded``. Entry: for a candidate :math:`x_j` and the current model with fitted
    probabilities :math:`\\hat p`, :math:`U_j = x_j'(y - \\hat p)`,
    :math:`S_j = U_j^2 / (I_{jj} - I_{jM} I_{MM}^{-1} I_{Mj})`, :math:`I = X'\\hat W X`,
    :math:`\\hat W = \\operatorname{diag}(\\hat p(1-\\hat p))`, compared with chi-square(1).
    Removal statistics of a variable j in the model: LR :math:`2(\\ell_M - \\ell_{M\\setminus j})`;
    conditional :math:`2(\\ell_M - \\ell(\\tilde\\beta))` with
    :math:`\\tilde\\beta = \\hat\\beta_{-j} - \\Sigma_{-j,j}\\Sigma_{jj}^{-1}\\hat\\beta_j`
    (Lawless & Singhal 1978); Wald :math:`\\hat\\beta_j^2/\\Sigma_{jj}`. The selection runs on
    a numpy Newton-Raphson fit; the final model is refitted with statsmodels ``Logit``.
    Separation in the final model is reported in ``fit.status`` (not a crash); a separating
    candidate usually has an extreme score statistic and enters first, so check the status.

    References
    ----------
    Hosmer, D. W., Lemeshow, S., & Sturdivant, R. X. (2013). *Applied logistic regression*
    (3rd ed.), ch. 4.
    Lawless, J. F., & Singhal, K. (1978). Efficient screening of nonnormal regression models.
    *Biometrics*, 34, 318-327.
    IBM SPSS Statistics, Command Syntax Reference: LOGISTIC REGRESSION, METHOD and CRITERIA
    subcommands.

    Validated in ``tests/test_logistic.py``: score statistics against the statsmodels score
    test (``Logit.score_test``), LR removal against refitted statsmodels models, selection on
    simulated data with known strong predictors, a case where entry order matters, and a
    case where a removal happens. Not validated against SPSS output (none available).
    """
    if removal not in REMOVAL:
        raise ValueError(f"removal must be one of {REMOVAL}, got {removal!r}")
    if not 0 < p_enter < p_remove <= 1:
        raise ValueError(f"need 0 < p_enter < p_remove <= 1, got {p_enter}, {p_remove}")
    y, X, names, n_excl = _prepare(data, outcome, candidates)
    max_steps = 2 * len(names) if max_steps is None else int(max_steps)
    notes = Notes()
    sel, steps, cands = [], [], []
    if len(y) and 0 < y.sum() < len(y):
        sel, _fit, _ll0, steps, cands, stop = _select(X, y, removal, p_enter, p_remove,
                                                      max_steps, record=True)
        if stop:
            notes.warn(stop)
    final = _fit_table(outcome, y, X[:, sel] if sel else X[:, :0], [names[j] for j in sel],
                       n_excl, notes)
    fit = final.fit.assign(removal=removal, p_enter=p_enter, p_remove=p_remove)
    st = pd.DataFrame(steps, columns=STEP_COLUMNS)
    if len(st):
        st["variable"] = [names[j] for j in st["variable"]]
        st["model"] = ["+".join(names[j] for j in m) for m in st["model"]]
    cd = pd.DataFrame(cands, columns=CAND_COLUMNS)
    if len(cd):
        cd["variable"] = [names[j] for j in cd["variable"]]
    return StepwiseResult(selected=[names[j] for j in sel], steps=st, candidates=cd,
                          coefficients=final.coefficients, fit=fit)


def method_sensitivity(data: pd.DataFrame, outcome: str, candidates: Sequence[str], *,
                       p_enter: float = 0.05, p_remove: float = 0.10,
                       known: StepwiseResult | None = None) -> pd.DataFrame:
    """The selected model under each SPSS removal test (LR, conditional, Wald).

    Parameters
    ----------
    data, outcome, candidates, p_enter, p_remove
        As :func:`forward_stepwise`.
    known : StepwiseResult, optional
        A :func:`forward_stepwise` result on the same data, outcome, candidates and thresholds
        (e.g. chapter 10's model): its removal test is not run again.

    Returns
    -------
    DataFrame
        One row per removal test: ``removal, selected`` ("+"-joined, in entry order),
        ``n, R2, status``, and ``same`` (True when all three select the same set).

    Notes
    -----
    The final model of a selection is fitted once per distinct set: a removal test whose
    selection (the numpy core's, :func:`forward_stepwise` without its final fit) ends in the
    set of a test already fitted, with the same stop note, takes that fit's n, R2 and status.
    """
    y, X, names, _ = _prepare(data, outcome, candidates)
    varies = bool(len(y)) and 0 < y.sum() < len(y)
    done: list[tuple[frozenset, str, StepwiseResult]] = []
    if known is not None:
        f = known.fit.iloc[0]
        if (f.get("removal") in REMOVAL and f.get("p_enter") == p_enter
                and f.get("p_remove") == p_remove and int(f["n"]) == len(y)
                and set(known.candidates.loc[known.candidates["step"] == 0, "variable"]) == set(names)):
            stop = _select(X, y, f["removal"], p_enter, p_remove, 2 * len(names))[5] if varies else ""
            done.append((frozenset(known.selected), stop, known))
        else:
            known = None
    rows = []
    for how in REMOVAL:
        if varies:
            sel, _fit, _ll0, _s, _c, stop = _select(X, y, how, p_enter, p_remove, 2 * len(names))
            sel = [names[j] for j in sel]
        else:
            sel, stop = [], ""
        if known is not None and known.fit["removal"].iloc[0] == how:
            res = known
        else:
            res = next((r for key, st, r in done if key == frozenset(sel) and st == stop), None)
            if res is None:
                res = forward_stepwise(data, outcome, candidates, removal=how, p_enter=p_enter,
                                       p_remove=p_remove)
                done.append((frozenset(res.selected), stop, res))
        rows.append(dict(removal=how, selected="+".join(sel),
                         n=int(res.fit["n"].iloc[0]), R2=float(res.fit["R2"].iloc[0]),
                         status=res.status))
    out = pd.DataFrame(rows)
    out["same"] = len({frozenset(s.split("+")) for s in out["selected"]}) == 1
    return out


def removal_tests(data: pd.DataFrame, outcome: str, predictors: Sequence[str]) -> pd.DataFrame:
    """SPSS's "Model if Term Removed": the three removal tests for each predictor of a model.

    Parameters
    ----------
    data, outcome
        As :func:`fit_logit`.
    predictors : list of str
        The model's predictors (listwise over outcome and predictors).

    Returns
    -------
    DataFrame
        One row per predictor: ``variable, lr, p_lr, conditional, p_conditional, wald,
        p_wald`` (chi-square statistics with 1 df and their p), ``n``.

    Notes
    -----
    The statistics :func:`forward_stepwise` uses for removal (see ``_removal_stats``).
    Validated against refitted statsmodels models (LR), statsmodels z (Wald) and the
    Lawless-Singhal formula on statsmodels' covariance (conditional) in
    ``tests/test_logistic.py``.
    """
    y, X, names, _ = _prepare(data, outcome, as_list(predictors))
    if len(y) == 0 or y.sum() in (0, len(y)):
        raise ValueError(f"outcome {outcome!r} does not vary in the {len(y)} complete cases")
    design = np.hstack([np.ones((len(y), 1)), X])
    fit = _newton(design, y)
    if fit.suspect:
        raise ValueError("the model does not converge (separation?); see detect_separation")

    def refit(i):
        keep = [q for q in range(design.shape[1]) if q != i + 1]
        return _newton(design[:, keep], y, beta0=fit.beta[keep])

    out = {"variable": names}
    for how in REMOVAL:
        st = _removal_stats(design, y, fit, how, refit)
        out[how] = st
        out[f"p_{how}"] = _chi2_1(st)
    res = pd.DataFrame(out)
    res["n"] = len(y)
    return res[["variable", "lr", "p_lr", "conditional", "p_conditional", "wald", "p_wald", "n"]]


# --------------------------------------------------------------------------------------------
# beyond the thesis: selection stability and the lasso
# --------------------------------------------------------------------------------------------

def _boot_chunk(X, y, index_rows, removal, p_enter, p_remove, max_steps):
    m = X.shape[1]
    sel = np.zeros((len(index_rows), m), dtype=bool)
    sign = np.zeros((len(index_rows), m), dtype=np.int8)
    coef = np.full((len(index_rows), m), np.nan)
    failed = np.zeros(len(index_rows), dtype=bool)
    for i, idx in enumerate(index_rows):
        yb, Xb = y[idx], X[idx]
        if yb.sum() == 0 or yb.sum() == len(yb):
            failed[i] = True
            continue
        model, fit, _ll0, _s, _c, _note = _select(Xb, yb, removal, p_enter, p_remove, max_steps)
        if fit.suspect:
            failed[i] = True
        for pos, j in enumerate(sorted(model)):
            sel[i, j] = True
            coef[i, j] = fit.beta[pos + 1]
            sign[i, j] = 1 if fit.beta[pos + 1] > 0 else -1
    return sel, sign, coef, failed


# The bootstrap of the LR variant runs all resamples of a model side by side: the same selection
# as _select, step by step, with every resample's fits (entries and removal refits) done as one
# batch of Newton-Raphson fits. A resample is a vector of case weights (how often each complete
# case was drawn) on the full design, so no resample's design is copied; a model is a mask of the
# design's columns, and the fits of one batch are grouped by model size, each group on the
# gathered columns of its models.

_BLOCK = 512  # fits per block of numpy work (bounds the fits x columns x cases temporaries)


def _by_size(mask: np.ndarray):
    """(rows, cols) per model size: the rows of ``mask`` with that many columns and their
    column indices in ascending order (rows x size), in blocks of at most _BLOCK rows."""
    sizes = mask.sum(axis=1)
    for size in np.unique(sizes):
        rows = np.flatnonzero(sizes == size)
        cols = np.nonzero(mask[rows])[1].reshape(len(rows), size)
        for s in range(0, len(rows), _BLOCK):
            yield rows[s:s + _BLOCK], cols[s:s + _BLOCK]


def _solve_pd(H: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton steps H_j^-1 g_j of a stack of information matrices, and whether each matrix is
    positive definite (has a Cholesky factor, as dposv in _newton_path needs; else the step is
    0). Each step is solved on its own matrix (LAPACK per matrix), so it does not depend on
    which other fits share the stack."""
    try:
        np.linalg.cholesky(H)
        ok = np.isfinite(H).all(axis=(1, 2))
    except np.linalg.LinAlgError:
        ok = np.zeros(len(H), dtype=bool)
        for j in range(len(H)):
            try:
                np.linalg.cholesky(H[j])
                ok[j] = np.isfinite(H[j]).all()
            except np.linalg.LinAlgError:
                pass
    step = np.zeros_like(g)
    j = np.flatnonzero(ok)
    try:
        step[j] = np.linalg.solve(H[j], g[j][:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:
        for i in j:
            try:
                step[i] = np.linalg.solve(H[i], g[i])
            except np.linalg.LinAlgError:
                ok[i] = False
    return step, ok


def _inverse(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverses of a stack of matrices and whether each is usable (finite, not singular)."""
    try:
        inv = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        inv = np.full_like(H, np.nan)
        for j in range(len(H)):
            try:
                inv[j] = np.linalg.inv(H[j])
            except np.linalg.LinAlgError:
                pass
    return inv, np.isfinite(inv).all(axis=(1, 2))


def _newton_block(Xg, y, W, start, tol):
    """The fast path of _newton_path for a block of weighted fits of the same size (``Xg``:
    fits x columns x cases); returns beta, ll, cov (inverse information), cov_ok, suspect and
    which fits need the safe path (no Cholesky factor, a step >= 5, or 25 iterations)."""
    beta = start.astype(float).copy()
    bad = np.zeros(len(Xg), dtype=bool)
    live = np.arange(len(Xg))
    for _ in range(25):
        if not len(live):
            break
        Xl, w = Xg[live], W[live]
        p = expit((beta[live][:, None, :] @ Xl)[:, 0, :])
        H = (Xl * (w * (p * (1 - p)))[:, None, :]) @ Xl.transpose(0, 2, 1)
        g = (Xl @ (w * (y - p))[:, :, None])[:, :, 0]
        step, ok = _solve_pd(H, g)
        size = np.abs(step).max(axis=1)
        good = ok & (size < 5.0)
        bad[live[~good]] = True
        beta[live[good]] += step[good]
        with np.errstate(over="ignore", invalid="ignore"):  # a huge step is not good anyway
            done = good & (size * size < tol)
        live = live[good & ~done]
    bad[live] = True
    eta = (beta[:, None, :] @ Xg)[:, 0, :]
    ll = (W * (y * eta - np.logaddexp(0.0, eta))).sum(axis=1)
    p = expit(eta)
    suspect = np.where(W > 0, np.abs(eta), 0.0).max(axis=1) > 25
    cov, cov_ok = _inverse((Xg * (W * (p * (1 - p)))[:, None, :]) @ Xg.transpose(0, 2, 1))
    return beta, ll, cov, cov_ok, suspect, bad


def _newton_batch(X1, y, W, mask, start, tol=1e-8):
    """Weighted Newton-Raphson fits of many models at once (``mask``: the columns of each model;
    ``start``: full-width starting values). Returns full-width beta (0 outside the model), ll,
    cov (the inverse information of the model's columns, 0 elsewhere), cov_ok and suspect.
    The fits the fast path cannot do are redone one by one with _newton_path's safe path on the
    expanded resample, as _newton does."""
    J, k = mask.shape
    beta, ll = np.zeros((J, k)), np.zeros(J)
    cov, cov_ok, suspect = np.zeros((J, k, k)), np.zeros(J, dtype=bool), np.zeros(J, dtype=bool)
    X1T = X1.T
    for rows, cols in _by_size(mask):
        b, l_, c, ok, sus, bad = _newton_block(X1T[cols], y, W[rows], np.take_along_axis(start[rows], cols, 1), tol)
        for i in np.flatnonzero(bad):
            r = np.repeat(np.arange(len(y)), W[rows[i]].astype(np.int64))
            f = _newton_path(X1[r][:, cols[i]], y[r], start[rows[i], cols[i]].astype(float), max_iter=100,
                             tol=tol, safe=True)
            b[i], l_[i], sus[i] = f.beta, f.ll, f.suspect
            ok[i] = f.cov is not None
            c[i] = f.cov if f.cov is not None else np.nan
        beta[rows[:, None], cols] = b
        ll[rows], cov_ok[rows], suspect[rows] = l_, ok, sus
        cov[rows[:, None, None], cols[:, :, None], cols[:, None, :]] = c
    return beta, ll, cov, cov_ok, suspect


def _score_batch(X1, y, W, mask, beta, cov):
    """Score statistics (as _score_tests) of every column outside each model; NaN inside."""
    J, k = mask.shape
    S = np.full((J, k), np.nan)
    X1T, X1sq = X1.T, X1 ** 2
    for rows, cols in _by_size(mask):
        Xg, w = X1T[cols], W[rows]
        p = expit((np.take_along_axis(beta[rows], cols, 1)[:, None, :] @ Xg)[:, 0, :])
        v = w * (p * (1 - p))
        U = (w * (y - p)) @ X1
        Icc = v @ X1sq
        IMc = (Xg * v[:, None, :]) @ X1
        C = cov[rows[:, None, None], cols[:, :, None], cols[:, None, :]]
        V = Icc - np.einsum("jak,jak->jk", IMc, C @ IMc)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = U ** 2 / V
        s[~(V > 1e-10 * np.maximum(Icc, 1e-300))] = np.nan
        S[rows] = s
    S[mask] = np.nan
    return S


def _boot_lr_batched(X, y, index_rows, p_enter, p_remove, max_steps):
    """_boot_chunk for removal "lr": every resample of ``index_rows`` through the selection of
    :func:`_select` side by side (same entry, removal and stop rules; one batch of fits per
    step). The fits agree with _select's to the convergence tolerance, not to the last bit: the
    sums run over weighted distinct cases instead of the repeated rows. Resamples with
    separation overflow on the way to failing; they are counted as failed, so numpy's floating
    point warnings are silenced here (in a worker process they would land in whatever notebook
    cell is running)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return _boot_lr_batched_fits(X, y, index_rows, p_enter, p_remove, max_steps)


def _boot_lr_batched_fits(X, y, index_rows, p_enter, p_remove, max_steps):
    B, (n, m) = len(index_rows), X.shape
    X1 = np.hstack([np.ones((n, 1)), X - X.mean(axis=0)])
    k = m + 1
    W = np.zeros((B, n))
    for b, idx in enumerate(index_rows):
        W[b] = np.bincount(idx, minlength=n)
    nb = W.sum(axis=1)
    mean = (W @ y) / nb
    failed = (mean <= 0) | (mean >= 1)
    mask = np.zeros((B, k), dtype=bool)
    mask[:, 0] = True
    beta = np.zeros((B, k))
    ll = np.full(B, np.nan)
    cov = np.zeros((B, k, k))
    cov_ok = np.zeros(B, dtype=bool)
    suspect = np.zeros(B, dtype=bool)
    ok = ~failed
    mo = mean[ok]
    beta[ok, 0] = np.log(mo / (1 - mo))  # the constant-only model in closed form, as _newton
    ll[ok] = nb[ok] * (mo * np.log(mo) + (1 - mo) * np.log1p(-mo))
    cov[ok, 0, 0] = 1.0 / (nb[ok] * mo * (1 - mo))
    cov_ok[ok] = True
    steps = np.zeros(B, dtype=np.int64)
    bits = [1 << c for c in range(k)]  # a model's key: the sum of its columns' bits
    key = [0] * B
    visited = [{0} for _ in range(B)]
    entry = np.flatnonzero(ok & (steps < max_steps))
    removal = np.array([], dtype=np.int64)
    while len(entry) or len(removal):
        if len(entry):
            S = _score_batch(X1, y, W[entry], mask[entry], beta[entry], cov[entry])
            for i, b in enumerate(entry):  # a fit without a usable covariance: the slow score test
                if not cov_ok[b]:
                    cols, out = np.flatnonzero(mask[b]), np.flatnonzero(~mask[b])
                    rows = np.repeat(np.arange(n), W[b].astype(np.int64))
                    pb = expit(X1[rows][:, cols] @ beta[b, cols])
                    S[i, out] = _score_tests(X1[rows][:, cols], X1[rows][:, out], y[rows], pb)
            P = _chi2_1(S)
            go = []
            for i, b in enumerate(entry):
                if np.isnan(P[i]).all():
                    continue
                best = _nanargmin(P[i])
                if not P[i, best] < p_enter:
                    continue
                new = key[b] + bits[best]
                if new in visited[b]:
                    continue  # SPSS's cycle rule: stop
                go.append((b, best, new))
            entered = np.array([g[0] for g in go], dtype=np.int64)
            if len(entered):
                new_mask = mask[entered].copy()
                new_mask[np.arange(len(entered)), [g[1] for g in go]] = True
                fit = _newton_batch(X1, y, W[entered], new_mask, beta[entered])
                mask[entered] = new_mask
                beta[entered], ll[entered], cov[entered], cov_ok[entered], suspect[entered] = fit
                steps[entered] += 1
                for b, _best, new in go:
                    key[b] = new
                    visited[b].add(new)
            removal = np.sort(np.concatenate([removal, entered[steps[entered] < max_steps]]))
            entry = np.array([], dtype=np.int64)
        if len(removal):
            # LR removal tests: every model refitted without each of its predictors
            jb, jc = np.nonzero(mask[removal, 1:])  # in removal's order, columns ascending
            bounds = np.concatenate([[0], np.cumsum(np.bincount(jb, minlength=len(removal)))])
            jb, jc = removal[jb], jc + 1
            rj = np.arange(len(jb))
            jmask = mask[jb].copy()
            jmask[rj, jc] = False
            start = beta[jb].copy()
            cjj = cov[jb, jc, jc]
            cond = cov_ok[jb] & (cjj > 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                one_step = start - cov[jb, :, jc] / cjj[:, None] * start[rj, jc][:, None]
            start = np.where(cond[:, None], one_step, start)
            start[rj, jc] = 0.0
            rbeta, rll, rcov, rcov_ok, rsus = _newton_batch(X1, y, W[jb], jmask, start)
            stat = np.maximum(2.0 * (ll[jb] - rll), 0.0)
            rp = _chi2_1(stat)
            stay, back = [], []
            for i, b in enumerate(removal):
                sel = np.arange(bounds[i], bounds[i + 1])
                if np.isnan(rp[sel]).all():
                    back.append(b)
                    continue
                w = sel[_nanargmax(rp[sel])]
                if not rp[w] > p_remove:
                    back.append(b)
                    continue
                rest = key[b] - bits[jc[w]]
                if rest in visited[b]:
                    continue  # cycle rule: stop
                steps[b] += 1
                mask[b] = jmask[w]
                beta[b], ll[b], cov[b], cov_ok[b], suspect[b] = rbeta[w], rll[w], rcov[w], rcov_ok[w], rsus[w]
                key[b] = rest
                visited[b].add(rest)
                if steps[b] >= max_steps:
                    continue
                (stay if mask[b, 1:].any() else back).append(b)
            back = np.array(back, dtype=np.int64)
            entry = back[steps[back] < max_steps]
            removal = np.array(stay, dtype=np.int64)
    sel = mask[:, 1:].copy()
    coef = np.where(sel, beta[:, 1:], np.nan)
    sign = np.where(sel, np.where(beta[:, 1:] > 0, 1, -1), 0).astype(np.int8)
    failed = failed | (ok & suspect)
    return sel, sign, coef, failed


@dataclass
class StabilityResult:
    """Result of :func:`selection_stability`.

    Attributes
    ----------
    variables : DataFrame
        One row per candidate: ``variable, in_full`` (selected on the full sample),
        ``selected`` (count), ``share``, ``share_positive`` (of the selections, B > 0),
        ``median_ExpB`` (over the resamples that selected it), ``n_boot``.
    models : DataFrame
        Selected sets and how often: ``model`` ("+"-joined, "" = constant only), ``count,
        share``, most frequent first.
    n_failed : int
        Resamples with a constant outcome or a diverging final fit (separation); they are
        counted in ``n_boot`` and their selections kept.
    """

    variables: pd.DataFrame
    models: pd.DataFrame
    n_failed: int


def selection_stability(data: pd.DataFrame, outcome: str, candidates: Sequence[str], *,
                        n_boot: int = 1000, seed: int = 0, n_jobs: int = 1,
                        removal: str = "lr", p_enter: float = 0.05, p_remove: float = 0.10,
                        cluster: str | None = None) -> StabilityResult:
    """How often forward stepwise selection picks each predictor over bootstrap resamples.

    Parameters
    ----------
    data, outcome, candidates, removal, p_enter, p_remove
        As :func:`forward_stepwise` (the same listwise cases).
    n_boot : int
        Number of bootstrap resamples.
    seed : int
        Seed of ``numpy.random.default_rng``; every resample's rows are drawn up front, so the
        result does not depend on ``n_jobs``.
    n_jobs : int
        Worker processes (joblib, loky backend); 1 runs in this process.
    cluster : str, optional
        Resample clusters (officers) instead of cases: all complete cases of each drawn
        officer enter the resample.

    Returns
    -------
    StabilityResult

    Notes
    -----
    Each resample draws n cases (or G clusters) with replacement and reruns the whole
    selection. A predictor selected in, say, 40% of resamples is a weak finding even when
    the full-sample selection kept it (Austin & Tu 2004; Heinze, Wallisch & Dunkler 2018).
    The selection uses the numpy core of this module (score tests from the current fitted
    values, Newton-Raphson refits only for the chosen model and the removal tests). With the
    LR removal test all resamples run through the selection side by side, each resample as
    case weights (the number of times each case was drawn) and each step's fits as one batch
    (``_boot_lr_batched``); it takes the same decisions as the one-resample-at-a-time
    selection (``_boot_chunk``, used for the other removal tests), with coefficients equal to
    the convergence tolerance. Only where a resample's final model does not converge
    (separation; counted in ``n_failed``) can the two end in different models, since there
    the fits diverge and the likelihoods differ in their last digits.

    References
    ----------
    Austin, P. C., & Tu, J. V. (2004). Bootstrap methods for developing predictive models.
    *The American Statistician*, 58, 131-137.
    Heinze, G., Wallisch, C., & Dunkler, D. (2018). Variable selection - a review and
    recommendations for the practicing statistician. *Biometrical Journal*, 60, 431-449.
    """
    if removal not in REMOVAL:
        raise ValueError(f"removal must be one of {REMOVAL}, got {removal!r}")
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    names = as_list(candidates)
    y, X, names, _ = _prepare(data, outcome, names)
    max_steps = 2 * len(names)
    rng = np.random.default_rng(seed)
    n = len(y)
    if cluster is None:
        rows = list(rng.integers(0, n, size=(n_boot, n)))
    else:
        require_columns(data, [cluster])
        cols = [outcome] + names
        ok = pd.DataFrame({c: numeric(data, c) for c in cols}, index=data.index).notna().all(axis=1)
        cl = data.loc[ok, cluster]
        if cl.isna().any():
            raise ValueError(f"cluster column {cluster!r} is missing for rows "
                             f"{cl.index[cl.isna()][:10].tolist()}")
        codes, uniq = pd.factorize(cl, sort=True)
        members = [np.flatnonzero(codes == g) for g in range(len(uniq))]
        draws = rng.integers(0, len(uniq), size=(n_boot, len(uniq)))
        rows = [np.concatenate([members[g] for g in d]) for d in draws]
    # the selection on all cases (forward_stepwise's, without its final statsmodels fit)
    full = [names[j] for j in _select(X, y, removal, p_enter, p_remove, max_steps)[0]] if 0 < y.sum() < n else []
    chunks = np.array_split(np.arange(n_boot), max(1, n_jobs))
    if removal == "lr":  # all resamples of a chunk side by side (_boot_lr_batched)
        task = _boot_lr_batched
        args = [(X, y, [rows[i] for i in c], p_enter, p_remove, max_steps) for c in chunks if len(c)]
    else:
        task = _boot_chunk
        args = [(X, y, [rows[i] for i in c], removal, p_enter, p_remove, max_steps)
                for c in chunks if len(c)]
    if n_jobs == 1:
        parts = [task(*a) for a in args]
    else:
        from joblib import Parallel, delayed
        parts = Parallel(n_jobs=n_jobs, backend="loky")(delayed(task)(*a) for a in args)
    sel = np.vstack([p[0] for p in parts])
    sign = np.vstack([p[1] for p in parts])
    coef = np.vstack([p[2] for p in parts])
    failed = np.concatenate([p[3] for p in parts])
    counts = sel.sum(0)
    with np.errstate(invalid="ignore"):
        pos = np.where(counts > 0, (sign > 0).sum(0) / np.maximum(counts, 1), np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        med = np.exp(np.nanmedian(coef, axis=0))
    variables = pd.DataFrame({"variable": names, "in_full": [v in full for v in names],
                              "selected": counts.astype(int), "share": counts / n_boot,
                              "share_positive": pos, "median_ExpB": med, "n_boot": n_boot})
    keys = ["+".join(names[j] for j in np.flatnonzero(r)) for r in sel]
    models = (pd.Series(keys, dtype=object).value_counts(sort=False).rename_axis("model")
              .reset_index(name="count"))
    models["share"] = models["count"] / n_boot
    models = models.sort_values(["count", "model"], ascending=[False, True],
                                kind="mergesort").reset_index(drop=True)
    return StabilityResult(variables=variables, models=models, n_failed=int(failed.sum()))


def _neg_log_loss(estimator, X, y) -> float:
    """sklearn's ``neg_log_loss`` scorer for a 0/1 outcome, the same operations (probabilities
    clipped to [eps, 1 - eps], mean of -y log p - (1 - y) log(1 - p)) without its label and
    input validation, which costs more than the loss on the small folds of :func:`l1_logistic`."""
    from scipy.special import xlogy

    P = estimator.predict_proba(X)
    eps = np.finfo(P.dtype).eps
    P = np.clip(P, eps, 1 - eps)
    classes = np.unique(y)  # sklearn passes the fold's labels encoded (e.g. -1/1)
    if len(classes) != 2:
        raise ValueError(f"a fold holds {len(classes)} outcome value(s); log loss needs both")
    y = (np.asarray(y) == classes[1]).astype(int)
    loss = -xlogy(np.column_stack([1 - y, y]), P).sum(axis=1)
    return -float(np.average(loss))


def l1_logistic(data: pd.DataFrame, outcome: str, candidates: Sequence[str], *,
                n_cs: int = 30, cv: int = 10, seed: int = 0,
                scoring: str = "neg_log_loss", c_range: tuple[float, float] = (1e-4, 1e4)) -> pd.DataFrame:
    """L1-penalised (lasso) logistic regression with a cross-validated penalty.

    Parameters
    ----------
    data, outcome, candidates
        As :func:`forward_stepwise` (the same listwise cases).
    n_cs : int
        Number of penalty values (inverse penalty C) on a log grid over ``c_range``.
    cv : int
        Folds of stratified K-fold cross-validation (shuffled with ``seed``).
    seed : int
        Seed of the fold split and the solver.
    scoring : str
        sklearn scorer for choosing C (default: log loss).
    c_range : (float, float)
        Smallest and largest C of the grid (default sklearn's 1e-4 to 1e4). On standardised
        predictors C = 10 is already close to no penalty; larger values add nothing to the
        choice but slow the solver down a lot on nearly separated data (few events).

    Returns
    -------
    DataFrame
        One row per candidate: ``variable, B_std`` (per SD of the predictor),
        ``B`` (per scale point), ``ExpB, selected`` (B != 0), ``C`` (chosen inverse penalty),
        ``n, n_events``.

    Notes
    -----
    Predictors are standardised (mean 0, SD 1) so the penalty treats them alike; the
    intercept is not penalised (solver ``saga``). The lasso shrinks and selects in one
    criterion, unlike stepwise selection's sequence of tests (Tibshirani 1996); its
    coefficients are biased towards 0 and have no classical SEs.

    References
    ----------
    Tibshirani, R. (1996). Regression shrinkage and selection via the lasso. *JRSS B*, 58,
    267-288.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.model_selection import StratifiedKFold

    y, X, names, _ = _prepare(data, outcome, candidates)
    n = len(y)
    ev = int(y.sum())
    if n == 0 or ev in (0, n):
        raise ValueError(f"outcome {outcome!r} does not vary in the {n} complete cases")
    mu, sd = X.mean(0), X.std(0, ddof=0)
    if np.any(sd == 0):
        raise ValueError(f"constant predictor(s): {[c for c, s in zip(names, sd) if s == 0]}")
    Z = (X - mu) / sd
    folds = StratifiedKFold(n_splits=min(cv, ev, n - ev), shuffle=True, random_state=seed)
    lo, hi = (float(c) for c in c_range)
    if not 0 < lo < hi:
        raise ValueError(f"c_range must be two increasing positive numbers, got {c_range}")
    model = LogisticRegressionCV(Cs=np.logspace(np.log10(lo), np.log10(hi), int(n_cs)), cv=folds, penalty="l1",
                                 solver="saga",
                                 scoring=_neg_log_loss if scoring == "neg_log_loss" else scoring,
                                 max_iter=20000, tol=1e-6,
                                 random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        model.fit(Z, y.astype(int))
    b_std = model.coef_[0]
    b = b_std / sd
    return pd.DataFrame({"variable": names, "B_std": b_std, "B": b, "ExpB": np.exp(b),
                         "selected": b_std != 0, "C": float(model.C_[0]), "n": n,
                         "n_events": ev})
