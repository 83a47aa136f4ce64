"""The canary dataset: a valid dataset whose row-level content carries a marker string.

:func:`make_canary` rewrites a valid dataset (the synthetic data) so that every client and
officer id contains the marker (``CANARY7Q-C0001``, ``CANARY7Q-P001``), a free-text column
``remark`` in ``clients`` and ``officers`` repeats it, and a numeric background column
``canary_value`` in ``clients`` holds the unusual value 4711.0815 in every row. The scores, the
items and therefore every aggregate are those of the source dataset, so the chapters run as
usual. If any output of a real-data run contains the marker (or the value), a row of data
leaked: ``tests/test_privacy_pipeline.py`` runs the pipeline on it and greps every result file
and the built HTML.
"""

from __future__ import annotations

from pathlib import Path

from wagk.testing.corpus import Draft, load_base

MARKER = "CANARY7Q"
VALUE = "4711.0815"


def make_canary(src_dir: Path | str, out_dir: Path | str, marker: str = MARKER) -> tuple[str, ...]:
    """Write the canary version of ``src_dir`` to ``out_dir``; returns the strings to grep for.

    The marker must not occur in the source data or in the folder names (it would be found in
    paths that outputs mention legitimately).
    """
    out_dir = Path(out_dir)
    if marker.lower() in str(out_dir.resolve()).lower():
        raise ValueError(f"the output folder {out_dir} contains the marker {marker!r}; choose another")
    d = Draft(load_base(src_dir))
    clients = d.tables["clients"]["client_id"].tolist()
    officers = d.tables["officers"]["po_id"].tolist()
    cid = {c: f"{marker}-C{i + 1:04d}" for i, c in enumerate(clients)}
    pid = {p: f"{marker}-P{i + 1:03d}" for i, p in enumerate(officers)}
    for frame in d.tables.values():
        if "client_id" in frame.columns:
            frame["client_id"] = frame["client_id"].map(lambda v: cid.get(v, v))
        if "po_id" in frame.columns:
            frame["po_id"] = frame["po_id"].map(lambda v: pid.get(v, v))
    c = d.tables["clients"]
    c["remark"] = [f"{marker} remark on client {i + 1}" for i in range(len(c))]
    c["canary_value"] = VALUE
    o = d.tables["officers"]
    o["remark"] = [f"{marker} remark on officer {i + 1}" for i in range(len(o))]
    d.write(out_dir)
    return (marker, VALUE, VALUE[:7])


def find_marker(folders, needles) -> list[str]:
    """Every file under ``folders`` whose bytes contain one of ``needles`` (case-insensitive)."""
    hits = []
    low = [n.lower().encode() for n in needles]
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if not p.is_file():
                continue
            data = p.read_bytes().lower()
            found = [n.decode() for n in low if n in data]
            if found:
                hits.append(f"{p}: {found}")
    return hits
