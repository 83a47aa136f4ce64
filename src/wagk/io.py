"""Reading one table of a dataset from CSV, Parquet or SPSS .sav, and the column mapping.

Every table is read as it is in the file; renaming (mapping), user-missing codes and value
labels are returned beside it so the data contract can check and count what happens to them.
No value is changed here except by a declared mapping, and every handling applied while reading
(an encoding other than UTF-8, a separator other than the comma, decimal commas) is returned as
a counted line for the funnel (:attr:`RawTable.handled`).

A dataset folder holds one file per table, named after the table (``client_w1.csv``,
``client_w1.parquet`` or ``client_w1.sav``), and optionally ``mapping.yml``::

    tables:                      # file stem per table, when it differs from the table name
      client_w1: Clienten_T1
    columns:                     # source column -> item_id / contract column, per table or "*"
      "*":
        RESPNR: client_id
      client_w1:
        V3_11: dri_31
    missing_codes:               # codes that mean "missing", per table or "*" (SPSS user-missing);
      "*": [9, 99]               # numbers, or text such as "." or "NA" for text exports
    decimal: ","                 # decimal separator of the CSV files (default ".")
    separator: ";"               # field separator of the CSV files (default: from the header line)
    encoding: cp1252             # encoding of the CSV files (default: see below)

Reading rules (CSV)
-------------------
- Encoding: a byte-order mark decides (UTF-8 or UTF-16); otherwise UTF-8, and when the file is
  not valid UTF-8, cp1252 (Windows Western European, what SPSS and Excel write on Dutch
  Windows machines). A fallback is a funnel line ("decoded as cp1252"). ``encoding`` in
  mapping.yml overrides all of this.
- Separator: ``separator`` in mapping.yml, else ``;`` or a tab when the header line has one of
  them and no comma (Dutch Excel writes ``;``), else the comma. A non-comma separator is a
  funnel line.
- Decimal comma: with ``decimal: ","`` a cell that is a number written with a decimal comma
  (``34,5``) is read as ``34.5``; other cells (text, ids) are left alone. The number of cells
  converted is a funnel line. Without the declaration such cells stay text and the contract
  reports them.
- A header that names a column twice is an error (pandas would silently rename the second one).
- Cells are read as text; an empty cell is missing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

SUFFIXES = (".csv", ".parquet", ".sav")
MAPPING_KEYS = ("tables", "columns", "missing_codes", "decimal", "separator", "encoding")
#: a number written with a decimal comma: 34,5  -3,25
DECIMAL_COMMA = re.compile(r"\s*[-+]?\d+,\d+\s*")


class DataError(ValueError):
    """Bad input: names the file, the column and the offending rows."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Mapping:
    """What ``mapping.yml`` declares (empty when the file is absent)."""

    tables: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    missing_codes: dict = field(default_factory=dict)
    decimal: str = "."
    encoding: str | None = None
    source: Path | None = None
    separator: str | None = None

    def file_stem(self, table: str) -> str:
        return self.tables.get(table, table)

    def renames(self, table: str) -> dict:
        out = dict(self.columns.get("*", {}) or {})
        out.update(self.columns.get(table, {}) or {})
        return out

    def _declared(self, table: str) -> list:
        return list(self.missing_codes.get("*", []) or []) + list(self.missing_codes.get(table, []) or [])

    def codes(self, table: str) -> list[float]:
        """Numeric missing codes declared for ``table`` (and for every table with "*")."""
        return [float(c) for c in self._declared(table) if not isinstance(c, str) or _is_number(c)]

    def text_codes(self, table: str) -> list[str]:
        """Non-numeric missing codes (e.g. "." or "NA"), matched against the stripped cell text."""
        return [c.strip() for c in self._declared(table) if isinstance(c, str) and not _is_number(c)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def read_mapping(data_dir: Path | str) -> Mapping:
    """Read and check ``mapping.yml``; every malformed entry is reported as a DataError."""
    path = Path(data_dir) / "mapping.yml"
    if not path.exists():
        return Mapping()
    try:
        with open(path, encoding="utf-8") as fh:
            spec = yaml.safe_load(fh) or {}
    except UnicodeDecodeError as exc:
        raise DataError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        raise DataError([f"{path}: not valid YAML{at}: {getattr(exc, 'problem', None) or exc}"]) from None
    if not isinstance(spec, dict):
        raise DataError([f"{path}: expected a mapping of keys {list(MAPPING_KEYS)}, got {type(spec).__name__}"])
    problems = []
    unknown = set(map(str, spec)) - set(MAPPING_KEYS)
    if unknown:
        problems.append(f"{path}: unknown keys {sorted(unknown)}")
    tables = spec.get("tables") or {}
    if not isinstance(tables, dict) or not all(isinstance(v, str) for v in tables.values()):
        problems.append(f"{path}: 'tables' must map table names to file stems (text)")
    columns = spec.get("columns") or {}
    if not isinstance(columns, dict) or not all(isinstance(v, dict) or v is None for v in columns.values()):
        problems.append(f"{path}: 'columns' must map a table name (or '*') to {{source column: new name}}")
    else:
        for table, ren in columns.items():
            if not all(isinstance(v, str) for v in (ren or {}).values()):
                problems.append(f"{path}: columns of {table!r}: new names must be text")
                continue
            targets = [str(v) for v in (ren or {}).values()]
            dup = sorted({t for t in targets if targets.count(t) > 1})
            if dup:
                problems.append(f"{path}: columns of {table!r}: several source columns renamed to {dup}")
    missing = spec.get("missing_codes") or {}
    if not isinstance(missing, dict) or not all(isinstance(v, list) or v is None for v in missing.values()):
        problems.append(f"{path}: 'missing_codes' must map a table name (or '*') to a list of codes")
    else:
        for table, codes in missing.items():
            bad = [c for c in codes or [] if not isinstance(c, (int, float, str)) or isinstance(c, bool)]
            if bad:
                problems.append(f"{path}: missing_codes of {table!r}: {bad} are neither numbers nor text")
    decimal = str(spec.get("decimal", "."))
    if decimal not in (".", ","):
        problems.append(f"{path}: decimal must be '.' or ',', got {decimal!r}")
    separator = spec.get("separator")
    if separator is not None and (not isinstance(separator, str) or len(separator) != 1):
        problems.append(f"{path}: separator must be one character, got {separator!r}")
    encoding = spec.get("encoding")
    if encoding is not None:
        try:
            codecs.lookup(str(encoding))
        except LookupError:
            problems.append(f"{path}: unknown encoding {encoding!r}")
    if problems:
        raise DataError(problems)
    return Mapping(
        tables=tables,
        columns={k: dict(v or {}) for k, v in columns.items()},
        missing_codes=missing,
        decimal=decimal,
        encoding=encoding,
        source=path,
        separator=separator,
    )


@dataclass
class RawTable:
    """A table as read: string/numeric cells, plus what the file declared about them."""

    name: str
    path: Path
    frame: pd.DataFrame
    #: column -> user-missing codes declared in the file (SPSS)
    missing_codes: dict = field(default_factory=dict)
    #: column -> {code: label} from SPSS value labels
    value_labels: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    #: codes declared for the whole table in mapping.yml; the contract applies them to a column
    #: only where they are not valid answers (9 is a grade, not a missing code)
    declared_by_mapping: set = field(default_factory=set)
    #: non-numeric missing codes from mapping.yml ("." , "NA"), applied to text cells
    declared_text: set = field(default_factory=set)
    #: handlings applied while reading, as funnel lines: dicts with step, rows, detail
    handled: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.path.suffix.lstrip(".")


def find_table_file(data_dir: Path, stem: str) -> Path | None:
    hits = [data_dir / f"{stem}{s}" for s in SUFFIXES if (data_dir / f"{stem}{s}").exists()]
    if len(hits) > 1:
        raise DataError([f"{data_dir}: table {stem!r} exists in more than one format: {[h.name for h in hits]}"])
    return hits[0] if hits else None


def read_table(name: str, data_dir: Path | str, mapping: Mapping | None = None) -> RawTable | None:
    """Read table ``name`` from ``data_dir``; None when no file for it exists.

    CSV cells are read as text (empty = missing) so that the contract can tell a non-numeric
    code from a number; Parquet and .sav keep their stored types. Columns are renamed by the
    mapping.

    Raises
    ------
    DataError
        when the file cannot be read (naming the file and the reason, never a library
        traceback), or names a column twice.
    """
    data_dir = Path(data_dir)
    mapping = mapping or Mapping()
    path = find_table_file(data_dir, mapping.file_stem(name))
    if path is None:
        return None
    notes: list[str] = []
    handled: list[dict] = []
    missing: dict = {}
    labels: dict = {}
    if path.suffix == ".csv":
        frame = _read_csv(path, mapping, notes, handled)
    elif path.suffix == ".parquet":
        frame = _read_parquet(path)
    else:
        frame, missing, labels = _read_sav(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise DataError([f"{path}: column(s) {dup} appear more than once"])
    renames = mapping.renames(name)
    if renames:
        frame = frame.rename(columns=renames)
        missing = {renames.get(k, k): v for k, v in missing.items()}
        labels = {renames.get(k, k): v for k, v in labels.items()}
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise DataError([f"{path}: column(s) {dup} appear more than once (after mapping)"])
    declared = mapping.codes(name)
    text_declared = mapping.text_codes(name)
    if declared or text_declared:
        notes.append(f"{path.name}: missing codes {declared + text_declared} declared in mapping.yml")
    return RawTable(name, path, frame, missing, labels, notes, declared_by_mapping=set(declared),
                    declared_text=set(text_declared), handled=handled)


def _read_csv(path: Path, mapping: Mapping, notes: list[str], handled: list[dict]) -> pd.DataFrame:
    data = path.read_bytes()
    if not data.strip():
        raise DataError([f"{path}: the file is empty (no header line)"])
    text, enc = _decode(path, data, mapping.encoding)
    if enc != "utf-8" and not mapping.encoding:
        notes.append(f"{path.name}: read with encoding {enc}")
        handled.append(dict(step=f"decoded as {enc}", rows=0,
                            detail="not valid UTF-8" if enc == "cp1252" else "byte-order mark at the start of the file"))
    if "\x00" in text:
        raise DataError([f"{path}: contains NUL characters after decoding as {enc}; the file is probably "
                         "UTF-16 without a byte-order mark: declare its encoding in mapping.yml"])
    header = text.splitlines()[0] if text.splitlines() else ""
    sep = mapping.separator or _sniff_separator(header)
    if sep != "," and not mapping.separator:
        name = {";": "';'", "\t": "tab"}.get(sep, repr(sep))
        notes.append(f"{path.name}: field separator {name} taken from the header line")
        handled.append(dict(step=f"separator {name}", rows=0, detail="taken from the header line"))
    names = [n.strip() for n in next(csv.reader([header], delimiter=sep))]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DataError([f"{path}: header line names column(s) {dup} more than once"])
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as exc:
        raise DataError([f"{path}: not a readable CSV file ({str(exc).strip()})"]) from None
    except pd.errors.EmptyDataError:
        raise DataError([f"{path}: the file is empty (no header line)"]) from None
    if mapping.decimal != ".":
        n_cells, cols = 0, []
        for col in frame.columns:
            s = frame[col]
            hit = s.notna() & s.str.fullmatch(DECIMAL_COMMA.pattern).fillna(False).astype(bool)
            if hit.any():
                frame[col] = s.mask(hit, s.str.replace(",", ".", regex=False))
                n_cells += int(hit.sum())
                cols.append(col)
        notes.append(f"{path.name}: decimal separator {mapping.decimal!r} read as '.'")
        if n_cells:
            handled.append(dict(step="decimal commas read as numbers", rows=n_cells,
                                detail=f"{n_cells} cells in {len(cols)} columns: {', '.join(cols[:8])}"
                                + (" ..." if len(cols) > 8 else "")))
    return frame


def _decode(path: Path, data: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        tried = [encoding]
    elif data.startswith(codecs.BOM_UTF8):
        tried = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        tried = ["utf-16"]
    else:
        tried = ["utf-8", "cp1252"]
    last = None
    for enc in tried:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            last = exc
    raise DataError([f"{path}: cannot decode as {tried} (byte {last.start}: {last.reason}); "
                     "declare the file's encoding in mapping.yml"])


def _sniff_separator(header: str) -> str:
    if "," in header:
        return ","
    for sep in (";", "\t"):
        if sep in header:
            return sep
    return ","


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several error types for damaged files
        raise DataError([f"{path}: not a readable Parquet file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"]) from None


def _read_sav(path: Path) -> tuple[pd.DataFrame, dict, dict]:
    import pyreadstat

    try:
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat raises its own error types
        raise DataError([f"{path}: not a readable SPSS file ({exc})"]) from None
    missing: dict = {}
    for col, spec in (meta.missing_user_values or {}).items():
        missing[col] = sorted(float(v) for v in spec)
    for col, ranges in (meta.missing_ranges or {}).items():
        for r in ranges:
            lo, hi = float(r["lo"]), float(r["hi"])
            vals = frame[col].dropna()
            vals = pd.to_numeric(vals, errors="coerce")
            codes = sorted(set(vals[(vals >= lo) & (vals <= hi)].tolist()))
            missing[col] = sorted(set(missing.get(col, [])) | set(codes) | ({lo, hi} if lo == hi else set()))
    labels = {col: {float(k): v for k, v in lab.items()} for col, lab in (meta.variable_value_labels or {}).items()}
    return frame, missing, labels


def write_table(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a table deterministically (CSV: '\\n' line ends, no index; .sav via pyreadstat)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.to_csv(path, index=False, lineterminator="\n")
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif path.suffix == ".sav":
        import pyreadstat

        pyreadstat.write_sav(frame, str(path))
    else:
        raise ValueError(f"unsupported table format: {path.suffix}")
