"""The main calibration step: a smooth re-simulation of one questionnaire set, fitted by least
squares to the published numbers.

Why. The generator rounds latent responses to answers 1-7, so every statistic of the dataset is
a step function of the parameters: no derivatives, and sampling noise that a population-level
fit cannot see. The calibration needs the opposite: the realized, fixed-seed dataset, and smooth
changes.

How. The surrogate keeps every random draw of the last simulation (factor scores, officer effects,
method factors, unique parts, missing answers, who answered which questionnaire) and, for one
context k, recomputes the latent responses Y(theta) exactly as the generator does. It replaces
rounding by the last simulation's rounding error r0 = X0 - v0 (v = mu + sigma Y), held fixed:

    X(theta) = clip(mu + sigma Y(theta) + r0, 1, top)

At the simulated parameters X equals the dataset's answers exactly; elsewhere it moves
continuously. From X the surrogate computes the target statistics as the package does (scale
scores with the missing rule, descriptives, listwise alpha, pairwise PCA with varimax, scale and
subscale correlations); the few it approximates (Spearman's rS by Pearson's r) carry a fixed
offset, realized minus surrogate at the start. :func:`fit` then runs scipy's least squares over
the context's parameters (locations, spreads, skew and tails per scale; loadings, factor
correlations, minor factors; subscale and grade loadings; contra-reactance items), with a ridge
term that keeps the step near the start (a trust region). The next simulation re-anchors.
"""

from __future__ import annotations

import numpy as np
from factor_analyzer.rotator import Rotator
from scipy.optimize import least_squares

from wagk import codebook, monitor_tables, pca
from wagk.synth import generate, init, model

SCALES = codebook.SCALES
SUBS = ("wai_goal", "wai_task", "wai_bond", "dri_caring", "dri_fairness", "dri_toughness")
SUB_FACTORS = ("trust", "goals_restriction", "bond", "reactance", "toughness")
TOL = {"loading": 0.10, "alpha": 0.03, "r": 0.05, "rs": 0.05, "M": 0.05, "SD": 0.05, "Mdn": 0.05,
       "Min": 0.25, "Max": 0.25}
SUB_REF = {("client", 1): "TB1.10", ("client", 2): "TB1.11", ("po", 1): "TB1.12", ("po", 2): "TB1.13"}
DESC = {"c1": "T8.1", "c2": "T8.2", "p1": "T9.1", "p2": "T9.2"}


def _k(ref, p, w, analysis, variable, group, stat):
    return (ref, p, str(w), analysis, variable, group, stat)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a @ a) * (b @ b))
    return float(a @ b / den) if den > 0 else np.nan


def pairwise_corr(x: np.ndarray) -> np.ndarray:
    """Pearson correlations over the rows where both columns are present (pandas' DataFrame.corr)."""
    m = ~np.isnan(x)
    xz = np.where(m, x, 0.0)
    mf = m.astype(float)
    n = mf.T @ mf
    sx = xz.T @ mf  # sum of x_i over rows where j present
    sxx = (xz ** 2).T @ mf
    sxy = xz.T @ xz
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sx.T / n
        vi = sxx - sx ** 2 / n
        r = cov / np.sqrt(vi * vi.T)
    np.fill_diagonal(r, 1.0)
    return r


class Surrogate:
    """Smooth re-simulation of context ``k`` on the draws of ``sim``."""

    def __init__(self, params: dict, sim, k: str, realized: dict | None = None):
        d = sim.draws
        self.k, self.p, self.w = k, model.PERSPECTIVE[k], model.WAVE[k]
        self.draws = d
        self.persp_errors = d["errors"][self.p]
        members = d["members"]
        self.rows = np.flatnonzero(members[k].to_numpy())
        self.in_a = members["c1"].to_numpy()[self.rows]
        self.mask = d["masks"][k][self.rows]
        self.items = [c for c in generate.questionnaire_columns(self.p) if not c.startswith("sms_")]
        self.index = {c: i for i, c in enumerate(self.items)}
        self.top = np.array([codebook.GRADE_MAX if c == "grade" else codebook.ITEM_MAX for c in self.items], float)
        self.mon = {v: codebook.load_monitor(v) for v in ("appendix1", "as_reported")}
        self.subs = codebook.load_subscales()
        self.pca_items = monitor_tables.pca_items(self.mon["appendix1"], self.p)
        self.pca_idx = [self.index[c] for c in self.pca_items]
        self.pca_target = monitor_tables.pca_targets(self.mon["appendix1"], self.p)
        self.label = {v: kk for kk, v in self.mon["appendix1"].selection.items()}
        self._scale_cache = {}
        x0, v0 = self._raw(params)
        self.r0 = x0 - v0
        self.offset = {}
        if realized:
            start = self.stats(params)
            self.offset = {key: realized[key] - v for key, v in start.items()
                           if key[-1] == "rs" and key in realized and np.isfinite(realized[key])}

    # --- answers -----------------------------------------------------------------------------
    def _raw(self, params: dict, eta: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        d = self.draws
        if eta is None:
            eta = generate.latent_scores(params, d["z_raw"], d["u_raw"], {self.k: d["officers"][self.k]})[self.k]
        names, x, y = generate.context_answers(params, self.k, eta[self.rows],
                                               self.persp_errors[0][self.rows], self.persp_errors[1][self.rows])
        mu = np.array([params["items"][self.k][c]["mu"] for c in names])
        sig = np.array([params["items"][self.k][c]["sigma"] for c in names])
        return x, mu + sig * y

    def answers(self, params: dict, eta: np.ndarray | None = None) -> np.ndarray:
        """Smooth answers of this context's respondents (rows in ``self.rows`` order); ``eta``:
        the factor scores of every client, when already computed."""
        _x, v = self._raw(params, eta)
        x = np.clip(v + self.r0, 1.0, self.top)
        x[self.mask] = np.nan
        return x

    # --- statistics ----------------------------------------------------------------------------
    def _scale(self, scale: codebook.Scale):
        key = (scale.name, scale.items, scale.reversed)
        if key not in self._scale_cache:
            idx = np.array([self.index[i] for i in scale.items])
            rev = np.array([i in scale.reversed for i in scale.items])
            self._scale_cache[key] = (idx, rev, scale.n_items)
        return self._scale_cache[key]

    def score(self, x: np.ndarray, scale: codebook.Scale) -> np.ndarray:
        idx, rev, k = self._scale(scale)
        block = x[:, idx].copy()
        block[:, rev] = 8.0 - block[:, rev]
        ans = ~np.isnan(block)
        n = ans.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = np.where(ans, block, 0.0).sum(axis=1) / n
        s[(k - n) > k / 2] = np.nan
        return s

    def stats(self, params: dict) -> dict:
        x = self.answers(params)
        p, w, k = self.p, self.w, self.k
        out = {}
        asrep, app1 = self.mon["as_reported"], self.mon["appendix1"]
        ref = DESC[k]
        for s in list(SCALES) + ["total"]:
            v = self.score(x, asrep.scale(p, s))
            v = v[~np.isnan(v)]
            for stat, val in (("M", v.mean()), ("SD", v.std(ddof=1)), ("Mdn", np.median(v)), ("Min", v.min()),
                              ("Max", v.max())):
                out[_k(ref, p, w, "descriptives", s, "", stat)] = float(val)
        for it, var in (init.CR_TARGET.items() if p == "po" else ()):
            v = x[:, self.index[it]]
            v = v[~np.isnan(v)]
            out[_k(ref, p, w, "descriptives", var, "", "M")] = float(v.mean())
            out[_k(ref, p, w, "descriptives", var, "", "SD")] = float(v.std(ddof=1))
        xa = x[self.in_a]
        for s in SCALES:  # Table 4, listwise
            idx, rev, kk = self._scale(app1.scale(p, s))
            block = xa[:, idx].copy()
            block[:, rev] = 8.0 - block[:, rev]
            block = block[~np.isnan(block).any(axis=1)]
            c = np.cov(block, rowvar=False)
            out[_k("TB1.4", p, w, "alpha", s, "", "alpha")] = float(kk / (kk - 1) * (1 - np.trace(c) / c.sum()))
        r = pairwise_corr(xa[:, self.pca_idx])  # Table 6, as wagk.pca.pca_varimax computes it
        vals, vecs = np.linalg.eigh(r)
        order = np.argsort(vals)[::-1]
        vals, vecs = vals[order], vecs[:, order]
        big = np.argmax(np.abs(vecs), axis=0)
        vecs = vecs * np.sign(vecs[big, np.arange(vecs.shape[1])])[None, :]
        unrot = vecs[:, :4] * np.sqrt(np.clip(vals[:4], 0, None))[None, :]
        rot = Rotator(method="varimax", normalize=True, max_iter=pca.VARIMAX_MAX_ITER, tol=pca.VARIMAX_TOL)
        load, _names = pca._canonical(rot.fit_transform(unrot), self.pca_items, self.pca_target)
        row = {it: i for i, it in enumerate(self.pca_items)}
        for j, s in enumerate(SCALES):
            for it in app1.scale(p, s).items:
                out[_k("TB1.6", p, w, "pca_loading", f"item{self.label[it]:02d}", s, "loading")] = float(load[row[it], j])
        comps = {s: self.score(xa, app1.scale(p, s)) for s in SCALES}  # Tables 7/8
        comps["total"] = self.score(xa, app1.scale(p, "total"))
        names = list(SCALES) + ["total"]
        cref = "TB1.7" if p == "client" else "TB1.8"
        for i, a_ in enumerate(names):
            for b_ in names[i + 1:]:
                out[_k(cref, p, w, "correlation", a_, b_, "r")] = _pearson(comps[a_], comps[b_])
        mon9 = self.mon[monitor_tables.TABLE_VARIANTS[("TB1.9", p)]]  # Table 9 (Pearson + offset)
        grade = x[:, self.index["grade"]]
        for s in names:
            key = _k("TB1.9", p, w, "spearman", s, "grade", "rs")
            out[key] = _pearson(self.score(x, mon9.scale(p, s)), grade) + self.offset.get(key, 0.0)
        sref = SUB_REF[(p, w)]  # Tables 10-13
        monS = self.mon[monitor_tables.TABLE_VARIANTS[(sref, p)]]
        wa = {s: self.score(x, monS.scale(p, s)) for s in SCALES}
        for S, sub in self.subs.items():
            sv = self.score(x, sub)
            for s in SCALES:
                out[_k(sref, p, w, "correlation", s, S, "r")] = _pearson(wa[s], sv)
        return out


    def cfa(self, params: dict, models: dict) -> dict:
        """CFA fits (name -> :class:`wagk.cfa.CFAResult`) of models (name -> factors) on the
        Appendix 1 sample's smooth answers, by the package's FIML fit."""
        import pandas as pd

        xa = pd.DataFrame(self.answers(params)[self.in_a], columns=self.items)
        return {name: monitor_tables.fit_model(xa, factors) for name, factors in models.items()}


class Parameters:
    """The parameters of one context as a vector (get / set into ``params``)."""

    LIMITS = {"phi": (-0.95, 0.95), "load": (-0.97, 0.97), "xload": (-0.6, 0.6), "delta": (0.0, 0.75), "sub": (-0.9, 0.9),
              "grade": (-0.9, 0.9), "loc": (-3.0, 3.0), "spread": (-1.5, 1.5), "skew": (-0.8, 0.8),
              "tail": (0.0, 0.25), "cr_mu": (-1.0, 8.0), "cr_sigma": (-1.5, 1.5)}
    # cross-loadings outside an item's scales are misfit the CFAs do not model: kept small
    PRIOR = {"loc": 0.5, "spread": 0.3, "skew": 0.2, "tail": 0.05, "cr_mu": 0.5, "cr_sigma": 0.3, "xload": 0.06}

    def __init__(self, k: str, params: dict):
        self.k = k
        p = model.PERSPECTIVE[k]
        facs = list(model.FACTORS[p])
        asrep, app1 = codebook.load_monitor("as_reported"), codebook.load_monitor("appendix1")
        items = params["items"][k]
        self.entries = [("phi", i, j) for i in range(len(facs)) for j in range(i + 1, len(facs))]
        structural = (set(app1.all_items(p)) | set(asrep.all_items(p))) - set(app1.contra_reactance.values())
        # every WA-GK item may also load on the other three scales' factors (cross-loadings,
        # kept near zero by the ridge unless the published loadings, alphas and correlations
        # need them)
        pattern = {it: set(init.initial_pattern(it, p)) for it in structural}
        self.entries += [("load" if f in pattern[it] else "xload", it, f) for it in sorted(structural)
                         for f in sorted(set(items[it]["load"]) | set(SCALES))]
        self.entries += [("delta", s) for s in SCALES]
        subs = codebook.load_subscales()
        self.free = {S: [it for it in subs[S].items if init.primary_scale(it) is None] for S in SUBS}
        self.entries += [("sub", S, f) for S in SUBS for f in SUB_FACTORS]
        self.entries += [("grade", f) for f in SCALES]
        self.primary = {s: [(it, init.item_sign(it, s, asrep, p)) for it in items
                            if it not in init.CORE_EXTRA and init.primary_scale(it) == s] for s in SCALES}
        self.entries += [(kind, s) for s in SCALES for kind in ("loc", "spread", "skew", "tail")]
        if p == "po":
            self.entries += [(kind, it) for it in init.CR_TARGET for kind in ("cr_mu", "cr_sigma")]
        self.app1 = app1
        self.base_load = {S: {it: dict(items[it]["load"]) for it in self.free[S]} for S in SUBS}
        self.base_mu = {it: items[it]["mu"] for it in items}
        self.base_sigma = {it: items[it]["sigma"] for it in items}
        self.shift = {(S, f): 0.0 for S in SUBS for f in SUB_FACTORS}
        self.loc = {s: 0.0 for s in SCALES}
        self.spread = {s: 0.0 for s in SCALES}

    def get(self, params: dict) -> np.ndarray:
        k, out = self.k, []
        items, lat = params["items"][k], params["latent"]
        for e in self.entries:
            kind = e[0]
            if kind == "phi":
                out.append(lat["phi"][k][e[1]][e[2]])
            elif kind in ("load", "xload"):
                out.append(items[e[1]]["load"].get(e[2], 0.0))
            elif kind == "delta":
                sc = self.app1.scale(model.PERSPECTIVE[k], e[1])
                it = next(i for i in sc.items if i not in sc.reversed)
                out.append(abs(items[it].get("method", {}).get("s_" + e[1], 0.0)))
            elif kind == "sub":
                out.append(self.shift[(e[1], e[2])])
            elif kind == "grade":
                out.append(items["grade"]["load"].get(e[1], 0.0))
            elif kind == "loc":
                out.append(self.loc[e[1]])
            elif kind == "spread":
                out.append(self.spread[e[1]])
            elif kind == "skew":
                out.append(lat["tails"][k][e[1]][0])
            elif kind == "tail":
                out.append(lat["tails"][k][e[1]][1])
            elif kind == "cr_mu":
                out.append(items[e[1]]["mu"])
            else:
                out.append(np.log(items[e[1]]["sigma"]))
        return np.array(out, float)

    def set(self, params: dict, x: np.ndarray) -> None:
        k = self.k
        p = model.PERSPECTIVE[k]
        items, lat = params["items"][k], params["latent"]
        for e, v in zip(self.entries, x):
            v = float(v)
            kind = e[0]
            if kind == "phi":
                lat["phi"][k][e[1]][e[2]] = lat["phi"][k][e[2]][e[1]] = v
            elif kind in ("load", "xload"):
                items[e[1]]["load"][e[2]] = v
            elif kind == "delta":
                sc = self.app1.scale(p, e[1])
                for it in sc.items:
                    items[it].setdefault("method", {})["s_" + e[1]] = -v if it in sc.reversed else v
            elif kind == "sub":
                self.shift[(e[1], e[2])] = v
            elif kind == "grade":
                items["grade"]["load"][e[1]] = v
            elif kind == "loc":
                self.loc[e[1]] = v
            elif kind == "spread":
                self.spread[e[1]] = v
            elif kind == "skew":
                lat["tails"][k][e[1]][0] = v
            elif kind == "tail":
                lat["tails"][k][e[1]][1] = v
            elif kind == "cr_mu":
                items[e[1]]["mu"] = v
            else:
                items[e[1]]["sigma"] = float(np.exp(v))
        for S in SUBS:
            for it in self.free[S]:
                load = dict(self.base_load[S][it])
                for f in SUB_FACTORS:
                    load[f] = load.get(f, 0.0) + self.shift[(S, f)]
                items[it]["load"] = {f: v for f, v in load.items() if abs(v) > 1e-9}
        for s in SCALES:
            for it, sign in self.primary[s]:
                items[it]["mu"] = self.base_mu[it] + sign * self.loc[s]
                items[it]["sigma"] = self.base_sigma[it] * float(np.exp(self.spread[s]))

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([self.LIMITS[e[0]][0] for e in self.entries]),
                np.array([self.LIMITS[e[0]][1] for e in self.entries]))

    def prior(self) -> np.ndarray:
        return np.array([self.PRIOR.get(e[0], 0.3) for e in self.entries])

    def touches(self, e, key) -> bool:
        """Can parameter ``e`` move the statistic ``key``? (Jacobian sparsity.)"""
        kind = e[0]
        if kind == "sub":
            return key[5] == e[1]
        if kind == "grade":
            return key[0] == "TB1.9"
        if kind in ("cr_mu", "cr_sigma"):
            return key[4] == init.CR_TARGET[e[1]]
        return True


def fit(sur: Surrogate, params: dict, targets: dict, ridge: float = 0.5, max_nfev: int = 20) -> dict:
    """Least squares of one context's parameters towards ``targets`` on the surrogate; updates
    ``params`` in place and returns the surrogate's statistics at the solution."""
    par = Parameters(sur.k, params)
    lo, hi = par.bounds()
    x0 = np.clip(par.get(params), lo + 1e-6, hi - 1e-6)
    start = sur.stats(params)
    keys = [key for key in start if key in targets and key[-1] in TOL]
    tgt = np.array([targets[key] for key in keys])
    tol = np.array([TOL[key[-1]] for key in keys])
    prior = par.prior()

    def resid(x):
        par.set(params, x)
        st = sur.stats(params)
        r = np.array([st[key] for key in keys])
        r = np.where(np.isfinite(r), r, tgt + 10 * tol)
        return np.r_[(r - tgt) / tol, ridge * (x - x0) / prior]

    sparsity = np.zeros((len(keys) + len(x0), len(x0)), bool)
    for j, e in enumerate(par.entries):
        sparsity[: len(keys), j] = [par.touches(e, key) for key in keys]
        sparsity[len(keys) + j, j] = True
    res = least_squares(resid, x0, bounds=(lo, hi), method="trf", diff_step=1e-3, max_nfev=max_nfev,
                        x_scale=0.1, jac_sparsity=sparsity)
    par.set(params, res.x)
    params["latent"]["phi"][sur.k] = model.nearest_correlation(np.asarray(params["latent"]["phi"][sur.k]), 0.05).tolist()
    return sur.stats(params)


class JointSurrogate:
    """All four contexts at once, for the statistics that join them: change scores (Tables 8.3,
    9.3), client-officer agreement and differences (Tables 10.1-10.3) and the stability of the
    absolute differences (Table 10.4)."""

    def __init__(self, params: dict, sim, realized: dict | None = None):
        self.ctx = {k: Surrogate(params, sim, k) for k in model.CONTEXTS}
        self.draws = sim.draws
        self.n = len(self.draws["members"])
        self.asrep = codebook.load_monitor("as_reported")
        self.offset = {}
        if realized:
            start = self.stats(params)
            self.offset = {key: realized[key] - v for key, v in start.items()
                           if key in realized and np.isfinite(realized[key]) and key[-1] in ("Mdn",)}

    def scores(self, params: dict) -> dict:
        """Per context: scale scores (and contra-reactance items) of every client, NaN when absent."""
        d = self.draws
        eta = generate.latent_scores(params, d["z_raw"], d["u_raw"], d["officers"])
        out = {}
        for k, sur in self.ctx.items():
            x = sur.answers(params, eta[k])
            cols = {s: sur.score(x, self.asrep.scale(sur.p, s)) for s in list(SCALES) + ["total"]}
            if sur.p == "po":
                for it, var in init.CR_TARGET.items():
                    cols[var] = x[:, sur.index[it]]
            full = {}
            for name, v in cols.items():
                arr = np.full(self.n, np.nan)
                arr[sur.rows] = v
                full[name] = arr
            out[k] = full
        return out

    def stats(self, params: dict) -> dict:
        sc = self.scores(params)
        out = {}
        names = list(SCALES) + ["total"]
        for p, (k1, k2), ref in (("client", ("c1", "c2"), "T8.3"), ("po", ("p1", "p2"), "T9.3")):
            both = ~np.isnan(sc[k1]["trust"]) | True
            present = self.ctx[k1].rows, self.ctx[k2].rows
            mask = np.zeros(self.n, bool)
            mask[np.intersect1d(*present)] = True
            for v in names + (list(init.CR_TARGET.values()) if p == "po" else []):
                ch = (sc[k2][v] - sc[k1][v])[mask & both]
                ch = ch[~np.isnan(ch)]
                for stat, val in (("M", ch.mean()), ("SD", ch.std(ddof=1)), ("Mdn", np.median(ch)),
                                  ("Min", ch.min()), ("Max", ch.max())):
                    out[_k(ref, p, "diff", "descriptives", v, "", stat)] = float(val)
        absd = {}
        for w, ref in ((1, "T10.2"), (2, "T10.3")):
            kc, kp = f"c{w}", f"p{w}"
            mask = np.zeros(self.n, bool)
            mask[np.intersect1d(self.ctx[kc].rows, self.ctx[kp].rows)] = True
            absd[w] = {}
            for v in names:
                c, po = sc[kc][v][mask], sc[kp][v][mask]
                if v in SCALES:
                    out[_k("T10.1", "dyad", w, "correlation", v, "client_vs_po", "r")] = _pearson(c, po)
                for side, arr in (("client", c), ("po", po)):
                    a = arr[~np.isnan(arr)]
                    out[_k(ref, side, w, "descriptives", v, "", "M")] = float(a.mean())
                    out[_k(ref, side, w, "descriptives", v, "", "SD")] = float(a.std(ddof=1))
                rel = c - po
                full = np.full(self.n, np.nan)
                full[mask] = np.abs(rel)
                absd[w][v] = full
                for kind, arr in (("rel_diff", rel), ("abs_diff", np.abs(rel))):
                    a = arr[~np.isnan(arr)]
                    for stat, val in (("M", a.mean()), ("SD", a.std(ddof=1)), ("Mdn", np.median(a)),
                                      ("Min", a.min()), ("Max", a.max())):
                        out[_k(ref, "dyad", w, kind, v, "", stat)] = float(val)
        for v in SCALES:
            out[_k("T10.4", "dyad", "1+2", "correlation", v, "abs_diff_w1_vs_w2", "r")] = _pearson(absd[1][v], absd[2][v])
        return {key: val + self.offset.get(key, 0.0) for key, val in out.items()}


JOINT_LIMITS = {"stability": (0.0, 0.97), "agreement": (-0.2, 0.9), "crosslag": (-0.4, 0.6), "ustab": (0.0, 0.95)}


def fit_joint(js: JointSurrogate, params: dict, targets: dict, ridge: float = 0.5, max_nfev: int = 20) -> dict:
    """Least squares of the between-context parameters (stability per factor and perspective,
    client-officer agreement per factor and wave, the cross-lagged term, the contra-reactance
    items' persistence) on the joint surrogate."""
    lat = params["latent"]
    entries = [("stability", p, f) for p in ("client", "po") for f in SCALES]
    entries += [("agreement", str(w), f) for w in (1, 2) for f in SCALES]
    entries += [("crosslag", f) for f in SCALES]
    entries += [("ustab", it) for it in init.CR_TARGET]

    def get():
        out = []
        for e in entries:
            if e[0] == "stability":
                out.append(lat["stability"][e[1]][e[2]])
            elif e[0] == "agreement":
                out.append(lat["agreement"][e[1]][e[2]])
            elif e[0] == "crosslag":
                out.append(lat["crosslag"][e[1]])
            else:
                out.append(params["items"]["p2"][e[1]]["ustab"])
        return np.array(out, float)

    def put(x):
        for e, v in zip(entries, x):
            v = float(v)
            if e[0] == "stability":
                lat["stability"][e[1]][e[2]] = v
            elif e[0] == "agreement":
                lat["agreement"][e[1]][e[2]] = v
            elif e[0] == "crosslag":
                lat["crosslag"][e[1]] = v
            else:
                params["items"]["p2"][e[1]]["ustab"] = v

    lo = np.array([JOINT_LIMITS[e[0]][0] for e in entries])
    hi = np.array([JOINT_LIMITS[e[0]][1] for e in entries])
    x0 = np.clip(get(), lo + 1e-6, hi - 1e-6)
    start = js.stats(params)
    keys = [key for key in start if key in targets and key[-1] in TOL and not (key[-1] == "M" and key[2] == "diff")]
    tgt = np.array([targets[key] for key in keys])
    tol = np.array([TOL[key[-1]] for key in keys])

    def resid(x):
        put(x)
        st = js.stats(params)
        r = np.array([st[key] for key in keys])
        r = np.where(np.isfinite(r), r, tgt + 10 * tol)
        return np.r_[(r - tgt) / tol, ridge * (x - x0) / 0.1]

    res = least_squares(resid, x0, bounds=(lo, hi), method="trf", diff_step=1e-3, max_nfev=max_nfev, x_scale=0.05)
    put(res.x)
    return js.stats(params)
