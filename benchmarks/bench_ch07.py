"""Time the chapter-7 notebook end to end under papermill (kernel start included), median of runs.

The goal: at most 15 s on data/synthetic. Each run is ``wagk run --chapters 7`` into a scratch
results folder, exactly as ``make all`` runs it. Also prints the slowest cells of the last run
(papermill records each cell's duration) and the CPU time, which a busy shared machine inflates
less than wall time.

Usage: ``python benchmarks/bench_ch07.py [--repeat 3] [--data data/synthetic]`` from the
repository root.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 15.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "synthetic")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"bench_ch07: no dataset at {args.data}; skipped")
        return 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "wagk.cli", "run", "--chapters", "7", "--data", str(args.data),
                                   "--results", str(Path(tmp) / f"r{k}")], cwd=ROOT, env=env, capture_output=True,
                                  text=True)
            walls.append(time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
            if proc.returncode != 0:
                print(proc.stdout[-2000:], proc.stderr[-2000:])
                return 1
    med = statistics.median(walls)
    print(f"chapter 7 under papermill: median {med:.1f} s wall over {args.repeat} runs "
          f"({', '.join(f'{t:.1f}' for t in walls)}); CPU {statistics.median(cpus):.1f} s; goal <= {GOAL_S:.0f} s")
    try:
        import nbformat

        nb = nbformat.read(ROOT / "build" / "executed" / "ch07_monitor.ipynb", as_version=4)
        cells = [(c.metadata.get("papermill", {}).get("duration") or 0.0, c.source.splitlines()[0][:60])
                 for c in nb.cells if c.cell_type == "code"]
        print("slowest cells of the last run:")
        for d, first in sorted(cells, reverse=True)[:6]:
            print(f"  {d:5.2f} s  {first}")
    except Exception as exc:  # the timing above is the benchmark; the breakdown is a convenience
        print(f"(no cell breakdown: {exc})")
    return 0 if med <= GOAL_S else 2


if __name__ == "__main__":
    sys.exit(main())
