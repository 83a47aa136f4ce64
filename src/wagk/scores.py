"""The scale scores chapter 7 hands to chapters 8-10: written once, read by every later chapter.

Chapter 7 fixes the monitor (which items form which scale, per perspective) and scores the four
questionnaires with it. Chapters 8-10 do not score again: they call :func:`load`, so every
chapter uses the same scores and the same monitor variant.

Layout of ``<results_dir>/scores/``
-----------------------------------
``client_w1.csv``, ``client_w2.csv``, ``po_w1.csv``, ``po_w2.csv``
    One row per questionnaire, indexed by ``client_id`` (an officer questionnaire is about one
    client, so the officer files are indexed by the client too, with ``po_id`` as a column).
    Columns: ``trust, goals_restriction, bond, reactance, total`` and, for officers, the three
    contra-reactance items (``cr23_says_cooperates, cr24_energy, cr25_extra_strict``). A scale
    with more than half of its items missing is empty (:mod:`wagk.scoring`).
``change_client.csv``, ``change_po.csv``
    Wave 2 minus wave 1 for the clients (or dyads) present at both waves.
``dyad_w1.csv``, ``dyad_w2.csv``
    Relative dyad differences, client minus officer, for the dyads present on both sides (the
    absolute difference is its absolute value).
``monitor.json``
    The monitor variant and its items per perspective and scale (reversed items marked ``-``),
    the scoring rule, the dataset folder, the number of rows per file and whether the row-level
    files were written.

Values are written with 10 significant digits, rows sorted by ``client_id``: the same data give
byte-identical files.

Real data
---------
On the confidential files (``real_data``) no row-level file leaves the dataset folder: chapter 7
writes ``monitor.json`` only (``row_level=False``), and :func:`load` given the study scores it
with the recorded monitor variant, so chapters 8-10 get the same scores either way.

Examples
--------
>>> from wagk import scores
>>> s = scores.load("build/results")                 # doctest: +SKIP
>>> s.get("client", 1)["trust"].mean()               # doctest: +SKIP
>>> s.monitor.scale("po", "goals_restriction").items  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from wagk import codebook, scoring

FORMAT_VERSION = 1
QUESTIONNAIRES = tuple((p, w) for p in codebook.PERSPECTIVES for w in codebook.WAVES)
SCORING_RULE = ("scale score = mean of the answered items (reversed items as 8 - x); no score when "
                "more than half of the scale's items are missing; total = mean over the union of "
                "the four scales' items, reactance reversed, each item once")


def scores_dir(results_dir: Path | str) -> Path:
    """Folder of the score files inside a results folder."""
    return Path(results_dir) / "scores"


def _file(results_dir, perspective: str, wave: int) -> Path:
    return scores_dir(results_dir) / f"{perspective}_w{wave}.csv"


def score_study(study, monitor: codebook.Monitor) -> dict[tuple[str, int], pd.DataFrame]:
    """Score the four questionnaires of a :class:`wagk.contract.Study` with ``monitor``.

    Returns ``{(perspective, wave): scores}``; each frame is indexed by ``client_id``; officer
    frames carry ``po_id`` as their first column.
    """
    out = {}
    for persp, wave in QUESTIONNAIRES:
        items = study.questionnaire(persp, wave)
        frame = scoring.score(items, monitor, persp)
        if persp == "po" and "po_id" in items.columns:
            frame.insert(0, "po_id", items["po_id"].astype(str))
        out[(persp, wave)] = frame.sort_index()
    return out


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in ("po_id",) if c in frame.columns])


def _derived(scores: dict[tuple[str, int], pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Change scores and relative dyad differences, by file stem."""
    out = {}
    for persp in codebook.PERSPECTIVES:
        out[f"change_{persp}"] = scoring.change_scores(_numeric(scores[(persp, 1)]), _numeric(scores[(persp, 2)]))
    for wave in codebook.WAVES:
        out[f"dyad_w{wave}"] = scoring.dyad_differences(scores[("client", wave)],
                                                        _numeric(scores[("po", wave)]))["relative"]
    return out


def write(results_dir: Path | str, scores: dict[tuple[str, int], pd.DataFrame],
          monitor: codebook.Monitor, *, data_dir: str = "", row_level: bool = True) -> Path:
    """Write the score files and ``monitor.json`` (layout in the module docstring).

    ``row_level=False`` (real data) writes ``monitor.json`` only and removes score files an
    earlier run may have left. Returns the scores folder.
    """
    missing = [k for k in QUESTIONNAIRES if k not in scores]
    if missing:
        raise KeyError(f"scores for {missing} missing; need all four questionnaires")
    folder = scores_dir(results_dir)
    folder.mkdir(parents=True, exist_ok=True)
    frames = {f"{p}_w{w}": scores[(p, w)].sort_index() for p, w in QUESTIONNAIRES}
    frames.update(_derived(scores))
    counts = {}
    for stem, frame in frames.items():
        path = folder / f"{stem}.csv"
        if row_level:
            frame = frame.copy()
            frame.index.name = "client_id"
            frame.to_csv(path, float_format="%.10g", lineterminator="\n")
        else:
            path.unlink(missing_ok=True)
        counts[stem] = len(frame)
    spec = {
        "format_version": FORMAT_VERSION,
        "variant": monitor.variant,
        "scoring": SCORING_RULE,
        "data_dir": str(data_dir),
        "row_level_files": bool(row_level),
        "rows": counts,
        "scales": {p: {name: [("-" if rev else "") + item for item, rev in monitor.scale(p, name).keyed()]
                       for name in codebook.SCALES + ("total",)} for p in codebook.PERSPECTIVES},
        "contra_reactance": dict(monitor.contra_reactance),
    }
    (folder / "monitor.json").write_text(json.dumps(spec, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return folder


@dataclass
class Scores:
    """Scale scores read back by :func:`load`."""

    folder: Path
    variant: str
    monitor: codebook.Monitor
    spec: dict
    study: object = None
    _computed: dict | None = None

    def _frames(self) -> dict[str, pd.DataFrame] | None:
        """Scores computed from the study (when the row-level files were not written)."""
        if self.spec.get("row_level_files", True):
            return None
        if self.study is None:
            raise FileNotFoundError(f"{self.folder}: chapter 7 ran on real data and wrote no row-level score "
                                    "files; pass the study: wagk.scores.load(results_dir, study=study)")
        if self._computed is None:
            sc = score_study(self.study, self.monitor)
            frames = {f"{p}_w{w}": sc[(p, w)] for p, w in QUESTIONNAIRES}
            frames.update(_derived(sc))
            for frame in frames.values():
                frame.index = frame.index.astype(str)
                frame.index.name = "client_id"
            self._computed = frames
        return self._computed

    def _get(self, stem: str) -> pd.DataFrame:
        frames = self._frames()
        if frames is not None:
            return frames[stem].copy()
        return _read(self.folder / f"{stem}.csv")

    def get(self, perspective: str, wave: int) -> pd.DataFrame:
        """Scores of one questionnaire, indexed by ``client_id``."""
        if (perspective, int(wave)) not in QUESTIONNAIRES:
            raise KeyError(f"no questionnaire ({perspective!r}, {wave!r}); known: {QUESTIONNAIRES}")
        return self._get(f"{perspective}_w{int(wave)}")

    def change(self, perspective: str) -> pd.DataFrame:
        """Wave 2 minus wave 1 (clients, or officer questionnaires of the same dyad)."""
        codebook._check_perspective(perspective)
        return self._get(f"change_{perspective}")

    def dyad(self, wave: int, kind: str = "relative") -> pd.DataFrame:
        """Client minus officer (``relative``) or its absolute value (``absolute``)."""
        if kind not in ("relative", "absolute"):
            raise ValueError(f"kind must be 'relative' or 'absolute', not {kind!r}")
        rel = self._get(f"dyad_w{int(wave)}")
        return rel if kind == "relative" else rel.abs()


def from_study(study, monitor: codebook.Monitor) -> Scores:
    """Scores of ``study`` with ``monitor``, computed in memory (nothing is written): what
    :func:`load` returns after chapter 7 ran on ``study``, for an in-process run of every chapter
    (:mod:`wagk.pipeline`). The scores are computed once and shared by every call."""
    spec = {"format_version": FORMAT_VERSION, "variant": monitor.variant, "row_level_files": False}
    return Scores(folder=Path("(in memory)"), variant=monitor.variant, monitor=monitor, spec=spec, study=study)


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such score file; run chapter 7 first (wagk run --chapters 7)")
    frame = pd.read_csv(path, index_col="client_id", dtype={"client_id": str, "po_id": str})
    frame.index = frame.index.astype(str)
    return frame


def load(results_dir: Path | str, study=None) -> Scores:
    """The scores chapter 7 wrote to ``results_dir`` (see the module docstring).

    Parameters
    ----------
    results_dir : path
        The results folder chapter 7 ran into.
    study : wagk.contract.Study, optional
        Needed when chapter 7 ran on real data (no row-level files): the scores are then computed
        from it with the monitor variant recorded in ``monitor.json``.

    Raises
    ------
    FileNotFoundError
        when chapter 7 has not run into this results folder.
    ValueError
        when the monitor recorded in ``monitor.json`` no longer matches the codebook (the scores
        are stale: rerun chapter 7).
    """
    folder = scores_dir(results_dir)
    meta = folder / "monitor.json"
    if not meta.exists():
        raise FileNotFoundError(f"{meta}: no scores in {results_dir}; run chapter 7 first (wagk run --chapters 7)")
    spec = json.loads(meta.read_text(encoding="utf-8"))
    if spec.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{meta}: format version {spec.get('format_version')}, expected {FORMAT_VERSION}")
    monitor = codebook.load_monitor(spec["variant"])
    for p in codebook.PERSPECTIVES:
        for name in codebook.SCALES:
            now = [("-" if rev else "") + item for item, rev in monitor.scale(p, name).keyed()]
            if now != spec["scales"][p][name]:
                raise ValueError(f"{meta}: {p}/{name} was scored with {spec['scales'][p][name]}, the codebook "
                                 f"now says {now}; rerun chapter 7")
    return Scores(folder=folder, variant=spec["variant"], monitor=monitor, spec=spec, study=study)
