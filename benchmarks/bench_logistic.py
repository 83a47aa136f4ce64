"""Forward stepwise logistic regression and its bootstrap selection stability (chapter 10).

Budget: the chapter 10 notebook runs 12 stepwise models (4 outcomes x 3 predictor sets) with
1000 bootstrap resamples each and has 20 s on 2 cores. Problem size here: n = 267 dyads,
8 candidate scales (4 client + 4 officer), two true predictors. Every figure is the median
of 3 repetitions.

Usage: python benchmarks/bench_logistic.py [--reps 3] [--n-boot 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wagk import logistic as L  # noqa: E402

SCALES = ["trust", "goals_restriction", "bond", "reactance"]
CANDIDATES = [f"client_{s}" for s in SCALES] + [f"po_{s}" for s in SCALES]


def problem(n: int = 267, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cov = np.full((8, 8), 0.35) + 0.65 * np.eye(8)
    z = rng.multivariate_normal(np.zeros(8), cov, size=n)
    df = pd.DataFrame(np.clip(5 + 0.8 * z, 1, 7), columns=CANDIDATES)
    eta = -1.0 - 1.0 * (df.client_trust - 5) + 0.9 * (df.po_reactance - 5)
    df["dropout"] = (rng.random(n) < expit(eta)).astype(int)
    return df


def median_time(fn, reps: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (the latter is less sensitive
    to other load on the machine; it does not count worker processes)."""
    wall, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args()
    df = problem()
    y = df.dropout.to_numpy(float)
    X = df[CANDIDATES].to_numpy(float)
    L.forward_stepwise(df, "dropout", CANDIDATES)  # imports and caches outside the timing
    rows = []
    for removal in L.REMOVAL:
        w, c = median_time(lambda: L.forward_stepwise(df, "dropout", CANDIDATES,
                                                      removal=removal), args.reps)
        rows.append(dict(task=f"forward_stepwise, removal={removal}", wall_s=w, cpu_s=c))
        w, c = median_time(lambda: [L._select(X, y, removal, 0.05, 0.10, 16)
                                    for _ in range(100)], args.reps)
        rows.append(dict(task=f"  core selection only, removal={removal}", wall_s=w / 100,
                         cpu_s=c / 100))
    for jobs in (1, 2):
        L.selection_stability(df, "dropout", CANDIDATES, n_boot=20, seed=1, n_jobs=jobs)  # warm
        w, c = median_time(lambda: L.selection_stability(df, "dropout", CANDIDATES,
                                                         n_boot=args.n_boot, seed=1,
                                                         n_jobs=jobs), args.reps)
        rows.append(dict(task=f"selection_stability n_boot={args.n_boot}, n_jobs={jobs}",
                         wall_s=w, cpu_s=c if jobs == 1 else np.nan))
        rows.append(dict(task=f"  projected: 12 models, n_jobs={jobs}", wall_s=12 * w,
                         cpu_s=12 * c if jobs == 1 else np.nan))
    out = pd.DataFrame(rows)
    print(f"n = {len(df)}, {len(CANDIDATES)} candidates, cores = {os.cpu_count()}, "
          f"load = {os.getloadavg()[0]:.2f}, median of {args.reps}")
    print(out.to_string(index=False, float_format="{:.4f}".format))


if __name__ == "__main__":
    main()
