"""Background, motivation and outcomes, added to a simulated study (the second generator stage).

``extend(sim, params)`` takes the item-level study of :func:`wagk.synth.generate.simulate` and
returns the seven tables of the data contract with the columns of
``data/codebook/background.yml`` added (clients, client_w1/w2, po_w1/w2, officers) and the
``registry`` table, and the SMS items replaced. Every new variable is drawn conditionally on the
alliance scores the analysis computes from the generated items (:mod:`wagk.synth.links`), in
this order:

1. officers: age group, years of experience, gender, education (officer level, from the mean
   scores of the officer's clients);
2. clients: demographics, justice trajectory, living and work situation, legal framework,
   officer changes, RISc category and scale scores, experiences of the trajectory, and the
   officer's ratings (addiction, LVB, conscience, difficulty, competence);
3. motivation: the four SMS dimensions at both waves, then the twelve items;
4. outcomes: no_show and formal_action (as the officer's answers at wave 2), dropout and
   early_help (registry);
5. (exact path only) the item-level refinement's third phase (:func:`_refine_groups`): the
   alliance answers are edited towards the published means and SDs within the groups just
   made, the published tests of the group comparisons, the correlations with second-stage
   variables and with the instrument subscales of Appendix 1 Tables 10-13, and the forward
   selections of the printed logistic models
   (:func:`wagk.synth.refine.refine_groups`).

Who has a value is fixed by the design (``design_bg.yml``); what the value is follows the
latent variable, whose links to the alliance scores and to earlier variables are the calibrated
parameters (``params_bg_v1.json``). Random numbers come from streams
``SeedSequence([seed, 1000 + k])`` per variable (k its position in :data:`ORDER`), so changing one
variable's parameters leaves the draws of the others alone. The item-level tables are not
changed except for the SMS columns and, on the exact path, the answers the third refinement
phase edits.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import special

from wagk import background, codebook, compare
from wagk.synth import generate, links, moments, moments_spec, refine, targets_bg

HERE = Path(__file__).resolve().parent
DESIGN_YML = HERE / "design_bg.yml"
PARAMS_JSON = HERE / "params_bg_v1.json"

SMS_DIMS = ("intrinsic", "identified", "external", "amotivation")
SMS_LATENTS = tuple(f"sms{w}_{d}" for w in (1, 2) for d in SMS_DIMS)
OUTCOMES = ("no_show", "formal_action", "dropout", "early_help")
RISC_SCALES = ("risc_scale_01_02", "risc_scale_03", "risc_scale_04", "risc_scale_05", "risc_scale_06",
               "risc_scale_07", "risc_scale_08", "risc_scale_09", "risc_scale_10", "risc_scale_11",
               "risc_scale_12")
LIKERT = ("exp_prior_supervision", "exp_court_case", "exp_advisor", "exp_previous_po", "exp_detention_staff",
          "addiction_w1", "addiction_w2", "lvb", "conscience_normal", "client_difficult_w1", "po_competent_w1",
          "client_difficult_w2", "po_competent_w2")
#: generation order of the client-level variables (also the random stream order)
ORDER = ("client_age_group", "client_gender", "detention_history", "detention_count", "detention_recency",
         "court_case", "prior_supervision", "advice_report", "po_change", "po_change_t1",
         "living_situation_w1", "living_situation_w2", "work_situation_w1", "work_situation_w2",
         "community_service_w1", "community_service_w2", "sanction_type_w1", "sanction_type_w2",
         "risc_category", "exp_prior_supervision", "exp_court_case", "exp_advisor", "exp_previous_po",
         "exp_detention_staff", "addiction_w1", "addiction_w2", "lvb", "conscience_normal",
         "client_difficult_w1", "po_competent_w1", "client_difficult_w2", "po_competent_w2") + OUTCOMES
STREAMS = {name: 1000 + k for k, name in enumerate(
    ORDER + ("officers", "impute", "sms", "sms_items", "outcome_items", "risc_scales", "age", "sanction",
             "addiction_items", "sms_missing", "refine_groups"))}
#: table of each generated client-level column
TABLE_OF = {
    "client_gender": "clients", "client_age": "clients", "client_age_group": "clients",
    "detention_history": "clients", "detention_count": "clients", "detention_recency": "clients",
    "court_case": "clients", "prior_supervision": "clients", "advice_report": "clients", "po_change": "clients",
    "po_change_t1": "client_w1", "living_situation_w1": "client_w1", "living_situation_w2": "client_w2",
    "work_situation_w1": "client_w1", "work_situation_w2": "client_w2", "community_service_w1": "client_w1",
    "community_service_w2": "client_w2", "sanction_type_w1": "client_w1", "sanction_type_w2": "client_w2",
    "exp_prior_supervision": "client_w1", "exp_court_case": "client_w1", "exp_advisor": "client_w1",
    "exp_previous_po": "client_w1", "exp_detention_staff": "client_w1", "lvb": "po_w1",
    "conscience_normal": "po_w1", "client_difficult_w1": "po_w1", "po_competent_w1": "po_w1",
    "client_difficult_w2": "po_w2", "po_competent_w2": "po_w2",
    "risc_category": "registry", "dropout": "registry", "early_help": "registry",
}
#: tolerance of the difference between the means of two groups (the third phase's contrasts:
#: the tests of two groups hang on it more than on either mean)
GROUP_CONTRAST_TOL = 0.05
#: a test's target (refine.Problem.add_tests: sqrt(F); a correlation narrowed to its significance
#: category) aims at the middle of the values the reproduction report accepts, with this share
#: of the half-width as tolerance
TEST_TOL_SHARE = 0.8
LOGIT_TOL = 0.04  # tolerance of the contrasts a printed logistic model implies (refine.refine_groups)
DEBUG: list = []  # set to [None] to collect unmet design targets (var, weight, wanted, got)
ADDICTION_ITEMS = ("addiction_alcohol", "addiction_cannabis", "addiction_harddrugs", "addiction_gambling")


def rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), STREAMS[stream]]))


def load_design(path: Path | str = DESIGN_YML) -> dict:
    return generate.load_design(path)


def load_params(path: Path | str = PARAMS_JSON) -> dict:
    return generate.load_params(path)


# ------------------------------------------------------------------------------------------
# flags
# ------------------------------------------------------------------------------------------

def base_flags(pop: links.Population) -> pd.DataFrame:
    f = pop.flags.copy()
    sc4 = ("trust", "goals", "bond", "reactance")
    f["g"] = f["has_c1_goals"]
    for k in ("c1", "c2", "p1", "p2"):
        f[f"{k}all"] = f[[f"has_{k}_{s}" for s in sc4]].all(axis=1) & f[k]
    for w in (1, 2):
        f[f"d{w}all"] = (f[[f"has_c{w}_{s}" for s in sc4 + ("total",)]].all(axis=1)
                         & f[[f"has_p{w}_{s}" for s in sc4 + ("total",)]].all(axis=1))
    f["pdall"] = f["p1all"] & f["p2all"]
    return f


def _set_flags(flags: pd.DataFrame, var: str, values: np.ndarray, codes) -> pd.DataFrame:
    new = {f"known:{var}": ~np.isnan(values), **{f"{var}={c}": values == c for c in codes}}
    return pd.concat([flags.drop(columns=[c for c in new if c in flags.columns]),
                      pd.DataFrame(new, index=flags.index)], axis=1)


# ------------------------------------------------------------------------------------------
# one variable
# ------------------------------------------------------------------------------------------

def _targets(spec: dict, flags: pd.DataFrame, cell: np.ndarray, tab: pd.DataFrame, states: list,
             popmask: np.ndarray) -> list:
    """Targets of :func:`links.allocate` from a design entry."""
    C = len(tab)
    cell_pop = np.zeros(C, bool)
    cell_pop[np.unique(cell[popmask])] = True
    if (popmask != cell_pop[cell]).any():
        raise ValueError("population flags must be part of the cell definition")
    out = []
    level_states = np.array([s != "missing" for s in states])
    # nobody outside the population has a value
    out.append((~cell_pop, level_states, 0.0, 1000.0))
    for code, n in (spec.get("levels") or {}).items():
        sm = np.array([s == code for s in states])
        out.append((cell_pop, sm, float(n), 100.0))

    first = np.full(C, -1)
    first[cell[::-1]] = np.arange(len(cell))[::-1]

    def cells_where(where):
        m = links.select(flags, where)
        return m[first].astype(bool)

    for t in spec.get("known") or []:
        out.append((cells_where(t["where"]), level_states, float(t["n"]), float(t.get("weight", 10))))
    for t in spec.get("counts") or []:
        lv = t["level"] if isinstance(t["level"], list) else [t["level"]]
        sm = np.array([s in lv for s in states])
        out.append((cells_where(t["where"]), sm, float(t["n"]), float(t.get("weight", 10))))
    return out


def _used_flags(spec: dict) -> list[str]:
    used = []
    for f in spec.get("population", []):
        used.append(f.lstrip("!"))
    for t in (spec.get("known") or []) + (spec.get("counts") or []):
        for f in t["where"]:
            used.append(f.lstrip("!"))
    return list(dict.fromkeys(used))


def design_states(var: str, spec: dict, score: np.ndarray, flags: pd.DataFrame, gen: np.random.Generator,
                  known_rate: float | None = None, return_cells: bool = False):
    """Values of one variable: codes of ``spec['levels']`` (or 1.0 = known, for variables whose
    values come later) per person, NaN when missing."""
    popmask = links.select(flags, spec.get("population"))
    levels = spec.get("levels")
    if levels:
        codes = list(levels)
        counts = [int(levels[c]) for c in codes]
    else:
        codes = [1]
        known = [t["n"] for t in spec.get("known") or [] if t["where"] == spec["population"][:1]]
        n_known = int(known[0]) if known else int(popmask.sum()) if known_rate is None else int(
            round(known_rate * popmask.sum()))
        counts = [n_known]
    npop = int(popmask.sum())
    miss_rate = max(npop - sum(counts), 0) / npop if npop else 0.0
    states = ["missing"] + codes
    cell, tab = links.cells_of(flags, _used_flags(spec))
    natural = links.natural_counts(cell, len(tab), score, popmask, counts, miss_rate)
    targets = _targets(dict(spec, levels=dict(zip(codes, counts))), flags, cell, tab, states, popmask)
    alloc = links.allocate(cell, states, natural, targets)
    if DEBUG:
        for cm, sm, val, w in targets:
            got = alloc[np.ix_(cm, sm)].sum()
            if abs(got - val) > 0.5:
                DEBUG.append((var, w, val, int(got)))
    order = gen.permutation(len(score))
    idx = links.assign(cell, alloc, score, order)
    if return_cells:
        return idx, cell, codes
    out = np.full(len(score), np.nan)
    for s, code in enumerate(codes, start=1):
        out[idx == s] = code
    return out


# ------------------------------------------------------------------------------------------
# the generator
# ------------------------------------------------------------------------------------------

class _State:
    def __init__(self, pop, params, design, seed, exact=True):
        self.exact = exact
        self.pop = pop
        self.params = params
        self.design = design
        self.seed = seed
        self.flags = base_flags(pop)
        self.X = pop.X.copy()
        self.Q = links.basis(pop.X.to_numpy(float))
        self.values: dict[str, np.ndarray] = {}
        self.latents: dict[str, np.ndarray] = {}
        self.n = len(pop.ids)

    def noise(self, gen: np.random.Generator, X: np.ndarray, m: int, Q: np.ndarray | None = None) -> np.ndarray:
        """m noise columns: orthogonal to X in this sample (exact, :func:`links.orthogonal_noise`)
        or plain standard normals (``exact=False``: sampling variability)."""
        if self.exact:
            return links.orthogonal_noise(gen, X, m, Q)
        return gen.standard_normal((X.shape[0], m))

    def latent(self, var: str, noise: np.ndarray | None = None) -> np.ndarray:
        """The variable's latent: requested correlations met in the whole sample, and for a
        variable asked of a subgroup only (e.g. experiences of a court case), in that subgroup."""
        rho = self.params["links"].get(var, {})
        rho = {k: v for k, v in rho.items() if k in self.X.columns}
        gen = rng(self.seed, var)
        if noise is None:
            noise = self.noise(gen, self.X.to_numpy(float), 1, self.Q)[:, 0]
        L = links.latent(self.X, rho, noise)
        spec = self.design["variables"].get(var, {})
        pop = spec.get("population", [])
        if any("=" in f for f in pop):
            m = links.select(self.flags, pop)
            if m.sum() > 20:
                Xs = self.X.loc[m]
                Xs = (Xs - Xs.mean()) / Xs.std(ddof=0).replace(0, 1)
                support = [k for k, v in rho.items() if v != 0]
                e = self.noise(gen, Xs[support].to_numpy(float), 1)[:, 0]
                L = L.copy()
                L[m] = links.latent(Xs, rho, e)
        self.latents[var] = L
        self.X = pd.concat([self.X.drop(columns=[f"bg:{var}"], errors="ignore"),
                            pd.DataFrame({f"bg:{var}": links.standardise(L)}, index=self.X.index)], axis=1)
        return L

    def discrete(self, var: str) -> np.ndarray:
        L = self.latent(var)
        spec = self.design["variables"][var]
        gen = rng(self.seed, var)
        idx, cell, codes = design_states(var, spec, L, self.flags, gen, return_cells=True)
        targets = self.moment_targets(var, codes) if self.exact else []
        if targets:
            idx = moments.refine(idx, targets, cell, gen, n_states=len(codes) + 1)
        vals = np.full(self.n, np.nan)
        for s_, code in enumerate(codes, start=1):
            vals[idx == s_] = code
        self.values[var] = vals
        self.flags = _set_flags(self.flags, var, vals, spec.get("levels") or [])
        return vals

    def score(self, name: str) -> np.ndarray:
        if name.startswith("val:"):
            v = name[4:]
            if v == "addicted":
                a = self.values["addiction_w1"]
                return np.where(np.isnan(a), np.nan, (a >= 5).astype(float))
            return np.asarray(self.values[v], float)
        return self.pop.raw[name].to_numpy(float)

    def moment_targets(self, var: str, codes: list) -> list:
        """Targets of :func:`moments.refine` for one variable from ``params["moments"]``."""
        specs = self.params.get("moments", {}).get(var, [])
        state_of = {c: i for i, c in enumerate(codes, start=1)}
        out = []
        for m in specs:
            sub = links.select(self.flags, m.get("subset"))
            kind = m["kind"]
            tol = float(m.get("tol", 0.05))
            w = float(m.get("weight", 1.0))
            if kind == "logit":
                X = np.column_stack([self.score(c) for c in m["scores"]])
                ok = sub & ~np.isnan(X).any(axis=1)
                if ok.sum() < 10:
                    continue
                cov = np.cov(X[ok], rowvar=False)
                d = cov @ np.asarray(m["b"], float)
                for j, c in enumerate(m["scores"]):
                    out.append(moments.Target("D", ok, np.nan_to_num(X[:, j]), float(d[j]), tol, w,
                                              levels=(state_of[1],), levels_b=(state_of[0],)))
                continue
            if kind in ("phi", "chi"):
                other = self.values[m["other"]] if m["other"] != "addicted" else self.score("val:addicted")
                ok = sub & ~np.isnan(other)
                oth = np.where(ok, other, -1).astype(int)
                out.append(moments.Target(kind, ok, np.zeros(self.n), m["value"], tol, w,
                                          rows=tuple(state_of[c] for c in m["rows"] if c in state_of),
                                          other=oth, cols=tuple(m["cols"])))
                continue
            x = self.score(m["score"])
            ok = sub & ~np.isnan(x)
            if kind in ("M", "SD", "D"):
                out.append(moments.Target(kind, ok, np.nan_to_num(x), m["value"], tol, w,
                                          levels=tuple(state_of[c] for c in m["levels"] if c in state_of),
                                          levels_b=tuple(state_of[c] for c in m.get("levels_b", []) if c in state_of)))
            elif kind == "F":
                groups = tuple(tuple(state_of[c] for c in g if c in state_of) for g in m["groups"])
                out.append(moments.Target(kind, ok, np.nan_to_num(x), m["value"], tol, w, groups=groups))
            elif kind == "r":
                codes_v = np.zeros(len(codes) + 1)
                for c, i in state_of.items():
                    codes_v[i] = c
                xx = np.nan_to_num(x)
                if m.get("spearman"):
                    # ranks of the score among those with a score and a level; the engine turns
                    # the level codes into their mid-ranks
                    known = ok & ~np.isnan(self.latents[var])
                    xr = np.zeros(self.n)
                    xr[known] = pd.Series(x[known]).rank().to_numpy()
                    out.append(moments.Target(kind, ok, xr, m["value"], tol, w, codes=codes_v, spearman=True))
                else:
                    out.append(moments.Target(kind, ok, xx, m["value"], tol, w, codes=codes_v))
        return out

    def likert(self, var: str) -> np.ndarray:
        L = self.latent(var)
        spec = self.design["variables"][var]
        known = design_states(var, spec, L, self.flags, rng(self.seed, var))
        vals = np.full(self.n, np.nan)
        k = ~np.isnan(known)
        m = self.params["marginals"][var]
        vals[k] = links.quantile_map_discrete(L[k], m["values"], m["probs"])
        self.values[var] = vals
        self.flags = _set_flags(self.flags, var, vals, [])
        return vals


def _officers(st: _State, tables: dict) -> pd.DataFrame:
    """Officer characteristics, officer level."""
    pop, p, d = st.pop, st.params, st.design["officers"]
    officers = tables["officers"]["po_id"].astype(str).tolist()
    w1 = set(tables["po_w1"]["po_id"].astype(str))
    w2 = set(tables["po_w2"]["po_id"].astype(str))
    part = [o for o in officers if o in w1 or o in w2]
    # officer-level predictors: mean of the clients' predictors
    X = st.pop.X
    by1 = pd.Series(pop.po1.astype(str).to_numpy(), index=pop.ids)
    off2 = pop.po2.where(pop.po2 != "", pop.po1).astype(str)
    w1cols = [c for c in X.columns if c.startswith(("c1_", "p1_"))]
    w2cols = [c for c in X.columns if c.startswith(("c2_", "p2_", "cd_", "pd_"))]
    Xo = pd.concat([X[w1cols].groupby(by1.to_numpy()).mean(), X[w2cols].groupby(off2.to_numpy()).mean()],
                   axis=1).reindex(part)
    Xo = Xo.fillna(Xo.mean())
    Xo = (Xo - Xo.mean()) / Xo.std(ddof=0).replace(0, 1)
    g = rng(st.seed, "officers")
    E = st.noise(g, Xo.to_numpy(float), 4)
    out = pd.DataFrame(index=pd.Index(officers, name="po_id"))
    # age group: exact counts among the wave-1 and the wave-2 officers
    L_age = links.latent(Xo, p["officer_links"].get("po_age", {}), E[:, 0])
    fl = pd.DataFrame({"w1": [o in w1 for o in part], "w2": [o in w2 for o in part]}, index=part)
    cell, tab = links.cells_of(fl, ["w1", "w2"])
    codes = sorted(int(c) for c in d["po_age"]["w1"])
    states = ["missing"] + codes
    lv1 = [int(d["po_age"]["w1"][c]) for c in codes]
    natural = links.natural_counts(cell, len(tab), L_age, np.ones(len(part), bool), lv1, 0.0)
    targets = []
    for wave in ("w1", "w2"):
        cm = tab[wave].to_numpy(bool)
        for c in codes:
            targets.append((cm, np.array([s == c for s in states]), float(d["po_age"][wave][c]), 100.0))
    alloc = links.allocate(cell, states, natural, targets)
    idx = links.assign(cell, alloc, L_age, g.permutation(len(part)))
    age = np.array([np.nan] + codes, float)[idx]
    out.loc[part, "po_age"] = age
    # experience: rises with age; exact count of officers without an answer
    Xo2 = Xo.assign(age=links.standardise(L_age))
    L_exp = links.latent(Xo2, p["officer_links"].get("po_experience_years", {}), E[:, 1])
    ex = d["po_experience_years"]
    k_shape = (ex["M"] / ex["SD"]) ** 2
    theta = ex["SD"] ** 2 / ex["M"]  # gamma shape and scale; special.gammaincinv gives its quantiles
    years = links.quantile_map_continuous(L_exp, lambda u: np.minimum(
        np.round(special.gammaincinv(k_shape, u) * theta), ex["max"]))
    n1 = [o for o in part if o in w1]
    n_missing = len(n1) - int(ex["w1_known"])
    miss = _officer_missing(st, n1, n_missing, ex.get("known", []), g)
    years = np.where([o in miss for o in part], np.nan, years)
    out.loc[part, "po_experience_years"] = years
    # gender and education
    for j, var in ((2, "po_gender"), (3, "po_education")):
        L = links.latent(Xo2, p["officer_links"].get(var, {}), E[:, j])
        cnt = d[var]["w1"]
        codes_v = list(cnt)
        vals = links.quantile_map_discrete(L, [int(c) for c in codes_v], [cnt[c] for c in codes_v])
        spec = d[var]
        if spec.get("missing"):
            gone = _officer_missing(st, n1, int(spec["missing"]), spec.get("known", []), g)
            vals = np.where([o in gone for o in part], np.nan, vals)
        out.loc[part, var] = vals
    return out.reset_index()


def _officer_missing(st: _State, officers: list, k: int, known: list, g: np.random.Generator) -> set:
    """k officers without an answer, chosen so that the clients of the published tests whose
    officer answered number as printed (``known``: where flags, wave of the officer, n)."""
    if k <= 0:
        return set()
    pop = st.pop
    off = {1: pop.po1.astype(str), 2: pop.po2.where(pop.po2 != "", pop.po1).astype(str)}
    idx = {o: i for i, o in enumerate(officers)}
    rows, vals = [], []
    for t in known:
        m = links.select(st.flags, t["where"])
        who = off[int(t.get("wave", 1))][m]
        counts = np.zeros(len(officers))
        for o, c in who.value_counts().items():
            if o in idx:
                counts[idx[o]] = c
        total = counts.sum()
        rows.append(counts)
        vals.append(total - float(t["n"]))  # clients whose officer must be without an answer
    n = len(officers)
    if not rows:
        return set(g.choice(officers, size=k, replace=False).tolist())
    from scipy import optimize
    T = len(rows)
    # variables: x (n, binary), dp, dm (T); minimise deviations + a tiny random tie-break
    c = np.r_[g.random(n) * 1e-3, np.ones(2 * T)]
    A = np.zeros((T + 1, n + 2 * T))
    lo, hi = [], []
    for t in range(T):
        A[t, :n] = rows[t]
        A[t, n + t] = -1
        A[t, n + T + t] = 1
        lo.append(vals[t]); hi.append(vals[t])
    A[T, :n] = 1
    lo.append(k); hi.append(k)
    res = optimize.milp(c, constraints=optimize.LinearConstraint(A, lo, hi),
                        integrality=np.r_[np.ones(n), np.zeros(2 * T)],
                        bounds=optimize.Bounds(np.zeros(n + 2 * T), np.r_[np.ones(n), np.full(2 * T, np.inf)]),
                        options={"time_limit": 2.0})
    x = np.rint(res.x[:n]) if res.x is not None else np.zeros(n)
    return {officers[i] for i in np.flatnonzero(x > 0.5)}


def _client_age(st: _State) -> np.ndarray:
    """Age in years within the age group, by the group's latent rank (one 17-year-old)."""
    grp = st.values["client_age_group"]
    L = st.latents["client_age_group"]
    bands = {1: (17, 22), 2: (23, 30), 3: (31, 40), 4: (41, 50), 5: (51, 60), 6: (61, 79)}
    age = np.full(st.n, np.nan)
    for code, (lo, hi) in bands.items():
        m = grp == code
        if not m.any():
            continue
        sub = L[m]
        if code == 1:
            vals = links.quantile_map_continuous(sub, lambda u: np.floor(18 + u * 5))
            vals[np.argmin(sub)] = 17
        elif code == 6:
            vals = links.quantile_map_continuous(sub, lambda u: np.round(61 + (u ** 1.6) * 18))
            vals[np.argmax(sub)] = 79  # the oldest client (6.12.1: maximum 79)
        else:
            vals = links.quantile_map_continuous(sub, lambda u: np.floor(lo + u * (hi - lo + 1)))
        age[m] = vals
    # one client with an age group but no exact age (Table 6.8 n = 300, 6.12.1 n = 299),
    # outside the wave-2 group (S8.3.2a)
    cand = np.flatnonzero(~np.isnan(age) & ~st.flags["c2"].to_numpy() & (grp != 1) & (grp != 6))
    if len(cand):
        age[rng(st.seed, "age").choice(cand)] = np.nan
    return age


def _risc_scales(st: _State) -> dict:
    cat = st.values["risc_category"]
    L = st.latents["risc_category"]
    g = rng(st.seed, "risc_scales")
    known = ~np.isnan(cat)
    out = {}
    U = g.standard_normal((st.n, len(RISC_SCALES)))
    for j, s in enumerate(RISC_SCALES):
        spec = st.params["risc_scales"][s]
        a = spec["load"]
        z = a * links.standardise(L) + np.sqrt(1 - a * a) * U[:, j]
        vals = np.full(st.n, np.nan)
        q = integer_quantiles(int(known.sum()), spec["M"], spec["SD"])
        vals[known] = links.quantile_map_continuous(z[known], lambda u: q[np.minimum((u * len(q)).astype(int),
                                                                                        len(q) - 1)])
        out[s] = vals
    return out


@lru_cache(maxsize=64)
def _integer_quantiles(n: int, M: float, SD: float) -> tuple:
    from scipy import optimize

    u = (np.arange(n) + 0.5) / n

    def values(x):
        k, th = np.exp(x)
        return np.round(special.gammaincinv(k, u) * th)  # gamma quantiles

    def loss(x):
        v = values(x)
        return (v.mean() - M) ** 2 + (v.std(ddof=1) - SD) ** 2

    x0 = np.log([(M / SD) ** 2, SD ** 2 / M])
    best = optimize.minimize(loss, x0, method="Nelder-Mead", options={"xatol": 1e-4, "fatol": 1e-8, "maxiter": 400})
    return tuple(values(best.x))


def integer_quantiles(n: int, M: float, SD: float) -> np.ndarray:
    """n sorted non-negative whole numbers (rounded gamma quantiles) whose mean and SD come as
    close to M and SD as rounding allows: the distribution of a RISc scale score."""
    return np.asarray(_integer_quantiles(int(n), round(float(M), 4), round(float(SD), 4)))


def _sms(st: _State) -> dict:
    """The eight SMS latents (4 dimensions x 2 waves) with correlated residuals."""
    p = st.params["sms"]
    g = rng(st.seed, "sms")
    E = st.noise(g, st.X.to_numpy(float), len(SMS_LATENTS), st.Q)
    R = np.asarray(p["residual"], float)
    w, V = np.linalg.eigh(R)
    R = V @ np.diag(np.clip(w, 1e-3, None)) @ V.T
    d = np.sqrt(np.diag(R))
    R = R / np.outer(d, d)
    E = E @ np.linalg.cholesky(R).T
    lat = {}
    for j, name in enumerate(SMS_LATENTS):
        rho = {k: v for k, v in st.params["links"].get(name, {}).items() if k in st.X.columns}
        lat[name] = links.latent(st.X, rho, E[:, j])
    return lat


def _sms_items(st: _State, lat: dict, tables: dict) -> dict[int, pd.DataFrame]:
    """SMS answers per wave (index client_id), with the design's missing answers."""
    from wagk.motivation import sms_key
    key = sms_key()
    dim_of = {i: name for name, items in key.items() for i in items}
    p = st.params["sms"]["items"]
    g = rng(st.seed, "sms_items")
    out = {}
    items = [i for name in key for i in key[name]]
    items = sorted(items)
    U = g.standard_normal((2, st.n, len(items)))
    for w in (1, 2):
        ids = tables[f"client_w{w}"]["client_id"].to_numpy()
        m = st.pop.ids.isin(ids)
        block = {}
        for j, it in enumerate(items):
            dim = dim_of[it].replace("sms_", "")
            spec = p[it]
            z = spec["load"] * lat[f"sms{w}_{dim}"] + np.sqrt(1 - spec["load"] ** 2) * U[w - 1, :, j]
            vals = np.full(st.n, np.nan)
            vals[m] = links.quantile_map_discrete(z[m], list(range(1, 8)), spec["probs"])
            block[it] = vals
        out[w] = pd.DataFrame(block, index=st.pop.ids)
    # missing answers (design: sms_missing)
    gm = rng(st.seed, "sms_missing")
    for t in st.design.get("sms_missing", []):
        cand = np.flatnonzero(links.select(st.flags, t["where"]))
        cand = [c for c in cand if out[t["wave"]].iloc[c].notna().all()]
        chosen = gm.choice(cand, size=min(int(t["n"]), len(cand)), replace=False)
        cols = [i for name in t["scores"] for i in key[name]]
        for c in chosen:
            out[t["wave"]].iloc[c, [out[t["wave"]].columns.get_loc(i) for i in cols]] = np.nan
    return out


def _outcome_items(st: _State) -> pd.DataFrame:
    """The officer's wave-2 answers behind no_show and formal_action."""
    g = rng(st.seed, "outcome_items")
    ns, fa = st.values["no_show"], st.values["formal_action"]
    yes1 = [(1, 1), (2, 3), (3, 2), (2, 2), (2, 1), (1, 2)]
    p_yes1 = [0.30, 0.28, 0.22, 0.10, 0.05, 0.05]
    no0 = [(3, 3), (1, 3), (3, 1)]
    p_no0 = [0.66, 0.19, 0.15]
    miss = [(4, 3), (3, 4), (4, 4), (1, 4)]
    p_miss = [0.4, 0.3, 0.2, 0.1]
    late, nos = np.full(st.n, np.nan), np.full(st.n, np.nan)
    for i in range(st.n):
        if not st.flags["p2"].iloc[i]:
            continue
        if ns[i] == 1:
            a, b = yes1[g.choice(len(yes1), p=p_yes1)]
        elif ns[i] == 0:
            a, b = no0[g.choice(len(no0), p=p_no0)]
        else:
            a, b = miss[g.choice(len(miss), p=p_miss)]
        late[i], nos[i] = a, b
    cols = {c: np.full(st.n, np.nan) for c in ("out_warning", "out_instruction", "out_commissioner_continuation")}
    for i in range(st.n):
        if not st.flags["p2"].iloc[i]:
            continue
        if fa[i] == 1:
            k = g.integers(1, 4)
            on = g.choice(3, size=k, replace=False)
            v = [3, 3, 3]
            for j in on:
                v[j] = 1 if g.random() < 0.7 else 2
        elif fa[i] == 0:
            v = [3, 3, 3]
        else:
            v = [3, 3, 3]
            for j in g.choice(3, size=g.integers(1, 4), replace=False):
                v[j] = 4
        for j, c in enumerate(cols):
            cols[c][i] = v[j]
    return pd.DataFrame({"out_late": late, "out_no_show": nos, **cols}, index=st.pop.ids)


def _addiction_items(st: _State, score: np.ndarray) -> pd.DataFrame:
    """Four addiction items whose highest value is the addiction score."""
    g = rng(st.seed, "addiction_items")
    out = np.full((st.n, 4), np.nan)
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    for i in np.flatnonzero(~np.isnan(score)):
        top = int(score[i])
        j = g.choice(4, p=weights)
        row = g.integers(1, top + 1, size=4).astype(float) if top > 1 else np.ones(4)
        row = np.minimum(row, np.maximum(1, top - g.integers(0, 4, size=4)))
        row[j] = top
        out[i] = row
    return pd.DataFrame(out, columns=list(ADDICTION_ITEMS), index=st.pop.ids)


def extend(sim, params: dict | None = None, design: dict | None = None, seed: int | None = None,
           exact: bool = True, integers: bool = True) -> dict[str, pd.DataFrame]:
    """The seven tables of the data contract for a simulated study (module docstring).

    ``exact=False`` is for Monte Carlo studies of sampling variability (as
    :func:`wagk.synth.generate.simulate`'s ``exact``): the noise of every latent variable is
    drawn plainly instead of orthogonal to its predictors in the sample, and the levels are not
    exchanged to meet the calibrated sample moments (:func:`moments.refine`), so the correlations
    and moments vary from sample to sample around their calibrated values. Who has a value and
    how many have each level (the design's counts) stay fixed.

    ``integers=False`` leaves the added columns float (NaN for missing) instead of turning the
    whole-numbered ones into ``Int64`` for writing: for tables used in memory
    (:func:`wagk.contract.from_tables` reads both alike).
    """
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        return _extend(sim, params, design, seed, exact, integers)


def _extend(sim, params, design, seed, exact=True, integers=True) -> dict[str, pd.DataFrame]:
    params = params or load_params()
    design = design or load_design()
    seed = int(params["seed"] if seed is None else seed)
    tables = {k: v.copy() for k, v in sim.tables.items()}
    pop = links.population(sim, rng=rng(seed, "impute"))
    st = _State(pop, params, design, seed, exact)
    officers = _officers(st, tables)
    # officer characteristics as client-level predictors (the officer at wave 1 and at wave 2)
    o = officers.set_index("po_id")
    off2 = pop.po2.where(pop.po2 != "", pop.po1)
    extra = {}
    for var in ("po_age", "po_experience_years", "po_gender"):
        for w, who in ((1, pop.po1), (2, off2)):
            v = who.map(o[var]).astype(float).to_numpy()
            extra[f"off{w}:{var}"] = np.nan_to_num(links.standardise(v), nan=0.0)
    st.X = pd.concat([st.X, pd.DataFrame(extra, index=st.X.index)], axis=1)
    for var in ORDER[:-len(OUTCOMES)]:
        if var in LIKERT:
            st.likert(var)
        else:
            st.discrete(var)
        if var == "client_age_group":
            st.values["client_age"] = _client_age(st)
    rs = _risc_scales(st)
    add = st.values["addiction_w1"]
    st.flags = pd.concat([st.flags, pd.DataFrame({"addicted": add >= 5}, index=st.flags.index)], axis=1)
    sms_lat = _sms(st)
    st.X = pd.concat([st.X, pd.DataFrame({f"bg:{k}": links.standardise(v) for k, v in sms_lat.items()},
                                         index=st.X.index)], axis=1)
    for var in OUTCOMES:
        st.discrete(var)
    kept = getattr(sim, "refinement", None)  # a refined simulation (generate.simulate, exact path)
    sms = _sms_items(st, sms_lat, tables)  # from the latent scores alone: the phase below does not change them
    if exact and kept is not None:
        _refine_groups(st, kept, tables, officers, sms)
    outcome_items = _outcome_items(st)
    return assemble(st, tables, officers, rs, sms, outcome_items, integers)


def _derived_values(st: _State, officers: pd.DataFrame) -> dict[str, np.ndarray]:
    """The derived client-level variables of :data:`wagk.synth.moments_spec.DERIVED_GROUPS`, as
    :func:`wagk.background.add_derived` computes them from the data (NaN unknown)."""
    o = officers.set_index("po_id")
    off2 = st.pop.po2.where(st.pop.po2 != "", st.pop.po1)  # the wave-2 questionnaire's officer, else wave 1's
    age2 = off2.map(o["po_age"]).astype(float).to_numpy()
    decade = background.age_decade(pd.Series(st.values["client_age"])).cat.codes.to_numpy().astype(float)
    group = st.values["client_age_group"]
    return {"po_gender_w2": off2.map(o["po_gender"]).astype(float).to_numpy(),
            "po_age_over30_w2": np.where(np.isnan(age2), np.nan, (age2 > 1).astype(float)),
            "client_age_decade": np.where(decade < 0, np.nan, decade),
            "young_adult": np.where(np.isnan(group), np.nan, (group == 1).astype(float))}


def _refine_groups(st: _State, kept: dict, tables: dict, officers: pd.DataFrame, sms: dict) -> None:
    """The item-level refinement's third phase (:func:`wagk.synth.refine.refine_groups`): with
    the clients now in their groups, the alliance answers are edited towards the published means
    and SDs of the scores within the groups; the edited answers replace those in ``tables``."""
    prob, client_ids = copy.deepcopy(kept["problem"]), kept["client_ids"]  # the simulation may be extended again
    pos = st.pop.ids.get_indexer(client_ids)  # problem row -> position in this stage
    tolerances = prob.tolerances
    values = {**st.values, **_derived_values(st, officers)}

    def members_in(var, codes, subset):  # problem rows: the group's clients with every questionnaire of subset
        rows = np.isin(values[var][pos], codes)
        for k in subset:
            rows &= prob.members[k]
        return rows

    groups = []
    for spec in moments_spec.group_descriptives():
        comps, absval = moments_spec.score_components(spec["score"])
        rows = members_in(spec["var"], spec["codes"], spec["subset"])
        stats = {}
        for stat, value in spec["stats"].items():
            stats[stat] = (value, compare.rule_for(stat, "descriptives", "", tolerances).limit(value))
        groups.append(dict(comps=comps, rows=rows, absval=absval, stats=stats))
    models = []
    spec_all = moments_spec.build()
    for o in OUTCOMES:
        y = st.values[o][pos]
        for m in spec_all.get(o, []):
            if m["kind"] != "logit":
                continue
            comps = [moments_spec.score_components(c)[0] for c in m["scores"]]
            X = prob.score_matrix(comps)
            ok = ~np.isnan(X).any(axis=1) & ~np.isnan(y)
            for k in m["subset"]:
                ok &= prob.members[k]
            if ok.sum() < 10:
                continue
            d = np.cov(X[ok], rowvar=False) @ np.asarray(m["b"], float)
            models.append(dict(comps=comps, rows=ok, y=y[ok], selected={j for j, b in enumerate(m["b"]) if b != 0},
                               contrasts=[dict(comps=cc, rows=ok & (y == 1), rows_b=ok & (y == 0), value=d[j],
                                               tol=LOGIT_TOL) for j, cc in enumerate(comps)]))
    contrasts = [dict(comps=moments_spec.score_components(spec["score"])[0],
                      rows=members_in(spec["var"], spec["codes"], spec["subset"]),
                      rows_b=members_in(spec["var"], spec["codes_b"], spec["subset"]),
                      value=spec["value"], tol=GROUP_CONTRAST_TOL) for spec in moments_spec.group_contrasts()]
    tests = []
    for spec in moments_spec.group_tests():
        comps, absval = moments_spec.score_components(spec["score"])
        rows = [members_in(spec["var"], codes, spec["subset"]) for codes in spec["groups"]]
        n = int(sum(r.sum() for r in rows))
        iv = _root_f_interval(spec["F"], spec["p"], len(rows) - 1, n - len(rows), tolerances)
        if iv is not None:
            tests.append(dict(comps=comps, groups=rows, absval=absval, value=(iv[0] + iv[1]) / 2,
                              tol=TEST_TOL_SHARE * (iv[1] - iv[0]) / 2))
    refine.refine_groups(prob, groups, rng(st.seed, "refine_groups"), models=models, contrasts=contrasts, tests=tests,
                         correlations=_fixed_correlations(st, prob, pos) + _sms_correlations(prob, pos, sms),
                         score_correlations=_convergent_correlations(prob))
    for k, name in (("c1", "client_w1"), ("c2", "client_w2"), ("p1", "po_w1"), ("p2", "po_w2")):
        rows = prob.members[k]
        cols = [c for c in prob.cols[k] if not c.startswith("sms_")]
        idx = [prob.cols[k].index(c) for c in cols]
        new = pd.DataFrame(prob.X[k][rows][:, idx], columns=cols, index=client_ids[rows]).astype("Int64")
        q = tables[name].set_index("client_id")
        q[cols] = new.reindex(q.index)
        tables[name] = q.reset_index()


def _root_f_bounds(p: tuple, df1: int, df2: int) -> tuple[float, float]:
    """The values of sqrt(F) (df1, df2) whose p lies in the interval ``p`` (for df1 = 1: |t|)."""
    lo = float(special.fdtri(df1, df2, 1 - p[1])) ** 0.5 if p[1] < 1 else 0.0
    hi = float(special.fdtri(df1, df2, 1 - p[0])) ** 0.5 if p[0] > 0 else np.inf
    return lo, hi


def _root_f_interval(F: float | None, p: tuple | None, df1: int, df2: int,
                     tolerances: dict) -> tuple[float, float] | None:
    """The values of sqrt(F) (df1, df2; for two groups the |t|) the reproduction report accepts for
    a published F (its tolerance) and p (the interval of p values of its category); where the two
    do not meet, the category's."""
    by_f = None
    if F is not None:
        lim = compare.rule_for("F", "anova", "", tolerances).limit(F)
        by_f = (max(F - lim, 0.0) ** 0.5, (F + lim) ** 0.5)
    by_p = _root_f_bounds(p, df1, df2) if p is not None and df2 > 0 else None
    out = (moments_spec.meet(by_f, by_p) or by_p) if by_f and by_p else by_f or by_p
    if out and not np.isfinite(out[1]):  # '***' without an F: up to half as far again
        out = (out[0], 1.5 * out[0])
    return out


def _r_target(value: float, tol: float, p: tuple | None, n: int) -> tuple[float, float]:
    """(value, tolerance) of a correlation target: the published value and tolerance, narrowed to
    the correlations whose significance category (p interval ``p``, n pairs) the reproduction
    report accepts where the tolerance band reaches beyond them."""
    if p is None or n < 4:
        return value, tol
    df = n - 2
    t_lo, t_hi = _root_f_bounds(p, 1, df)
    r_lo, r_hi = t_lo / (df + t_lo ** 2) ** 0.5, (t_hi / (df + t_hi ** 2) ** 0.5 if np.isfinite(t_hi) else 1.0)
    sign = 1.0 if value >= 0 else -1.0
    band = (abs(value) - tol, abs(value) + tol)
    if band[0] >= r_lo and band[1] <= r_hi:
        return value, tol
    lo, hi = moments_spec.meet(band, (r_lo, r_hi)) or (r_lo, min(r_hi, r_lo + 2 * tol))
    return sign * (lo + hi) / 2, TEST_TOL_SHARE * (hi - lo) / 2


def _convergent_correlations(prob: refine.Problem) -> list[dict]:
    """The published correlations of Appendix 1 Tables 10-13 between the alliance scales and the
    WAI and DRI-R subscales (the first stage's targets, which the third phase's edits of the
    alliance answers would otherwise blur), with the subscales and the tables' monitor variant
    added to the problem's scales (:meth:`wagk.synth.refine.Problem.add_scales`); each aims
    inside its published significance category (:func:`_r_target`)."""
    from wagk import monitor_tables, published

    subscales = codebook.load_subscales()
    tol = compare.rule_for("r", "correlation", "", prob.tolerances).amount
    refs = list(monitor_tables.SUBSCALE_TABLES.values())
    rows = published.load()
    p_of = moments_spec.p_intervals(rows[rows["ref"].isin(refs)])
    out = []
    for (persp, wave), ref in monitor_tables.SUBSCALE_TABLES.items():
        k = f"{persp[0]}{wave}"
        variant = monitor_tables.TABLE_VARIANTS[(ref, persp)]
        monitor = codebook.load_monitor(variant)
        prob.add_scales(k, [(f"{variant}:{s}", monitor.scale(persp, s)) for s in monitor_tables.SCALES]
                        + [(f"subscale:{name}", sc) for name, sc in subscales.items()])
        for s in monitor_tables.SCALES:
            for name in subscales:
                value = prob.lookup.get((ref, persp, str(wave), "correlation", s, name, "r"))
                if value is None:
                    continue
                x = prob.score_matrix([[(k, f"{variant}:{s}", 1.0)], [(k, f"subscale:{name}", 1.0)]])
                n = int((prob.members[k] & ~np.isnan(x).any(axis=1)).sum())
                aim, aim_tol = _r_target(value, tol, p_of.get((ref, s, name)), n)
                out.append(dict(comps=[(k, f"{variant}:{s}", 1.0)], comps_b=[(k, f"subscale:{name}", 1.0)],
                                rows=prob.members[k], value=aim, tol=aim_tol))
    return out


#: the tables of Spearman correlations between alliance scores and second-stage variables, and
#: the questionnaire (context of the refinement) each describes
SPEARMAN_TABLES = {"T8.4": "c1", "T8.5": "c2", "T9.4": "p1", "T9.5": "p2", "T9.6": "p1", "T9.7": "p2"}


def _fixed_correlations(st: _State, prob: refine.Problem, pos: np.ndarray) -> list[dict]:
    """The published Spearman correlations of Tables 8.4-8.5 and 9.4-9.7 as targets of the third
    refinement phase (:meth:`wagk.synth.refine.Problem.add_fixed_correlations`): the phase
    tracks Pearson correlations, so each target is the Pearson correlation of the score with the
    variable's mid-ranks, shifted by the gap between the published and the current Spearman
    correlation. Variables the second stage does not generate per client (officer age and
    experience) are left out."""
    pub = targets_bg.lookup()
    tol = compare.rule_for("rs", "spearman", "", prob.tolerances).amount
    p_of = moments_spec.p_intervals()
    out = []
    for (ref, score, var, stat), value in pub.items():
        if stat != "rs" or ref not in SPEARMAN_TABLES:
            continue
        k = SPEARMAN_TABLES[ref]
        other = st.values.get(var, st.values.get(f"{var}_w{k[1]}"))
        if other is None:
            continue
        other = np.asarray(other, float)[pos]
        comps = [(k, score, 1.0)]
        x = prob.score_matrix([comps])[:, 0]
        ok = prob.members[k] & ~np.isnan(x) & ~np.isnan(other)
        if ok.sum() < 10:
            continue
        ranks = np.full(len(other), np.nan)
        ranks[ok] = pd.Series(other[ok]).rank().to_numpy()
        spearman = np.corrcoef(pd.Series(x[ok]).rank().to_numpy(), ranks[ok])[0, 1]
        pearson = np.corrcoef(x[ok], ranks[ok])[0, 1]
        aim, aim_tol = _r_target(value, tol, p_of.get((ref, score, var)), int(ok.sum()))
        out.append(dict(comps=comps, rows=ok, other=ranks, value=pearson + aim - spearman, tol=aim_tol))
    return out


#: the Pearson correlations of alliance scores with the clients' SMS scores: table -> (the
#: score's parts as in :func:`wagk.synth.moments_spec.score_components`, without the scale; the
#: SMS wave, "diff" for wave 2 minus wave 1)
SMS_TABLES = {"T8.6": ("c1", 1), "T8.7": ("c2", 2), "T8.8": ("cd", "diff"), "T9.8": ("pd", "diff"),
              **{f"S9.8.1{x}": ("p1", 1) for x in "abcdefgh"}}


def _sms_correlations(prob: refine.Problem, pos: np.ndarray, sms: dict) -> list[dict]:
    """The published correlations of Tables 8.6-8.8 and 9.8 (and 9.8.1) between alliance scores and
    the SMS scores as targets of the third phase: the SMS answers come from their own latent
    scores and stay as they are, so the correlations are with fixed variables."""
    from wagk.motivation import SMS_SCORES, score_sms

    scores = {w: score_sms(sms[w])[list(SMS_SCORES)].to_numpy(float)[pos] for w in (1, 2)}
    scores["diff"] = scores[2] - scores[1]
    tol = compare.rule_for("r", "correlation", "", prob.tolerances).amount
    p_of = moments_spec.p_intervals()
    out = []
    for (ref, score, var, stat), value in targets_bg.lookup().items():
        if stat != "r" or ref not in SMS_TABLES or var not in SMS_SCORES:
            continue
        pre, wave = SMS_TABLES[ref]
        comps, _absval = moments_spec.score_components(f"{pre}_{moments_spec.SHORT[score]}")
        other = scores[wave][:, SMS_SCORES.index(var)]
        x = prob.score_matrix([comps])[:, 0]
        n = int((~np.isnan(x) & ~np.isnan(other)).sum())
        aim, aim_tol = _r_target(value, tol, p_of.get((ref, score, var)), n)
        out.append(dict(comps=comps, rows=np.ones(len(pos), bool), other=other, value=aim, tol=aim_tol))
    return out


def assemble(st: _State, tables: dict, officers: pd.DataFrame, rs: dict, sms: dict, outcome_items: pd.DataFrame,
             integers: bool = True) -> dict:
    ids = st.pop.ids
    val = {k: pd.Series(v, index=ids) for k, v in st.values.items()}
    out = {}
    cl = tables["clients"].set_index("client_id")
    for col in ("client_gender", "client_age", "client_age_group", "detention_history", "detention_count",
                "detention_recency", "court_case", "prior_supervision", "advice_report", "po_change"):
        cl[col] = val[col].reindex(cl.index)
    out["clients"] = cl.reset_index()
    out["officers"] = tables["officers"][["po_id"]].merge(officers, on="po_id", how="left")
    for w in (1, 2):
        q = tables[f"client_w{w}"].set_index("client_id")
        items = sms[w].reindex(q.index)
        for c in items.columns:
            q[c] = items[c]
        wave_cols = [c for c, t in TABLE_OF.items() if t == f"client_w{w}"]
        for c in wave_cols:
            name = c[:-3] if c.endswith(f"_w{w}") else c
            q[name] = val[c].reindex(q.index)
        out[f"client_w{w}"] = q.reset_index()
    for w in (1, 2):
        q = tables[f"po_w{w}"].set_index("client_id")
        add = _addiction_items(st, st.values[f"addiction_w{w}"]).reindex(q.index)
        for c in add.columns:
            q[c] = add[c]
        for c in [c for c, t in TABLE_OF.items() if t == f"po_w{w}"]:
            name = c[:-3] if c.endswith(f"_w{w}") else c
            q[name] = val[c].reindex(q.index)
        if w == 2:
            for c in outcome_items.columns:
                q[c] = outcome_items[c].reindex(q.index)
        out[f"po_w{w}"] = q.reset_index()
    reg = pd.DataFrame(index=ids)
    reg["risc_category"] = val["risc_category"]
    for s in RISC_SCALES:
        reg[s] = rs[s]
    reg["dropout"] = val["dropout"]
    reg["early_help"] = val["early_help"]
    keep = st.flags["c1"].to_numpy()
    out["registry"] = reg[keep].reset_index()
    for name, frame in out.items():
        key = "po_id" if name == "officers" else "client_id"
        frame = frame.sort_values(key, kind="mergesort").reset_index(drop=True)
        for c in frame.columns if integers else ():
            if c in ("client_id", "po_id"):
                continue
            if pd.api.types.is_float_dtype(frame[c]) and np.all(np.isnan(frame[c]) | (frame[c] == np.round(frame[c]))):
                frame[c] = frame[c].astype("Int64")
        out[name] = frame
    return out


#: the seven tables of the data contract, in writing order
ALL_TABLES = ("clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2", "registry")


def write(tables: dict[str, pd.DataFrame], out: Path | str) -> list[Path]:
    """Write the seven tables as CSV (``wagk.io.write_table``: fixed formats, byte-identical for
    the same tables)."""
    from wagk.io import write_table

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ALL_TABLES:
        path = out / f"{name}.csv"
        write_table(tables[name], path)
        written.append(path)
    return written


def generate_all(seed: int | None = None, params: dict | None = None, bg_params: dict | None = None,
                 exact: bool | None = None, integers: bool = True) -> dict:
    """Both stages: the item-level study (:func:`wagk.synth.generate.simulate`) and this stage.
    ``seed`` (default: each stage's calibration seed) is used by both; ``exact=False`` draws
    both stages without exact sample moments (Monte Carlo; default: each stage's own default)."""
    sim = generate.simulate(params or generate.load_params(), seed, exact=exact)
    return extend(sim, bg_params or load_params(), seed=seed, exact=True if exact is None else exact,
                  integers=integers)
