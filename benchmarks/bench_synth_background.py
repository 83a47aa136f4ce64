"""The second stage of the synthetic-data generator (background, motivation, outcomes).

Budget: ``wagk synth`` (both stages, seven tables written) in 30 s, the item-level stage
(synthetic dataset I) in 5 s; the second stage, with the third refinement phase, is the larger
part. Every figure is the median of 3 repetitions.

Usage: python benchmarks/bench_synth_background.py [--reps 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from wagk.synth import extend, generate  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    params, bg = generate.load_params(), extend.load_params()
    t_sim, t_ext, t_write = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.reps):
            t0 = time.perf_counter()
            sim = generate.simulate(params)
            t1 = time.perf_counter()
            tables = extend.extend(sim, bg)
            t2 = time.perf_counter()
            extend.write(tables, tmp)
            t3 = time.perf_counter()
            t_sim.append(t1 - t0)
            t_ext.append(t2 - t1)
            t_write.append(t3 - t2)
    total = statistics.median(a + b + c for a, b, c in zip(t_sim, t_ext, t_write))
    print(f"item-level stage {statistics.median(t_sim):.2f} s, background stage {statistics.median(t_ext):.2f} s, "
          f"writing {statistics.median(t_write):.2f} s; total {total:.2f} s (budgets: item-level stage 5 s, total 30 s)")
    return 0 if total <= 30.0 and statistics.median(t_sim) <= 5.0 else 1


if __name__ == "__main__":
    sys.exit(main())
