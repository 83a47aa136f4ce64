"""Time the chapter-10 notebook under papermill (kernel start included), median of runs.

The goal: at most 20 s on data/synthetic, the twelve bootstrap stability runs (1000 resamples
each, two worker processes) included. Each run is ``wagk run --chapters 7 10`` into a scratch
results folder, exactly as ``make all`` runs the two (chapter 10 reads chapter 7's scores); the
chapter-10 time is the one ``wagk run`` records in ``run_status.json``. Without a chapter-7
notebook the scores are written once with ``wagk.scores`` and only chapter 10 runs. Also prints
the CPU time of the chapter-10 runs (all processes, workers included), which a busy shared
machine inflates less than wall time, and the slowest cells of the last run.

Usage: ``python benchmarks/bench_ch10.py [--repeat 3] [--data data/synthetic]`` from the
repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 20.0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "synthetic")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"bench_ch10: no dataset at {args.data}; skipped")
        return 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    sys.path.insert(0, str(ROOT / "src"))
    from wagk import codebook, contract, scores

    with_ch07 = any((ROOT / "notebooks").glob("ch07_*.py"))
    chapters = ["7", "10"] if with_ch07 else ["10"]
    secs, walls, cpus = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            res = Path(tmp) / f"r{k}"
            if not with_ch07:
                study = contract.load_study(args.data)
                mon = codebook.load_monitor()
                scores.write(res, scores.score_study(study, mon), mon, data_dir=str(args.data))
            c0, t0 = _cpu(), time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "wagk.cli", "run", "--chapters", *chapters, "--data",
                                   str(args.data), "--results", str(res)], cwd=ROOT, env=env, capture_output=True,
                                  text=True)
            walls.append(time.perf_counter() - t0)
            cpus.append(_cpu() - c0)
            if proc.returncode != 0:
                print(proc.stdout[-2000:], proc.stderr[-2000:])
                return 1
            status = json.loads((res / "run_status.json").read_text())
            secs.append(float(status["chapters"]["ch10_dyads"]["seconds"]))
    med = statistics.median(secs)
    print(f"chapter 10 under papermill (wagk run --chapters {' '.join(chapters)}): median {med:.1f} s over "
          f"{args.repeat} runs ({', '.join(f'{t:.1f}' for t in secs)}); the whole run {statistics.median(walls):.1f} s "
          f"wall, {statistics.median(cpus):.1f} s CPU (all processes); load {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} cores; goal <= {GOAL_S:.0f} s")
    try:
        import nbformat

        nb = nbformat.read(ROOT / "build" / "executed" / "ch10_dyads.ipynb", as_version=4)
        cells = [(c.metadata.get("papermill", {}).get("duration") or 0.0, c.source.splitlines()[0][:60])
                 for c in nb.cells if c.cell_type == "code" and c.source]
        print("slowest cells of the last run:")
        for d, first in sorted(cells, reverse=True)[:6]:
            print(f"  {d:5.2f} s  {first}")
    except Exception as exc:  # the timing above is the benchmark; the breakdown is a convenience
        print(f"(no cell breakdown: {exc})")
    return 0 if med <= GOAL_S else 2


if __name__ == "__main__":
    sys.exit(main())
