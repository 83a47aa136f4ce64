"""The item codebook and the monitor definition (which items form which WA-GK scale).

The codebook (``data/codebook/items.csv``) lists every questionnaire item by ``item_id``; the
monitor definition (``data/codebook/monitor.yml``) lists, per variant and perspective, the items
of trust, goals_restriction, bond and reactance with their reverse keys, and the three
contra-reactance items.

Examples
--------
>>> from wagk.codebook import load_monitor
>>> mon = load_monitor()
>>> mon.scale("po", "goals_restriction").items
('md_02', 'dri_09', 'wai_04', 'md_05', 'wai_02', 'dri_12', 'wai_01')
>>> mon.total("client").n_items
19
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from wagk import paths

SCALES = ("trust", "goals_restriction", "bond", "reactance")
PERSPECTIVES = ("client", "po")
WAVES = (1, 2)
ITEM_MIN, ITEM_MAX = 1, 7
GRADE_MIN, GRADE_MAX = 1, 10
#: instruments whose items are answered on the 1-7 scale
LIKERT_INSTRUMENTS = ("WAI-SF-OV", "DRI-R", "MD", "MD-PO", "SMS")


def load_items(path: Path | str = paths.ITEMS_CSV) -> pd.DataFrame:
    """The item codebook, one row per item, indexed by ``item_id`` (a fresh copy each call; the
    file is read once per change of its modification time)."""
    path = Path(path)
    return _read_items(str(path), path.stat().st_mtime_ns).copy()


@lru_cache(maxsize=4)
def _read_items(path: str, mtime_ns: int) -> pd.DataFrame:
    items = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not items["item_id"].is_unique:
        dup = items.loc[items["item_id"].duplicated(), "item_id"].tolist()
        raise ValueError(f"{path}: duplicate item_id {dup}")
    items["fielded"] = items["fielded"].astype(int).astype(bool)
    items["selection_no"] = pd.to_numeric(items["selection_no"]).astype("Int64")
    return items.set_index("item_id")


def questionnaire_items(perspective: str, items: pd.DataFrame | None = None) -> list[str]:
    """Item columns a questionnaire of this perspective carries: fielded 1-7 items plus grade.

    Clients answer the parallel WAI, DRI-R and Menger & Donker items and the SMS; officers the
    parallel items and the nine contra-reactance items. Both give a grade (1-10).
    """
    _check_perspective(perspective)
    items = load_items() if items is None else items
    keep = (
        items["fielded"]
        & items["instrument"].isin(LIKERT_INSTRUMENTS + ("SAT",))
        & items["perspectives"].str.split("|").map(lambda p: perspective in p)
    )
    return items.index[keep].tolist()


@dataclass(frozen=True)
class Scale:
    """One scale: its items and which of them are reversed (8 - x) inside it."""

    name: str
    items: tuple[str, ...]
    reversed: frozenset[str]

    @property
    def n_items(self) -> int:
        return len(self.items)

    def keyed(self) -> list[tuple[str, bool]]:
        """(item, reversed) pairs in definition order."""
        return [(i, i in self.reversed) for i in self.items]


@dataclass(frozen=True)
class Monitor:
    """The WA-GK definition for one variant (``as_reported`` or ``appendix1``)."""

    variant: str
    scales: dict  # perspective -> {scale name -> Scale}
    contra_reactance: dict  # variable name -> item_id
    selection: dict  # selection number (Appendix 1 Table 1) -> item_id

    def scale(self, perspective: str, name: str) -> Scale:
        _check_perspective(perspective)
        if name == "total":
            return self.total(perspective)
        if name not in self.scales[perspective]:
            raise KeyError(f"unknown scale {name!r}; known: {list(self.scales[perspective])} and 'total'")
        return self.scales[perspective][name]

    def total(self, perspective: str) -> Scale:
        """The total: the union of the four scales' items, each counted once.

        Reactance items are reversed; other items keep the orientation they have in their scale.
        An item whose orientation would differ between its scales is an error in the definition.
        """
        orientation: dict[str, bool] = {}
        for name in SCALES:
            sc = self.scales[perspective][name]
            for item, rev in sc.keyed():
                rev_in_total = (not rev) if name == "reactance" else rev
                if item in orientation and orientation[item] != rev_in_total:
                    raise ValueError(
                        f"monitor {self.variant}/{perspective}: item {item} would enter the total "
                        "both reversed and unreversed"
                    )
                orientation.setdefault(item, rev_in_total)
        return Scale(
            "total", tuple(orientation), frozenset(i for i, r in orientation.items() if r)
        )

    def all_items(self, perspective: str) -> list[str]:
        """Every item used by this perspective's scales (and contra-reactance for officers)."""
        items = list(self.total(perspective).items)
        if perspective == "po":
            items += list(self.contra_reactance.values())
        return items

    def item_for_selection(self, number: int) -> str:
        return self.selection[number]

    def table(self) -> pd.DataFrame:
        """Long table: perspective, scale, item_id, selection_no, reversed."""
        sel = {v: k for k, v in self.selection.items()}
        rows = []
        for persp in PERSPECTIVES:
            for name in SCALES + ("total",):
                for item, rev in self.scale(persp, name).keyed():
                    rows.append((persp, name, item, sel.get(item), rev))
        for name, item in self.contra_reactance.items():
            rows.append(("po", name, item, sel.get(item), False))
        return pd.DataFrame(rows, columns=["perspective", "scale", "item_id", "selection_no", "reversed"])


def _check_perspective(perspective: str) -> None:
    if perspective not in PERSPECTIVES:
        raise ValueError(f"perspective must be one of {PERSPECTIVES}, got {perspective!r}")


def _parse_scale(name: str, entries: list[str]) -> Scale:
    items, rev = [], set()
    for e in entries:
        item = e.lstrip("-")
        items.append(item)
        if e.startswith("-"):
            rev.add(item)
    if len(set(items)) != len(items):
        raise ValueError(f"scale {name}: an item is listed twice")
    return Scale(name, tuple(items), frozenset(rev))


#: PyYAML's safe loader, on libyaml's C parser where PyYAML has it (about ten times faster)
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str):
    """One of the project's YAML files, safely loaded."""
    with open(path, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=YAML_LOADER)


@lru_cache(maxsize=None)
def _read_monitor_yml(path: str) -> dict:
    return read_yaml(path)


def variants(path: Path | str = paths.MONITOR_YML) -> list[str]:
    """Names of the monitor variants defined in monitor.yml."""
    return list(_read_monitor_yml(str(path))["variants"])


def load_monitor(variant: str | None = None, path: Path | str = paths.MONITOR_YML) -> Monitor:
    """The monitor definition of ``variant`` (default: the file's ``default_variant``)."""
    spec = _read_monitor_yml(str(path))
    variant = variant or spec["default_variant"]
    if variant not in spec["variants"]:
        raise KeyError(f"unknown monitor variant {variant!r}; known: {list(spec['variants'])}")
    known = set(load_items().index)
    scales = {}
    for persp in PERSPECTIVES:
        defs = spec["variants"][variant][persp]
        missing = set(SCALES) - set(defs)
        if missing:
            raise ValueError(f"monitor {variant}/{persp}: scales {sorted(missing)} not defined")
        scales[persp] = {name: _parse_scale(name, defs[name]) for name in SCALES}
        for sc in scales[persp].values():
            unknown = set(sc.items) - known
            if unknown:
                raise ValueError(f"monitor {variant}/{persp}/{sc.name}: unknown items {sorted(unknown)}")
    mon = Monitor(
        variant=variant,
        scales=scales,
        contra_reactance=dict(spec["contra_reactance"]),
        selection={int(k): v for k, v in spec["selection"].items()},
    )
    for persp in PERSPECTIVES:
        mon.total(persp)  # raises on conflicting orientations
    return mon


def load_cfa_model(name: str, perspective: str = "client", path: Path | str = paths.MONITOR_YML) -> dict[str, list[str]]:
    """The factor structure of monitor variant ``name`` as a CFA model (factor -> items, reverse
    marks dropped: a loading's sign is estimated), e.g. ``sem_initial`` (Appendix 1 Table 3).

    >>> len(load_cfa_model("sem_initial")["reactance"])
    6
    """
    mon = load_monitor(name, path)
    return {n: list(s.items) for n, s in mon.scales[perspective].items()}


#: the instrument subscales of Appendix 1 Tables 10-13, in the order the tables print them
SUBSCALES = ("wai_goal", "wai_task", "wai_bond", "dri_caring", "dri_trust", "dri_fairness", "dri_toughness")


def load_subscales(path: Path | str = paths.SUBSCALES_YML) -> dict[str, Scale]:
    """The WAI and DRI-R subscales (``data/codebook/subscales.yml``), name -> :class:`Scale`.

    >>> sub = load_subscales()
    >>> sub["dri_trust"].reversed
    frozenset({'dri_31'})
    """
    spec = _read_monitor_yml(str(path))
    known = set(load_items().index)
    out = {}
    for name, entries in spec["subscales"].items():
        sc = _parse_scale(name, entries)
        unknown = set(sc.items) - known
        if unknown:
            raise ValueError(f"{path}: subscale {name}: unknown items {sorted(unknown)}")
        out[name] = sc
    missing = set(SUBSCALES) - set(out)
    if missing:
        raise ValueError(f"{path}: subscales {sorted(missing)} not defined")
    return {name: out[name] for name in SUBSCALES}

