"""Who answered which questionnaire, and which officer supervised whom (design.yml, ``sample``
and ``officers``).

Persons 0..301 are the clients interviewed at wave 1; the others are the clients without a
usable wave-1 interview. Membership of the other questionnaires follows the cell counts of the
design exactly. Officer participation at wave 1 is random; who stays in the study until wave 2
depends on the latent alliance (``selection`` weights), which is how the clients and dyads with
both waves can differ at wave 1 from the whole group, as the thesis's change tables imply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def _flags(key: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in key.split(","))
    return a, b, c


@dataclass
class Sample:
    members: pd.DataFrame  # index person; columns c1, c2, p1, p2 (bool), extra (int or -1)
    po1: np.ndarray  # officer index at wave 1 (clients.po_id), every person
    po2: np.ndarray  # officer index at wave 2 (questionnaire p2), -1 when no p2
    n_officers: int


def top_k(score: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the k largest scores (ties broken by position, stable)."""
    order = np.argsort(-score, kind="mergesort")
    mask = np.zeros(score.size, bool)
    mask[order[:k]] = True
    return mask


def wave1_membership(design: dict, rng: np.random.Generator) -> pd.DataFrame:
    """c1 and p1 for every person; c2 and p2 filled later (:func:`wave2_membership`)."""
    cells = design["sample"]["interviewed_w1"]
    n1 = sum(cells.values())
    extras = design["sample"]["not_interviewed_w1"]
    n = n1 + len(extras)
    p1_total = sum(v for k, v in cells.items() if _flags(k)[0] == 1)
    members = pd.DataFrame({"c1": np.arange(n) < n1, "extra": np.r_[np.full(n1, -1), np.arange(len(extras))]})
    p1 = np.zeros(n, bool)
    p1[:n1] = top_k(rng.random(n1), p1_total)
    for e, key in enumerate(extras):
        p1[n1 + e] = bool(_flags(key)[0])
    members["p1"] = p1
    return members


def wave2_membership(members: pd.DataFrame, design: dict, score_c2: np.ndarray, score_p2: np.ndarray) -> pd.DataFrame:
    """c2 and p2 with the design's exact cell counts; within a cell the highest scores stay."""
    cells = {_flags(k): v for k, v in design["sample"]["interviewed_w1"].items()}
    members = members.copy()
    n1 = int(members["c1"].sum())
    c2 = np.zeros(len(members), bool)
    p2 = np.zeros(len(members), bool)
    p1 = members["p1"].to_numpy()
    for p1v in (1, 0):
        pool = np.flatnonzero((np.arange(len(members)) < n1) & (p1 == bool(p1v)))
        k = sum(v for (a, b, _c), v in cells.items() if a == p1v and b == 1)
        c2[pool[top_k(score_c2[pool], k)]] = True
    for (a, b, c), v in cells.items():
        if c != 1:
            continue
        pool = np.flatnonzero((np.arange(len(members)) < n1) & (p1 == bool(a)) & (c2 == bool(b)))
        p2[pool[top_k(score_p2[pool], v)]] = True
    for e, key in enumerate(design["sample"]["not_interviewed_w1"]):
        _a, b, c = _flags(key)
        c2[n1 + e], p2[n1 + e] = bool(b), bool(c)
    members["c2"], members["p2"] = c2, p2
    return members[["c1", "c2", "p1", "p2", "extra"]]


def wave1_officers(members: pd.DataFrame, design: dict, rng: np.random.Generator) -> tuple[np.ndarray, int, int]:
    """Officer index at wave 1 for every person; returns (po1, number of participating officers,
    total number of officers)."""
    spec = design["officers"]
    n = len(members)
    po1 = np.full(n, -1)
    matched = np.flatnonzero(members["c1"] & members["p1"])
    sizes = [int(s) for s, cnt in sorted(spec["w1_matched_sizes"].items()) for _ in range(int(cnt))]
    if sum(sizes) != len(matched):
        raise ValueError(f"design: officer sizes cover {sum(sizes)} clients, {len(matched)} matched")
    sizes = np.array(sizes)[rng.permutation(len(sizes))]
    order = matched[rng.permutation(len(matched))]
    start = 0
    for o, s in enumerate(sizes):
        po1[order[start:start + s]] = o
        start += s
    n_matched_officers = len(sizes)
    unmatched = np.flatnonzero(~members["c1"] & members["p1"])
    n_new = int(spec["w1_unmatched_new_officers"])
    nxt = n_matched_officers
    for i, person in enumerate(unmatched[rng.permutation(len(unmatched))]):
        if i < n_new:
            po1[person] = nxt
            nxt += 1
        else:
            po1[person] = int(rng.integers(n_matched_officers))
    n_participating = nxt
    n_non = int(spec["w1_nonparticipating_officers"])
    others = np.flatnonzero(po1 < 0)
    share = float(spec["w1_nonparticipant_share"])
    for person in others:
        if rng.random() < share:
            po1[person] = n_participating + int(rng.integers(n_non))
        else:
            po1[person] = int(rng.integers(n_participating))
    used = np.unique(po1)
    remap = {int(o): i for i, o in enumerate(used)}  # drop unused non-participants, keep order
    po1 = np.array([remap[int(o)] for o in po1])
    return po1, n_participating, len(used)


def wave2_officers(members: pd.DataFrame, po1: np.ndarray, n_officers: int, design: dict,
                   rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """Officer index for every wave-2 officer questionnaire, with the design's group sizes.

    Clients keep their wave-1 officer where the sizes allow; the others change officer (to an
    officer already in the data or a new one). Returns (po2, total number of officers).
    """
    targets = sorted((int(s) for s, cnt in design["officers"]["w2_sizes"].items() for _ in range(int(cnt))),
                     reverse=True)
    persons = np.flatnonzero(members["p2"].to_numpy())
    if sum(targets) != len(persons):
        raise ValueError(f"design: wave-2 officer sizes cover {sum(targets)}, {len(persons)} questionnaires")
    groups: dict[int, list[int]] = {}
    for p in persons[rng.permutation(len(persons))]:
        groups.setdefault(int(po1[p]), []).append(int(p))
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    po2 = np.full(len(members), -1)
    pool: list[int] = []
    need: list[tuple[int, int]] = []  # (officer, missing count)
    for i, t in enumerate(targets):
        if i < len(ordered):
            officer, ms = ordered[i]
            keep, extra = ms[:t], ms[t:]
            for p in keep:
                po2[p] = officer
            pool += extra
            if len(keep) < t:
                need.append((officer, t - len(keep)))
        else:
            need.append((-1, t))
    for _officer, ms in ordered[len(targets):]:
        pool += ms
    used = set(int(o) for o in po2[po2 >= 0]) | {o for o, _ in need if o >= 0}
    spare = [o for o in rng.permutation(n_officers).tolist() if o not in used]
    total = n_officers
    pool = [pool[i] for i in rng.permutation(len(pool))]
    for officer, k in need:
        if officer < 0:
            if spare:
                officer = spare.pop()
            else:
                officer, total = total, total + 1
        for _ in range(k):
            po2[pool.pop()] = officer
    return po2, total


def officer_group_sizes(ids: np.ndarray) -> dict[int, int]:
    """How many officers have 1, 2, ... questionnaires (ids < 0 ignored)."""
    ids = ids[ids >= 0]
    _, counts = np.unique(ids, return_counts=True)
    sizes, n = np.unique(counts, return_counts=True)
    return {int(s): int(c) for s, c in zip(sizes, n)}
