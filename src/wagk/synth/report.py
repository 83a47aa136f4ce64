"""The fidelity report of the synthetic dataset (``wagk synth --report``).

The dataset is loaded through the data contract (:func:`wagk.contract.load_study`), every target
table is recomputed by the compendium's recipes and compared with the published numbers by
:func:`wagk.compare.compare`, the same code the book's reproduction report uses. Written to
``data/synthetic``: ``fidelity.csv`` (one row per published number) and ``FIDELITY.md`` (one
table per target table, with the share within tolerance, the exact-n check and the CFA fits);
with ``seeds`` also ``seed_spread.csv``, the spread of ten headline numbers over other seeds.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import compare, contract, paths
from wagk.contract import load_study
from wagk.synth import generate, pipeline, targets

#: ten headline numbers for the seed spread: (label, ledger key)
HEADLINE = [
    ("client trust mean, wave 1 (T8.1)", ("T8.1", "client", "1", "descriptives", "trust", "", "M")),
    ("client trust median, wave 1 (T8.1)", ("T8.1", "client", "1", "descriptives", "trust", "", "Mdn")),
    ("officer trust mean, wave 1 (T9.1)", ("T9.1", "po", "1", "descriptives", "trust", "", "M")),
    ("client trust change SD (T8.3)", ("T8.3", "client", "diff", "descriptives", "trust", "", "SD")),
    ("client-officer r reactance, wave 1 (T10.1)", ("T10.1", "dyad", "1", "correlation", "reactance", "client_vs_po", "r")),
    ("relative difference trust M, wave 1 (T10.2)", ("T10.2", "dyad", "1", "rel_diff", "trust", "", "M")),
    ("alpha client reactance, wave 1 (TB1.4)", ("TB1.4", "client", "1", "alpha", "reactance", "", "alpha")),
    ("PCA loading item 7 on trust, clients wave 1 (TB1.6)", ("TB1.6", "client", "1", "pca_loading", "item07", "trust", "loading")),
    ("rS bond with grade, clients wave 1 (TB1.9)", ("TB1.9", "client", "1", "spearman", "bond", "grade", "rs")),
    ("CFI initial model, clients wave 1 (TB1.3)", ("TB1.3", "client", "1", "cfa_fit", "wa_gk_model", "initial", "CFI")),
]


def fidelity(data_dir: Path | str = paths.SYNTHETIC) -> pd.DataFrame:
    """The comparison report of the target tables for the dataset in ``data_dir``."""
    study = load_study(data_dir)
    rows = pipeline.computed_rows(study, cfa=True)
    rep = compare.compare(rows, targets.load())
    return rep[rep["ref"].isin(targets.REFS)].reset_index(drop=True)


def exact_n(rep: pd.DataFrame) -> pd.DataFrame:
    """The n's of the tables whose n's must come out exactly."""
    sel = rep[rep["ref"].isin(targets.EXACT_N) & (rep["statistic"] == "n") & rep["published"].notna()]
    return sel[["ref", "perspective", "wave", "variable", "group", "published", "computed", "verdict"]]


def cfa_table(rep: pd.DataFrame) -> pd.DataFrame:
    """Published against synthetic CMIN, CFI and RMSEA of the ten CFAs (Tables 3 and 5)."""
    sel = rep[rep["ref"].isin(["TB1.3", "TB1.5"]) & rep["statistic"].isin(["CMIN", "CFI", "RMSEA"])]
    wide = sel.pivot_table(index=["ref", "perspective", "wave", "group"], columns="statistic",
                           values=["published", "computed"], aggfunc="first")
    wide.columns = [f"{stat}_{side}" for side, stat in wide.columns]
    cols = [f"{s}_{side}" for s in ("CMIN", "CFI", "RMSEA") for side in ("published", "computed")]
    return wide[cols].reset_index()


def seed_spread(params: dict | None = None, seeds=range(1, 21)) -> pd.DataFrame:
    """The ten headline numbers over other seeds: mean, SD, min, max and share within tolerance."""
    params = params or generate.load_params()
    pub = targets.lookup()
    tol = compare.load_tolerances()
    values = {label: [] for label, _ in HEADLINE}
    for seed in seeds:
        study = contract.from_tables(generate.generate(params, seed))
        rows = pipeline.computed_rows(study, cfa=True)
        got = {tuple(r[:-1]): r[-1] for r in rows[["ref", "perspective", "wave", "analysis", "variable", "group",
                                                    "statistic", "value"]].itertuples(index=False, name=None)}
        for label, key in HEADLINE:
            values[label].append(got.get(key, np.nan))
    out = []
    for label, key in HEADLINE:
        v = np.array(values[label], float)
        rule = compare.rule_for(key[-1], key[3], key[4], tol)
        limit = rule.limit(pub[key])
        out.append(dict(number=label, published=pub[key], mean=np.nanmean(v), sd=np.nanstd(v, ddof=1),
                        min=np.nanmin(v), max=np.nanmax(v), tolerance=rule.describe(),
                        share_within=float(np.mean(np.abs(v - pub[key]) <= limit + 1e-9)), seeds=len(v)))
    return pd.DataFrame(out)


def _md(frame: pd.DataFrame, floatfmt: str = ".3f") -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in frame.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, (float, np.floating)):
                cells.append("" if np.isnan(v) else format(float(v), floatfmt))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(rep: pd.DataFrame, spread: pd.DataFrame | None = None, params: dict | None = None) -> str:
    shares = compare.shares(rep, by="ref")
    order = [r for r in targets.REFS if r in shares.index] + ["overall"]
    shares = shares.loc[order]
    en = exact_n(rep)
    parts = [
        "# Fidelity of the synthetic dataset",
        "",
        "The numbers below are computed from **synthetic data**: invented answers, generated to "
        "resemble the published tables. They are no evidence about probation clients or officers.",
        "",
        "Each target table of the thesis recomputed from `data/synthetic` by the compendium's own "
        "code and compared with the published value by `wagk.compare` (tolerances in "
        "`src/wagk/tolerances.yml`). Regenerate with `wagk synth --report`.",
        "",
    ]
    if params is not None and "calibration" in params:
        cal = params["calibration"]
        parts += [f"Parameters: `params_v{params['version']}.json`, calibrated on seed {params['seed']}"
                  f" ({cal.get('rounds', '?')} rounds, {cal.get('seconds', '?')} s).", ""]
    parts += ["## Share within tolerance", "", _md(shares.reset_index().rename(columns={"index": "table"}), ".3f"), ""]
    parts += [f"## Exact n's (Tables {', '.join(targets.EXACT_N)})", "",
              f"{int((en['verdict'] == 'within').sum())} of {len(en)} exact.", ""]
    if (en["verdict"] != "within").any():
        parts += [_md(en[en["verdict"] != "within"], ".0f"), ""]
    parts += ["## CFA fits (Appendix 1 Tables 3 and 5)", "", _md(cfa_table(rep), ".3f"), ""]
    if spread is not None:
        parts += [f"## Spread over {int(spread['seeds'].iloc[0])} other seeds", "",
                  "The same parameters with seeds 1-20: sampling noise around the published values.", "",
                  _md(spread, ".3f"), ""]
    parts += ["## Every published number", ""]
    for ref in targets.REFS:
        sub = rep[rep["ref"] == ref]
        if sub.empty:
            continue
        t = sub[["perspective", "wave", "analysis", "variable", "group", "statistic", "published", "computed",
                 "diff", "tolerance", "verdict"]].rename(columns={"computed": "synthetic", "diff": "difference"})
        parts += [f"### {ref}", "", _md(t, ".3f"), ""]
    return "\n".join(parts)


def write(data_dir: Path | str = paths.SYNTHETIC, seeds: int = 0) -> tuple[pd.DataFrame, Path]:
    """Compute the report for ``data_dir`` and write fidelity.csv, FIDELITY.md (and seed_spread.csv)."""
    data_dir = Path(data_dir)
    t0 = time.time()
    rep = fidelity(data_dir)
    rep.to_csv(data_dir / "fidelity.csv", index=False, float_format="%.10g", lineterminator="\n")
    spread = None
    params = generate.load_params()
    if seeds:
        spread = seed_spread(params, range(1, seeds + 1))
        spread.to_csv(data_dir / "seed_spread.csv", index=False, float_format="%.6g", lineterminator="\n")
    elif (data_dir / "seed_spread.csv").exists():
        spread = pd.read_csv(data_dir / "seed_spread.csv")
    path = data_dir / "FIDELITY.md"
    path.write_text(markdown(rep, spread, params) + "\n", encoding="utf-8")
    print(f"fidelity report: {path} ({time.time() - t0:.0f} s)")
    print(compare.shares(rep, by="ref").loc[["overall"]].to_string())
    return rep, path
