"""Fit times of wagk.cfa (medians of repeated runs), printed as a small table.

Usage: ``python benchmarks/bench_cfa.py [--repeat 5]`` from the repository root. Uses the
simulated 4-factor, 19-item model of the tests (n = 302, three cross-loadings).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cfa_data import FACTORS, simulate  # noqa: E402

from wagk.cfa import fit_cfa, fit_cfa_groups  # noqa: E402


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    cases = {
        "complete, n=302": (simulate(302, 11), "fiml"),
        "3% missing, FIML, n=302": (simulate(302, 12, missing=0.03), "fiml"),
        "5% missing, FIML, n=302": (simulate(302, 13, missing=0.05), "fiml"),
        "3% missing, listwise": (simulate(302, 12, missing=0.03), "listwise"),
    }
    print(f"{'case':38s} {'median s':>9s} {'iter':>5s} {'CMIN':>9s} converged")
    for name, (data, missing) in cases.items():
        t, res = median_time(lambda: fit_cfa(data, FACTORS, missing=missing), args.repeat)
        print(f"{name:38s} {t:9.4f} {res.n_iter:5d} {res.cmin:9.3f} {res.converged}")
    a, b = simulate(302, 12, missing=0.03), simulate(267, 14, missing=0.03)
    for eq in [(), ("loadings",), ("loadings", "intercepts")]:
        t, res = median_time(lambda: fit_cfa_groups({"a": a, "b": b}, FACTORS, equal=eq), args.repeat)
        label = "2 groups, equal=" + ("+".join(eq) or "none")
        print(f"{label:38s} {t:9.4f} {res.n_iter:5d} {res.cmin:9.3f} {res.converged}")


if __name__ == "__main__":
    main()
