"""Chapter 10 beyond the thesis: the dyad analyses a reviewer would ask for next.

The thesis relates the outcomes to client-officer *difference scores* and selects predictors
with *forward stepwise* logistic regression. Both are fragile: a difference score hides which
partner's score drives an effect, and a stepwise selection among correlated scales can change
with a handful of cases. The dyads are also not independent: one officer rates several clients.
This module runs the three checks of the chapter's "Beyond the thesis" section on the analysis
frame of :func:`wagk.background.analysis_frame` (one row per client, columns
``client1_trust``, ``po2_reactance``, ``no_show`` ...):

- :func:`response_surfaces`: polynomial regression of each outcome on the client's and the
  officer's score with the response surface parameters a1-a4 (:mod:`wagk.rsa`), officer-clustered.
- :func:`start_stability` / :class:`StabilityBatch`: how often the forward selection of Tables
  10.7-10.9 picks each predictor over bootstrap resamples (:func:`wagk.logistic.selection_stability`),
  beside an L1-penalised model (:func:`wagk.logistic.l1_logistic`); all 24 fits in one pool of
  worker processes that runs while the rest of the chapter computes.
- :func:`clustered_agreement`: the client-officer correlations of Table 10.1 with an
  officer-cluster bootstrap interval (:func:`wagk.association.cluster_bootstrap_correlation`).

Every function is seeded; the same data and seed give identical tables whatever ``n_jobs`` is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from wagk import association, codebook, logistic, rsa
from wagk.outcomes import LOGISTIC_MODELS, OUTCOMES

SCALES4 = codebook.SCALES  # trust, goals_restriction, bond, reactance
SURFACE_TERMS = ("a1", "a2", "a3", "a4")


def candidates(table: str) -> list[str]:
    """The candidate predictors of Table 10.7, 10.8 or 10.9: client and officer scales of the
    model's wave(s), in the thesis's order (client block, then officer block)."""
    if table not in LOGISTIC_MODELS:
        raise KeyError(f"no logistic table {table!r}; known: {sorted(LOGISTIC_MODELS)}")
    prefixes = LOGISTIC_MODELS[table][1]
    order = sorted(prefixes, key=lambda p: (not p.startswith("client"), p))
    return [p + s for p in order for s in SCALES4]


def selection_summary(fits: dict) -> pd.DataFrame:
    """One row per model of ``{table: {outcome: StepwiseResult}}``: table, outcome, selected
    (entry order, "+"-joined; "" = constant only), n, n_events, R2 (Nagelkerke), status."""
    rows = []
    for table, per in fits.items():
        for o, res in per.items():
            f = res.fit.iloc[0]
            rows.append(dict(table=table, outcome=o, selected="+".join(res.selected), n=int(f["n"]),
                             n_events=int(f["n_events"]), R2=float(f["R2"]), status=str(f["status"])))
    return pd.DataFrame(rows, columns=["table", "outcome", "selected", "n", "n_events", "R2", "status"])


# ------------------------------------------------------------------------------------------
# (a) response surfaces
# ------------------------------------------------------------------------------------------

def dyads_at(data: pd.DataFrame, wave: int) -> pd.DataFrame:
    """Rows of the analysis frame with a client interview and an officer questionnaire at ``wave``."""
    return data[data[f"in_client_w{wave}"].astype(bool) & data[f"in_po_w{wave}"].astype(bool)]


def response_surfaces(data: pd.DataFrame, *, waves: Sequence[int] = (1, 2), scales: Sequence[str] = SCALES4,
                      outcomes: Sequence[str] = OUTCOMES, cluster: bool = True) -> pd.DataFrame:
    """Logistic response surface of every outcome on client (X) and officer (Y) score of a scale.

    Parameters
    ----------
    data : DataFrame
        The analysis frame (:func:`wagk.background.analysis_frame`).
    waves, scales, outcomes
        Which models to fit: one per wave, scale and outcome, on the dyads of that wave.
    cluster : bool
        Officer-clustered (CR1) covariance, clusters ``po_id_w<wave>`` (the dyad's officer).

    Returns
    -------
    DataFrame
        The rows of :func:`wagk.rsa.response_surface` (terms b0-b5, a1-a4, X0, Y0, p10, p11)
        with ``wave, scale, outcome`` in front.

    Notes
    -----
    Both scores are centred at the scale midpoint 4, so the constant is the log-odds of the
    outcome for a dyad that agrees on a neutral score. Read a4 < 0 as "the larger the
    disagreement, the lower the odds", a4 > 0 the reverse; a3 says whether it matters who scores
    higher (Humberg, Nestler & Back 2019).
    """
    parts = []
    for w in waves:
        dy = dyads_at(data, w)
        for s in scales:
            for o in outcomes:
                if o not in dy.columns:
                    continue
                res = rsa.response_surface(dy, o, f"client{w}_{s}", f"po{w}_{s}", family="binomial",
                                           cluster=f"po_id_w{w}" if cluster else None)
                parts.append(res.assign(wave=w, scale=s, outcome=o))
    if not parts:
        return pd.DataFrame(columns=["wave", "scale", "outcome"] + rsa.RSA_COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    return out[["wave", "scale", "outcome"] + rsa.RSA_COLUMNS]


def surface_grid(rows: pd.DataFrame, lo: float = 1.0, hi: float = 7.0, k: int = 61) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fitted probabilities of one model's surface on a k x k grid of client (X) and officer (Y)
    scores; ``rows`` are the rows of one model from :func:`response_surfaces`."""
    b = rows.set_index("term")["estimate"].reindex(rsa.TERMS).to_numpy(float)
    c = float(rows["center"].iloc[0])
    g = np.linspace(lo, hi, k)
    X, Y = np.meshgrid(g - c, g - c)
    eta = b[0] + b[1] * X + b[2] * Y + b[3] * X ** 2 + b[4] * X * Y + b[5] * Y ** 2
    return g, g, 1.0 / (1.0 + np.exp(-eta))


# ------------------------------------------------------------------------------------------
# (b) stability of the forward selection, beside the lasso
# ------------------------------------------------------------------------------------------

def _columns(data: pd.DataFrame, outcome: str, cands: list[str], cluster: str | None) -> pd.DataFrame:
    cols = [outcome] + cands + ([cluster] if cluster else [])
    return data[cols].copy()


def _stability_task(frame, outcome, cands, n_boot, seed, removal, cluster):
    res = logistic.selection_stability(frame, outcome, cands, n_boot=n_boot, seed=seed, n_jobs=1,
                                       removal=removal, cluster=cluster)
    return res.variables, res.models, res.n_failed


def _l1_task(frame, outcome, cands, seed, cv, n_cs, c_max):
    try:
        return logistic.l1_logistic(frame, outcome, cands, seed=seed, cv=cv, n_cs=n_cs, c_range=(1e-4, c_max)), ""
    except ValueError as exc:  # e.g. an outcome that does not vary: reported, not raised
        return None, str(exc)


@dataclass
class StabilityBatch:
    """Bootstrap selection stability and the L1 model for every (table, outcome), running in a
    pool of worker processes (see :func:`start_stability`); :meth:`result` waits and collects."""

    keys: list
    n_boot: int
    seed: int
    _jobs: dict = field(default_factory=dict)
    _done: tuple | None = None

    def result(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(variables, models).

        variables: one row per table, outcome and candidate: ``table, outcome, variable,
        in_full`` (chosen by the forward selection on all cases), ``selected, share`` (of the
        ``n_boot`` resamples), ``share_positive, median_ExpB, n_boot, n_failed, l1_selected,
        l1_B_std, l1_ExpB, l1_C, n, n_events, note``.
        models: per (table, outcome) the five most frequent selected sets and the set chosen
        on all cases: ``table, outcome, rank`` (1 = most frequent; NaN for a set no resample
        chose), ``model`` ("+"-joined in candidate order), ``count, share, is_full``.
        """
        if self._done is not None:
            return self._done
        var_parts, model_parts = [], []
        for key in self.keys:
            table, o = key
            v, m, failed = _get(self._jobs[("stab",) + key])
            l1, note = _get(self._jobs[("l1",) + key])
            v = v.assign(table=table, outcome=o, n_failed=failed)
            if l1 is not None:
                l1 = l1.rename(columns={"selected": "l1_selected", "B_std": "l1_B_std", "ExpB": "l1_ExpB",
                                        "C": "l1_C"})[["variable", "l1_selected", "l1_B_std", "l1_ExpB", "l1_C",
                                                       "n", "n_events"]]
                v = v.merge(l1, on="variable", how="left")
            else:
                v = v.assign(l1_selected=np.nan, l1_B_std=np.nan, l1_ExpB=np.nan, l1_C=np.nan, n=np.nan,
                             n_events=np.nan)
            v["note"] = note
            var_parts.append(v)
            # the five most frequent sets, and the set chosen on all cases (count 0 if never drawn)
            full = "+".join(v.loc[v["in_full"], "variable"])
            m = m.assign(rank=np.arange(1, len(m) + 1), is_full=m["model"] == full)
            if not m["is_full"].any():
                m = pd.concat([m, pd.DataFrame([dict(model=full, count=0, share=0.0, rank=np.nan, is_full=True)])],
                              ignore_index=True)
            model_parts.append(m[(m["rank"] <= 5) | m["is_full"]].assign(table=table, outcome=o))
        cols = ["table", "outcome", "variable", "in_full", "selected", "share", "share_positive", "median_ExpB",
                "n_boot", "n_failed", "l1_selected", "l1_B_std", "l1_ExpB", "l1_C", "n", "n_events", "note"]
        variables = pd.concat(var_parts, ignore_index=True)[cols] if var_parts else pd.DataFrame(columns=cols)
        mcols = ["table", "outcome", "rank", "model", "count", "share", "is_full"]
        models = pd.concat(model_parts, ignore_index=True)[mcols] if model_parts else pd.DataFrame(columns=mcols)
        self._done = (variables, models)
        return self._done


class _Now:
    """A finished job (n_jobs = 1)."""

    def __init__(self, fn, *args):
        self.value = fn(*args)

    def result(self):
        return self.value


def _get(job):
    return job.result()


def _warm():
    import sklearn.linear_model  # noqa: F401  (the lasso)
    import statsmodels.api  # noqa: F401  (the full-sample fit of each selection)

    return True


def prestart(n_jobs: int) -> None:
    """Start the worker processes of :func:`start_stability` and let them import their libraries
    while the chapter loads its data (nothing happens with ``n_jobs`` <= 1)."""
    if n_jobs > 1:
        from joblib.executor import get_memmapping_executor
        pool = get_memmapping_executor(int(n_jobs))
        for _ in range(int(n_jobs)):
            pool.submit(_warm)


def start_stability(data: pd.DataFrame, *, tables: Sequence[str] = tuple(LOGISTIC_MODELS),
                    outcomes: Sequence[str] = OUTCOMES, n_boot: int = 1000, seed: int = 0, n_jobs: int = 1,
                    removal: str = "lr", cluster: str | None = None, l1_cv: int = 5,
                    l1_n_cs: int = 16, l1_c_max: float = 10.0) -> StabilityBatch:
    """Start the bootstrap stability runs and L1 fits of Tables 10.7-10.9.

    Parameters
    ----------
    data : DataFrame
        The analysis frame.
    tables, outcomes
        The models: every outcome present in ``data`` for each table's candidate set.
    n_boot : int
        Bootstrap resamples per model.
    seed : int
        Seed of every model's resampling and of the L1 cross-validation folds (the same seed for
        every model: models on the same cases are resampled with the same draws).
    n_jobs : int
        Worker processes (joblib's loky pool). With ``n_jobs > 1`` the jobs are submitted and this
        function returns at once; the notebook goes on while they run and calls
        :meth:`StabilityBatch.result` when it needs them. With 1 everything runs here, now.
    removal, cluster
        As :func:`wagk.logistic.selection_stability` (``cluster`` resamples officers).
    l1_cv, l1_n_cs, l1_c_max
        Folds, number of penalty values and the largest C (weakest penalty) of the lasso's
        cross-validation (:func:`wagk.logistic.l1_logistic`, grid from C = 1e-4). Five folds over
        16 values up to C = 10 keep the twelve fits at a few seconds; on standardised predictors
        C = 10 is close to no penalty, and larger C only slow the solver down where an outcome
        has few events.

    Notes
    -----
    Each (table, outcome) is one job of :func:`wagk.logistic.selection_stability` with
    ``n_jobs=1`` inside its worker, so the result does not depend on how the jobs are spread.
    """
    keys = [(t, o) for t in tables for o in outcomes if o in data.columns]
    batch = StabilityBatch(keys=keys, n_boot=int(n_boot), seed=int(seed))
    if n_jobs > 1:
        # joblib's own pool (loky), so that later joblib.Parallel calls in the same process reuse it
        from joblib.executor import get_memmapping_executor
        pool = get_memmapping_executor(int(n_jobs))
        submit = pool.submit
    else:
        submit = _Now
    # the slowest jobs first (integral model), so the pool's last jobs are short
    for table, o in sorted(keys, key=lambda k: -len(candidates(k[0]))):
        cands = candidates(table)
        frame = _columns(data, o, cands, cluster)
        batch._jobs[("stab", table, o)] = submit(_stability_task, frame, o, cands, int(n_boot), int(seed), removal,
                                                 cluster)
    for table, o in keys:
        cands = candidates(table)
        batch._jobs[("l1", table, o)] = submit(_l1_task, _columns(data, o, cands, None), o, cands, int(seed),
                                               int(l1_cv), int(l1_n_cs), float(l1_c_max))
    return batch


# ------------------------------------------------------------------------------------------
# (c) agreement with officer clustering
# ------------------------------------------------------------------------------------------

def clustered_agreement(client: pd.DataFrame, po: pd.DataFrame, *, variables: Sequence[str] = codebook.SCALES + ("total",),
                        n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Client-officer Pearson r per scale with an officer-cluster bootstrap interval.

    Parameters
    ----------
    client, po : DataFrame
        Scores of one wave indexed by client_id (:meth:`wagk.scores.Scores.get`); ``po`` carries
        the officer of each questionnaire in ``po_id`` (the cluster).
    variables : sequence of str
        Scales to correlate.
    n_boot, seed
        As :func:`wagk.association.cluster_bootstrap_correlation`.

    Returns
    -------
    DataFrame
        One row per scale: ``variable`` and the columns of
        :func:`wagk.association.cluster_bootstrap_correlation` (n, n_clusters, r, p, the naive
        Fisher interval, the cluster-bootstrap interval, se_boot, deff ...).
    """
    if "po_id" not in po.columns:
        raise KeyError("the officer scores need a po_id column (the cluster); use wagk.scores.Scores.get('po', wave)")
    ids = client.index.intersection(po.index).sort_values()
    rows = []
    for v in variables:
        d = pd.DataFrame({"client": client.loc[ids, v].astype(float), "po": po.loc[ids, v].astype(float),
                          "po_id": po.loc[ids, "po_id"]})
        res = association.cluster_bootstrap_correlation(d, "client", "po", "po_id", n_boot=n_boot, seed=seed)
        rows.append(res.assign(variable=v))
    out = pd.concat(rows, ignore_index=True)
    return out[["variable"] + [c for c in out.columns if c != "variable"]]
