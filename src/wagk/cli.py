"""The ``wagk`` command: synth, calibrate, run, compare, book.

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
        from wagk.synth import report

        report.write(args.out, seeds=args.seeds)
    return 0


def _calibrate(args) -> int:
    from wagk.synth import calibrate, generate

    out = args.params or generate.PARAMS_JSON
    kwargs = {} if args.rounds is None else {"rounds": args.rounds}
    calibrate.run(seed=args.seed, progress=True, out=out, **kwargs)
    print(f"wrote {out}")
    if not args.no_generate:
        generate.main(out=paths.SYNTHETIC, params_path=out)
    return 0


def _run(args) -> int:
    from wagk import runner

    return runner.run_chapters(
        data_dir=args.data, results_dir=args.results, chapters=args.chapters, real_data=args.real_data
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

    return book.build(strict=not args.no_strict)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wagk", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="{synth,calibrate,run,compare,book}")

    s = sub.add_parser("synth", help="regenerate the synthetic dataset from the calibrated parameters")
    s.add_argument("--seed", type=int, default=None, help="random seed (default: the one in the parameter file)")
    s.add_argument("--out", type=Path, default=paths.SYNTHETIC, help="output folder (default: data/synthetic)")
    s.add_argument("--report", action="store_true",
                   help="also write the fidelity report (fidelity.csv, FIDELITY.md) into the output folder")
    s.add_argument("--seeds", type=int, default=0, metavar="K",
                   help="with --report: the spread of ten headline numbers over seeds 1..K (e.g. 20)")
    s.set_defaults(func=_synth)

    k = sub.add_parser("calibrate", help="re-calibrate the synthetic-data generator to the published numbers")
    k.add_argument("--rounds", type=int, default=None, help="calibration rounds (default: the module's)")
    k.add_argument("--seed", type=int, default=None, help="calibration seed (default: the one in the parameter file)")
    k.add_argument("--params", type=Path, default=None, help="parameter file to write (default: src/wagk/synth/params_v1.json)")
    k.add_argument("--no-generate", action="store_true", help="do not regenerate data/synthetic afterwards")
    k.set_defaults(func=_calibrate)

    r = sub.add_parser("run", help="execute the chapter notebooks with papermill, in order")
    r.add_argument("--data", type=Path, default=paths.SYNTHETIC, help="dataset folder (default: data/synthetic)")
    r.add_argument("--results", type=Path, default=paths.RESULTS, help="results folder (default: build/results)")
    r.add_argument("--chapters", nargs="+", type=int, default=None, metavar="N",
                   help="chapters to run (default: every chapter notebook present: 7 8 9 10)")
    r.add_argument("--real-data", action="store_true", help="aggregate-only output for confidential data")
    r.set_defaults(func=_run)

    c = sub.add_parser("compare", help="join computed with published numbers; write the reproduction report")
    c.add_argument("--results", type=Path, default=paths.RESULTS, help="results folder (default: build/results)")
    c.add_argument("--out", type=Path, default=None, help="report CSV (default: <results>/reproduction.csv)")
    c.set_defaults(func=_compare)

    b = sub.add_parser("book", help="build the Jupyter Book from the executed notebooks")
    b.add_argument("--no-strict", action="store_true", help="do not turn warnings into errors")
    b.set_defaults(func=_book)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
