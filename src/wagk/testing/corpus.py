"""The malformed-data corpus: named variants of a valid dataset, one defect each.

Every case takes a valid dataset (``data/synthetic`` or the small test dataset), introduces one
defect (a few combine several), and declares next to the defect the outcome the data contract
must give:

- :class:`Error`: ``load_study`` raises :class:`wagk.io.DataError`, and one line of its message
  names the file, the column, the rows (lines of a CSV counting the header as line 1, records of
  a .sav) with their ids, and the rule's wording;
- :class:`Counted`: the dataset loads, and the funnel has the named line with the declared count;
- :class:`Check`: the dataset loads, and a named property of the Study holds (item warnings, the
  scoring funnel, a value read correctly).

``tests/test_corpus.py`` builds the corpus from the synthetic data when present and runs every
case; ``book/data_contract.md`` lists the cases (:func:`markdown_table`).

Examples
--------
Write the corpus next to a dataset and look at one case::

    python -m wagk.testing.corpus data/synthetic build/corpus
    wagk check --data build/corpus/item_out_of_range
"""

from __future__ import annotations

import argparse
import csv
import io
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from wagk import codebook
from wagk.contract import TABLE_ORDER, Study, _required_items, load_study
from wagk.io import DataError, read_mapping, read_table
from wagk.scoring import scoring_counts

#: what the issue asks the corpus to cover; every case names the ones it covers
TOPICS = (
    "out-of-range code", "non-numeric code", "user-missing declared", "user-missing undeclared",
    "missing table", "missing column", "duplicate ids", "unknown client", "unknown officer",
    "wave 2 without wave 1", "empty wave", "constant item", "item entirely missing",
    "scale entirely missing", "decimal comma", "encoding", "sav labels", "unreadable file",
    "mapping", "real-data redaction",
)
#: library internals that must never reach a message
TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "site-packages", "pandas/", "pyreadstat/")


# ----------------------------------------------------------------------------- outcomes

@dataclass(frozen=True)
class Error:
    """A DataError one of whose lines contains every given part."""

    file: str
    text: str
    column: str | None = None
    rows: str | None = None
    #: strings that must appear nowhere in the message (ids in real-data mode)
    absent: tuple[str, ...] = ()

    def parts(self) -> list[str]:
        head = f"{self.file}: column {self.column}:" if self.column else self.file
        return [head, self.text] + ([self.rows] if self.rows else [])

    def describe(self) -> str:
        where = ", column, rows and ids" if self.rows else (", column" if self.column else "")
        return f"error (file{where}): *{self.text}*"


@dataclass(frozen=True)
class Counted:
    """A funnel line (table, step) with this row count and a detail containing ``detail``."""

    table: str
    step: str
    rows: int | None = None
    detail: str | None = None

    def describe(self) -> str:
        return f"counted: funnel line *{self.table} / {self.step}*"


@dataclass(frozen=True)
class Check:
    """A property of the loaded Study: ``fn`` returns None when it holds, else what is wrong."""

    what: str
    fn: Callable[[Study], str | None] = field(compare=False)

    def describe(self) -> str:
        return f"handled: {self.what}"


Outcome = Error | Counted | Check


@dataclass(frozen=True)
class Case:
    name: str
    defect: str
    covers: tuple[str, ...]
    make: Callable[["Draft"], list]
    real_data: bool = False


CASES: dict[str, Case] = {}


def case(name: str, defect: str, covers: tuple[str, ...], real_data: bool = False):
    """Register a case: ``make(draft)`` introduces the defect and returns its outcomes."""
    unknown = set(covers) - set(TOPICS)
    if unknown:
        raise ValueError(f"case {name}: unknown topics {sorted(unknown)}")

    def register(make):
        if name in CASES:
            raise ValueError(f"case {name} defined twice")
        CASES[name] = Case(name, defect, tuple(covers), make, real_data)
        return make
    return register


# ----------------------------------------------------------------------------- the draft

def _cell(v):
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    return str(v)


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text (None for missing): the form in which cases edit a table."""
    return pd.DataFrame({c: [_cell(v) for v in frame[c].tolist()] for c in frame.columns},
                        index=range(len(frame)), dtype=object)


def load_base(data_dir: Path | str) -> dict[str, pd.DataFrame]:
    """The tables of a valid dataset folder, as text."""
    data_dir = Path(data_dir)
    mapping = read_mapping(data_dir)
    out = {}
    for name in TABLE_ORDER:
        raw = read_table(name, data_dir, mapping)
        if raw is not None:
            out[name] = as_text(raw.frame)
    return out


class Draft:
    """A copy of a valid dataset that one case turns into a malformed one."""

    def __init__(self, base: dict[str, pd.DataFrame]):
        self.tables = {k: v.copy() for k, v in base.items()}
        self.fmt = {k: ".csv" for k in self.tables}
        self.csv = {k: dict(sep=",", encoding="utf-8") for k in self.tables}
        self.sav = {k: dict(labels={}, missing={}) for k in self.tables}
        self.mapping: dict | None = None
        self.files: dict[str, bytes] = {}

    # --- what the contract will print
    def file(self, table: str) -> str:
        return f"{table}{self.fmt[table]}"

    def ids(self, table: str, col: str = "client_id") -> list:
        return self.tables[table][col].tolist()

    def _shown_id(self, table: str, col: str, v) -> str:
        if v is None or str(v).strip() == "":
            return "(empty)"
        if self.fmt[table] != ".csv" and self._numeric(self.tables[table][col]):
            f = float(v)
            return str(int(f)) if f.is_integer() else str(f)
        return str(v).strip()

    def rows(self, table: str, positions, ids: bool = True) -> str:
        """How the contract names these rows: 'lines 3, 5 (client_id C02, C04)'."""
        positions = list(dict.fromkeys(positions))
        shown = positions[:10]
        csv_ = self.fmt[table] == ".csv"
        kind, off = ("lines", 2) if csv_ else ("records", 1)
        text = f"{kind} {', '.join(str(p + off) for p in shown)}"
        if len(positions) > 10:
            text += f" and {len(positions) - 10} more"
        frame = self.tables[table]
        if ids:
            for col in ("client_id", "po_id"):
                if col in frame.columns:
                    text += f" ({col} {', '.join(self._shown_id(table, col, frame.iloc[p][col]) for p in shown)})"
                    break
        return text

    # --- editing
    def set(self, table: str, positions, col: str, value) -> None:
        frame = self.tables[table]
        for p in positions:
            frame.iat[p, frame.columns.get_loc(col)] = value

    def item(self, perspective: str, k: int = 0) -> str:
        """The k-th item (sorted) that the contract requires for this perspective (not grade)."""
        return [i for i in _required_items(perspective) if i != "grade"][k]

    def optional_item(self, perspective: str) -> str:
        req = set(_required_items(perspective))
        return next(i for i in codebook.questionnaire_items(perspective) if i not in req)

    # --- writing
    @staticmethod
    def _numeric(s: pd.Series) -> bool:
        filled = s.dropna()
        return len(filled) > 0 and pd.to_numeric(filled, errors="coerce").notna().all()

    def _typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for c in frame.columns:
            s = frame[c]
            out[c] = pd.to_numeric(s, errors="coerce").astype(float) if self._numeric(s) else s.fillna("").astype(object)
        return pd.DataFrame(out)

    def csv_bytes(self, table: str) -> bytes:
        opts = self.csv[table]
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=opts["sep"], lineterminator="\n")
        frame = self.tables[table]
        w.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            w.writerow(["" if v is None else v for v in row])
        return buf.getvalue().encode(opts["encoding"])

    def write(self, folder: Path) -> Path:
        import pyreadstat

        folder.mkdir(parents=True, exist_ok=True)
        for table, frame in self.tables.items():
            path = folder / self.file(table)
            if self.fmt[table] == ".csv":
                path.write_bytes(self.csv_bytes(table))
            elif self.fmt[table] == ".parquet":
                self._typed(frame).to_parquet(path, index=False)
            else:
                meta = self.sav[table]
                pyreadstat.write_sav(self._typed(frame), str(path),
                                     variable_value_labels=meta["labels"] or None,
                                     missing_ranges=meta["missing"] or None)
        if self.mapping is not None:
            (folder / "mapping.yml").write_text(yaml.safe_dump(self.mapping, sort_keys=True, allow_unicode=True),
                                                encoding="utf-8")
        for name, data in self.files.items():
            (folder / name).write_bytes(data)
        return folder


# ----------------------------------------------------------------------------- the cases
# Positions are 0-based row positions in the table as written; the draft turns them into the
# line/record numbers and ids the contract prints.

def _funnel_rows(study: Study, table: str, step: str) -> int:
    f = study.funnel
    hit = f[(f["table"] == table) & (f["step"] == step)]
    return int(hit["rows"].sum())


# --- files and tables

@case("missing_table", "the officers' wave-2 file is not there", ("missing table",))
def _(d: Draft):
    del d.tables["po_w2"]
    return [Error("po_w2", "required table 'po_w2' missing")]


def _ensure_registry(d: Draft) -> None:
    """Datasets without the optional registry get a valid one (outcomes alternate 0/1)."""
    if "registry" not in d.tables:
        ids = d.ids("clients")
        d.tables["registry"] = pd.DataFrame({"client_id": ids, "dropout": [str(i % 2) for i in range(len(ids))],
                                             "early_help": [str((i // 2) % 2) for i in range(len(ids))]}, dtype=object)
        d.fmt["registry"], d.csv["registry"], d.sav["registry"] = ".csv", dict(sep=",", encoding="utf-8"), dict(labels={}, missing={})


@case("registry_absent", "the optional registry table is not there", ("missing table",))
def _(d: Draft):
    d.tables.pop("registry", None)
    return [Counted("registry", "absent", 0, "optional table not supplied")]


@case("table_in_two_formats", "client_w1 exists as .csv and as .parquet", ("unreadable file",))
def _(d: Draft):
    d.files["client_w1.parquet"] = b"PAR1"
    return [Error("client_w1", "exists in more than one format: ['client_w1.csv', 'client_w1.parquet']")]


@case("empty_file", "client_w2.csv has zero bytes", ("empty wave", "unreadable file"))
def _(d: Draft):
    d.files["client_w2.csv"] = b""
    return [Error("client_w2.csv", "the file is empty (no header line)")]


@case("empty_wave", "client_w2.csv has a header but no rows", ("empty wave",))
def _(d: Draft):
    d.tables["client_w2"] = d.tables["client_w2"].iloc[0:0]
    return [Error("client_w2.csv", "the table has no rows")]


@case("required_column_missing", "a scale item is missing from client_w1", ("missing column",))
def _(d: Draft):
    item = d.item("client", 2)
    d.tables["client_w1"] = d.tables["client_w1"].drop(columns=[item])
    return [Error("client_w1.csv", f"required columns missing: ['{item}']")]


@case("optional_column_absent", "an item outside every scale is missing from po_w1", ("missing column",))
def _(d: Draft):
    item = d.optional_item("po")
    d.tables["po_w1"] = d.tables["po_w1"].drop(columns=[item])
    return [Counted("po_w1", "columns absent", 0, item)]


@case("duplicate_column_header", "client_w1.csv names a column twice in its header", ("missing column",))
def _(d: Draft):
    item = d.item("client", 0)
    t = d.tables["client_w1"]
    t.insert(len(t.columns), "__dup__", t[item])
    d.files["client_w1.csv"] = d.csv_bytes("client_w1").replace(b"__dup__", item.encode())
    return [Error("client_w1.csv", f"header line names column(s) ['{item}'] more than once")]


@case("ragged_csv", "a line of officers.csv has more fields than the header", ("unreadable file",))
def _(d: Draft):
    data = d.csv_bytes("officers").decode().splitlines()
    data[2] += ",extra,fields"
    d.files["officers.csv"] = ("\n".join(data) + "\n").encode()
    return [Error("officers.csv", "not a readable CSV file (Error tokenizing data. C error: Expected")]


@case("parquet_damaged", "clients.parquet is not a Parquet file", ("unreadable file",))
def _(d: Draft):
    del d.tables["clients"]
    d.files["clients.parquet"] = b"this is not parquet"
    return [Error("clients.parquet", "not a readable Parquet file")]


@case("sav_damaged", "officers.sav is not an SPSS file", ("unreadable file",))
def _(d: Draft):
    del d.tables["officers"]
    d.files["officers.sav"] = b"$FL2 broken header"
    return [Error("officers.sav", "not a readable SPSS file")]


@case("unused_file", "the folder holds a file that is no table of the contract", ("missing table",))
def _(d: Draft):
    d.files["client_w3.csv"] = b"client_id\nX\n"
    return [Counted("(folder)", "files not used", 1, "client_w3.csv")]


# --- mapping.yml

@case("mapping_not_yaml", "mapping.yml is not valid YAML", ("mapping",))
def _(d: Draft):
    d.files["mapping.yml"] = b"columns:\n  '*': {RESPNR: client_id\n"
    return [Error("mapping.yml", "not valid YAML at line")]


@case("mapping_malformed", "mapping.yml has a list where a mapping belongs and a bad decimal mark",
      ("mapping",))
def _(d: Draft):
    d.mapping = {"columns": ["RESPNR", "client_id"], "decimal": ";"}
    return [Error("mapping.yml", "'columns' must map a table name"), Error("mapping.yml", "decimal must be '.' or ','")]


@case("mapping_unknown_file", "mapping.yml maps client_w1 to a file stem that does not exist",
      ("mapping", "missing table"))
def _(d: Draft):
    d.mapping = {"tables": {"client_w1": "Clienten_T1"}}
    return [Error("client_w1", "required table 'client_w1' missing (looked for Clienten_T1"),
            Error("client_w1", "files present but not used: ['client_w1.csv']")]


@case("mapping_renames", "the officer tables use the SPSS names RESPNR and MWNR, mapped in mapping.yml",
      ("mapping",))
def _(d: Draft):
    for t in ("po_w1", "po_w2"):
        d.tables[t] = d.tables[t].rename(columns={"client_id": "RESPNR", "po_id": "MWNR"})
    d.mapping = {"columns": {"po_w1": {"RESPNR": "client_id", "MWNR": "po_id"},
                             "po_w2": {"RESPNR": "client_id", "MWNR": "po_id"}}}
    n = len(d.tables["po_w1"])
    return [Counted("po_w1", "valid and linked", n)]


# --- encodings, separators, decimal commas

def _remark_column(d: Draft, table: str, text: str) -> None:
    t = d.tables[table]
    t["opmerking"] = [f"{text} {i}" for i in range(len(t))]


@case("encoding_cp1252", "po_w1.csv is written in cp1252 (Windows) with accented text", ("encoding",))
def _(d: Draft):
    _remark_column(d, "po_w1", "cliënt geïnterviewd")
    d.csv["po_w1"]["encoding"] = "cp1252"

    def accents(study):
        v = study.tables["po_w1"]["opmerking"].iloc[0]
        return None if v == "cliënt geïnterviewd 0" else f"text read as {v!r}"
    return [Counted("po_w1", "decoded as cp1252", 0, "not valid UTF-8"),
            Check("accented text decoded correctly", accents)]


@case("encoding_utf8_bom", "clients.csv starts with a UTF-8 byte-order mark (Excel)", ("encoding",))
def _(d: Draft):
    d.csv["clients"]["encoding"] = "utf-8-sig"
    first = d.ids("clients")[0]

    def ids(study):
        got = study.tables["clients"]["client_id"].iloc[0]
        return None if got == first else f"first client_id read as {got!r}"
    return [Counted("clients", "decoded as utf-8-sig", 0, "byte-order mark"), Check("the id column is found", ids)]


@case("encoding_utf16", "officers.csv is UTF-16 with a byte-order mark", ("encoding",))
def _(d: Draft):
    d.csv["officers"]["encoding"] = "utf-16"
    return [Counted("officers", "decoded as utf-16", 0, "byte-order mark")]


@case("encoding_utf16_without_bom", "officers.csv is UTF-16 without a byte-order mark", ("encoding",))
def _(d: Draft):
    d.csv["officers"]["encoding"] = "utf-16-le"
    return [Error("officers.csv", "UTF-16 without a byte-order mark")]


@case("encoding_declared_wrong", "mapping.yml says UTF-8 but po_w1.csv is cp1252", ("encoding", "mapping"))
def _(d: Draft):
    _remark_column(d, "po_w1", "cliënt")
    d.csv["po_w1"]["encoding"] = "cp1252"
    d.mapping = {"encoding": "utf-8"}
    return [Error("po_w1.csv", "cannot decode as ['utf-8']")]


@case("dutch_excel_csv", "clients.csv from Dutch Excel: ';' separator, decimal commas in a background "
      "column, declared with decimal: ','", ("decimal comma",))
def _(d: Draft):
    t = d.tables["clients"]
    t["leeftijd_exact"] = [f"{30 + i % 40},5" for i in range(len(t))]
    d.csv["clients"]["sep"] = ";"
    d.mapping = {"decimal": ","}

    def numeric(study):
        s = study.tables["clients"]["leeftijd_exact"]
        return None if pd.api.types.is_float_dtype(s) and s.iloc[1] == 31.5 else f"read as {s.dtype} {s.iloc[1]!r}"
    return [Counted("clients", "separator ';'", 0), Counted("clients", "decimal commas read as numbers", len(t)),
            Check("the background column is numeric (31,5 -> 31.5)", numeric)]


@case("decimal_comma_undeclared", "a background column of clients.csv has decimal commas, not declared",
      ("decimal comma",))
def _(d: Draft):
    t = d.tables["clients"]
    t["leeftijd_exact"] = [f"{30 + i % 40},5" for i in range(len(t))]
    d.csv["clients"]["sep"] = ";"
    return [Error("clients.csv", "numbers written with a decimal comma", "leeftijd_exact",
                  d.rows("clients", range(len(t))))]


@case("item_decimal_comma", "an item of client_w1 holds '3,5'", ("decimal comma", "non-numeric code"))
def _(d: Draft):
    item = d.item("client", 3)
    d.set("client_w1", [1], item, "3,5")
    return [Error("client_w1.csv", "non-numeric values ['3,5']", item,
                  d.rows("client_w1", [1]) + "; these look like decimals written with a comma")]


@case("item_decimal_value", "an item of client_w2.sav holds 4.5", ("out-of-range code",))
def _(d: Draft):
    item = d.item("client", 4)
    d.fmt["client_w2"] = ".sav"
    d.set("client_w2", [2], item, "4.5")
    return [Error("client_w2.sav", "non-integer values ['4.5']", item, d.rows("client_w2", [2]))]


# --- codes

@case("item_out_of_range", "an item of client_w1 holds 8 on the 1-7 scale", ("out-of-range code",))
def _(d: Draft):
    item = d.item("client", 5)
    d.set("client_w1", [2], item, "8")
    return [Error("client_w1.csv", "values ['8'] outside 1-7", item, d.rows("client_w1", [2]))]


@case("item_zero", "an item of po_w1 holds 0", ("out-of-range code", "user-missing undeclared"))
def _(d: Draft):
    item = d.item("po", 1)
    d.set("po_w1", [0, 3], item, "0")
    return [Error("po_w1.csv", "values ['0'] outside 1-7", item, d.rows("po_w1", [0, 3]) + "; if these are missing-value codes")]


@case("grade_out_of_range", "the grade of po_w2 holds 11 on the 1-10 scale", ("out-of-range code",))
def _(d: Draft):
    d.set("po_w2", [1], "grade", "11")
    return [Error("po_w2.csv", "values ['11'] outside 1-10", "grade", d.rows("po_w2", [1]))]


@case("outcome_not_binary", "the registry's dropout holds 2", ("out-of-range code",))
def _(d: Draft):
    _ensure_registry(d)
    d.set("registry", [4], "dropout", "2")
    return [Error("registry.csv", "values ['2'] outside 0-1", "dropout", d.rows("registry", [4]))]


@case("item_non_numeric", "an item of client_w2 holds the text 'weet niet'", ("non-numeric code",))
def _(d: Draft):
    item = d.item("client", 6)
    d.set("client_w2", [1, 4], item, "weet niet")
    return [Error("client_w2.csv", "non-numeric values ['weet niet']", item, d.rows("client_w2", [1, 4]))]


@case("blank_cells", "two items of po_w1 hold a single space in one row", ("non-numeric code",))
def _(d: Draft):
    d.set("po_w1", [2], d.item("po", 2), " ")
    d.set("po_w1", [2], d.item("po", 3), " ")
    return [Counted("po_w1", "blank cells read as missing", 1, "in 2 columns")]


@case("undeclared_missing_9", "an item of client_w1 holds 9, not declared as missing",
      ("user-missing undeclared", "out-of-range code"))
def _(d: Draft):
    item = d.item("client", 7)
    d.set("client_w1", [0], item, "9")
    return [Error("client_w1.csv", "values ['9'] outside 1-7", item,
                  d.rows("client_w1", [0]) + "; if these are missing-value codes, declare them")]


@case("undeclared_missing_99_grade", "the grade of client_w2 holds 99, not declared", ("user-missing undeclared",))
def _(d: Draft):
    d.set("client_w2", [3], "grade", "99")
    return [Error("client_w2.csv", "values ['99'] outside 1-10", "grade",
                  d.rows("client_w2", [3]) + "; if these are missing-value codes, declare them")]


@case("declared_missing_mapping", "9 and 99 in client_w1, declared in mapping.yml; a grade of 9 stays a grade",
      ("user-missing declared",))
def _(d: Draft):
    a, b = d.item("client", 0), d.item("client", 1)
    d.set("client_w1", [0, 1], a, "9")
    d.set("client_w1", [1], b, "99")
    d.set("client_w1", [2], "grade", "9")
    d.mapping = {"missing_codes": {"*": [9, 99]}}

    def grade_kept(study):
        g = study.tables["client_w1"]["grade"].iloc[2]
        return None if g == 9 else f"grade 9 became {g!r}"
    return [Counted("client_w1", "user-missing codes set to missing", 2, "3 cells in 2 columns"),
            Check("a grade of 9 is kept (9 is a valid grade)", grade_kept)]


@case("declared_missing_text", "'.' cells in po_w2 (a text export's system-missing), declared in mapping.yml",
      ("user-missing declared",))
def _(d: Draft):
    d.set("po_w2", [0, 2], d.item("po", 4), ".")
    d.mapping = {"missing_codes": {"po_w2": ["."]}}
    return [Counted("po_w2", "user-missing codes set to missing", 2, "2 cells in 1 columns")]


@case("sav_user_missing", "client_w1.sav declares 9 user-missing on an item that holds 9 twice",
      ("user-missing declared",))
def _(d: Draft):
    item = d.item("client", 8)
    d.fmt["client_w1"] = ".sav"
    d.set("client_w1", [1, 2], item, "9")
    d.sav["client_w1"]["missing"] = {item: [9]}
    d.sav["client_w1"]["labels"] = {item: {1: "helemaal oneens", 7: "helemaal eens", 9: "geen antwoord"}}
    return [Counted("client_w1", "user-missing codes set to missing", 2, "2 cells in 1 columns")]


@case("sav_missing_range", "po_w2.sav declares the range 97-99 user-missing; 98 and 99 occur",
      ("user-missing declared",))
def _(d: Draft):
    item = d.item("po", 5)
    d.fmt["po_w2"] = ".sav"
    d.set("po_w2", [0], item, "98")
    d.set("po_w2", [3], item, "99")
    d.sav["po_w2"]["missing"] = {item: [{"lo": 97, "hi": 99}]}
    return [Counted("po_w2", "user-missing codes set to missing", 2, "2 cells in 1 columns")]


def _likert_labels(d: Draft, table: str, k: int) -> dict:
    persp = "client" if table.startswith("client") else "po"
    return {d.item(persp, i): {1: "helemaal oneens", 4: "neutraal", 7: "helemaal eens"} for i in range(k)}


@case("sav_label_out_of_range", "client_w1.sav labels code 8 'n.v.t.' on an item, not declared missing",
      ("sav labels",))
def _(d: Draft):
    item = d.item("client", 0)
    d.fmt["client_w1"] = ".sav"
    d.sav["client_w1"]["labels"] = {item: {1: "oneens", 7: "eens", 8: "n.v.t."}}
    return [Error("client_w1.sav", "value labels {8.0: 'n.v.t.'} use codes outside the codebook range 1-7", item)]


@case("sav_label_reversed", "in po_w1.sav one item's labels run 7-1 where the others run 1-7 "
      "(an item reversed in SPSS)", ("sav labels",))
def _(d: Draft):
    d.fmt["po_w1"] = ".sav"
    labels = _likert_labels(d, "po_w1", 6)
    item = d.item("po", 2)
    labels[item] = {1: "helemaal eens", 4: "neutraal", 7: "helemaal oneens"}
    d.sav["po_w1"]["labels"] = labels
    return [Error("po_w1.sav", "value labels disagree with the other items of the file", item)]


@case("sav_label_five_point", "in client_w2.sav one item is labelled as a 1-5 scale", ("sav labels",))
def _(d: Draft):
    d.fmt["client_w2"] = ".sav"
    labels = _likert_labels(d, "client_w2", 5)
    item = d.item("client", 3)
    labels[item] = {1: "helemaal oneens", 3: "neutraal", 5: "helemaal eens"}
    d.sav["client_w2"]["labels"] = labels
    return [Error("client_w2.sav", "5 = 'helemaal eens'", item)]


@case("sav_label_non_answer", "client_w1.sav labels the valid code 7 'weet niet'", ("sav labels",))
def _(d: Draft):
    item = d.item("client", 1)
    d.fmt["client_w1"] = ".sav"
    d.sav["client_w1"]["labels"] = {item: {1: "oneens", 6: "eens", 7: "weet niet"}}
    return [Error("client_w1.sav", "value labels {7.0: 'weet niet'} mark valid codes as non-answers", item)]


# --- ids and links

@case("duplicate_client_ids", "two rows of client_w1 have the same client_id", ("duplicate ids",))
def _(d: Draft):
    first = d.ids("client_w1")[0]
    d.set("client_w1", [3], "client_id", first)
    return [Error("client_w1.csv", f"duplicate ids ['{first}']", "client_id", d.rows("client_w1", [0, 3]))]


@case("duplicate_officer_ids", "two rows of officers have the same po_id", ("duplicate ids",))
def _(d: Draft):
    first = d.ids("officers", "po_id")[0]
    d.set("officers", [1], "po_id", first)
    return [Error("officers.csv", f"duplicate ids ['{first}']", "po_id", d.rows("officers", [0, 1]))]


@case("duplicate_ids_real_data", "duplicate ids in client_w1, loaded in real-data mode: lines but no ids",
      ("duplicate ids", "real-data redaction"), real_data=True)
def _(d: Draft):
    first = d.ids("client_w1")[0]
    d.set("client_w1", [3], "client_id", first)
    return [Error("client_w1.csv", "duplicate 1 distinct ids (not shown in real-data mode", "client_id",
                  d.rows("client_w1", [0, 3], ids=False), absent=(first,))]


@case("empty_id", "a row of po_w2 has no client_id", ("duplicate ids",))
def _(d: Draft):
    d.set("po_w2", [2], "client_id", None)
    return [Error("po_w2.csv", "empty ids in", "client_id", d.rows("po_w2", [2]))]


@case("ids_with_blanks", "a client_id in client_w1 has surrounding spaces", ("duplicate ids",))
def _(d: Draft):
    d.set("client_w1", [1], "client_id", f" {d.ids('client_w1')[1]} ")
    return [Counted("client_w1", "ids trimmed", 1)]


@case("ids_text_vs_number", "clients.csv writes ids with leading zeros, client_w1.sav stores them as "
      "numbers (two sources)", ("unknown client",))
def _(d: Draft):
    old = d.ids("clients")
    new = {o: f"{i + 1:06d}" for i, o in enumerate(old)}
    for t, frame in d.tables.items():
        if "client_id" in frame.columns:
            frame["client_id"] = frame["client_id"].map(lambda v: new.get(v, v))
    d.fmt["client_w1"] = ".sav"
    n = len(d.tables["client_w1"])
    return [Error("client_w1.sav", f"{n} rows point to unknown clients", "client_id", d.rows("client_w1", range(n)))]


@case("officer_row_unknown_client", "a row of po_w1 is about a client who is not in clients", ("unknown client",))
def _(d: Draft):
    d.set("po_w1", [1], "client_id", "X-unknown")
    return [Error("po_w1.csv", "1 rows point to unknown clients ['X-unknown']", "client_id", d.rows("po_w1", [1]))]


@case("interview_unknown_client", "a row of client_w2 belongs to no known client", ("unknown client",))
def _(d: Draft):
    d.set("client_w2", [0], "client_id", "X-unknown")
    return [Error("client_w2.csv", "1 rows point to unknown clients ['X-unknown']", "client_id", d.rows("client_w2", [0]))]


@case("client_unknown_officer", "a client's po_id is not in officers", ("unknown officer",))
def _(d: Draft):
    d.set("clients", [2], "po_id", "P-unknown")
    return [Error("clients.csv", "1 rows point to unknown officers ['P-unknown']", "po_id", d.rows("clients", [2]))]


@case("po_row_unknown_officer", "a row of po_w2 names an officer not in officers", ("unknown officer",))
def _(d: Draft):
    d.set("po_w2", [0], "po_id", "P-unknown")
    return [Error("po_w2.csv", "1 rows point to unknown officers ['P-unknown']", "po_id", d.rows("po_w2", [0]))]


def _only_w2(d: Draft, prefix: str) -> int:
    return len(set(d.ids(f"{prefix}_w2")) - set(d.ids(f"{prefix}_w1")))


@case("wave2_without_wave1", "a client interviewed at wave 2 has no wave-1 interview", ("wave 2 without wave 1",))
def _(d: Draft):
    cid = d.ids("client_w2")[0]
    t = d.tables["client_w1"]
    d.tables["client_w1"] = t[t["client_id"] != cid].reset_index(drop=True)
    return [Counted("client_w2", "wave 2 without wave 1", _only_w2(d, "client"), "no change score")]


@case("po_wave2_without_wave1", "two officer questionnaires at wave 2 have no wave-1 questionnaire",
      ("wave 2 without wave 1",))
def _(d: Draft):
    gone = set(d.ids("po_w2")[:2])
    t = d.tables["po_w1"]
    d.tables["po_w1"] = t[~t["client_id"].isin(gone)].reset_index(drop=True)
    return [Counted("po_w2", "wave 2 without wave 1", _only_w2(d, "po"), "no change score")]


@case("officer_changed", "a client's wave-2 officer questionnaire comes from another officer", ("unknown officer",))
def _(d: Draft):
    w1 = d.tables["po_w1"].set_index("client_id")["po_id"]
    w2 = d.tables["po_w2"]
    officers = d.ids("officers", "po_id")
    before = sum(1 for c, p in zip(w2["client_id"], w2["po_id"]) if c in w1.index and w1[c] != p)
    pos = next(i for i, c in enumerate(w2["client_id"]) if c in w1.index and w1[c] == w2["po_id"].iloc[i])
    other = next(o for o in officers if o != w2["po_id"].iloc[pos])
    d.set("po_w2", [pos], "po_id", other)
    return [Counted("po_w2", "other officer than at wave 1", before + 1)]


# --- items and scales

@case("item_constant", "every officer gives the same answer to one item at wave 1", ("constant item",))
def _(d: Draft):
    item = d.item("po", 6)
    d.set("po_w1", range(len(d.tables["po_w1"])), item, "4")

    def listed(study):
        return None if study.unusable_items("po", 1).get(item) == "constant" else f"{item} not in item_warnings"
    return [Counted("po_w1", "items constant", 0, item), Check(f"Study.item_warnings lists {item} as constant", listed)]


@case("item_entirely_missing", "one item of client_w2 is empty for everybody", ("item entirely missing",))
def _(d: Draft):
    item = d.item("client", 9)
    d.set("client_w2", range(len(d.tables["client_w2"])), item, None)

    def listed(study):
        return None if study.unusable_items("client", 2).get(item) == "entirely missing" else f"{item} not listed"
    return [Counted("client_w2", "items entirely missing", 0, item),
            Check(f"Study.item_warnings lists {item} as entirely missing", listed)]


@case("scale_entirely_missing", "two clients skipped every trust item at wave 1", ("scale entirely missing",))
def _(d: Draft):
    mon = codebook.load_monitor()
    trust = list(mon.scale("client", "trust").items)
    for item in trust:
        d.set("client_w1", [1, 3], item, None)
    t = d.tables["client_w1"]
    expected = int(t[trust].isna().all(axis=1).sum())

    def counted(study):
        c = scoring_counts(study.questionnaire("client", 1), mon, "client").set_index("scale")
        got = int(c.loc["trust", "all_items_missing"])
        ok = got == expected and c.loc["trust", "not_scored"] >= expected
        return None if ok else f"scoring_counts trust all_items_missing = {got}, expected {expected}"
    return [Check("scoring_counts() counts them under all_items_missing for trust (not scored)", counted)]


# --- combined

@case("two_sources", "clients' interviews as .sav with user-missing codes, officer questionnaires as "
      "cp1252 ';' CSV with SPSS column names and a missing code in mapping.yml",
      ("user-missing declared", "encoding", "mapping"))
def _(d: Draft):
    item = d.item("client", 0)
    for t in ("client_w1", "client_w2"):
        d.fmt[t] = ".sav"
    d.set("client_w1", [0, 2], item, "9")
    d.sav["client_w1"]["missing"] = {item: [9]}
    for t in ("po_w1", "po_w2"):
        d.tables[t] = d.tables[t].rename(columns={"client_id": "RESPNR", "po_id": "MWNR"})
        d.csv[t].update(sep=";", encoding="cp1252")
    _remark_column(d, "po_w1", "cliënt")
    d.set("po_w1", [1], "grade", "99")
    d.mapping = {"columns": {"*": {"RESPNR": "client_id", "MWNR": "po_id"}}, "missing_codes": {"po_w1": [99]}}
    return [Counted("client_w1", "user-missing codes set to missing", 2, "2 cells in 1 columns"),
            Counted("po_w1", "decoded as cp1252", 0), Counted("po_w1", "separator ';'", 0),
            Counted("po_w1", "user-missing codes set to missing", 1, "1 cells in 1 columns")]


@case("many_errors", "an out-of-range item, a text code and a duplicate id in three files: all reported at once",
      ("out-of-range code", "non-numeric code", "duplicate ids"))
def _(d: Draft):
    a, b = d.item("client", 0), d.item("client", 1)
    d.set("client_w1", [0], a, "12")
    d.set("client_w2", [1], b, "n.v.t.")
    first = d.ids("po_w2")[0]
    d.set("po_w2", [2], "client_id", first)
    return [Error("client_w1.csv", "values ['12'] outside 1-7", a, d.rows("client_w1", [0])),
            Error("client_w2.csv", "non-numeric values ['n.v.t.']", b, d.rows("client_w2", [1])),
            Error("po_w2.csv", f"duplicate ids ['{first}']", "client_id", d.rows("po_w2", [0, 2]))]


# ----------------------------------------------------------------------------- building and checking

@dataclass
class Built:
    case: Case
    folder: Path
    outcomes: list


def build(base_dir: Path | str, out_dir: Path | str, names: list[str] | None = None) -> dict[str, Built]:
    """Write every case (or ``names``) as a dataset folder ``out_dir/<case>``."""
    base = load_base(base_dir)
    out = {}
    for name in names or list(CASES):
        c = CASES[name]
        draft = Draft(base)
        outcomes = c.make(draft)
        out[name] = Built(c, draft.write(Path(out_dir) / name), outcomes)
    return out


def verify(built: Built) -> list[str]:
    """Load one case and compare with its declared outcomes; returns what went wrong (empty: fine)."""
    try:
        study = load_study(built.folder, real_data=built.case.real_data)
    except DataError as err:
        return _verify_error(built, str(err))
    except Exception:  # noqa: BLE001 - the point is to catch anything that is not a DataError
        return [f"{built.case.name}: an exception other than DataError escaped:\n{traceback.format_exc()}"]
    wrong = []
    for o in built.outcomes:
        if isinstance(o, Error):
            wrong.append(f"{built.case.name}: loaded without error; expected {o.parts()}")
        elif isinstance(o, Counted):
            f = study.funnel
            hit = f[(f["table"] == o.table) & (f["step"] == o.step)]
            if hit.empty:
                wrong.append(f"{built.case.name}: no funnel line {o.table}/{o.step}:\n{f.to_string()}")
                continue
            if o.rows is not None and int(hit["rows"].iloc[0]) != o.rows:
                wrong.append(f"{built.case.name}: funnel {o.table}/{o.step} rows {hit['rows'].iloc[0]}, expected {o.rows}")
            if o.detail is not None and o.detail not in str(hit["detail"].iloc[0]):
                wrong.append(f"{built.case.name}: funnel {o.table}/{o.step} detail {hit['detail'].iloc[0]!r} "
                             f"lacks {o.detail!r}")
        else:
            msg = o.fn(study)
            if msg:
                wrong.append(f"{built.case.name}: {o.what}: {msg}")
    return wrong


def _verify_error(built: Built, message: str) -> list[str]:
    wrong = []
    leaked = [m for m in TRACE_MARKERS if m in message]
    if leaked:
        wrong.append(f"{built.case.name}: library internals {leaked} in the message:\n{message}")
    errors = [o for o in built.outcomes if isinstance(o, Error)]
    if not errors:
        return wrong + [f"{built.case.name}: unexpected DataError:\n{message}"]
    lines = message.splitlines()
    for o in errors:
        if not any(all(p in line for p in o.parts()) for line in lines):
            wrong.append(f"{built.case.name}: no line of the message contains all of {o.parts()}:\n{message}")
        for s in o.absent:
            if s in message:
                wrong.append(f"{built.case.name}: {s!r} must not appear in the message:\n{message}")
    return wrong


def markdown_table(base_dir: Path | str) -> str:
    """The corpus as a Markdown table: case, defect, handling (built on ``base_dir`` in memory)."""
    base = load_base(base_dir)
    lines = ["| case | defect | handling |", "|---|---|---|"]
    for name, c in CASES.items():
        outcomes = c.make(Draft(base))
        handling = "; ".join(dict.fromkeys(o.describe() for o in outcomes))
        lines.append(f"| `{name}` | {c.defect} | {handling} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wagk.testing.corpus", description=__doc__.splitlines()[0])
    p.add_argument("base", type=Path, help="a valid dataset folder")
    p.add_argument("out", type=Path, nargs="?", help="where to write the cases (omit with --markdown)")
    p.add_argument("--markdown", action="store_true", help="print the table of cases")
    args = p.parse_args(argv)
    if args.markdown:
        print(markdown_table(args.base), end="")
        return 0
    built = build(args.base, args.out)
    print(f"{len(built)} cases written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
