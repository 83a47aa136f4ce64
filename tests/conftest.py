"""Shared fixtures: a small valid dataset written to a temporary folder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wagk import codebook
from wagk.io import write_table


def tiny_tables(n_clients: int = 8, seed: int = 0) -> dict[str, pd.DataFrame]:
    """Seven valid tables: 3 officers, n clients, everyone at both waves except the last client
    at wave 2; officers answer for every client."""
    rng = np.random.default_rng(seed)
    officers = pd.DataFrame({"po_id": ["P1", "P2", "P3"]})
    ids = [f"C{i:02d}" for i in range(1, n_clients + 1)]
    clients = pd.DataFrame({"client_id": ids, "po_id": [officers.po_id[i % 3] for i in range(n_clients)]})

    def questionnaire(perspective: str, rows: list[str]) -> pd.DataFrame:
        cols = codebook.questionnaire_items(perspective)
        data = {c: rng.integers(1, 11 if c == "grade" else 8, size=len(rows)) for c in cols}
        frame = pd.DataFrame({"client_id": rows, **data})
        if perspective == "po":
            frame.insert(1, "po_id", clients.set_index("client_id").loc[rows, "po_id"].to_numpy())
        return frame

    w2 = ids[:-1]
    registry = pd.DataFrame({"client_id": ids, "dropout": rng.integers(0, 2, n_clients),
                             "early_help": rng.integers(0, 2, n_clients)})
    return {
        "clients": clients, "officers": officers,
        "client_w1": questionnaire("client", ids), "client_w2": questionnaire("client", w2),
        "po_w1": questionnaire("po", ids), "po_w2": questionnaire("po", w2),
        "registry": registry,
    }


def write_dataset(folder, tables: dict[str, pd.DataFrame], suffix: str = ".csv"):
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        write_table(frame, folder / f"{name}{suffix}")
    return folder


@pytest.fixture
def tables():
    return tiny_tables()


@pytest.fixture
def dataset(tmp_path, tables):
    return write_dataset(tmp_path / "data", tables)
