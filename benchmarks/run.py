"""The compendium's speed benchmarks (``make bench``): medians of repeated runs, written to
``benchmarks/results.json`` and printed as a table.

What is measured (each the median of ``--repeat`` runs, default 3):

``chapter_07`` .. ``chapter_10``
    Each chapter notebook under papermill (kernel start included), one after another
    (``wagk run --jobs 1``), as recorded by ``wagk run`` in ``run_status.json``.
``clean_build``
    ``wagk run`` + ``wagk compare`` + ``wagk book`` (strict) from empty ``build/`` and ``_build/``.
``synth``
    ``wagk synth`` into a temporary folder (the whole command: interpreter start, imports,
    both generator stages, writing the seven tables). ``synth_generation`` is the generation
    and writing alone (``wagk.synth.generate.main``, imports excluded). ``synth_item_level`` is
    the first stage alone, synthetic dataset I from ``params_v1.json``
    (``wagk.synth.generate.simulate``: the item answers and their refinement).
``cfa_fit``
    One CFA fit: the initial four-factor model of Appendix 1 Table 3 on the clients' wave-1
    answers of ``data/synthetic`` (FIML, :func:`wagk.monitor_tables.fit_model`).
``calibration``
    ``wagk calibrate`` (about a quarter of an hour): measured once, only with
    ``--with-calibration``; otherwise the last recorded figure is carried over, labelled with its
    date and source.
``montecarlo``
    ``wagk montecarlo -R 500 --jobs 2``: measured once with ``--montecarlo R``, or recorded from
    the ``run.json`` of finished runs with ``--record-montecarlo build/montecarlo/run.json [...]``
    (median of the runs);
    otherwise carried over like the calibration.

Everything runs in a temporary copy of the repository (``WAGK_ROOT`` points there), so the
developer's ``build/``, ``_build/`` and ``data/synthetic`` are left alone. The machine's load
average is recorded before and after each measurement: on a shared machine the figures are
only as good as the load allows.

``--quick``: one run of each, the clean build left out, results written to
``build/bench/results.json`` (not the committed file). ``--detail`` also runs the
per-part scripts ``benchmarks/bench_*.py`` (CFA, logistic regression, reliability, the second
stage of the generator); the chapters are measured here only.

Usage::

    python benchmarks/run.py [--repeat 3] [--quick] [--with-calibration] [--montecarlo 500]
                             [--only chapters synth ...] [--out benchmarks/results.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
QUICK_RESULTS = ROOT / "build" / "bench" / "results.json"

#: the goals of the compendium (seconds of wall time on a two-core machine)
GOALS = {
    "clean_build": 60.0,
    "chapter_07": 15.0, "chapter_08": 15.0, "chapter_09": 15.0, "chapter_10": 20.0,
    "synth": 30.0,  # both stages; the third refinement phase (groups of clients) costs about 18 s
    "synth_item_level": 5.0,  # synthetic dataset I alone
    "montecarlo": 600.0,
}
LABELS = {
    "chapter_07": "chapter 7 under papermill",
    "chapter_08": "chapter 8 under papermill",
    "chapter_09": "chapter 9 under papermill",
    "chapter_10": "chapter 10 under papermill",
    "clean_build": "clean build: wagk run + compare + book",
    "synth": "wagk synth (whole command)",
    "synth_generation": "synthetic generation and writing (no imports)",
    "synth_item_level": "synthetic dataset I: the item-level stage alone (no imports)",
    "cfa_fit": "one CFA fit (Table 3 initial model, clients wave 1)",
    "calibration": "wagk calibrate",
    "montecarlo": "wagk montecarlo -R 500 (2 workers)",
}
GROUPS = ("chapters", "clean_build", "synth", "cfa")
IGNORE = shutil.ignore_patterns(".venv", "build", "_build", ".git", "__pycache__", ".pytest_cache",
                                "*.egg-info", ".ipynb_checkpoints")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


class Copy:
    """A temporary copy of the repository (sources, notebooks, book, data; no build output)."""

    def __init__(self, tmp: Path):
        self.root = tmp / "repo"
        shutil.copytree(ROOT, self.root, ignore=IGNORE)
        self.cpu = 0.0
        self.env = dict(os.environ, WAGK_ROOT=str(self.root),
                        PYTHONPATH=os.pathsep.join([str(self.root / "src"), os.environ.get("PYTHONPATH", "")]),
                        MPLBACKEND="Agg")

    def wagk(self, *args: str, check: bool = True) -> tuple[float, subprocess.CompletedProcess]:
        """Run ``wagk`` in the copy; returns (wall seconds, process). The CPU seconds of the
        command and its children (kernels, workers) are kept in ``self.cpu``."""
        c0, t0 = _cpu_children(), time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "wagk.cli", *args], cwd=self.root, env=self.env,
                              capture_output=True, text=True)
        wall = time.perf_counter() - t0
        self.cpu = _cpu_children() - c0
        if check and proc.returncode != 0:
            raise RuntimeError(f"wagk {' '.join(args)} exited {proc.returncode}:\n"
                               f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return wall, proc

    def python(self, code: str) -> str:
        proc = subprocess.run([sys.executable, "-c", code], cwd=self.root, env=self.env, capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"python -c failed:\n{proc.stderr[-3000:]}")
        return proc.stdout

    def wipe_build(self) -> None:
        for d in ("build", "_build"):
            shutil.rmtree(self.root / d, ignore_errors=True)


def entry(name: str, runs: list[float], **extra) -> dict:
    goal = GOALS.get(name)
    med = statistics.median(runs) if runs else None
    out = dict(label=LABELS.get(name, name), median_s=None if med is None else round(med, 2),
               runs_s=[round(r, 2) for r in runs], n_runs=len(runs), goal_s=goal,
               passed=None if goal is None or med is None else bool(med <= goal),
               measured=_now(), source="measured by benchmarks/run.py")
    out.update(extra)
    return out


# ------------------------------------------------------------------------------------------
# measurements
# ------------------------------------------------------------------------------------------

def bench_chapters(copy: Copy, repeat: int) -> dict:
    """Each chapter under papermill, one after another (``wagk run --jobs 1``)."""
    times: dict[str, list[float]] = {}
    loads, cpu = [_load()], []
    for _ in range(repeat):
        copy.wipe_build()
        copy.wagk("run", "--jobs", "1")
        cpu.append(round(copy.cpu, 1))
        status = json.loads((copy.root / "build" / "results" / "run_status.json").read_text())
        for stem, st in status["chapters"].items():
            times.setdefault(f"chapter_{stem[2:4]}", []).append(float(st["seconds"]))
        loads.append(_load())
    return {k: entry(k, v, load_average=loads, run_cpu_s=cpu) for k, v in sorted(times.items())}


def bench_clean_build(copy: Copy, repeat: int) -> dict:
    runs, steps, loads, cpu = [], [], [_load()], []
    for _ in range(repeat):
        copy.wipe_build()
        c0 = _cpu_children()
        t_run, _ = copy.wagk("run")
        t_cmp, _ = copy.wagk("compare")
        t_book, _ = copy.wagk("book")
        cpu.append(_cpu_children() - c0)
        runs.append(t_run + t_cmp + t_book)
        steps.append(dict(run=round(t_run, 1), compare=round(t_cmp, 1), book=round(t_book, 1)))
        loads.append(_load())
    return {"clean_build": entry("clean_build", runs, steps_s=steps, cpu_s=[round(c, 1) for c in cpu],
                                 load_average=loads)}


def bench_synth(copy: Copy, repeat: int, tmp: Path) -> dict:
    runs, cpu, inner, inner_cpu, stage1, stage1_cpu, loads = [], [], [], [], [], [], [_load()]
    code = ("import time, warnings; warnings.simplefilter('ignore'); from wagk.synth import generate; "
            "t, c = time.perf_counter(), time.process_time(); generate.main(out={out!r}); "
            "print('SECONDS', time.perf_counter() - t, time.process_time() - c); "
            "params = generate.load_params(); "
            "t, c = time.perf_counter(), time.process_time(); generate.simulate(params); "
            "print('STAGE1', time.perf_counter() - t, time.process_time() - c)")
    for k in range(repeat):
        t, _ = copy.wagk("synth", "--out", str(tmp / f"synth{k}"))
        runs.append(t)
        cpu.append(round(copy.cpu, 2))
        text, item_level = copy.python(code.format(out=str(tmp / f"synth_inner{k}"))).split("STAGE1")
        wall, proc_cpu = text.rsplit("SECONDS", 1)[1].split()
        inner.append(float(wall))
        inner_cpu.append(round(float(proc_cpu), 2))
        wall, proc_cpu = item_level.split()
        stage1.append(float(wall))
        stage1_cpu.append(round(float(proc_cpu), 2))
        loads.append(_load())
    return {"synth": entry("synth", runs, load_average=loads, cpu_s=cpu),
            "synth_generation": entry("synth_generation", inner, load_average=loads, cpu_s=inner_cpu),
            "synth_item_level": entry("synth_item_level", stage1, load_average=loads, cpu_s=stage1_cpu)}


def bench_cfa(copy: Copy, repeat: int) -> dict:
    code = f"""
import json, time, warnings
warnings.simplefilter("ignore")
from wagk import codebook, contract, monitor_tables, paths
study = contract.load_study(paths.SYNTHETIC)
items = monitor_tables.appendix1_samples(study)[("client", 1)]
model = codebook.load_cfa_model("sem_initial")
out, cpu = [], []
for _ in range({repeat}):
    t, c = time.perf_counter(), time.process_time()
    res = monitor_tables.fit_model(items, model)
    out.append(time.perf_counter() - t)
    cpu.append(round(time.process_time() - c, 3))
print("JSON", json.dumps(dict(runs=out, cpu_s=cpu, n=len(items), converged=bool(res.converged),
                              iterations=int(res.n_iter))))
"""
    load0 = _load()
    got = json.loads(copy.python(code).rsplit("JSON", 1)[1])
    return {"cfa_fit": entry("cfa_fit", got.pop("runs"), load_average=[load0, _load()], **got)}


def bench_calibration(copy: Copy, tmp: Path) -> dict:
    load0 = _load()
    t, _ = copy.wagk("calibrate", "--params", str(tmp / "params.json"), "--params-bg", str(tmp / "params_bg.json"),
                     "--no-generate")
    return {"calibration": entry("calibration", [t], load_average=[load0, _load()],
                                 note="measured once (--with-calibration)")}


def bench_montecarlo(copy: Copy, R: int, tmp: Path) -> dict:
    copy.wagk("montecarlo", "-R", str(R), "--jobs", "2", "--quiet", "--out", str(tmp / "mc"))
    return record_montecarlo(tmp / "mc" / "run.json")


def record_montecarlo(*run_jsons: Path) -> dict:
    """The ``montecarlo`` entry from the ``run.json`` of one or more finished ``wagk montecarlo``
    runs of the same study (the median of their wall times, each run listed)."""
    infos = [json.loads(Path(p).read_text(encoding="utf-8")) for p in run_jsons]
    if not infos:
        raise ValueError("record_montecarlo needs at least one run.json")
    keys = {(i["R"], i["workers"], i["backend"], i.get("seed")) for i in infos}
    if len(keys) > 1:
        raise ValueError(f"the runs differ in R, workers, backend or seed: {sorted(keys)}")
    info = infos[0]
    walls = [float(i["wall_seconds"]) for i in infos]
    once = "measured once" if len(infos) == 1 else f"median of {len(infos)} runs"
    e = entry("montecarlo", walls, R=info["R"], workers=info["workers"], backend=info["backend"],
              replicates_ok=[i["replicates_ok"] for i in infos], replicates_failed=[i["replicates_failed"] for i in infos],
              replicate_seconds_median=[i["replicate_seconds_median"] for i in infos],
              load_average_after=[i.get("load_average_after") for i in infos],
              measured=max(dt.datetime.fromtimestamp(Path(p).stat().st_mtime, dt.timezone.utc) for p in run_jsons)
              .strftime("%Y-%m-%dT%H:%M:%SZ"),
              source=f"run.json of `wagk montecarlo -R {info['R']}` ({once})")
    e["label"] = f"wagk montecarlo -R {info['R']} ({info['workers']} {info['backend']} workers)"
    if info["R"] != 500:
        e["goal_s"], e["passed"] = None, None
        e["note"] = "the goal (600 s) is for R = 500"
    return {"montecarlo": e}


#: the last recorded calibration time before this file recorded one
CALIBRATION_FALLBACK = dict(
    label=LABELS["calibration"], median_s=715.0, runs_s=[], n_runs=0, goal_s=None, passed=None,
    measured="2026-11-28", source="recorded: 461 s stage I + 194 s stage II + under a minute for the data and "
                                  "reports ('about 12 minutes', shared machine) in data/synthetic/README.md; not "
                                  "measured by benchmarks/run.py")


def carried(previous: dict, name: str) -> dict | None:
    """A recorded entry carried over from the previous results file, labelled as such."""
    old = previous.get("results", {}).get(name)
    if old is None and name == "calibration":
        old = CALIBRATION_FALLBACK
    if old is None:
        return None
    old = dict(old)
    if not old.get("source", "").startswith("recorded"):
        old["source"] = f"recorded {old.get('measured', '?')[:10]} ({old.get('source', '')}); not measured in this run"
    return old


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------

def table(results: dict) -> str:
    lines = [f"{'benchmark':<48s} {'median s':>9s} {'CPU s':>6s} {'runs':>4s} {'goal s':>7s}  result   note"]
    for name, e in results.items():
        med = "" if e.get("median_s") is None else f"{e['median_s']:.{2 if e['median_s'] < 10 else 1}f}"
        cpu = f"{statistics.median(e['cpu_s']):.1f}" if e.get("cpu_s") else ""
        goal = "" if e.get("goal_s") is None else f"{e['goal_s']:.0f}"
        verdict = {True: "pass", False: "FAIL", None: "-"}[e.get("passed")]
        note = "" if e.get("source", "").startswith("measured") else e.get("source", "")
        lines.append(f"{e['label'][:48]:<48s} {med:>9s} {cpu:>6s} {e.get('n_runs', 0):>4d} {goal:>7s}  {verdict:<7s}  {note}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported; default 3)")
    ap.add_argument("--quick", action="store_true",
                    help="one run of each, no clean build, written to build/bench/results.json")
    ap.add_argument("--only", nargs="*", choices=GROUPS, default=None,
                    help="measure only these groups (none: only what --with-calibration, --montecarlo or "
                         "--record-montecarlo add; the rest is carried over)")
    ap.add_argument("--with-calibration", action="store_true", help="also measure `wagk calibrate` (~15 min)")
    ap.add_argument("--montecarlo", type=int, default=None, metavar="R", help="also measure `wagk montecarlo -R R`")
    ap.add_argument("--record-montecarlo", type=Path, nargs="+", default=None, metavar="RUN_JSON",
                    help="record the montecarlo entry from the run.json of one or more finished runs "
                         "(median of their wall times)")
    ap.add_argument("--out", type=Path, default=None, help="results file (default benchmarks/results.json)")
    ap.add_argument("--detail", action="store_true", help="also run the per-part scripts benchmarks/bench_*.py")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    if repeat < 1:
        ap.error("--repeat must be at least 1")
    groups = set(args.only) if args.only is not None else {g for g in GROUPS if not (args.quick and g == "clean_build")}
    out = args.out or (QUICK_RESULTS if args.quick else RESULTS)
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}

    results: dict = {}
    started = _now()
    with tempfile.TemporaryDirectory(prefix="wagk-bench-") as tmp:
        tmp = Path(tmp)
        copy = Copy(tmp)
        steps = [("chapters", lambda: bench_chapters(copy, repeat)),
                 ("clean_build", lambda: bench_clean_build(copy, repeat)),
                 ("synth", lambda: bench_synth(copy, repeat, tmp)),
                 ("cfa", lambda: bench_cfa(copy, repeat))]
        for group, fn in steps:
            if group in groups:
                print(f"== {group} ({repeat} run{'s' if repeat > 1 else ''}) ...", flush=True)
                results.update(fn())
        if args.with_calibration:
            print("== calibration (once) ...", flush=True)
            results.update(bench_calibration(copy, tmp))
        if args.montecarlo:
            print(f"== montecarlo R={args.montecarlo} (once) ...", flush=True)
            results.update(bench_montecarlo(copy, args.montecarlo, tmp))
    if args.record_montecarlo:
        results.update(record_montecarlo(*args.record_montecarlo))
    # what was not measured now: carried over from the previous results, labelled
    for name in ["chapter_07", "chapter_08", "chapter_09", "chapter_10", "clean_build", "synth",
                 "synth_generation", "synth_item_level", "cfa_fit", "calibration", "montecarlo"]:
        if name not in results:
            old = carried(previous, name)
            if old is not None:
                results[name] = old
    order = list(LABELS)
    results = {k: results[k] for k in sorted(results, key=lambda k: order.index(k) if k in order else 99)}
    doc = dict(
        about="Wall seconds; median_s is the median of runs_s. Goals: clean build <= 60 s, each chapter <= 15 s "
              "(chapter 10 <= 20 s), wagk synth <= 30 s (its item-level stage, dataset I, <= 5 s), Monte Carlo R=500 <= 600 s. Entries whose source starts "
              "with 'recorded' were not measured in this run. cpu_s: CPU seconds of the command and its children, which a busy machine inflates less than wall time. load_average: 1-minute load before the first and "
              "after each run (the machine may be shared).",
        started=started, finished=_now(), repeat=repeat, quick=bool(args.quick),
        machine=dict(cpus=os.cpu_count(), python=platform.python_version(), platform=platform.platform()),
        goals_s=GOALS, results=results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    status = 0 if all(e.get("passed") is not False for k, e in results.items()
                      if e.get("source", "").startswith("measured")) else 1
    if args.detail:
        for script in sorted(HERE.glob("bench_*.py")):
            print(f"\n== {script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], check=False, cwd=ROOT)
    return status


if __name__ == "__main__":
    sys.exit(main())
