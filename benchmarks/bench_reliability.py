"""Time omega_ci for 4 scales x 4 datasets x 1000 resamples (median of repeated runs).

Usage: ``python benchmarks/bench_reliability.py [--repeat 3]`` from the repository root.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cfa_data import simulate  # noqa: E402

from wagk.reliability import omega_ci  # noqa: E402

SCALES = {"trust": ["i01", "i02", "i03", "i04", "i05"], "goals": ["i06", "i07", "i08", "i09"],
          "bond": ["i10", "i11", "i12", "i13", "i14"], "reactance": ["i16", "i17", "i18", "i19"]}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--n-boot", type=int, default=1000)
    args = ap.parse_args(argv)
    datasets = [simulate(n, seed, missing=0.03) for n, seed in [(302, 1), (204, 2), (267, 3), (175, 4)]]
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for d in datasets:
            for items in SCALES.values():
                omega_ci(d[items], n_boot=args.n_boot, seed=0)
        times.append(time.perf_counter() - t0)
    print(f"omega_ci, 4 datasets x 4 scales x {args.n_boot} resamples: median {statistics.median(times):.2f} s "
          f"over {args.repeat} runs ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
