"""Calibrate the generator's parameters to the published numbers (``wagk calibrate``).

Simulated moments with common random numbers: the dataset is generated with the calibration
seed, the compendium's own analysis recipes compute the target tables
(:mod:`wagk.synth.pipeline`), and the parameters move towards the published values. One round:

1. Simulate with the current parameters; compute every target number; keep the parameters if
   they are the best so far (share of numbers within tolerance).
2. Per questionnaire set, least squares on a smooth re-simulation with the same draws
   (:mod:`wagk.synth.surrogate`): item locations and spreads, skew and tails, loadings, factor
   correlations, minor factors, subscale and grade loadings, contra-reactance items; towards the
   descriptives of Tables 8.1, 8.2, 9.1, 9.2 and Appendix 1 Tables 4, 6-13.
3. Misfit: the instrument method factors (WAI, DRI-R, Menger & Donker) per questionnaire set
   by a Gauss-Newton step on CFI, RMSEA and CMIN of the CFAs (Appendix 1 Tables 3 and 5).
4. Between questionnaire sets, damped secant steps ("knobs"), one parameter per published
   number: ``damping * (published - computed) / slope``, the slope learning from the knob's own
   moves within a factor of five of its initial guess; a knob within a third of its tolerance
   rests.

   =========================  ==========================================================
   wave-to-wave stability     SD of the change (Tables 8.3, 9.3)
   attrition selection        mean change (Tables 8.3, 9.3)
   client-officer agreement   client-officer r (Table 10.1)
   cross-lagged agreement     stability of the absolute differences (Table 10.4)
   contra-reactance items     change SD (Table 9.3), through their wave-to-wave persistence
   =========================  ==========================================================

5. After the rounds, :func:`polish_knobs`: a few secant steps on all five knob families at
   once on real simulations, judged on the chapter 8-10 tables, starting from the best
   parameters; the best of these is kept.

The best parameters are written to ``params_v1.json`` with the seed they were calibrated on.
``wagk calibrate`` continues from the committed parameters (``--fresh``: from
:func:`wagk.synth.init.initial_params`) and then re-calibrates the second stage on the result
(:mod:`wagk.synth.calibrate_bg`).
"""

from __future__ import annotations

import copy
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from wagk import codebook, contract, monitor_tables
from wagk.ledger import KEY
from wagk.synth import generate, init, model, pipeline, surrogate, targets

SCALES = codebook.SCALES
TOL = {"M": 0.05, "SD": 0.05, "Mdn": 0.05, "Min": 0.25, "Max": 0.25, "r": 0.05, "rs": 0.05,
       "loading": 0.10, "alpha": 0.03, "RMSEA": 0.010, "CFI": 0.03, "d": 0.02}
DESC = {"c1": "T8.1", "c2": "T8.2", "p1": "T9.1", "p2": "T9.2"}
CHANGE = {"client": "T8.3", "po": "T9.3"}
METHOD_FACTORS = ("wai", "dri", "md")


@dataclass
class Knob:
    name: str
    key: tuple
    target: float
    apply: Callable[[dict, float, float], None]  # (params, new value, old value)
    value: float
    slope: float
    lo: float = -math.inf
    hi: float = math.inf
    max_step: float = math.inf
    stat_key: tuple | None = None
    guess: float = 0.0
    last_value: float | None = None
    last_stat: float | None = None

    def __post_init__(self):
        self.guess = self.slope

    @property
    def tol(self) -> float:
        return TOL.get(self.key[-1], 0.05)


def _key(ref, persp, wave, analysis, variable, group, stat) -> tuple:
    return (ref, persp, str(wave), analysis, variable, group, stat)


class Calibration:
    """State of one calibration run: parameters, knobs, targets, bias corrections."""

    def __init__(self, params: dict | None = None, seed: int | None = None):
        self.params = copy.deepcopy(params) if params is not None else init.initial_params()
        if seed is not None:
            self.params["seed"] = int(seed)
        self.seed = int(self.params["seed"])
        self.design = generate.load_design()
        self.targets = targets.lookup()
        self.asrep = codebook.load_monitor("as_reported")
        self.knobs: list[Knob] = []
        self.best: tuple[float, dict] | None = None
        self._build()

    # ---- knobs -----------------------------------------------------------------------------
    def _add(self, name, key, apply, value, slope, **kw):
        tgt = self.targets.get(key)
        if tgt is not None:
            self.knobs.append(Knob(name, key, tgt, apply, value, slope, **kw))

    def _build(self):
        P = self.params
        for p in ("client", "po"):
            for f in SCALES:
                d = lambda stat: _key(CHANGE[p], p, "diff", "descriptives", f, "", stat)  # noqa: E731
                self._add(f"stab/{p}/{f}", d("SD"), _set(("latent", "stability", p, f)),
                          P["latent"]["stability"][p][f], -1.0, lo=0.0, hi=0.97, max_step=0.08)
                self._add(f"sel/{p}/{f}", d("M"), _set(("latent", "selection", "c2" if p == "client" else "p2", f)),
                          P["latent"]["selection"]["c2" if p == "client" else "p2"].get(f, 0.0), -0.3,
                          lo=-3.0, hi=3.0, max_step=0.3)
            if p == "po":
                for it, var in init.CR_TARGET.items():
                    self._add(f"crstab/{it}", _key("T9.3", p, "diff", "descriptives", var, "", "SD"),
                              _set(("items", "p2", it, "ustab")), P["items"]["p2"][it]["ustab"], -1.5,
                              lo=0.0, hi=0.95, max_step=0.15)
        for w in (1, 2):
            for f in SCALES:
                self._add(f"agree/{w}/{f}", _key("T10.1", "dyad", w, "correlation", f, "client_vs_po", "r"),
                          _set(("latent", "agreement", str(w), f)), P["latent"]["agreement"][str(w)][f], 0.6,
                          lo=-0.2, hi=0.9, max_step=0.08)
        for f in SCALES:
            self._add(f"xlag/{f}", _key("T10.4", "dyad", "1+2", "correlation", f, "abs_diff_w1_vs_w2", "r"),
                      _set(("latent", "crosslag", f)), P["latent"]["crosslag"][f], -0.5, lo=-0.4, hi=0.6, max_step=0.08)

    # ---- evaluation -----------------------------------------------------------------------------
    def simulate(self, params: dict | None = None, keep_responses: bool = False):
        # the calibration fits the latent model itself: without the refinement of the item
        # answers (wagk.synth.refine), which is a last step of the dataset only
        return generate.simulate(params or self.params, self.seed, self.design, keep_responses=keep_responses,
                                 refine=False)

    def stats(self, sim, cfa: bool = True, appendix: bool = True) -> dict:
        """Computed numbers by ledger key (plus smooth medians); without ``appendix`` only the
        chapter 8-10 tables (for the cheap secant rounds)."""
        study = contract.from_tables(sim.tables)
        rows = pipeline.computed_rows(study, cfa=False, appendix=appendix)
        out = {tuple(r): v for r, v in zip(rows[KEY].itertuples(index=False, name=None), rows["value"])}
        if cfa:
            out.update(cfa_stats(study))
        return out

    def share(self, stats: dict) -> float:
        ok = n = 0
        for key, tgt in self.targets.items():
            if key not in stats:
                continue
            stat = key[-1]
            if stat == "n":
                tol = 0.0
            elif stat == "CMIN":
                tol = 0.10 * abs(tgt)
            elif stat in TOL:
                tol = TOL[stat]
            else:
                continue
            n += 1
            ok += abs(stats[key] - tgt) <= tol + 1e-9
        return ok / max(n, 1)

    def by_table(self, stats: dict) -> str:
        """Share within tolerance per target table, as one line."""
        out: dict = {}
        for key, tgt in self.targets.items():
            if key in stats and key[-1] in TOL:
                out.setdefault(key[0], []).append(abs(stats[key] - tgt) <= TOL[key[-1]] + 1e-9)
        return " ".join(f"{k}:{np.mean(v):.2f}" for k, v in sorted(out.items()))

    def keep_best(self, stats: dict) -> float:
        sh = self.share(stats)
        if self.best is None or sh > self.best[0]:
            self.best = (sh, copy.deepcopy(self.params))
        return sh

    def guarded(self, fn, *args, **kwargs) -> bool:
        """Run one mechanism; undo it when it leaves a non-finite parameter or fails."""
        before = copy.deepcopy(self.params)
        knobs = [(kn.value, kn.last_value, kn.last_stat, kn.slope) for kn in self.knobs]
        try:
            fn(*args, **kwargs)
            ok = _finite(self.params)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            ok = False
        if not ok:
            self.params.clear()
            self.params.update(before)
            for kn, (v, lv, ls, sl) in zip(self.knobs, knobs):
                kn.value, kn.last_value, kn.last_stat, kn.slope = v, lv, ls, sl
        return ok

    # ---- mechanism 1: secant knobs -------------------------------------------------------------
    def sync(self) -> None:
        """Take every knob's value from the parameters (the surrogate fits move them too); a knob
        whose parameter moved forgets its last secant pair."""
        for kn in self.knobs:
            v = _get(self.params, getattr(kn.apply, "path", ()))
            if v is not None and abs(v - kn.value) > 1e-9:
                kn.value, kn.last_value, kn.last_stat = v, None, None

    def step(self, stats: dict, damping: float = 0.5, families=None) -> int:
        moved = 0
        for kn in self.knobs:
            if families is not None and kn.name.split("/")[0] not in families:
                continue
            stat = stats.get(kn.stat_key or kn.key)
            if stat is None or not np.isfinite(stat):
                continue
            if kn.last_value is not None and kn.last_stat is not None and abs(kn.value - kn.last_value) > 1e-6:
                obs = (stat - kn.last_stat) / (kn.value - kn.last_value)
                if np.sign(obs) == np.sign(kn.guess):
                    kn.slope = float(np.clip(0.5 * kn.slope + 0.5 * obs, kn.guess / 5, kn.guess * 5)
                                     if kn.guess > 0 else np.clip(0.5 * kn.slope + 0.5 * obs, kn.guess * 5, kn.guess / 5))
            kn.last_value, kn.last_stat = kn.value, stat
            err = kn.target - stat
            if abs(err) <= kn.tol / 3:
                continue
            new = float(np.clip(kn.value + np.clip(damping * err / kn.slope, -kn.max_step, kn.max_step), kn.lo, kn.hi))
            if new != kn.value:
                kn.apply(self.params, new, kn.value)
                kn.value = new
                moved += 1
        return moved

    # ---- mechanism 2: the surrogate fit ----------------------------------------------------------
    def anchor(self, sim, stats: dict) -> dict:
        """One surrogate per context on this simulation (:mod:`wagk.synth.surrogate`)."""
        return {k: surrogate.Surrogate(self.params, sim, k, stats) for k in model.CONTEXTS}

    def fit_contexts(self, surrogates: dict, max_nfev: int = 20, ridge: float = 0.5) -> None:
        """Least squares of every context's parameters on its surrogate."""
        for sur in surrogates.values():
            surrogate.fit(sur, self.params, self.targets, max_nfev=max_nfev, ridge=ridge)

    # ---- mechanism 3: misfit -----------------------------------------------------------------------
    def misfit_step(self, surrogates: dict, h: float = 0.03, damping: float = 0.7) -> None:
        """Gauss-Newton step on the method-factor loadings of every context, towards the published
        CFI, RMSEA and CMIN (Tables 3 and 5), on the surrogates."""
        for k, sur in surrogates.items():
            p, w = model.PERSPECTIVE[k], model.WAVE[k]
            mods = monitor_tables.appendix1_models(p)
            keys = [(name, stat, _key(ref, p, w, "cfa_fit", "wa_gk_model", name, stat))
                    for (ref, name) in mods for stat in ("RMSEA", "CFI", "CMIN")]
            keys = [x for x in keys if x[2] in self.targets]
            named = {name: f for (ref, name), f in mods.items()}

            def pred(params):
                fits = sur.cfa(params, named)
                return np.array([{"RMSEA": fits[name].rmsea, "CFI": fits[name].cfi, "CMIN": fits[name].cmin}[stat]
                                 for name, stat, _ in keys])

            base = pred(self.params)
            jac = np.zeros((len(keys), len(METHOD_FACTORS)))
            for j, m in enumerate(METHOD_FACTORS):
                trial = copy.deepcopy(self.params)
                set_method(trial, k, m, method_loading(self.params, k, m) + h)
                jac[:, j] = (pred(trial) - base) / h
            if not (np.all(np.isfinite(base)) and np.all(np.isfinite(jac))):
                continue
            scale = np.array([_cfa_scale(key, self.targets[key]) for _, _, key in keys])
            r = (np.array([self.targets[key] for _, _, key in keys]) - base) / scale
            J = jac / scale[:, None]
            step = np.linalg.solve(J.T @ J + 0.5 * np.eye(J.shape[1]), J.T @ r)
            step = np.clip(damping * step, -0.1, 0.1)
            for j, m in enumerate(METHOD_FACTORS):
                set_method(self.params, k, m, float(np.clip(method_loading(self.params, k, m) + step[j], 0.0, 0.7)))


def _finite(obj) -> bool:
    if isinstance(obj, float):
        return math.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


def _cfa_scale(key, tgt) -> float:
    return {"RMSEA": 0.010, "CFI": 0.03}.get(key[-1], 0.10 * abs(tgt))


def method_loading(params: dict, k: str, m: str) -> float:
    vals = [spec.get("method", {}).get(m) for spec in params["items"][k].values()]
    vals = [v for v in vals if v is not None]
    return float(vals[0]) if vals else 0.0


def set_method(params: dict, k: str, m: str, v: float) -> None:
    for it, spec in params["items"][k].items():
        if it.startswith(m + "_"):
            spec.setdefault("method", {})[m] = v


def _set(path: tuple) -> Callable[[dict, float, float], None]:
    def apply(params, v, _old):
        d = params
        for p in path[:-1]:
            d = d[p]
        d[path[-1]] = v
    apply.path = path
    return apply


def _get(params: dict, path: tuple) -> float | None:
    d = params
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return None
        d = d[p]
    return float(d)


def cfa_stats(study) -> dict:
    """CMIN, CFI and RMSEA of the ten Appendix 1 CFAs (:func:`wagk.monitor_tables.fit_model`)."""
    samples = monitor_tables.appendix1_samples(study)
    out = {}
    for (p, w), items in samples.items():
        for (ref, name), factors in monitor_tables.appendix1_models(p).items():
            f = monitor_tables.fit_model(items, factors)
            for stat, v in (("CMIN", f.cmin), ("CFI", f.cfi), ("RMSEA", f.rmsea)):
                out[_key(ref, p, w, "cfa_fit", "wa_gk_model", name, stat)] = v
    return out


def run(rounds: int = 8, seed: int | None = None, params: dict | None = None, progress: bool = True,
        out: Path | str | None = generate.PARAMS_JSON, log: Callable[[str], None] | None = None,
        secant: tuple = ("sel",), polish: int = 8) -> dict:
    """Calibrate and write the parameter file; returns the best parameters found. ``secant``:
    the knob families (``sel``, ``stab``, ``agree``, ``xlag``, ``crstab``) stepped by the secant
    rule after each round's surrogate fits; ``polish``: iterations of :func:`polish_knobs` on the
    best parameters at the end."""
    from tqdm import tqdm

    t0 = time.time()
    cal = Calibration(params, seed)
    bar = tqdm(total=rounds, desc="calibrating", disable=not progress, unit="round")
    dyadic = set(secant)
    for r in range(rounds):
        sim = cal.simulate(keep_responses=True)
        st = cal.stats(sim)
        share = cal.keep_best(st)
        bar.set_postfix(share=f"{share:.3f}", best=f"{cal.best[0]:.3f}")
        if log:
            log(f"round {r}: share {share:.3f} ({time.time() - t0:.0f} s) " + cal.by_table(st))
        surs = cal.anchor(sim, st)
        joint = surrogate.JointSurrogate(cal.params, sim, st)
        # the trust region shrinks over the rounds: big steps first, then small corrections
        ridge = 0.5 if r < rounds // 3 else 1.0 if r < 2 * rounds // 3 else 2.0
        for inner in range(2):  # reconcile the three fits on the same surrogates
            cal.guarded(cal.fit_contexts, surs, max_nfev=(15 if r < 3 else 8) if inner == 0 else 5, ridge=ridge)
            cal.guarded(surrogate.fit_joint, joint, cal.params, cal.targets, max_nfev=12, ridge=ridge)
            cal.guarded(cal.misfit_step, surs, damping=0.7 if r < rounds // 3 else 0.5)
        if r < rounds // 2 or r % 2 == 0:  # attrition changes who is in the wave-2 samples
            cal.sync()
            cal.guarded(lambda: cal.step(cal.stats(cal.simulate(), cfa=False, appendix=False), families=dyadic))
        bar.update(1)
    st = cal.stats(cal.simulate())
    cal.keep_best(st)
    bar.close()
    best_share, best = cal.best
    if polish:
        cal.params = copy.deepcopy(best)
        best = polish_knobs(cal, polish)
        cal.params = copy.deepcopy(best)
        best_share = cal.share(cal.stats(cal.simulate()))
    best["calibration"] = {"share_within": round(best_share, 4), "rounds": rounds,
                           "seconds": round(time.time() - t0), "method": "wagk.synth.calibrate"}
    if polish:
        best["calibration"]["polish"] = polish
    if out:
        save(best, out)
    return best


ALL_KNOBS = ("sel", "stab", "agree", "xlag", "crstab")


def polish_knobs(cal: Calibration, iterations: int = 8, families: tuple = ALL_KNOBS, damping: float = 0.7) -> dict:
    """Secant steps on the between-set knobs alone (stability, attrition selection, agreement,
    cross-lagged agreement, contra-reactance persistence), judged on the chapter 8-10 tables
    (cheap: no CFA, no Appendix 1 tables); returns the parameters with the best share, the start
    included. The knobs start afresh from the parameters (value, guessed slope, no secant pair).

    Why: the surrogate fits move these parameters only through smooth re-simulations of the same
    sample, while the published change SDs and client-officer correlations are met on the next
    simulation, whose attrition and wave-2 samples differ; a few real simulations settle them."""
    for kn in cal.knobs:
        v = _get(cal.params, getattr(kn.apply, "path", ()))
        kn.value = kn.value if v is None else v
        kn.slope, kn.last_value, kn.last_stat = kn.guess, None, None
    best = None
    for _ in range(iterations):
        st = cal.stats(cal.simulate(), cfa=False, appendix=False)
        sh = cal.share(st)
        if best is None or sh > best[0]:
            best = (sh, copy.deepcopy(cal.params))
        cal.guarded(cal.step, st, damping=damping, families=set(families))
    return best[1]


def _round(obj):
    if isinstance(obj, float):
        return float(f"{obj:.6g}")
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def save(params: dict, path: Path | str) -> Path:
    path = Path(path)
    path.write_text(json.dumps(_round(params), indent=1) + "\n", encoding="utf-8")
    return path
