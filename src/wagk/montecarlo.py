"""Monte Carlo replication: how much each finding varies from sample to sample.

The engine draws ``R`` synthetic datasets from the calibrated generator (both stages,
:func:`wagk.synth.extend.generate_all` with ``exact=False``: every dataset is a fresh sample, not
one forced onto the calibrated sample moments), each with its own seed, and computes on each the
complete statistics set of the chapters: every ledger row of chapters 7-10
(:func:`wagk.pipeline.ledger_rows`, the functions the chapter notebooks call). Per ledger row it
reports the median and the 2.5-97.5% interval over the replicates; per test the share of
replicates in which p < .05; per logistic model how often forward selection kept each set of
predictors. Joining these with the published numbers (was the finding significant in the
thesis, which predictors did it select) is the report's job (:mod:`wagk.report_stability`).

Replicate ``r`` (0-based) uses seed ``seed + r``; the generator derives every random stream from
it (``SeedSequence([seed, stream])``), so a replicate's dataset and rows depend on its seed only,
not on the order, the worker or the backend that computed it. Each replicate runs with one BLAS
thread (``threadpoolctl``), so results are the same on every backend.

Backends
--------
- ``joblib`` (default): ``n_jobs`` worker processes on this machine (loky), with a tqdm
  progress bar.
- Dask: pass ``scheduler="tcp://host:8786"`` (the address of a ``dask.distributed`` scheduler,
  e.g. from ``dask scheduler`` and ``dask worker`` on a cluster) or a ``distributed.Client``; the
  replicates are submitted as tasks and gathered as they finish. The workers need this package
  installed (same version) and a writable temporary folder, nothing else: each task generates
  its own dataset in memory.

Command line: ``wagk montecarlo -R 500 --jobs 2`` (or ``--scheduler ADDRESS``); writes
``build/montecarlo/`` (:func:`write`).

Limits (said on the book's page too): the design is held fixed (who answered which
questionnaire, group sizes, outcome prevalences, the pattern of missing answers), since the
thesis's sample sizes are part of what is reproduced; the answers and every relation between
variables vary. The replicates come from the calibrated generator, so they describe how stable
the findings are *if the population were as the synthetic data say*; they are no evidence about
the real population.
"""

from __future__ import annotations

import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import paths

KEY = ["ref", "section", "perspective", "wave", "analysis", "variable", "group", "statistic"]
TEST_KEY = ["ref", "section", "perspective", "wave", "analysis", "variable", "group"]
SELECTION_TABLES = ("T10.7", "T10.8", "T10.9")
ALPHA = 0.05
DEFAULT_SEED = 20181000
STRING_STORAGE = "python"  # pandas text storage inside a replicate (see :func:`replicate`)
OUT = paths.BUILD / "montecarlo"


# ------------------------------------------------------------------------------------------
# one replicate
# ------------------------------------------------------------------------------------------

@dataclass
class Replicate:
    """What one replicate returns to the parent process (compact: keys as strings)."""

    seed: int
    keys: list = field(default_factory=list)  # "|"-joined ledger keys
    values: np.ndarray | None = None
    selections: dict = field(default_factory=dict)  # (ref, outcome) -> "+"-joined predictors
    seconds: float = 0.0
    error: str = ""


_CACHE: dict = {}


def _params():
    if "params" not in _CACHE:
        from wagk.synth import extend, generate

        _CACHE["params"] = (generate.load_params(), extend.load_params())
    return _CACHE["params"]


def dataset(seed: int) -> dict:
    """The seven tables of replicate ``seed``: both generator stages without exact sample
    moments (:func:`wagk.synth.extend.generate_all` with ``exact=False``), in memory."""
    from wagk.synth import extend

    params, bg = _params()
    return extend.generate_all(seed, params=params, bg_params=bg, exact=False, integers=False)


def selections(rows: pd.DataFrame) -> dict:
    """{(ref, outcome): "+"-joined predictors} of the forward selections of Tables 10.7-10.9 in
    ledger rows (a predictor is selected when it has an Exp(B) row; "" = none kept), the
    definition of :func:`wagk.compare.selected_predictors`."""
    r = rows[rows["ref"].isin(SELECTION_TABLES) & (rows["analysis"] == "logistic")]
    out: dict = {}
    for g in r.loc[(r["variable"] == "model") & (r["statistic"] == "n")].itertuples(index=False):
        out.setdefault((g.ref, g.group.split("=", 1)[-1]), [])
    for g in r.loc[(r["variable"] != "model") & (r["statistic"] == "ExpB")].itertuples(index=False):
        out.setdefault((g.ref, g.group.split("=", 1)[-1]), []).append(g.variable)
    return {k: "+".join(sorted(v)) for k, v in out.items()}


def replicate(seed: int, chapters=(7, 8, 9, 10)) -> Replicate:
    """Generate dataset ``seed`` and compute every ledger row on it (one BLAS thread). An error
    is returned, not raised, so that one failing replicate does not stop the study.

    Text columns are held as Python strings (pandas ``mode.string_storage = "python"``) instead
    of pandas' default Arrow strings: a replicate builds and slices thousands of small frames
    with text keys, where Arrow's per-call overhead cost about a quarter of the replicate's
    time. The rows are the same either way (tests/test_montecarlo.py)."""
    import warnings

    from threadpoolctl import threadpool_limits

    from wagk import contract, pipeline

    start = time.perf_counter()
    try:
        with threadpool_limits(1), warnings.catch_warnings(), pd.option_context("mode.string_storage", STRING_STORAGE):
            warnings.simplefilter("ignore")
            study = contract.from_tables(dataset(seed), name=f"replicate-{seed}")
            rows = pipeline.ledger_rows(study, chapters)
    except Exception as exc:  # noqa: BLE001 - reported per replicate
        return Replicate(int(seed), error=f"{type(exc).__name__}: {exc}", seconds=time.perf_counter() - start)
    keys = ["|".join(k) for k in zip(*(rows[c].astype(str).tolist() for c in KEY))]
    return Replicate(int(seed), keys, rows["value"].to_numpy(dtype=float), selections(rows),
                     time.perf_counter() - start)


# ------------------------------------------------------------------------------------------
# the study
# ------------------------------------------------------------------------------------------

@dataclass
class MonteCarlo:
    """The replicates of one study, aligned on their ledger keys.

    Attributes
    ----------
    seeds : ndarray
        Seed of each replicate (row of ``values``).
    keys : DataFrame
        The ledger key of each column of ``values`` (:data:`KEY`), in first-seen order.
    values : ndarray
        replicates x keys; NaN where a replicate has no such row or the row has no value.
    selections : DataFrame
        seed, ref, outcome, selected.
    errors : DataFrame
        seed, error: replicates that failed (left out of ``values``).
    info : dict
        R, seed, backend, workers, wall and replicate seconds, load average, versions.
    """

    seeds: np.ndarray
    keys: pd.DataFrame
    values: np.ndarray
    selections: pd.DataFrame
    errors: pd.DataFrame
    info: dict


def seeds_for(R: int, seed: int = DEFAULT_SEED) -> np.ndarray:
    """The seeds of replicates 0..R-1: ``seed + r``."""
    if R < 1:
        raise ValueError(f"R must be at least 1, got {R}")
    return np.arange(R, dtype=np.int64) + int(seed)


def _joblib(seeds, n_jobs, chapters, progress):
    from joblib import Parallel, delayed
    from tqdm.auto import tqdm

    jobs = Parallel(n_jobs=n_jobs, backend="loky", return_as="generator_unordered", batch_size=1)(
        delayed(replicate)(int(s), chapters) for s in seeds)
    return list(tqdm(jobs, total=len(seeds), disable=not progress, desc="replicates", unit="rep"))


def _dask(seeds, scheduler, chapters, progress):
    from distributed import Client, as_completed
    from tqdm.auto import tqdm

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(replicate, [int(s) for s in seeds], chapters=chapters, pure=False)
        out = []
        for fut in tqdm(as_completed(futures), total=len(futures), disable=not progress, desc="replicates",
                        unit="rep"):
            out.append(fut.result())
            fut.release()
        return out, len(client.scheduler_info().get("workers", {}))
    finally:
        if client is not scheduler:
            client.close()


def run(R: int, seed: int = DEFAULT_SEED, *, n_jobs: int = 2, scheduler=None, chapters=(7, 8, 9, 10),
        progress: bool = True) -> MonteCarlo:
    """Run ``R`` replicates (seeds ``seed .. seed + R - 1``).

    Parameters
    ----------
    R : int
        Number of replicates.
    seed : int
        Seed of the first replicate.
    n_jobs : int
        joblib worker processes (ignored with ``scheduler``); 1 runs in this process.
    scheduler : str or distributed.Client, optional
        A Dask scheduler address (``"tcp://10.0.0.5:8786"``) or client: run the replicates on
        that cluster instead of joblib.
    chapters : tuple of int
        Chapters whose ledger rows are computed (default all).
    progress : bool
        Show a tqdm progress bar.
    """
    seeds = seeds_for(R, seed)
    chapters = tuple(chapters)
    started = _utc_now()
    start = time.perf_counter()
    if scheduler is not None:
        reps, workers = _dask(seeds, scheduler, chapters, progress)
        backend = "dask"
    elif n_jobs == 1:
        from tqdm.auto import tqdm

        reps = [replicate(int(s), chapters) for s in tqdm(seeds, disable=not progress, desc="replicates")]
        backend, workers = "serial", 1
    else:
        reps = _joblib(seeds, n_jobs, chapters, progress)
        backend, workers = "joblib", n_jobs
    wall = time.perf_counter() - start
    info = dict(R=int(R), seed=int(seed), chapters=list(chapters), backend=backend, workers=int(workers),
                started=started, finished=_utc_now(), wall_seconds=round(wall, 1),
                replicate_seconds_median=round(float(np.median([r.seconds for r in reps])), 2),
                replicate_seconds_total=round(float(np.sum([r.seconds for r in reps])), 1),
                load_average_after=[round(x, 2) for x in os.getloadavg()],
                cpus=os.cpu_count(), python=platform.python_version())
    return assemble(reps, info)


def _utc_now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def assemble(reps: list[Replicate], info: dict) -> MonteCarlo:
    """Align replicates (in any order) on their keys; rows sorted by seed."""
    reps = sorted(reps, key=lambda r: r.seed)
    ok = [r for r in reps if not r.error]
    index: dict[str, int] = {}
    for r in ok:
        for k in r.keys:
            index.setdefault(k, len(index))
    values = np.full((len(ok), len(index)), np.nan)
    for i, r in enumerate(ok):
        cols = np.fromiter((index[k] for k in r.keys), dtype=np.int64, count=len(r.keys))
        values[i, cols] = r.values
    keys = pd.DataFrame([k.split("|") for k in index], columns=KEY) if index else pd.DataFrame(columns=KEY)
    sel = pd.DataFrame([dict(seed=r.seed, ref=ref, outcome=o, selected=s) for r in ok
                        for (ref, o), s in sorted(r.selections.items())],
                       columns=["seed", "ref", "outcome", "selected"])
    errors = pd.DataFrame([dict(seed=r.seed, error=r.error) for r in reps if r.error], columns=["seed", "error"])
    info = dict(info, replicates_ok=len(ok), replicates_failed=len(errors))
    return MonteCarlo(np.array([r.seed for r in ok], dtype=np.int64), keys, values, sel, errors, info)


# ------------------------------------------------------------------------------------------
# summaries
# ------------------------------------------------------------------------------------------

SUMMARY_COLUMNS = KEY + ["replicates", "median", "low", "high", "mean", "sd", "share_significant",
                         "replicates_tested"]


def summarise(mc: MonteCarlo, alpha: float = ALPHA) -> pd.DataFrame:
    """One row per ledger key: ``replicates`` (with a value), ``median``, ``low`` and ``high``
    (2.5th and 97.5th percentiles, linear interpolation), ``mean``, ``sd``; and, for every row of
    a test with a p row, ``share_significant`` (share of the replicates with a p in which
    p < ``alpha``) and ``replicates_tested``."""
    v = mc.values
    out = mc.keys.copy()
    with np.errstate(all="ignore"), _quiet():
        out["replicates"] = np.isfinite(v).sum(axis=0) if len(v) else 0
        out["median"] = np.nanmedian(v, axis=0) if len(v) else np.nan
        out["low"] = np.nanpercentile(v, 2.5, axis=0) if len(v) else np.nan
        out["high"] = np.nanpercentile(v, 97.5, axis=0) if len(v) else np.nan
        out["mean"] = np.nanmean(v, axis=0) if len(v) else np.nan
        out["sd"] = np.nanstd(v, axis=0, ddof=1) if len(v) > 1 else np.nan
    is_p = (out["statistic"] == "p").to_numpy()
    pv = v[:, is_p]
    tested = np.isfinite(pv).sum(axis=0)
    with np.errstate(all="ignore"):
        share = np.where(tested > 0, (pv < alpha).sum(axis=0) / np.maximum(tested, 1), np.nan)
    p_tab = out.loc[is_p, TEST_KEY].assign(share_significant=share, replicates_tested=tested)
    out = out.merge(p_tab, on=TEST_KEY, how="left")
    return out[SUMMARY_COLUMNS]


def selection_shares(mc: MonteCarlo) -> pd.DataFrame:
    """Per logistic model (ref, outcome) and selected set: ``replicates`` and ``share``."""
    s = mc.selections
    if s.empty:
        return pd.DataFrame(columns=["ref", "outcome", "selected", "replicates", "share"])
    n = s.groupby(["ref", "outcome", "selected"]).size().rename("replicates").reset_index()
    n["share"] = n["replicates"] / n.groupby(["ref", "outcome"])["replicates"].transform("sum")
    return n.sort_values(["ref", "outcome", "replicates", "selected"], ascending=[True, True, False, True],
                         kind="mergesort").reset_index(drop=True)


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


# ------------------------------------------------------------------------------------------
# files
# ------------------------------------------------------------------------------------------

def write(mc: MonteCarlo, out: Path | str = OUT, raw: bool = True) -> Path:
    """Write ``summary.csv`` (:func:`summarise`), ``selections.csv`` (:func:`selection_shares`),
    ``replicates.npz`` (``seeds`` and ``values``, replicates x keys) with ``replicate_keys.csv``
    (the key of each column), ``selections_by_replicate.csv``, ``errors.csv``
    and ``run.json`` (:attr:`MonteCarlo.info`) to ``out``; ``raw=False`` leaves out the
    replicates' values (``replicates.npz``, ``replicate_keys.csv``), which are large."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    fmt = dict(index=False, float_format="%.10g", lineterminator="\n")
    summarise(mc).to_csv(out / "summary.csv", **fmt)
    selection_shares(mc).to_csv(out / "selections.csv", **fmt)
    mc.selections.to_csv(out / "selections_by_replicate.csv", **fmt)
    mc.errors.to_csv(out / "errors.csv", **fmt)
    if raw:
        np.savez_compressed(out / "replicates.npz", seeds=mc.seeds, values=mc.values)
        mc.keys.to_csv(out / "replicate_keys.csv", **fmt)
    (out / "run.json").write_text(json.dumps(mc.info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return out


def read_summary(out: Path | str = OUT) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(summary, selection shares, run info) written by :func:`write`."""
    out = Path(out)
    if not (out / "summary.csv").exists():
        raise FileNotFoundError(f"{out}: no Monte Carlo summary; run `wagk montecarlo` first")
    dtype = {c: str for c in KEY if c != "value"}
    summary = pd.read_csv(out / "summary.csv", dtype=dtype, keep_default_na=False, na_values=[""])
    for c in KEY:
        summary[c] = summary[c].fillna("")
    sel = pd.read_csv(out / "selections.csv", dtype={"ref": str, "outcome": str, "selected": str},
                      keep_default_na=False)
    info = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return summary, sel, info


__all__ = ["run", "replicate", "summarise", "selection_shares", "write", "read_summary", "MonteCarlo"]
