"""Time the chapter 8 and 9 notebooks end to end under papermill (kernel start included).

The goal: at most 15 s per chapter on data/synthetic. Chapters 8 and 9 read chapter 7's scores,
so each repeat first runs chapter 7 (``wagk run --chapters 7``; when the chapter-7 notebook is
not there, the scores are written with :mod:`wagk.scores` exactly as chapter 7 writes them), then
``wagk run --chapters 8 9`` into a scratch results folder, as ``make all`` runs them. Reports per
chapter the median of the runner's own timing (``run_status.json``: papermill from kernel start
to the saved notebook), the CPU time of the whole run (less inflated than wall time on a busy
shared machine) and the slowest cells of the last run.

Usage: ``python benchmarks/bench_ch0809.py [--repeat 3] [--data data/synthetic]`` from the
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 15.0
CHAPTERS = {"8": "ch08_clients", "9": "ch09_officers"}


def _chapter7(data: Path, results: Path, env: dict) -> None:
    if (ROOT / "notebooks" / "ch07_monitor.py").exists():
        subprocess.run([sys.executable, "-m", "wagk.cli", "run", "--chapters", "7", "--data", str(data),
                        "--results", str(results)], cwd=ROOT, env=env, check=True, capture_output=True)
        return
    code = ("import sys; from wagk import codebook, contract, scores; m = codebook.load_monitor(); "
            "s = contract.load_study(sys.argv[1]); scores.write(sys.argv[2], scores.score_study(s, m), m, "
            "data_dir=sys.argv[1])")
    subprocess.run([sys.executable, "-c", code, str(data), str(results)], cwd=ROOT, env=env, check=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "synthetic")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"bench_ch0809: no dataset at {args.data}; skipped")
        return 0
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    seconds = {c: [] for c in CHAPTERS}
    cpu = {c: [] for c in CHAPTERS}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            results = Path(tmp) / f"r{k}"
            _chapter7(args.data, results, env)
            for c, stem in CHAPTERS.items():
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                proc = subprocess.run([sys.executable, "-m", "wagk.cli", "run", "--chapters", c, "--data",
                                       str(args.data), "--results", str(results)], cwd=ROOT, env=env,
                                      capture_output=True, text=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                if proc.returncode != 0:
                    print(proc.stdout[-2000:], proc.stderr[-2000:])
                    return 1
                status = json.loads((results / "run_status.json").read_text())["chapters"]
                seconds[c].append(status[stem]["seconds"])
                cpu[c].append(round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1))
        import nbformat

        worst = 0.0
        for c, stem in CHAPTERS.items():
            med = statistics.median(seconds[c])
            worst = max(worst, med)
            print(f"chapter {c}: median {med:.1f} s of {args.repeat} runs {seconds[c]} (goal <= {GOAL_S:.0f} s); "
                  f"CPU time of the whole run (wagk process and kernel) median {statistics.median(cpu[c]):.1f} s "
                  f"{cpu[c]}, os.getloadavg() {os.getloadavg()[0]:.1f}")
            nb = nbformat.read(ROOT / "build" / "executed" / f"{stem}.ipynb", as_version=4)
            cells = sorted(((c_.metadata.get("papermill", {}).get("duration") or 0.0, c_.source.splitlines()[0][:60])
                            for c_ in nb.cells if c_.cell_type == "code"), reverse=True)[:4]
            for dur, first in cells:
                print(f"    {dur:5.2f} s  {first}")
    return 0 if worst <= GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
