"""Run every benchmarks/bench_*.py (``make bench``); each prints its own table.

Speed goals live here, never in the unit tests. Timings are medians of repeated runs on the
machine at hand; the numbers in the docstrings of the benchmark files say what was measured
where.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"== {path.name}", flush=True)
        runpy.run_path(str(path), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
