"""The data contract: which tables a dataset has, what their columns hold, how they link.

``load_study(data_dir)`` reads the seven tables (see DESIGN.md), checks them with pandera and
the link rules below, and returns a :class:`Study` with typed tables and a funnel that accounts
for every row. Bad input raises :class:`wagk.io.DataError` naming the file, the column and up
to ten offending rows (lines of a CSV file counting the header as line 1, records of a .sav or
Parquet file counting from 1, with their ids); documented handlings are counted in the funnel,
never applied silently. ``book/data_contract.md`` lists every rule with the case of the
malformed-data corpus (``wagk.testing.corpus``) that tests it.

Rules
-----
- Every required table is present, in one format only; ``registry`` is optional (its absence
  is a funnel line). A table file without rows, or without the required columns, is an error.
- ids (client_id, po_id) are non-empty and unique per table (po_w*: one questionnaire per
  client). Surrounding blanks are removed and counted; 1001.0 from SPSS is read as 1001.
- items are whole numbers 1-7, the grade 1-10, outcomes 0/1. Declared user-missing codes (SPSS
  user-missing values or ranges, ``missing_codes`` in mapping.yml) become missing and are
  counted; a code declared for a whole table applies only to columns where it is not a valid
  answer (9 is a grade). Blank cells (only spaces) are missing and counted. Any other value is
  an error: non-numeric text, decimal values (``3,5`` or ``3.5``), codes outside the range (with
  a hint when they look like undeclared missing codes: 0, 9, 99, 999, -1, -9, -99).
- SPSS value labels of an item must agree with the codebook: no labels on codes outside the
  range that are not declared missing; no label that marks a valid code as a non-answer
  ("weet niet", "n.v.t.", "missing" ...); the endpoint labels (the texts most items of the file
  give to 1 and 7) must sit on 1 and 7 in every item, so a reversed item or a 1-5 item is
  caught. Whether a label's wording matches the codebook's direction in any other way cannot be
  checked reliably and is not checked.
- an item that is present but entirely missing, or constant, is no error: it is listed in
  :attr:`Study.item_warnings` and in a funnel line, so that analyses can leave it out and say so.
- other (background) columns are kept; in text files a column whose every filled cell is a
  number becomes numeric; numbers written with a decimal comma there are an error unless
  ``decimal: ","`` is declared in mapping.yml.
- the background, motivation and outcome columns of ``data/codebook/background.yml`` are
  optional; when a table carries one, its codes (e.g. client_gender 1/2) are checked like an
  item's and its range (e.g. client_age 15-90) is checked too.
- every client interview and officer questionnaire belongs to a known client; every officer
  questionnaire and every client's wave-1 officer to a known officer.
- a wave-2 row without a wave-1 row of the same perspective is kept for the wave-2 analyses and
  counted as such; it has no change score. Clients without a row in a table, officer
  questionnaires from another officer than the client's wave-1 officer and wave-2 officer
  questionnaires from another officer than at wave 1 are counted.
- files in the folder that are no table of the contract are listed (not read).

In real-data mode (``load_study(..., real_data=True)``) error messages give line numbers but no
ids and no text values, so that a failing chapter cannot print them into the book; run
``wagk check --data DIR`` in a terminal to see them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from wagk import codebook
from wagk.io import DECIMAL_COMMA, SUFFIXES, DataError, RawTable, read_mapping, read_table

MAX_ROWS_SHOWN = 10
OUTCOMES = ("dropout", "early_help")
#: codes that are often user-missing codes when they turn up undeclared
LIKELY_MISSING = (9, 99, 999, -1, -9, -99, 0)
#: label texts that mark a code as a non-answer
NON_ANSWER = re.compile(
    r"weet\s*niet|\bn\.?\s?v\.?\s?t\b|niet\s+van\s+toepassing|geen\s+antwoord|\bonbekend|\bontbreekt"
    r"|\bmissing\b|don'?t\s+know|not\s+applicable|\brefus|\bweiger|\bsysmis",
    re.IGNORECASE,
)
FUNNEL_COLUMNS = ["table", "step", "rows", "detail"]
WARNING_COLUMNS = ["table", "item", "issue", "answered", "detail"]


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
    """Add the table's optional background columns (background.yml): codes and ranges."""
    from dataclasses import replace

    from wagk import background

    return replace(spec, coded={**spec.coded, **background.coded_columns(spec.name)},
                   ranges=background.ranged_columns(spec.name))


TABLE_ORDER = ("clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2", "registry")


@dataclass
class Study:
    """A validated dataset: typed tables, the funnel of every row, and item warnings.

    Attributes
    ----------
    tables : dict of DataFrame
        the tables by name (ids as text, coded columns as float with missing as NaN).
    funnel : DataFrame
        table, step, rows, detail: every row read, every handling applied and counted.
    notes : list of str
        how files were read (encoding, separator, declared missing codes).
    item_warnings : DataFrame
        table, item, issue ("entirely missing" or "constant"), answered, detail: coded columns
        that no analysis can use as they are.
    """

    data_dir: Path
    tables: dict = field(repr=False)
    funnel: pd.DataFrame = field(repr=False)
    notes: list = field(default_factory=list)
    item_warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WARNING_COLUMNS), repr=False)

    def __repr__(self) -> str:  # never shows rows: a Study may hold confidential data
        sizes = ", ".join(f"{k}: {len(v)} rows" for k, v in self.tables.items())
        return f"Study({self.data_dir.name!r}; {sizes}; {len(self.item_warnings)} item warnings)"

    def questionnaire(self, perspective: str, wave: int) -> pd.DataFrame:
        """The client interviews or officer questionnaires of one wave, indexed by client_id."""
        prefix = {"client": "client", "po": "po"}[perspective]
        return self.tables[f"{prefix}_w{wave}"].set_index("client_id")

    def has(self, table: str) -> bool:
        return table in self.tables

    def unusable_items(self, perspective: str, wave: int) -> dict[str, str]:
        """Items of one questionnaire that are entirely missing or constant: item -> issue."""
        prefix = {"client": "client", "po": "po"}[perspective]
        w = self.item_warnings[self.item_warnings["table"] == f"{prefix}_w{wave}"]
        return dict(zip(w["item"], w["issue"]))


@dataclass
class _Check:
    """State of one load: the problems found and the funnel so far."""

    real_data: bool
    problems: list = field(default_factory=list)
    funnel: list = field(default_factory=list)

    def line(self, table: str, step: str, rows: int, detail: str = "") -> None:
        self.funnel.append(dict(table=table, step=step, rows=int(rows), detail=detail))

    def rows(self, raw: RawTable, index) -> str:
        """'lines 3, 7 (client_id A12, A17)' for the first MAX_ROWS_SHOWN offending rows
        (without the ids in real-data mode)."""
        index = list(dict.fromkeys(index))
        shown = index[:MAX_ROWS_SHOWN]
        line_offset = 2 if raw.path.suffix == ".csv" else 1  # header line in CSV; records from 1
        where = ", ".join(str(i + line_offset) for i in shown)
        more = f" and {len(index) - len(shown)} more" if len(index) > len(shown) else ""
        kind = "lines" if raw.path.suffix == ".csv" else "records"
        ids = ""
        if not self.real_data:
            for id_col in ("client_id", "po_id"):
                if id_col in raw.frame.columns:
                    vals = [str(v) for v in _as_id(raw.frame.loc[shown, id_col])[0].fillna("(empty)")]
                    ids = f" ({id_col} {', '.join(vals)})"
                    break
        return f"{kind} {where}{more}{ids}"

    def values(self, vals, what: str = "values") -> str:
        """A few offending text values, or only their number in real-data mode."""
        vals = sorted(set(map(str, vals)))
        if self.real_data:
            return f"{len(vals)} distinct {what or 'values'} (not shown in real-data mode; see `wagk check`)"
        prefix = f"{what} " if what else ""
        return f"{prefix}{vals[:5]}" + (f" and {len(vals) - 5} more" if len(vals) > 5 else "")


def _as_id(series: pd.Series) -> tuple[pd.Series, int]:
    """Ids as text: 1001.0 from SPSS becomes '1001'; surrounding blanks are removed (counted)."""
    trimmed = 0

    def one(v):
        nonlocal trimmed
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return pd.NA
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            v = int(v)
        raw = str(v)
        s = raw.strip()
        if s and s != raw:
            trimmed += 1
        return s if s else pd.NA
    return series.map(one).astype("string"), trimmed


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)


def _is_text(s: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype))


#: a plain number as text (no 'nan', 'inf', '1_000' or other spellings that float() accepts)
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _parse_text(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cell by cell: stripped text (None when missing), value (NaN unless a plain number),
    blank (only spaces) and bad (filled but no number). One pass over all text columns."""
    flat = frame.to_numpy(dtype=object).ravel()
    text = np.empty(flat.shape, dtype=object)
    value = np.full(flat.shape, np.nan)
    blank = np.zeros(flat.shape, dtype=bool)
    bad = np.zeros(flat.shape, dtype=bool)
    for i, v in enumerate(flat):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        t = str(v).strip()
        if not t:
            blank[i] = True
            continue
        text[i] = t
        if NUMBER.fullmatch(t):
            value[i] = float(t)
        else:
            bad[i] = True
    shape = frame.shape
    return text.reshape(shape), value.reshape(shape), blank.reshape(shape), bad.reshape(shape)


def _coerce(raw: RawTable, spec: TableSpec, chk: _Check) -> pd.DataFrame:
    """Typed copy of the raw frame: ids as text, coded columns as float with missing codes removed,
    other all-numeric text columns as numbers. Handlings are added to the funnel."""
    df = raw.frame.copy()
    name = raw.name
    for col in spec.ids:
        if col in df.columns:
            df[col], trimmed = _as_id(df[col])
            if trimmed:
                chk.line(name, "ids trimmed", trimmed, f"blanks around {trimmed} {col} values removed")
    coded_rows = np.zeros(len(df), dtype=bool)
    coded_cells: dict[str, int] = {}

    def code(col: str, hit: np.ndarray) -> None:
        nonlocal coded_rows
        if hit.any():
            coded_cells[col] = coded_cells.get(col, 0) + int(hit.sum())
            coded_rows |= hit

    # coded columns that are not numbers (text, dates ...) are parsed as text, and so are the
    # text columns among the others; other typed columns (dates, numbers) are kept as they are
    text_cols = [c for c in df.columns if c not in spec.ids
                 and ((c in spec.coded and not _is_numeric(df[c])) or (c not in spec.coded and _is_text(df[c])))]
    if text_cols:
        text, value, blank, bad = _parse_text(df[text_cols])
        if blank.any():
            cols = [c for j, c in enumerate(text_cols) if blank[:, j].any()]
            chk.line(name, "blank cells read as missing", int(blank.any(axis=1).sum()),
                     f"cells holding only spaces (or an empty SPSS string) in {len(cols)} columns: {_few(cols)}")
        declared_text = sorted(raw.declared_text)
        typed = {}
        for j, col in enumerate(text_cols):
            t, v, b = text[:, j], value[:, j], bad[:, j]
            allowed = spec.coded.get(col)
            if allowed is None:
                typed[col] = _other_column(raw, df, col, t, v, b, chk)
                continue
            if declared_text and b.any():
                hit = b & np.isin(t.astype(str), declared_text)
                code(col, hit)
                b = b & ~hit
            if b.any():
                vals = t[b].tolist()
                comma = any(DECIMAL_COMMA.fullmatch(x) for x in vals)
                hint = (f"; these look like decimals written with a comma, but items are whole codes "
                        f"{_range(allowed)}" if comma else "")
                chk.problems.append(f"{raw.path}: column {col}: non-numeric "
                                    f"{chk.values(vals)} in {chk.rows(raw, df.index[b])}{hint}")
            typed[col] = pd.Series(v, index=df.index)
        for col, s in typed.items():
            df[col] = s
    for col, allowed in spec.coded.items():
        if col not in df.columns:
            continue
        s = df[col].astype(float)
        codes = set(raw.missing_codes.get(col, [])) | {c for c in raw.declared_by_mapping if c not in allowed}
        if codes:
            hit = s.isin(sorted(codes)).to_numpy()
            code(col, hit)
            s = s.mask(hit)
        df[col] = s
    for col, (lo, hi) in spec.ranges.items():
        if col in df.columns and _is_numeric(df[col]):
            s = df[col].astype(float)
            codes = set(raw.missing_codes.get(col, [])) | {c for c in raw.declared_by_mapping if not lo <= c <= hi}
            if codes:
                hit = s.isin(sorted(codes)).to_numpy()
                code(col, hit)
                s = s.mask(hit)
            df[col] = s
    if coded_cells:
        chk.line(name, "user-missing codes set to missing", int(coded_rows.sum()),
                 f"{sum(coded_cells.values())} cells in {len(coded_cells)} columns")
    return df


def _other_column(raw, df, col, text, value, bad, chk: _Check) -> pd.Series:
    """A background column from a text file: numeric when every filled cell is a number."""
    filled = pd.notna(text)
    if not filled.any():
        return pd.Series(text, index=df.index, dtype="string")
    if not bad.any():
        return pd.Series(value, index=df.index)
    if all(DECIMAL_COMMA.fullmatch(x) for x in text[bad]):
        shown = "" if chk.real_data else f" (e.g. {sorted(set(text[bad]))[:3]})"
        chk.problems.append(
            f"{raw.path}: column {col}: numbers written with a decimal comma{shown} in "
            f"{chk.rows(raw, df.index[bad])}; declare `decimal: \",\"` in mapping.yml"
        )
    return pd.Series(text, index=df.index, dtype="string")


def _few(cols: list[str], k: int = 8) -> str:
    return ", ".join(cols[:k]) + (" ..." if len(cols) > k else "")


def _range(allowed) -> str:
    return f"{_fmt(min(allowed))}-{_fmt(max(allowed))}"


def _check_labels(raw: RawTable, spec: TableSpec, chk: _Check) -> None:
    """SPSS value labels must agree with the codebook (see the module's rules)."""
    endpoints: dict[str, tuple[str, str]] = {}
    for col, labels in raw.value_labels.items():
        allowed = spec.coded.get(col)
        if allowed is None:
            continue
        declared = set(raw.missing_codes.get(col, []))
        stray = {c: lab for c, lab in labels.items() if c not in allowed and c not in declared}
        if stray:
            chk.problems.append(
                f"{raw.path}: column {col}: value labels {stray} use codes outside the codebook range "
                f"{_range(allowed)} and are not declared missing"
            )
        nonans = {c: lab for c, lab in labels.items() if c in allowed and c not in declared and NON_ANSWER.search(str(lab))}
        if nonans:
            chk.problems.append(
                f"{raw.path}: column {col}: value labels {nonans} mark valid codes as non-answers; "
                "recode them to a missing code and declare it"
            )
        lo, hi = min(allowed), max(allowed)
        if lo in labels and hi in labels and hi == codebook.ITEM_MAX:
            endpoints[col] = (_norm(labels[lo]), _norm(labels[hi]))
    if len(endpoints) < 3:
        return
    (low_text, high_text), n = Counter(endpoints.values()).most_common(1)[0]
    if n < 2 or low_text == high_text:
        return
    lo, hi = float(codebook.ITEM_MIN), float(codebook.ITEM_MAX)
    for col, labels in raw.value_labels.items():
        if spec.coded.get(col) is None or max(spec.coded[col]) != hi:
            continue
        at_low = sorted(c for c, lab in labels.items() if _norm(lab) == low_text)
        at_high = sorted(c for c, lab in labels.items() if _norm(lab) == high_text)
        if (at_low and at_low != [lo]) or (at_high and at_high != [hi]):
            got = ", ".join(f"{_fmt(c)} = {lab!r}" for c, lab in sorted(labels.items())
                            if _norm(lab) in (low_text, high_text))
            chk.problems.append(
                f"{raw.path}: column {col}: value labels disagree with the other items of the file "
                f"({got}; {n} items have 1 = {low_text!r}, 7 = {high_text!r}); a reversed or "
                "differently scaled item must be recoded to the codebook's 1-7 direction before loading"
            )


def _norm(label) -> str:
    return " ".join(str(label).lower().split())


_SCHEMAS: dict = {}


def _schema(spec: TableSpec) -> pa.DataFrameSchema:
    key = (spec.name, tuple(spec.ids), tuple(sorted(spec.coded.items())), tuple(sorted(spec.ranges.items())))
    if key not in _SCHEMAS:
        _SCHEMAS[key] = _build_schema(spec)
    return _SCHEMAS[key]


def _build_schema(spec: TableSpec) -> pa.DataFrameSchema:
    cols = {}
    for col in spec.ids:
        cols[col] = pa.Column("string", nullable=False, unique=(col == spec.key), required=False)
    for col, allowed in spec.coded.items():
        cols[col] = pa.Column(float, pa.Check.isin(list(allowed)), nullable=True, required=False)
    for col, (lo, hi) in spec.ranges.items():
        cols[col] = pa.Column(None, pa.Check.in_range(lo, hi), nullable=True, required=False)
    return pa.DataFrameSchema(cols, strict=False, coerce=False)


def _validate(raw: RawTable, df: pd.DataFrame, spec: TableSpec, chk: _Check) -> None:
    try:
        _schema(spec).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for (col, check), group in fc.groupby(["column", "check"], sort=False, dropna=False):
            idx = [int(i) for i in group["index"].dropna()]
            if check == "field_uniqueness":
                chk.problems.append(f"{raw.path}: column {col}: duplicate "
                                    f"{chk.values(group['failure_case'].astype(str), 'ids')} in {chk.rows(raw, idx)}")
            elif check == "not_nullable":
                chk.problems.append(f"{raw.path}: column {col}: empty ids in {chk.rows(raw, idx)}")
            elif str(check).startswith("isin"):
                _out_of_range(raw, col, group, spec.coded[col], chk)
            elif str(check).startswith("in_range"):
                lo, hi = spec.ranges[col]
                vals = sorted(set(group["failure_case"].astype(float)))
                chk.problems.append(f"{raw.path}: column {col}: values {[_fmt(v) for v in vals[:5]]} outside "
                                    f"{_fmt(lo)}-{_fmt(hi)} in {chk.rows(raw, idx)}")
            else:
                chk.problems.append(f"{raw.path}: column {col}: failed {check} in {chk.rows(raw, idx)}")


def _out_of_range(raw: RawTable, col: str, group: pd.DataFrame, allowed, chk: _Check) -> None:
    vals = group["failure_case"].astype(float).to_numpy()
    idx = group["index"].astype(int).to_numpy()
    frac = ~np.equal(np.mod(vals, 1), 0)
    if frac.any():
        chk.problems.append(
            f"{raw.path}: column {col}: non-integer values {[_fmt(v) for v in sorted(set(vals[frac]))[:5]]} in "
            f"{chk.rows(raw, idx[frac].tolist())}; items are whole codes {_range(allowed)}"
        )
    if (~frac).any():
        out = sorted(set(vals[~frac]))
        hint = ""
        if any(v in LIKELY_MISSING for v in out):
            hint = "; if these are missing-value codes, declare them (SPSS user-missing or mapping.yml missing_codes)"
        chk.problems.append(
            f"{raw.path}: column {col}: values {[_fmt(v) for v in out[:5]]} outside "
            f"{_range(allowed)} in {chk.rows(raw, idx[~frac].tolist())}{hint}"
        )


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _item_warnings(name: str, df: pd.DataFrame, spec: TableSpec, chk: _Check) -> list[dict]:
    """Coded columns that are present but entirely missing or constant."""
    cols = [c for c in spec.coded if c in df.columns]
    block = df[cols]
    answered = block.notna().sum()
    distinct = block.nunique(dropna=True)
    out = []
    for col in cols:
        n = int(answered[col])
        if n == 0:
            out.append(dict(table=name, item=col, issue="entirely missing", answered=0,
                            detail=f"0 of {len(df)} answered"))
        elif distinct[col] == 1:
            out.append(dict(table=name, item=col, issue="constant", answered=n,
                            detail=f"every answer is {_fmt(block[col].dropna().iloc[0])} ({n} of {len(df)} answered)"))
    for issue in ("entirely missing", "constant"):
        items = [w["item"] for w in out if w["issue"] == issue]
        if items:
            chk.line(name, f"items {issue}", 0, f"{len(items)} items kept, unusable in analyses: {_few(items)}")
    return out


def load_study(data_dir: Path | str, real_data: bool = False) -> Study:
    """Read, check and link the dataset in ``data_dir``.

    Parameters
    ----------
    data_dir : path
        the dataset folder (see :mod:`wagk.io` for the file layout and mapping.yml).
    real_data : bool
        confidential data: error messages name lines but no ids or text values.

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
    chk = _Check(real_data)
    notes: list[str] = []
    warnings: list[dict] = []
    tables: dict[str, pd.DataFrame] = {}
    raws: dict[str, RawTable] = {}
    unused = _unused_files(data_dir, mapping)

    for name in TABLE_ORDER:
        spec = specs[name]
        try:
            raw = read_table(name, data_dir, mapping)
        except DataError as err:
            chk.problems += err.problems
            continue
        if raw is None:
            if spec.optional_table:
                notes.append(f"{name}: no file in {data_dir}; analyses that need it are reported as pending")
                chk.line(name, "absent", 0, "optional table not supplied")
            else:
                hint = f"; files present but not used: {unused} (map them under 'tables:' in mapping.yml)" if unused else ""
                chk.problems.append(
                    f"{data_dir}: required table {name!r} missing (looked for {mapping.file_stem(name)}"
                    f"{{{','.join(SUFFIXES)}}}){hint}"
                )
            continue
        raws[name] = raw
        notes += raw.notes
        chk.line(name, "read", len(raw.frame), raw.path.name)
        for h in raw.handled:
            chk.line(name, h["step"], h["rows"], h["detail"])
        missing_cols = [c for c in spec.required if c not in raw.frame.columns]
        if missing_cols:
            chk.problems.append(f"{raw.path}: required columns missing: {missing_cols}")
            continue
        if len(raw.frame) == 0:
            chk.problems.append(f"{raw.path}: the table has no rows")
            continue
        absent = [c for c in spec.coded if c not in raw.frame.columns]
        if absent:
            chk.line(name, "columns absent", 0,
                     f"{len(absent)} optional codebook columns not in the file: {_few(absent)}")
        df = _coerce(raw, spec, chk)
        _check_labels(raw, spec, chk)
        _validate(raw, df, spec, chk)
        warnings += _item_warnings(name, df, spec, chk)
        tables[name] = df

    if unused:
        notes.append(f"{data_dir}: files not part of the data contract, not read: {unused}")
        chk.line("(folder)", "files not used", len(unused), ", ".join(unused))
    if chk.problems:
        raise DataError(chk.problems)
    _link(tables, raws, chk)
    if chk.problems:
        raise DataError(chk.problems)
    for name in TABLE_ORDER:
        if name in tables:
            chk.line(name, "valid and linked", len(tables[name]))
    return Study(data_dir, tables, pd.DataFrame(chk.funnel, columns=FUNNEL_COLUMNS), notes,
                 pd.DataFrame(warnings, columns=WARNING_COLUMNS))


_SPECS: dict = {}


def from_tables(tables: dict[str, pd.DataFrame], name: str = "in-memory") -> Study:
    """A :class:`Study` from tables a trusted program made in memory (the synthetic generator
    in a Monte Carlo run), typed as :func:`load_study` types a CSV dataset: ids as text, every
    other column float with missing as NaN; item warnings as :func:`load_study` finds them.

    No contract check is made (no file, no codes, no links are checked): use it only for tables
    whose validity is tested elsewhere, as the generator's output is by loading the written
    dataset (tests/test_pipeline_mc.py checks that both give the same ledger rows). The funnel
    has one line per table.
    """
    if "specs" not in _SPECS:
        _SPECS["specs"] = table_specs()
    specs = _SPECS["specs"]
    chk = _Check(False)
    typed, warnings = {}, []
    for tname in TABLE_ORDER:
        if tname not in tables:
            continue
        src = tables[tname]
        ids = [c for c in ("client_id", "po_id") if c in src.columns]
        out = pd.DataFrame({c: (src[c].astype(str).astype("string") if c in ids
                                else pd.Series(src[c].to_numpy(dtype=float, na_value=np.nan), index=src.index))
                            for c in src.columns}).reset_index(drop=True)
        chk.line(tname, "in memory", len(out), name)
        warnings += _item_warnings(tname, out, specs[tname], chk)
        typed[tname] = out
    return Study(Path(name), typed, pd.DataFrame(chk.funnel, columns=FUNNEL_COLUMNS), [],
                 pd.DataFrame(warnings, columns=WARNING_COLUMNS))


def _unused_files(data_dir: Path, mapping) -> list[str]:
    stems = {mapping.file_stem(t) for t in TABLE_ORDER}
    out = []
    for p in sorted(data_dir.iterdir()):
        if p.is_dir() or p.name.startswith(".") or p.name == "mapping.yml":
            continue
        if p.suffix in SUFFIXES and p.stem in stems:
            continue
        out.append(p.name)
    return out


def _unknown(raw: RawTable, df: pd.DataFrame, col: str, known: pd.Series, what: str, chk: _Check) -> None:
    bad = ~df[col].isin(set(known.dropna()))
    if bad.any():
        chk.problems.append(f"{raw.path}: column {col}: {int(bad.sum())} rows point to unknown {what} "
                            f"{chk.values(df.loc[bad, col].astype(str), '')}: {chk.rows(raw, df.index[bad])}")


def _link(tables: dict, raws: dict, chk: _Check) -> None:
    clients, officers = tables.get("clients"), tables.get("officers")
    if clients is None or officers is None:
        return
    _unknown(raws["clients"], clients, "po_id", officers["po_id"], "officers", chk)
    for name in ("client_w1", "client_w2", "po_w1", "po_w2", "registry"):
        if name not in tables:
            continue
        df = tables[name]
        _unknown(raws[name], df, "client_id", clients["client_id"], "clients", chk)
        if name.startswith("po_"):
            _unknown(raws[name], df, "po_id", officers["po_id"], "officers", chk)
    if chk.problems:
        return
    for name in ("client_w1", "client_w2", "po_w1", "po_w2", "registry"):
        if name in tables:
            without = int((~clients["client_id"].isin(set(tables[name]["client_id"]))).sum())
            if without:
                chk.line(name, "clients without a row", without, "not in analyses that need this table")
    for prefix in ("client", "po"):
        w1, w2 = tables.get(f"{prefix}_w1"), tables.get(f"{prefix}_w2")
        if w1 is None or w2 is None:
            continue
        only2 = ~w2["client_id"].isin(set(w1["client_id"]))
        if only2.any():
            chk.line(f"{prefix}_w2", "wave 2 without wave 1", int(only2.sum()),
                     "kept for wave-2 analyses; no change score")
    po1, po2 = tables.get("po_w1"), tables.get("po_w2")
    first = clients.set_index("client_id")["po_id"]
    if po1 is not None:
        other = po1["po_id"].to_numpy() != first.reindex(po1["client_id"]).to_numpy()
        if other.any():
            chk.line("po_w1", "officer differs from clients.po_id", int(other.sum()),
                     "kept; the questionnaire's officer is used for the dyad")
    if po1 is not None and po2 is not None:
        was = po1.set_index("client_id")["po_id"]
        both = po2[po2["client_id"].isin(set(was.index))]
        changed = both["po_id"].to_numpy() != was.reindex(both["client_id"]).to_numpy()
        if changed.any():
            chk.line("po_w2", "other officer than at wave 1", int(changed.sum()),
                     "kept; officer change scores compare two officers")
