"""Reading one table of a dataset from CSV, Parquet or SPSS .sav, and the column mapping.

Every table is read as it is in the file; renaming (mapping), user-missing codes and value
labels are returned beside it so the data contract can check and count what happens to them.
No value is changed here except by a declared mapping.

A dataset folder holds one file per table, named after the table (``client_w1.csv``,
``client_w1.parquet`` or ``client_w1.sav``), and optionally ``mapping.yml``::

    tables:                      # file stem per table, when it differs from the table name
      client_w1: Clienten_T1
    columns:                     # source column -> item_id / contract column, per table or "*"
      "*":
        RESPNR: client_id
      client_w1:
        V3_11: dri_31
    missing_codes:               # codes that mean "missing", per table or "*" (SPSS user-missing)
      "*": [9, 99]
    decimal: ","                 # decimal separator of the CSV files (default ".")
    encoding: cp1252             # encoding of the CSV files (default: utf-8, then cp1252)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

SUFFIXES = (".csv", ".parquet", ".sav")


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

    def file_stem(self, table: str) -> str:
        return self.tables.get(table, table)

    def renames(self, table: str) -> dict:
        out = dict(self.columns.get("*", {}) or {})
        out.update(self.columns.get(table, {}) or {})
        return out

    def codes(self, table: str) -> list[float]:
        codes = list(self.missing_codes.get("*", []) or []) + list(self.missing_codes.get(table, []) or [])
        return [float(c) for c in codes]


def read_mapping(data_dir: Path | str) -> Mapping:
    path = Path(data_dir) / "mapping.yml"
    if not path.exists():
        return Mapping()
    with open(path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh) or {}
    unknown = set(spec) - {"tables", "columns", "missing_codes", "decimal", "encoding"}
    if unknown:
        raise DataError([f"{path}: unknown keys {sorted(unknown)}"])
    return Mapping(
        tables=spec.get("tables", {}) or {},
        columns=spec.get("columns", {}) or {},
        missing_codes=spec.get("missing_codes", {}) or {},
        decimal=spec.get("decimal", "."),
        encoding=spec.get("encoding"),
        source=path,
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
    """
    data_dir = Path(data_dir)
    mapping = mapping or Mapping()
    path = find_table_file(data_dir, mapping.file_stem(name))
    if path is None:
        return None
    notes: list[str] = []
    missing: dict = {}
    labels: dict = {}
    if path.suffix == ".csv":
        frame, enc = _read_csv(path, mapping.encoding)
        if enc != "utf-8":
            notes.append(f"{path.name}: read with encoding {enc}")
        if mapping.decimal != ".":
            frame = frame.apply(lambda s: s.str.replace(mapping.decimal, ".", regex=False))
            notes.append(f"{path.name}: decimal separator {mapping.decimal!r} read as '.'")
    elif path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        frame, missing, labels = _read_sav(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    renames = mapping.renames(name)
    if renames:
        frame = frame.rename(columns=renames)
        missing = {renames.get(k, k): v for k, v in missing.items()}
        labels = {renames.get(k, k): v for k, v in labels.items()}
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise DataError([f"{path}: column(s) {dup} appear more than once (after mapping)"])
    declared = mapping.codes(name)
    if declared:
        notes.append(f"{path.name}: missing codes {declared} declared in mapping.yml")
    return RawTable(name, path, frame, missing, labels, notes, declared_by_mapping=set(declared))


def _read_csv(path: Path, encoding: str | None) -> tuple[pd.DataFrame, str]:
    tried = [encoding] if encoding else ["utf-8", "cp1252"]
    last = None
    for enc in tried:
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=enc)
            return frame, enc
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.ParserError as exc:
            raise DataError([f"{path}: not a readable CSV file ({exc})"]) from None
        except pd.errors.EmptyDataError:
            raise DataError([f"{path}: the file is empty (no header line)"]) from None
    raise DataError([f"{path}: cannot decode as {tried} ({last})"])


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
