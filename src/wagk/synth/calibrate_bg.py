"""Calibrate the background, motivation and outcome links (``wagk calibrate``, second stage).

Method: simulated moments with common random numbers, as the first stage
(:mod:`wagk.synth.calibrate`). The item-level study is simulated once with its calibrated
parameters and seed; :func:`wagk.synth.extend.extend` adds the new variables with the current
links, the compendium's own recipes compute the target tables (:mod:`wagk.synth.pipeline_bg`),
and every knob (:mod:`wagk.synth.knobs`) moves by a damped secant step towards its driver:

    value <- value + damping * (published - computed) / slope

The slope starts from the knob's guess and is replaced by the knob's own last secant when that
has the expected sign and lies within a factor of 5 of the guess. A knob whose driver is within
a third of its tolerance rests. Because the links are requested latent correlations that the
generator meets exactly in the sample (:func:`wagk.synth.links.latent`), a knob moves its
driver almost alone and the loop settles in a few dozen rounds.

The result is written to ``params_bg_v1.json``.
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import compare, contract
from wagk.synth import extend, init_bg, knobs, moments_spec, pipeline_bg, targets_bg

TOL = {"M": 0.03, "r": 0.02, "F": 0.08, "t": 0.08, "phi": 0.01, "chi": 0.08}
MAX_STEP = 0.15
BOUND = 0.9
#: cross-lagged links (a wave-2 variable with a wave-1 score) stay smaller
CROSS_BOUND = 0.6


@dataclass
class Knob:
    spec: knobs.KnobSpec
    value: float
    slope: float
    target: float | None = None
    last_value: float | None = None
    last_metric: float | None = None
    metric: float | None = None
    history: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.spec.driver[0]

    def tol(self) -> float:
        t = TOL[self.kind]
        if self.kind in ("F", "t", "chi") and self.target is not None:
            return max(t * abs(self.target), 0.05)
        return t


def _index(rows: pd.DataFrame) -> dict:
    out = {}
    for r in rows[["ref", "variable", "group", "statistic", "value"]].itertuples(index=False):
        out.setdefault((r.ref, r.variable, r.group, r.statistic), r.value)
    return out


def metric(index: dict, driver: tuple, sign_of: float = 1.0) -> float | None:
    """The driver's metric from a (ref, variable, group, statistic) -> value index."""
    kind, ref, var = driver[:3]
    get = lambda g, s: index.get((ref, var, g, s))  # noqa: E731
    if kind == "M":
        a, b = get(driver[3], "M"), get(driver[4], "M")
        return None if a is None or b is None or np.isnan(a) or np.isnan(b) else float(a - b)
    if kind == "r":
        v = get(driver[3], driver[4])
        return None if v is None or np.isnan(v) else float(v)
    if kind == "F":
        v = get(driver[3], "F")
        return None if v is None or np.isnan(v) else float(np.sign(sign_of) or 1) * math.sqrt(max(v, 0))
    if kind == "t":
        v = get(driver[3], "t")
        return None if v is None or np.isnan(v) else float(driver[4] * v)
    if kind == "phi":
        v = get(driver[3], driver[4])
        if v is None or np.isnan(v):
            return None
        return float(v) if driver[4] == "phi" and _two_by_two(ref) else float(np.sign(sign_of) or 1) * abs(v)
    if kind == "chi":
        v = get(driver[3], "chi2")
        return None if v is None or np.isnan(v) else float(np.sign(sign_of) or 1) * math.sqrt(max(v, 0))
    raise ValueError(f"unknown driver {driver}")


def _two_by_two(ref: str) -> bool:
    return ref not in ("S8.9.2c", "S8.9.2j")


def target_metric(pub: dict, driver: tuple) -> float | None:
    kind = driver[0]
    if kind == "F":
        v = pub.get((driver[1], driver[2], driver[3], "F"))
        return None if v is None else driver[4] * math.sqrt(v)
    if kind == "chi":
        v = pub.get((driver[1], driver[2], driver[3], "chi2"))
        return None if v is None else driver[4] * math.sqrt(v)
    if kind == "phi":
        v = pub.get((driver[1], driver[2], driver[3], driver[4]))
        return None if v is None else abs(v)
    return metric(pub, driver)


#: forward selections (of 12) that count towards the best round; beyond it the knobs' share decides
SELECTIONS_GOAL = 8


class Calibration:
    """State of one calibration run of the background links."""

    def __init__(self, sim, params: dict | None = None, seed: int | None = None, logistic: bool = False):
        self.sim = sim
        self.params = copy.deepcopy(params) if params is not None else init_bg.initial_params(risc_moments=risc_moments())
        if seed is not None:
            self.params["seed"] = int(seed)
        self.params.setdefault("links", {})
        self.params.setdefault("officer_links", {})
        self.params["moments"] = moments_spec.build()
        for var, links_ in knobs.FIXED.items():
            self.params["links"].setdefault(var, {}).update(links_)
        self.pub = targets_bg.lookup()
        self.logistic = logistic
        self.knobs: list[Knob] = []
        for spec in knobs.specs():
            store = self._store(spec)
            t = target_metric(self.pub, spec.driver)
            if t is None:
                continue
            self.knobs.append(Knob(spec, float(store.get(spec.predictor, 0.0)), spec.slope, t))

    def _store(self, spec: knobs.KnobSpec) -> dict:
        root = self.params["officer_links"] if spec.officer else self.params["links"]
        return root.setdefault(spec.variable, {})

    def apply(self) -> None:
        for k in self.knobs:
            self._store(k.spec)[k.spec.predictor] = round(float(k.value), 5)

    def evaluate(self) -> pd.DataFrame:
        self.apply()
        tables = extend.extend(self.sim, self.params)
        study = contract.from_tables(tables)
        return pipeline_bg.computed_rows(study, logistic=self.logistic)

    def step(self, rows: pd.DataFrame, damping: float = 0.6) -> dict:
        idx = _index(rows)
        moved = resting = missing = 0
        for k in self.knobs:
            m = metric(idx, k.spec.driver, k.value if k.value != 0 else k.target)
            k.metric = m
            if m is None:
                missing += 1
                continue
            if k.last_value is not None and abs(k.value - k.last_value) > 1e-4 and k.last_metric is not None:
                s = (m - k.last_metric) / (k.value - k.last_value)
                if np.sign(s) == np.sign(k.spec.slope) and 0.2 * abs(k.spec.slope) <= abs(s) <= 5 * abs(k.spec.slope):
                    k.slope = 0.5 * k.slope + 0.5 * s
            err = k.target - m
            k.history.append((k.value, m))
            if abs(err) <= k.tol() / 3:
                resting += 1
                k.last_value, k.last_metric = k.value, m
                continue
            delta = float(np.clip(damping * err / k.slope, -MAX_STEP, MAX_STEP))
            k.last_value, k.last_metric = k.value, m
            bound = CROSS_BOUND if k.spec.slope < 0 else BOUND
            k.value = float(np.clip(k.value + delta, -bound, bound))
            moved += 1
        return dict(moved=moved, resting=resting, missing=missing)

    def within(self) -> float:
        ok = [abs(k.target - k.metric) <= k.tol() for k in self.knobs if k.metric is not None]
        return float(np.mean(ok)) if ok else float("nan")

    def run(self, rounds: int = 30, progress=None, damping: float = 0.6) -> dict:
        """``rounds`` secant steps of every knob. With ``logistic`` the forward selections of
        Tables 10.7-10.9 are computed each round and the parameters of the best round are kept:
        most selections equal to the thesis's (counted up to :data:`SELECTIONS_GOAL`), then the
        highest share of knobs within tolerance. The selections jump between rounds (a
        predictor enters or not), so the last round is often not the best one."""
        t0 = time.time()
        info: dict = {}
        best = None
        for i in range(rounds):
            values = [k.value for k in self.knobs]
            rows = self.evaluate()
            info = self.step(rows, damping=damping)
            info.update(round=i + 1, within=self.within(), seconds=time.time() - t0)
            if self.logistic:
                same = int(compare.selected_predictors(rows)["same"].fillna(False).astype(bool).sum())
                info["selections"] = same
                score = (min(same, SELECTIONS_GOAL), info["within"])
                if best is None or score > best[0]:
                    best = (score, values, i + 1)
            if progress:
                progress(info)
        if best is not None:
            for k, v in zip(self.knobs, best[1]):
                k.value = v
            info.update(kept_round=best[2], selections=best[0][0], within=best[0][1])
        self.apply()
        return info


def risc_moments() -> dict:
    """The study group's RISc scale means and SDs (Table 6.7), the marginals of the generator."""
    pub = targets_bg.lookup()
    out = {}
    for s in extend.RISC_SCALES:
        m, sd = pub.get(("T6.7", s, "", "M")), pub.get(("T6.7", s, "", "SD"))
        if m is not None and sd is not None:
            out[s] = {"M": m, "SD": sd}
    return out


def write(params: dict, path: Path | str = extend.PARAMS_JSON) -> Path:
    path = Path(path)
    path.write_text(json.dumps(params, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def run(sim=None, rounds: int = 25, seed: int | None = None, params: dict | None = None, progress: bool = True,
        out: Path | str | None = extend.PARAMS_JSON, keep_best: bool = True) -> dict:
    """Calibrate the background links on the item-level study ``sim`` (default: simulated with
    the first stage's calibrated parameters) and write the parameter file. ``keep_best``: compute
    the forward selections every round and keep the best round (:meth:`Calibration.run`)."""
    from tqdm import tqdm

    from wagk.synth import generate

    if sim is None:
        sim = generate.simulate(generate.load_params())
    t0 = time.time()
    cal = Calibration(sim, params, seed, logistic=keep_best)
    bar = tqdm(total=rounds, desc="calibrating background", disable=not progress, unit="round")

    def tick(info):
        bar.set_postfix(within=f"{info['within']:.0%}", **({"selections": info["selections"]} if "selections" in info else {}))
        bar.update(1)

    final = cal.run(rounds, progress=tick)
    bar.close()
    cal.params["calibration"] = {"rounds": rounds, "knobs_within": round(final.get("within", float("nan")), 4),
                                 "seconds": round(time.time() - t0), "method": "wagk.synth.calibrate_bg"}
    if "kept_round" in final:
        cal.params["calibration"].update(kept_round=final["kept_round"], selections_same=final["selections"])
    if out is not None:
        write(cal.params, out)
    return cal.params
