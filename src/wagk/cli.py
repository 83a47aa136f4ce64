"""The ``wagk`` command: synth, calibrate, check, run, compare, book, montecarlo.

A subcommand whose work does not exist yet says so and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wagk import paths

NOT_YET = 2


def _synth(args) -> int:
    try:
        from wagk.synth import generate
    except ImportError:
        print("wagk synth: the synthetic-data generator does not exist yet (src/wagk/synth).", file=sys.stderr)
        return NOT_YET
    generate.main(seed=args.seed, out=args.out)
    if args.report:
        from wagk.synth import report, report_bg

        report.write(args.out, seeds=args.seeds)
        report_bg.write(args.out)
    return 0


def _calibrate(args) -> int:
    """Calibrate stage I (item level), then stage II (background links) on the new stage I;
    write the parameter files and regenerate the dataset (``--stage`` runs one stage only)."""
    import time

    from wagk.synth import calibrate, calibrate_bg, extend, generate

    t0 = time.time()
    p1 = args.params or generate.PARAMS_JSON
    p2 = args.params_bg or extend.PARAMS_JSON
    if args.stage in ("1", "both"):
        kwargs = {} if args.rounds is None else {"rounds": args.rounds}
        start = None if args.fresh else generate.load_params(p1 if Path(p1).exists() else generate.PARAMS_JSON)
        calibrate.run(seed=args.seed, params=start, progress=True, out=p1, **kwargs)
        print(f"stage I: wrote {p1} ({time.time() - t0:.0f} s)")
    if args.stage in ("2", "both"):
        t1 = time.time()
        sim = generate.simulate(generate.load_params(p1))
        kwargs = {} if args.rounds_bg is None else {"rounds": args.rounds_bg}
        start = None if args.fresh else extend.load_params(p2 if Path(p2).exists() else extend.PARAMS_JSON)
        calibrate_bg.run(sim=sim, params=start, progress=True, out=p2, **kwargs)
        print(f"stage II: wrote {p2} ({time.time() - t1:.0f} s)")
    if not args.no_generate:
        out = args.out
        extend.write(extend.extend(generate.simulate(generate.load_params(p1)), extend.load_params(p2)), out)
        print(f"wrote {out}")
        if args.report:
            from wagk.synth import report, report_bg

            report.write(out, seeds=args.seeds)
            report_bg.write(out)
    print(f"wagk calibrate: {time.time() - t0:.0f} s")
    return 0


def _check(args) -> int:
    """Validate a dataset and print its funnel (in a terminal: ids are shown unless --real-data)."""
    import pandas as pd

    from wagk import codebook, contract, scoring
    from wagk.io import DataError

    try:
        study = contract.load_study(args.data, real_data=args.real_data)
    except DataError as err:
        print(f"wagk check: {len(err.problems)} problem(s) in {args.data}:", file=sys.stderr)
        for line in err.problems:
            print(f"- {line}", file=sys.stderr)
        return 1
    with pd.option_context("display.width", 200, "display.max_colwidth", 100, "display.max_rows", 500):
        print(f"{args.data}: valid.\n\nFunnel\n{study.funnel.to_string(index=False)}")
        if study.notes:
            print("\nNotes\n" + "\n".join(f"- {n}" for n in study.notes))
        if not study.item_warnings.empty:
            print(f"\nItem warnings\n{study.item_warnings.to_string(index=False)}")
        mon = codebook.load_monitor()
        for persp in codebook.PERSPECTIVES:
            for wave in codebook.WAVES:
                counts = scoring.scoring_counts(study.questionnaire(persp, wave), mon, persp)
                print(f"\nScoring {persp} wave {wave} ({mon.variant})\n{counts.to_string(index=False)}")
    return 0


def _run(args) -> int:
    from wagk import runner

    return runner.run_chapters(
        data_dir=args.data, results_dir=args.results, chapters=args.chapters, real_data=args.real_data,
        min_cell=args.min_cell, jobs=args.jobs,
    )


def _compare(args) -> int:
    from wagk import compare

    report, table = compare.run(args.results, args.out)
    n_pub = int((report["verdict"] != "not_published").sum())
    print(f"{n_pub} published numbers; written {args.out or Path(args.results) / 'reproduction.csv'}")
    print(table.to_string(float_format=lambda x: f"{x:.1%}"))
    return 0


def _book(args) -> int:
    from wagk import book

    return book.build(strict=not args.no_strict, results_dir=args.results, data_dir=args.data)


def _montecarlo(args) -> int:
    from wagk import montecarlo

    seed = montecarlo.DEFAULT_SEED if args.seed is None else args.seed
    mc = montecarlo.run(args.R, seed=seed, n_jobs=args.jobs, scheduler=args.scheduler, progress=not args.quiet)
    out = montecarlo.write(mc, args.out or montecarlo.OUT)
    info = mc.info
    print(f"{info['replicates_ok']} of {info['R']} replicates in {info['wall_seconds']} s on {info['workers']} "
          f"{info['backend']} worker(s); written to {out}")
    if info["replicates_failed"]:
        print(f"{info['replicates_failed']} replicate(s) failed: see {out / 'errors.csv'}", file=sys.stderr)
        return 1
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wagk", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="{synth,calibrate,check,run,compare,book,montecarlo}")

    s = sub.add_parser("synth", help="regenerate the synthetic dataset from the calibrated parameters")
    s.add_argument("--seed", type=int, default=None, help="random seed (default: the one in the parameter file)")
    s.add_argument("--out", type=Path, default=paths.SYNTHETIC, help="output folder (default: data/synthetic)")
    s.add_argument("--report", action="store_true",
                   help="also write the fidelity report (fidelity.csv, FIDELITY.md) into the output folder")
    s.add_argument("--seeds", type=int, default=0, metavar="K",
                   help="with --report: the spread of ten headline numbers over seeds 1..K (e.g. 20)")
    s.set_defaults(func=_synth)

    k = sub.add_parser("calibrate", help="re-calibrate the synthetic-data generator (both stages) to the published numbers")
    k.add_argument("--stage", choices=("1", "2", "both"), default="both",
                   help="1: item level; 2: background links on the current stage I; both (default): 1 then 2")
    k.add_argument("--rounds", type=int, default=None, help="stage I calibration rounds (default: the module's)")
    k.add_argument("--rounds-bg", type=int, default=None, help="stage II calibration rounds (default: the module's)")
    k.add_argument("--seed", type=int, default=None, help="stage I calibration seed (default: the one in the parameter file)")
    k.add_argument("--fresh", action="store_true",
                   help="start from the initial parameters (default: continue from the current parameter files)")
    k.add_argument("--params", type=Path, default=None, help="stage I parameter file (default: src/wagk/synth/params_v1.json)")
    k.add_argument("--params-bg", type=Path, default=None,
                   help="stage II parameter file (default: src/wagk/synth/params_bg_v1.json)")
    k.add_argument("--out", type=Path, default=paths.SYNTHETIC, help="dataset folder to regenerate (default: data/synthetic)")
    k.add_argument("--no-generate", action="store_true", help="do not regenerate the dataset afterwards")
    k.add_argument("--report", action="store_true", help="also write both fidelity reports into the dataset folder")
    k.add_argument("--seeds", type=int, default=0, metavar="K", help="with --report: seed spread over seeds 1..K")
    k.set_defaults(func=_calibrate)

    k = sub.add_parser("check", help="validate a dataset against the data contract and print its funnel")
    k.add_argument("--data", type=Path, default=paths.SYNTHETIC, help="dataset folder (default: data/synthetic)")
    k.add_argument("--real-data", action="store_true", help="leave ids and text values out of error messages")
    k.set_defaults(func=_check)

    r = sub.add_parser("run", help="execute the chapter notebooks with papermill, in order")
    r.add_argument("--data", type=Path, default=paths.SYNTHETIC, help="dataset folder (default: data/synthetic)")
    r.add_argument("--results", type=Path, default=paths.RESULTS, help="results folder (default: build/results)")
    r.add_argument("--chapters", nargs="+", type=int, default=None, metavar="N",
                   help="chapters to run (default: every chapter notebook present: 7 8 9 10)")
    r.add_argument("--real-data", action="store_true", help="aggregate-only output for confidential data")
    r.add_argument("--min-cell", type=int, default=5, metavar="N",
                   help="real-data mode: suppress table cells and hexbin bins with fewer than N people (default 5)")
    r.add_argument("--jobs", type=int, default=2, metavar="N",
                   help="chapters 8-10 run side by side in N kernels after chapter 7 (default 2; 1: one after another)")
    r.set_defaults(func=_run)

    c = sub.add_parser("compare", help="join computed with published numbers; write the reproduction report")
    c.add_argument("--results", type=Path, default=paths.RESULTS, help="results folder (default: build/results)")
    c.add_argument("--out", type=Path, default=None, help="report CSV (default: <results>/reproduction.csv)")
    c.set_defaults(func=_compare)

    b = sub.add_parser("book", help="execute the report pages and build the Jupyter Book (strict)")
    b.add_argument("--results", type=Path, default=paths.RESULTS, help="results folder (default: build/results)")
    b.add_argument("--data", type=Path, default=None,
                   help="dataset for the data page (default: the one `wagk run` used, else data/synthetic)")
    b.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    b.set_defaults(func=_book)

    m = sub.add_parser("montecarlo", help="replicate every chapter's statistics on R synthetic datasets")
    m.add_argument("-R", type=int, default=500, help="number of replicates (default 500)")
    m.add_argument("--seed", type=int, default=None, help="seed of the first replicate (default: montecarlo.DEFAULT_SEED)")
    m.add_argument("--jobs", type=int, default=2, help="joblib worker processes (default 2)")
    m.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run on a Dask cluster: the scheduler's address, e.g. tcp://10.0.0.5:8786")
    m.add_argument("--out", type=Path, default=None, help="output folder (default: build/montecarlo)")
    m.add_argument("--quiet", action="store_true", help="no progress bar")
    m.set_defaults(func=_montecarlo)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
