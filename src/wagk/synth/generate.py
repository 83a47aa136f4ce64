"""Generate the synthetic dataset from the calibrated parameters.

``generate(params, seed)`` returns the six tables of the data contract (clients, officers,
client_w1, client_w2, po_w1, po_w2); :func:`simulate` also returns the latent factor scores and
the membership of every client, for modules that add background, motivation and outcomes later.
``main`` writes data/synthetic (``wagk synth``).

Determinism: every random draw comes from its own stream, ``SeedSequence([seed, stream])``, in a
fixed order; tables are sorted by id and written with fixed formats. The same parameters and
seed give byte-identical files. Changing one component's parameters (e.g. the SMS items) leaves
the other components' draws unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from wagk import codebook, paths
from wagk.io import write_table
from wagk.synth import missing, model, structure
from wagk.synth import refine as refinement

HERE = Path(__file__).resolve().parent
DESIGN_YML = HERE / "design.yml"
PARAMS_JSON = HERE / "params_v1.json"
TABLES = ("clients", "officers", "client_w1", "client_w2", "po_w1", "po_w2")
STREAMS = {"structure": 1, "officers": 2, "latent": 3, "officer_effects": 4, "methods": 5, "unique": 6,
           "selection": 7, "missing": 8, "sporadic": 9, "ids": 10, "sms": 11, "officers_w2": 12,
           "sms_items": 13, "refine": 14}
MAX_OFFICERS = 400


def rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([int(seed), STREAMS[stream]]))


def normals(g: np.random.Generator, shape: tuple[int, int], exact: bool) -> np.ndarray:
    """Standard normal draws; with ``exact`` the columns are centred and whitened so that their
    sample means are 0 and their sample covariance is the identity (exact moments)."""
    z = g.standard_normal(shape)
    if exact and shape[0] > shape[1] + 2:
        z = z - z.mean(axis=0)
        chol = np.linalg.cholesky(np.cov(z, rowvar=False))
        z = np.linalg.solve(chol, z.T).T
    return z


@lru_cache(maxsize=2)
def _design(path: str) -> dict:
    return codebook.read_yaml(path)


def load_design(path: Path | str = DESIGN_YML) -> dict:
    return _design(str(path))


def load_params(path: Path | str = PARAMS_JSON) -> dict:
    with open(path, encoding="utf-8") as fh:
        params = json.load(fh)
    if params.get("version") != 1:
        raise ValueError(f"{path}: parameter file version {params.get('version')!r}, this generator reads version 1")
    return params


@dataclass
class Simulation:
    tables: dict
    latent: dict  # context -> DataFrame (client_id x factors), every client
    members: pd.DataFrame  # client_id, c1, c2, p1, p2, po1, po2
    seed: int
    responses: dict | None = None  # context -> DataFrame of latent responses Y (keep_responses)
    draws: dict | None = None  # the random draws and structure, for the calibration (keep_responses)
    #: the refinement's problem (:class:`wagk.synth.refine.Problem`, rows in the order of
    #: ``client_ids``), which the second stage continues (exact path only)
    refinement: dict | None = None


def questionnaire_columns(perspective: str) -> list[str]:
    """The item columns of a questionnaire (codebook order); cached, the codebook is read once."""
    return list(_questionnaire_columns(perspective))


@lru_cache(maxsize=2)
def _questionnaire_columns(perspective: str) -> tuple[str, ...]:
    return tuple(codebook.questionnaire_items(perspective))


def _sms_scores(params: dict, eta: dict, rng_sms: np.random.Generator) -> dict:
    """SMS factor scores per client context: a projection of the alliance factors plus an own part."""
    sms = params["sms"]
    fac = sms["factors"]
    core = list(model.FACTORS["client"])
    beta = np.array([[sms["beta"][s].get(f, 0.0) for s in fac] for f in core])  # F x S
    own1 = rng_sms.standard_normal((eta["c1"].shape[0], len(fac)))
    own2n = rng_sms.standard_normal(own1.shape)
    stab = np.array([sms["stability"][s] for s in fac])
    own2 = np.sqrt(stab) * own1 + np.sqrt(1 - stab) * own2n
    out = {}
    for k, own in (("c1", own1), ("c2", own2)):
        proj = eta[k] @ beta
        var = np.clip(1 - proj.var(axis=0), 0.05, None)
        out[k] = proj + own * np.sqrt(var)
    return out


def latent_scores(params: dict, z_raw: np.ndarray, u_raw: dict, officers: dict) -> dict:
    """Factor scores per context from the whitened normals ``z_raw`` (joint layout), the raw
    officer effects and each context's officer per client: standardised components correlated
    between contexts (:func:`wagk.synth.model.cross_correlation`), mixed within a context by
    Phi^(1/2), the officer share, then the g-and-h tails. A context's factor correlations move only
    its own scores."""
    lat = params["latent"]
    zeta = z_raw @ np.linalg.cholesky(model.cross_correlation(lat)).T
    lay = model.layout()
    out = {}
    for k, officer in officers.items():
        p = model.PERSPECTIVE[k]
        root = model.sqrtm(model.nearest_correlation(np.asarray(lat["phi"][k], float)))
        ind = zeta[:, [i for i, (kk, _) in enumerate(lay) if kk == k]] @ root
        phi_u = model.nearest_correlation(np.asarray(lat["phi"]["c1" if p == "client" else "p1"], float))
        u = u_raw[p] @ np.linalg.cholesky(phi_u).T
        icc = float(lat["officer_icc"][p])
        e = np.sqrt(1 - icc) * ind + np.sqrt(icc) * u[officer]
        eta = np.empty_like(e)
        for j, f in enumerate(model.FACTORS[p]):
            g, h = lat["tails"][k][f]
            eta[:, j] = model.gh(e[:, j], g, h)
        out[k] = eta
    return out


def context_answers(params: dict, k: str, eta: np.ndarray, e12: np.ndarray, meths: np.ndarray):
    """(item names, answers, latent responses) of context k; ``e12`` holds the unique parts of
    both waves (wave 2 mixes in wave 1's by ``ustab``), ``meths`` the method factors of both."""
    p = model.PERSPECTIVE[k]
    cols = [c for c in questionnaire_columns(p) if not c.startswith("sms_")]
    items = params["items"][k]
    missing_cols = set(cols) - set(items)
    if missing_cols:
        raise ValueError(f"parameters: context {k} has no parameters for {sorted(missing_cols)}")
    names, lam, gam, mu, sig, ust = model.item_matrix({c: items[c] for c in cols}, model.FACTORS[p])
    nm, nc = len(model.METHODS), len(cols)
    first = model.WAVE[k] == 1
    meth = meths[:, :nm] if first else meths[:, nm:]
    uniq = e12[:, :nc] if first else np.sqrt(ust) * e12[:, :nc] + np.sqrt(1 - ust) * e12[:, nc:]
    top = np.array([codebook.GRADE_MAX if c == "grade" else codebook.ITEM_MAX for c in names], float)
    phi = model.nearest_correlation(np.asarray(params["latent"]["phi"][k], float))
    x, y = model.responses(eta, phi, lam, gam, meth, uniq, mu, sig, top, return_latent=True)
    return names, x, y


def simulate(params: dict, seed: int | None = None, design: dict | None = None,
             keep_responses: bool = False, exact: bool | None = None, refine: bool | None = None) -> Simulation:
    """The whole synthetic study for one seed (default: the calibration seed in ``params``).

    ``exact`` (default: the parameter file's ``exact_moments``) draws the factor scores, method
    factors and unique parts with exact sample moments over all clients (see :func:`normals`):
    less sampling noise, so the dataset sits closer to the calibrated population. Monte Carlo
    studies of sampling variability should pass ``exact=False``.

    ``refine`` (default: ``exact``) ends with :func:`wagk.synth.refine.refine`, which edits single
    item answers (one point, within 1-7, missing answers untouched) until the distributions of
    the scale, change and dyad-difference scores (medians, minima, maxima, means, SDs) come closer
    to the published ones, guarding the correlations and alphas, and then until the CFI and RMSEA
    of the ten Appendix 1 CFAs do. Its random draws come from their own stream, so no other draw
    changes. Its problem is kept on the result (``refinement``) for the third phase, which the
    second stage runs (:func:`wagk.synth.extend.extend`). The calibration passes ``refine=False`` (it fits the latent model), and so does the
    Monte Carlo path (``exact=False``): a replicate is a fresh sample of the model, untouched by
    the published numbers.
    """
    seed = int(params["seed"] if seed is None else seed)
    exact = bool(params.get("exact_moments", False)) if exact is None else exact
    design = design or load_design()
    lat = params["latent"]

    members = structure.wave1_membership(design, rng(seed, "structure"))
    po1, _n_part, n_off = structure.wave1_officers(members, design, rng(seed, "officers"))
    n = len(members)

    d = sum(len(model.FACTORS[model.PERSPECTIVE[k]]) for k in model.CONTEXTS)
    z_raw = normals(rng(seed, "latent"), (n, d), exact)
    r_off = rng(seed, "officer_effects")
    u_raw = {p: r_off.standard_normal((MAX_OFFICERS, len(model.FACTORS[p]))) for p in ("client", "po")}
    eta = latent_scores(params, z_raw, u_raw, {"c1": po1, "p1": po1})
    r_sel = rng(seed, "selection")
    noise = r_sel.logistic(size=(2, n))
    w_c2 = np.array([lat["selection"]["c2"].get(f, 0.0) for f in model.FACTORS["client"]])
    w_p2 = np.array([lat["selection"]["p2"].get(f, 0.0) for f in model.FACTORS["po"]])
    members = structure.wave2_membership(members, design, eta["c1"] @ w_c2 + noise[0], eta["p1"] @ w_p2 + noise[1])
    po2, n_off = structure.wave2_officers(members, po1, n_off, design, rng(seed, "officers_w2"))
    officers = {"c1": po1, "p1": po1, "c2": np.where(po2 >= 0, po2, po1), "p2": np.where(po2 >= 0, po2, po1)}
    eta.update(latent_scores(params, z_raw, u_raw, {"c2": officers["c2"], "p2": officers["p2"]}))

    # items
    r_m, r_u = rng(seed, "methods"), rng(seed, "unique")
    answers, latent_y, errors = {}, {}, {}
    for persp, (k1, k2) in (("client", ("c1", "c2")), ("po", ("p1", "p2"))):
        cols = [c for c in questionnaire_columns(persp) if not c.startswith("sms_")]
        errors[persp] = (normals(r_u, (n, 2 * len(cols)), exact), normals(r_m, (n, 2 * len(model.METHODS)), exact))
        for k in (k1, k2):
            names, x, y = context_answers(params, k, eta[k], *errors[persp])
            answers[k] = pd.DataFrame(x, columns=names)
            latent_y[k] = pd.DataFrame(y, columns=names)
    # SMS items (client), from their own stream
    sms = params["sms"]
    scores = _sms_scores(params, eta, rng(seed, "sms"))
    r_si = rng(seed, "sms_items")
    for k in ("c1", "c2"):
        fac = sms["factors"]
        cols = [c for c in questionnaire_columns("client") if c.startswith("sms_")]
        block = {}
        for c in cols:
            spec = sms["items"][c]
            s = scores[k][:, fac.index(spec["factor"])]
            y = spec["load"] * s + np.sqrt(1 - spec["load"] ** 2) * r_si.standard_normal(n)
            block[c] = np.clip(np.rint(spec["mu"] + spec["sigma"] * y), 1, 7)
        answers[k] = pd.concat([answers[k], pd.DataFrame(block)], axis=1)[questionnaire_columns("client")]
    answers["p1"] = answers["p1"][questionnaire_columns("po")]
    answers["p2"] = answers["p2"][questionnaire_columns("po")]

    # missing answers
    cols = {k: list(answers[k].columns) for k in model.CONTEXTS}
    masks, used = missing.pattern_mask(members, design, rng(seed, "missing"), cols)
    spec = design["missing"]
    r_sp = rng(seed, "sporadic")
    for k in model.CONTEXTS:
        sp = missing.sporadic_mask(n, cols[k], float(spec["sporadic_rate"][k]), int(spec["sporadic_max"]),
                                   spec["sporadic_exclude"], used[k], r_sp)
        answers[k] = answers[k].mask(masks[k] | sp)
    info = None
    if exact if refine is None else refine:
        answers, info = refinement.refine(answers, {k: members[k].to_numpy() for k in model.CONTEXTS},
                                          rng(seed, "refine"))

    # ids and tables
    r_id = rng(seed, "ids")
    client_ids = np.array([f"C{i:03d}" for i in r_id.permutation(n) + 1])
    officer_ids = np.array([f"P{i:03d}" for i in r_id.permutation(n_off) + 1])
    members = members.assign(client_id=client_ids, po1=officer_ids[po1],
                             po2=np.where(po2 >= 0, officer_ids[np.clip(po2, 0, None)], ""))
    tables = {
        "clients": pd.DataFrame({"client_id": client_ids, "po_id": officer_ids[po1]}),
        "officers": pd.DataFrame({"po_id": np.unique(np.r_[officer_ids[po1], officer_ids[po2[po2 >= 0]]])}),
    }
    for k, name in (("c1", "client_w1"), ("c2", "client_w2"), ("p1", "po_w1"), ("p2", "po_w2")):
        rows = members[k].to_numpy()
        frame = answers[k][rows].astype("Int64")
        frame.insert(0, "client_id", client_ids[rows])
        if k.startswith("p"):
            frame.insert(1, "po_id", officer_ids[po1[rows]] if k == "p1" else officer_ids[po2[rows]])
        tables[name] = frame
    for name, frame in tables.items():
        key = "po_id" if name == "officers" else "client_id"
        tables[name] = frame.sort_values(key, kind="mergesort").reset_index(drop=True)
    latent = {k: pd.DataFrame(eta[k], index=pd.Index(client_ids, name="client_id"),
                              columns=list(model.FACTORS[model.PERSPECTIVE[k]])).sort_index()
              for k in model.CONTEXTS}
    responses = draws = None
    if keep_responses:
        responses = {k: latent_y[k].set_axis(client_ids).sort_index() for k in model.CONTEXTS}
        draws = dict(z_raw=z_raw, u_raw=u_raw, officers=officers, errors=errors, client_ids=client_ids,
                     masks={k: answers[k][[c for c in answers[k].columns if not c.startswith("sms_")]].isna().to_numpy()
                            for k in model.CONTEXTS},
                     members=members.reset_index(drop=True))
    kept = None if info is None else dict(problem=info["problem"], client_ids=client_ids)
    return Simulation(tables, latent, members.set_index("client_id").sort_index(), seed, responses, draws, kept)


def generate(params: dict | None = None, seed: int | None = None) -> dict[str, pd.DataFrame]:
    """The six tables of the data contract, sorted by id (see :func:`simulate`)."""
    return simulate(params or load_params(), seed).tables


def write(tables: dict[str, pd.DataFrame], out: Path | str) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in TABLES:
        path = out / f"{name}.csv"
        write_table(tables[name], path)
        written.append(path)
    return written


def main(seed: int | None = None, out: Path | str = paths.SYNTHETIC, params_path: Path | str = PARAMS_JSON) -> list[Path]:
    """Write the synthetic dataset (``wagk synth``): both stages, the seven tables of the data
    contract (this module's item-level study, then :mod:`wagk.synth.extend`'s background,
    motivation and outcomes)."""
    from wagk.synth import extend

    params = load_params(params_path)
    written = extend.write(extend.generate_all(seed, params=params), out)
    used = params["seed"] if seed is None else seed
    print(f"wrote {len(written)} tables to {out} (parameters v{params['version']}, seed {used})")
    return written
