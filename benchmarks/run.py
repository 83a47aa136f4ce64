<<<<<<< HEAD
"""Run every benchmarks/bench_*.py in turn (``make bench``). Speed goals live here, not in tests."""

from __future__ import annotations

import subprocess
=======
"""Run every benchmarks/bench_*.py (``make bench``); each prints its own table.

Speed goals live here, never in the unit tests. Timings are medians of repeated runs on the
machine at hand; the numbers in the docstrings of the benchmark files say what was measured
where.
"""

from __future__ import annotations

import runpy
>>>>>>> stats-groups
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
<<<<<<< HEAD
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        status |= subprocess.run([sys.executable, str(script)], check=False).returncode
    return status
=======
    for path in sorted(HERE.glob("bench_*.py")):
        print(f"== {path.name}", flush=True)
        runpy.run_path(str(path), run_name="__main__")
    return 0
>>>>>>> stats-groups


if __name__ == "__main__":
    sys.exit(main())
