"""Starting values of the parameters, from the published moments (the calibration refines them).

- factor correlations: the published scale correlations (Appendix 1 Tables 7, 8) corrected for
  unreliability (alphas of Table 4);
- loadings: the published PCA loadings (Table 6), shrunk towards factor loadings;
- item location and spread: the published scale means and SDs (Tables 8.1, 8.2, 9.1, 9.2);
- stability: from the SD of the change scores (Tables 8.3, 9.3): r = 1 - SD_change^2 / (2 SD1 SD2);
- client-officer agreement: Table 10.1 corrected for unreliability.
Items outside the WA-GK get plausible values by the subscale they belong to.
"""

from __future__ import annotations

import numpy as np

from wagk import codebook
from wagk.synth import model, targets

SCALES = codebook.SCALES
# primary scale of each WA-GK item (the scale whose location and spread knobs move it)
PRIMARY_OVERRIDE = {"wai_04": "goals_restriction", "wai_01": "goals_restriction", "md_05": "reactance"}
CORE_EXTRA = {"md_18": "reactance", "md_01": "reactance"}
# subscale templates for items outside the WA-GK: (loadings, client mu, po mu, sigma)
TEMPLATES = {
    "wai_goal": ({"goals_restriction": 0.55, "bond": 0.2}, 5.9, 5.4, 1.4),
    "wai_task": ({"goals_restriction": 0.45, "bond": 0.35}, 5.8, 5.2, 1.4),
    "wai_bond": ({"bond": 0.6, "trust": 0.1}, 6.2, 5.8, 1.2),
    "dri_caring": ({"bond": 0.45, "trust": 0.2}, 6.0, 5.6, 1.3),
    "dri_fairness": ({"goals_restriction": 0.3, "bond": 0.35, "trust": 0.15}, 6.0, 5.7, 1.3),
    "dri_toughness": ({"toughness": 0.55, "reactance": 0.15}, 3.0, 3.4, 1.8),
}
MD_TEMPLATES = {
    "md_03": ({"goals_restriction": 0.35}, 5.8, 5.9), "md_04": ({"goals_restriction": 0.35, "bond": 0.2}, 5.2, 5.0),
    "md_06": ({"bond": 0.55, "goals_restriction": 0.2}, 5.7, 5.2), "md_07": ({"goals_restriction": -0.3}, 2.0, 2.6),
    "md_08": ({"goals_restriction": 0.4}, 6.3, 6.2), "md_09": ({"goals_restriction": 0.2}, 5.6, 5.8),
    "md_10": ({"goals_restriction": 0.35, "bond": 0.15}, 6.1, 6.0), "md_11": ({"goals_restriction": 0.25, "toughness": 0.2}, 5.9, 5.6),
    "md_12": ({"goals_restriction": 0.35}, 5.0, 5.1), "md_13": ({"reactance": 0.35, "trust": -0.15}, 2.6, 3.0),
    "md_14": ({"reactance": 0.35, "goals_restriction": -0.15}, 2.4, 2.8), "md_15": ({"toughness": 0.35, "bond": -0.15}, 2.8, 3.0),
    "md_17": ({"reactance": 0.3, "bond": -0.3}, 1.9, 2.4), "md_20": ({"goals_restriction": 0.35}, 5.0, 5.0),
    "md_22": ({"reactance": 0.45}, 3.0, 3.3), "dri_33": ({"goals_restriction": 0.4}, 6.0, 6.0),
}
CR_LOAD = {"cr_01": 0.6, "cr_02": 0.3, "cr_03": 0.45, "cr_04": 0.55, "cr_05": 0.5, "cr_06": 0.5, "cr_07": -0.5,
           "cr_08": -0.55, "cr_09": 0.5}
CR_MU = {"cr_02": 2.5, "cr_03": 1.5, "cr_04": 1.8, "cr_05": 1.8, "cr_07": 5.0, "cr_09": 1.6}
CR_TARGET = {"cr_01": "cr23_says_cooperates", "cr_08": "cr24_energy", "cr_06": "cr25_extra_strict"}
FACTOR_EXTRA = {  # correlations of toughness and contra-reactance with the WA-GK factors
    "toughness": {"trust": -0.45, "goals_restriction": -0.1, "bond": -0.35, "reactance": 0.5},
    "contra": {"trust": -0.4, "goals_restriction": -0.3, "bond": -0.45, "reactance": 0.55, "toughness": 0.2},
}
SMS = {
    "factors": ["intrinsic_motivation", "identified_regulation", "external_regulation", "amotivation"],
    "beta": {"intrinsic_motivation": {"bond": 0.3, "trust": 0.1},
             "identified_regulation": {"goals_restriction": 0.3, "bond": 0.2},
             "external_regulation": {"reactance": 0.2, "toughness": 0.2},
             "amotivation": {"reactance": 0.35, "bond": -0.25}},
    "stability": {"intrinsic_motivation": 0.5, "identified_regulation": 0.5, "external_regulation": 0.5,
                  "amotivation": 0.5},
    "mu": {"intrinsic_motivation": 4.6, "identified_regulation": 5.2, "external_regulation": 4.2, "amotivation": 2.6},
}


def _v(tab: dict, *key, default=None):
    return tab.get(tuple(str(k) for k in key), default)


def item_sign(item: str, scale: str, monitor: codebook.Monitor, persp: str) -> float:
    return -1.0 if item in monitor.scale(persp, scale).reversed else 1.0


def primary_scale(item: str) -> str | None:
    if item in PRIMARY_OVERRIDE:
        return PRIMARY_OVERRIDE[item]
    if item in CORE_EXTRA:
        return CORE_EXTRA[item]
    mon = codebook.load_monitor("as_reported")
    for s in SCALES:
        if item in mon.scale("client", s).items:
            return s
    return None


def initial_pattern(item: str, perspective: str) -> list[str]:
    """The factors a WA-GK item loads on by design: its scales (either variant), plus toughness
    for dri_09; md_18 and md_01 (first CFA only) load on reactance."""
    if item in CORE_EXTRA:
        return [CORE_EXTRA[item]]
    out = []
    for variant in ("appendix1", "as_reported"):
        mon = codebook.load_monitor(variant)
        out += [s for s in SCALES if item in mon.scale(perspective, s).items and s not in out]
    if item == "dri_09":
        out.append("toughness")
    return out


def initial_params(seed: int = 20180707) -> dict:
    tab = targets.lookup()
    app1, asrep = codebook.load_monitor("appendix1"), codebook.load_monitor("as_reported")
    subs = codebook.load_subscales()
    label = {v: k for k, v in app1.selection.items()}
    rng = np.random.default_rng(seed)
    latent = {"phi": {}, "tails": {}, "stability": {}, "agreement": {}, "crosslag": {},
              "officer_icc": {"client": 0.03, "po": 0.10},
              "selection": {"c2": {}, "p2": {}}}
    alpha = {}
    for k in model.CONTEXTS:
        p, w = model.PERSPECTIVE[k], model.WAVE[k]
        alpha[k] = {s: _v(tab, "TB1.4", p, w, "alpha", s, "", "alpha", default=0.7) for s in SCALES}
        facs = model.FACTORS[p]
        phi = np.eye(len(facs))
        ref = "TB1.7" if p == "client" else "TB1.8"
        for i, a in enumerate(facs):
            for j, b in enumerate(facs):
                if j <= i:
                    continue
                if a in SCALES and b in SCALES:
                    r = _v(tab, ref, p, w, "correlation", a, b, "r")
                    val = r / np.sqrt(alpha[k][a] * alpha[k][b])
                else:
                    extra, other = (a, b) if a in FACTOR_EXTRA else (b, a)
                    val = FACTOR_EXTRA[extra].get(other, 0.0) if extra in FACTOR_EXTRA else 0.0
                    if a in FACTOR_EXTRA and b in FACTOR_EXTRA:
                        val = FACTOR_EXTRA["contra"]["toughness"]
                phi[i, j] = phi[j, i] = float(np.clip(val, -0.9, 0.9))
        latent["phi"][k] = model.nearest_correlation(phi, 0.05).round(6).tolist()
        latent["tails"][k] = {f: [(-0.25 if f in ("trust", "goals_restriction", "bond") else 0.25), 0.05]
                              for f in facs}
    for p, refs in (("client", ("T8.1", "T8.2", "T8.3")), ("po", ("T9.1", "T9.2", "T9.3"))):
        k1, k2 = model.context_of(p, 1), model.context_of(p, 2)
        latent["stability"][p] = {}
        for f in model.FACTORS[p]:
            if f in SCALES:
                sd1, sd2 = _v(tab, refs[0], p, 1, "descriptives", f, "", "SD"), _v(tab, refs[1], p, 2, "descriptives", f, "", "SD")
                sdc = _v(tab, refs[2], p, "diff", "descriptives", f, "", "SD")
                r = 1 - sdc ** 2 / (2 * sd1 * sd2)
                r /= np.sqrt(alpha[k1][f] * alpha[k2][f])
                latent["stability"][p][f] = float(np.clip(r, 0.1, 0.9))
            else:
                latent["stability"][p][f] = 0.5
    for w in (1, 2):
        latent["agreement"][str(w)] = {}
        for f in model.SHARED:
            if f in SCALES:
                r = _v(tab, "T10.1", "dyad", w, "correlation", f, "client_vs_po", "r")
                r /= np.sqrt(alpha[model.context_of("client", w)][f] * alpha[model.context_of("po", w)][f])
                latent["agreement"][str(w)][f] = float(np.clip(r, 0.0, 0.6))
            else:
                latent["agreement"][str(w)][f] = 0.15
    latent["crosslag"] = {f: 0.05 for f in model.SHARED}

    items = {}
    for k in model.CONTEXTS:
        p, w = model.PERSPECTIVE[k], model.WAVE[k]
        desc = "T8.1" if k == "c1" else "T8.2" if k == "c2" else "T9.1" if k == "p1" else "T9.2"
        cols = [c for c in codebook.questionnaire_items(p) if not c.startswith("sms_")]
        spec = {}
        for c in cols:
            spec[c] = _initial_item(c, k, p, w, desc, tab, app1, asrep, subs, label, rng)
        items[k] = spec
    sms_items = {}
    table = codebook.load_items()
    for c in [c for c in codebook.questionnaire_items("client") if c.startswith("sms_")]:
        f = table.loc[c, "subscale"]
        sms_items[c] = {"factor": f, "load": 0.7, "mu": SMS["mu"][f] + float(rng.normal(0, 0.2)), "sigma": 1.7}
    sms = {k: v for k, v in SMS.items() if k != "mu"}
    sms["items"] = sms_items
    latent["method_factors"] = list(model.METHODS)
    return {"version": 1, "seed": seed, "exact_moments": True, "latent": latent, "items": items, "sms": sms}


def _initial_item(c, k, p, w, desc, tab, app1, asrep, subs, label, rng) -> dict:
    load: dict = {}
    method: dict = {}
    inst = "wai" if c.startswith("wai") else "dri" if c.startswith("dri") else "md" if c.startswith("md") else None
    if inst:
        method[inst] = 0.15
    prim = primary_scale(c)
    if c == "grade":
        mu, sig = (8.0, 1.6) if p == "client" else (7.2, 1.2)
        load = {"trust": 0.2, "goals_restriction": 0.15, "bond": 0.3, "reactance": -0.1}
        return {"mu": mu, "sigma": sig, "load": load, "method": method, "ustab": 0.3}
    if c.startswith("cr_"):
        load = {"contra": CR_LOAD[c]}
        if c in CR_TARGET:
            m = _v(tab, desc, p, w, "descriptives", CR_TARGET[c], "", "M")
            sd = _v(tab, desc, p, w, "descriptives", CR_TARGET[c], "", "SD")
            mu, sig = m, sd * 1.1
        else:
            mu, sig = CR_MU[c], 1.3
        return {"mu": float(mu), "sigma": float(sig), "load": load, "method": method, "ustab": 0.3}
    if prim is not None:
        for s in SCALES:
            scale_items = app1.scale(p, s).items
            if c in scale_items:
                pub = _v(tab, "TB1.6", p, w, "pca_loading", f"item{label[c]:02d}", s, "loading")
                if pub is not None:
                    load[s] = 0.85 * pub
        if prim not in load:
            load[prim] = 0.45 * item_sign(c, prim, asrep, p) if c not in CORE_EXTRA else 0.45
        if c == "md_05" and "goals_restriction" not in load:
            load["goals_restriction"] = -0.1
        if c == "dri_09":
            load["toughness"] = 0.25
        m = _v(tab, desc, p, w, "descriptives", prim, "", "M") if c not in CORE_EXTRA else 2.8
        sd = _v(tab, desc, p, w, "descriptives", prim, "", "SD") if c not in CORE_EXTRA else 1.2
        sign = 1.0 if c in CORE_EXTRA else item_sign(c, prim, asrep, p)
        mu = m if sign > 0 else 8 - m
        ceiling = 0.35 if mu > 5 else -0.35 if mu < 3 else 0.0
        mu = mu + ceiling + float(rng.normal(0, 0.15))
        return {"mu": float(mu), "sigma": float(sd * 1.5), "load": load, "method": method, "ustab": 0.3}
    for name, sc in subs.items():
        if c in sc.items and name in TEMPLATES:
            lo, mc, mp, sig = TEMPLATES[name]
            mult = float(rng.uniform(0.85, 1.15))
            load = {f: v * mult for f, v in lo.items()}
            mu = (mc if p == "client" else mp) + float(rng.normal(0, 0.2))
            return {"mu": mu, "sigma": sig, "load": load, "method": method, "ustab": 0.3}
    lo, mc, mp = MD_TEMPLATES[c]
    mu = (mc if p == "client" else mp) + float(rng.normal(0, 0.2))
    return {"mu": mu, "sigma": 1.5, "load": dict(lo), "method": method, "ustab": 0.3}
