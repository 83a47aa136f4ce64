"""The data contract: which tables a dataset has, what their columns hold, how they link.

``load_study(data_dir)`` reads the seven tables (see DESIGN.md), checks them with pandera and
the link rules below, and returns a :class:`Study` with typed tables and a funnel that accounts
for every row. Bad input raises :class:`wagk.io.DataError` naming the file, the column and up
to ten offending rows; documented handlings (user-missing codes, wave-2 interviews without a
wave-1 interview) are counted in the funnel, never applied silently.

Rules
-----
- ids (client_id, po_id) are non-empty and unique per table (po_w*: one questionnaire per client).
- items are integers 1-7, the grade 1-10, outcomes 0/1; declared user-missing codes become
  missing and are counted; any other value is an error.
- background, motivation and outcome columns (``data/codebook/background.yml``) are optional;
  when present their codes (e.g. client_gender 1/2) or ranges (e.g. client_age 15-90) are
  checked the same way.
- every client interview and officer questionnaire belongs to a known client; every officer
  questionnaire and every client's wave-1 officer to a known officer.
- a wave-2 row without a wave-1 row of the same perspective is kept for the wave-2 analyses and
  counted as such; it has no change score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wagk import codebook
from wagk.io import DataError, RawTable, read_mapping, read_table

MAX_ROWS_SHOWN = 10
OUTCOMES = ("dropout", "early_help")


@dataclass(frozen=True)
class TableSpec:
    name: str
    key: str
    ids: tuple[str, ...]
    required: tuple[str, ...] = ()
    #: column -> allowed numeric values (missing allowed)
    coded: dict = field(default_factory=dict)
    optional_table: bool = False
    perspective: str | None = None
    wave: int | None = None
    #: column -> (min, max) of a numeric background column (missing allowed)
    ranges: dict = field(default_factory=dict)


def _item_codes(perspective: str) -> dict:
    items = codebook.load_items()
    out = {}
    for item in codebook.questionnaire_items(perspective, items):
        hi = codebook.GRADE_MAX if item == "grade" else codebook.ITEM_MAX
        out[item] = tuple(float(v) for v in range(1, hi + 1))
    return out


def _required_items(perspective: str) -> tuple[str, ...]:
    req: set[str] = {"grade"}
    for variant in codebook.variants():
        req |= set(codebook.load_monitor(variant).all_items(perspective))
    return tuple(sorted(req))


def table_specs() -> dict[str, TableSpec]:
    """The contract, one spec per table."""
    specs = {
        "clients": TableSpec("clients", "client_id", ("client_id", "po_id"), ("client_id", "po_id")),
        "officers": TableSpec("officers", "po_id", ("po_id",), ("po_id",)),
        "registry": TableSpec(
            "registry", "client_id", ("client_id",), ("client_id",) + OUTCOMES,
            coded={o: (0.0, 1.0) for o in OUTCOMES}, optional_table=True,
        ),
    }
    for persp, prefix, ids in (("client", "client", ("client_id",)), ("po", "po", ("client_id", "po_id"))):
        codes = _item_codes(persp)
        req = ids + _required_items(persp)
        for wave in codebook.WAVES:
            name = f"{prefix}_w{wave}"
            specs[name] = TableSpec(name, "client_id", ids, req, codes, perspective=persp, wave=wave)
    return {name: _with_background(spec) for name, spec in specs.items()}


def _with_background(spec: TableSpec) -> TableSpec:
    """The table's optional background columns (background.yml): codes and ranges."""
    from dataclasses import replace

    from wagk import background

    return replace(spec, coded={**spec.coded, **background.coded_columns(spec.name)},
                   ranges=background.ranged_columns(spec.name))


TABLE_ORDER = ("clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2", "registry")


@dataclass
class Study:
    """A validated dataset: typed tables and the funnel of every row."""

    data_dir: Path
    tables: dict
    funnel: pd.DataFrame
    notes: list = field(default_factory=list)

    def questionnaire(self, perspective: str, wave: int) -> pd.DataFrame:
        """The client interviews or officer questionnaires of one wave, indexed by client_id."""
        prefix = {"client": "client", "po": "po"}[perspective]
        return self.tables[f"{prefix}_w{wave}"].set_index("client_id")

    def has(self, table: str) -> bool:
        return table in self.tables


def _rows(raw: RawTable, index) -> str:
    """'rows 3, 7 (client_id A12, A17)' for the first MAX_ROWS_SHOWN offending rows."""
    index = list(dict.fromkeys(index))
    shown = index[:MAX_ROWS_SHOWN]
    line_offset = 2 if raw.path.suffix == ".csv" else 1  # header line in CSV; records from 1 in .sav
    where = ", ".join(str(i + line_offset) for i in shown)
    more = f" and {len(index) - len(shown)} more" if len(index) > len(shown) else ""
    kind = "lines" if raw.path.suffix == ".csv" else "records"
    ids = ""
    for id_col in ("client_id", "po_id"):
        if id_col in raw.frame.columns:
            vals = raw.frame.loc[shown, id_col].astype(str).tolist()
            ids = f" ({id_col} {', '.join(vals)})"
            break
    return f"{kind} {where}{more}{ids}"


def _as_id(series: pd.Series) -> pd.Series:
    """Ids as text: 1001.0 from SPSS becomes '1001'; surrounding blanks are removed."""
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        s = str(v).strip()
        return s if s else pd.NA
    return series.map(one).astype("string")


def _coerce(raw: RawTable, spec: TableSpec, problems: list[str], counts: dict) -> pd.DataFrame:
    """Typed copy of the raw frame: ids as text, coded columns as float with missing codes removed."""
    df = raw.frame.copy()
    for col in spec.ids:
        if col in df.columns:
            df[col] = _as_id(df[col])
    checked = [(c, a) for c, a in spec.coded.items()] + [(c, None) for c in spec.ranges]
    for col, allowed in checked:
        if col not in df.columns:
            continue
        s = df[col]
        if not pd.api.types.is_numeric_dtype(s):
            text = s.astype("string").str.strip()
            num = pd.to_numeric(text, errors="coerce")
            bad = text.notna() & num.isna()
            if bad.any():
                vals = sorted(set(text[bad].tolist()))[:5]
                problems.append(
                    f"{raw.path}: column {col}: non-numeric values {vals} in {_rows(raw, df.index[bad])}"
                )
            s = num
        s = s.astype(float)
        if allowed is None:
            lo, hi = spec.ranges[col]
            codes = set(raw.missing_codes.get(col, [])) | {c for c in raw.declared_by_mapping if not lo <= c <= hi}
        else:
            codes = set(raw.missing_codes.get(col, [])) | {c for c in raw.declared_by_mapping if c not in allowed}
        if codes:
            hit = s.isin(sorted(codes))
            if hit.any():
                counts[col] = int(hit.sum())
                s = s.mask(hit)
        df[col] = s
    return df


def _check_labels(raw: RawTable, spec: TableSpec, problems: list[str]) -> None:
    """SPSS value labels must not give meaning to a code outside the codebook's range."""
    for col, labels in raw.value_labels.items():
        allowed = spec.coded.get(col)
        if allowed is None:
            continue
        declared = set(raw.missing_codes.get(col, []))
        stray = {c: lab for c, lab in labels.items() if c not in allowed and c not in declared}
        if stray:
            problems.append(
                f"{raw.path}: column {col}: value labels {stray} use codes outside the codebook range "
                f"{int(min(allowed))}-{int(max(allowed))} and are not declared missing"
            )


def _schema(spec: TableSpec) -> pa.DataFrameSchema:
    cols = {}
    for col in spec.ids:
        cols[col] = pa.Column("string", nullable=False, unique=(col == spec.key), required=False)
    for col, allowed in spec.coded.items():
        cols[col] = pa.Column(float, pa.Check.isin(list(allowed)), nullable=True, required=False)
    for col, (lo, hi) in spec.ranges.items():
        cols[col] = pa.Column(float, pa.Check.in_range(lo, hi), nullable=True, required=False)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def _validate(raw: RawTable, df: pd.DataFrame, spec: TableSpec, problems: list[str]) -> None:
    try:
        _schema(spec).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for (col, check), group in fc.groupby(["column", "check"], sort=False, dropna=False):
            idx = [int(i) for i in group["index"].dropna()]
            if check == "field_uniqueness":
                vals = sorted(set(group["failure_case"].astype(str)))[:5]
                problems.append(f"{raw.path}: column {col}: duplicate ids {vals} in {_rows(raw, idx)}")
            elif check == "not_nullable":
                problems.append(f"{raw.path}: column {col}: empty ids in {_rows(raw, idx)}")
            elif str(check).startswith("isin"):
                vals = sorted(set(float(v) for v in group["failure_case"]))
                allowed = spec.coded[col]
                hint = ""
                if any(v in (9, 99, 999, -1, -9, -99, 0) for v in vals):
                    hint = "; if these are missing-value codes, declare them (SPSS user-missing or mapping.yml missing_codes)"
                problems.append(
                    f"{raw.path}: column {col}: values {[_fmt(v) for v in vals[:5]]} outside "
                    f"{_fmt(min(allowed))}-{_fmt(max(allowed))} in {_rows(raw, idx)}{hint}"
                )
            elif str(check).startswith("in_range"):
                vals = sorted(set(float(v) for v in group["failure_case"]))
                lo, hi = spec.ranges[col]
                problems.append(f"{raw.path}: column {col}: values {[_fmt(v) for v in vals[:5]]} outside "
                                f"{_fmt(lo)}-{_fmt(hi)} in {_rows(raw, idx)}")
            else:
                problems.append(f"{raw.path}: column {col}: failed {check} in {_rows(raw, idx)}")


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def load_study(data_dir: Path | str) -> Study:
    """Read, check and link the dataset in ``data_dir``.

    Raises
    ------
    DataError
        listing every problem found (file, column, up to ten rows each).
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError([f"{data_dir}: no such dataset folder"])
    mapping = read_mapping(data_dir)
    specs = table_specs()
    problems: list[str] = []
    funnel: list[dict] = []
    notes: list[str] = []
    tables: dict[str, pd.DataFrame] = {}
    raws: dict[str, RawTable] = {}

    for name in TABLE_ORDER:
        spec = specs[name]
        raw = read_table(name, data_dir, mapping)
        if raw is None:
            if spec.optional_table:
                notes.append(f"{name}: no file in {data_dir}; analyses that need it are reported as pending")
                funnel.append(dict(table=name, step="absent", rows=0, detail="optional table not supplied"))
            else:
                problems.append(
                    f"{data_dir}: required table {name!r} missing (looked for {mapping.file_stem(name)}"
                    f"{{{','.join(s for s in ('.csv', '.parquet', '.sav'))}}})"
                )
            continue
        raws[name] = raw
        notes += raw.notes
        funnel.append(dict(table=name, step="read", rows=len(raw.frame), detail=raw.path.name))
        missing_cols = [c for c in spec.required if c not in raw.frame.columns]
        if missing_cols:
            problems.append(f"{raw.path}: required columns missing: {missing_cols}")
            continue
        if len(raw.frame) == 0:
            problems.append(f"{raw.path}: the table has no rows")
            continue
        absent = [c for c in spec.coded if c not in raw.frame.columns]
        if absent:
            funnel.append(dict(table=name, step="columns absent", rows=0,
                               detail=f"{len(absent)} optional codebook columns not in the file: {', '.join(absent[:8])}"
                               + (" ..." if len(absent) > 8 else "")))
        counts: dict = {}
        df = _coerce(raw, spec, problems, counts)
        _check_labels(raw, spec, problems)
        _validate(raw, df, spec, problems)
        if counts:
            funnel.append(dict(table=name, step="user-missing codes set to missing", rows=0,
                               detail=f"{sum(counts.values())} cells in {len(counts)} columns"))
        tables[name] = df

    if problems:
        raise DataError(problems)
    _link(tables, raws, problems, funnel)
    if problems:
        raise DataError(problems)
    for name in TABLE_ORDER:
        if name in tables:
            funnel.append(dict(table=name, step="valid and linked", rows=len(tables[name]), detail=""))
    return Study(data_dir, tables, pd.DataFrame(funnel, columns=["table", "step", "rows", "detail"]), notes)


def _unknown(raw: RawTable, df: pd.DataFrame, col: str, known: pd.Series, what: str, problems: list[str]) -> None:
    bad = ~df[col].isin(set(known.dropna()))
    if bad.any():
        vals = sorted(set(df.loc[bad, col].astype(str)))[:5]
        problems.append(f"{raw.path}: column {col}: {int(bad.sum())} rows point to unknown {what} {vals}: {_rows(raw, df.index[bad])}")


def _link(tables: dict, raws: dict, problems: list[str], funnel: list[dict]) -> None:
    clients, officers = tables.get("clients"), tables.get("officers")
    if clients is None or officers is None:
        return
    _unknown(raws["clients"], clients, "po_id", officers["po_id"], "officers", problems)
    for name in ("client_w1", "client_w2", "po_w1", "po_w2", "registry"):
        if name not in tables:
            continue
        df = tables[name]
        _unknown(raws[name], df, "client_id", clients["client_id"], "clients", problems)
        if name.startswith("po_"):
            _unknown(raws[name], df, "po_id", officers["po_id"], "officers", problems)
    for prefix in ("client", "po"):
        w1, w2 = tables.get(f"{prefix}_w1"), tables.get(f"{prefix}_w2")
        if w1 is None or w2 is None:
            continue
        only2 = ~w2["client_id"].isin(set(w1["client_id"]))
        if only2.any():
            funnel.append(dict(
                table=f"{prefix}_w2", step="wave 2 without wave 1", rows=int(only2.sum()),
                detail="kept for wave-2 analyses; no change score",
            ))
