"""Starting values of the background generator's parameters (``wagk calibrate``, first step).

Marginal distributions of the answers that the thesis does not print are set here by hand,
with the reason; the links (requested latent correlations) start from the published effect
sizes through :mod:`wagk.synth.knobs`.
"""

from __future__ import annotations

import numpy as np

from wagk.synth import extend

#: answer distributions (1-7) of the officer's ratings and the clients' experiences; only a few
#: means and SDs are printed (lvb ~2.7 (SD 2.0), conscience ~4.2 (SD 1.8), 8.9.2); the others
#: are plausible shapes: experiences mostly positive (72% of advisers rated positive, 6.12.1)
LIKERT_PROBS = {
    "exp_prior_supervision": [0.07, 0.06, 0.08, 0.14, 0.20, 0.27, 0.18],
    "exp_court_case": [0.10, 0.08, 0.10, 0.17, 0.20, 0.21, 0.14],
    "exp_advisor": [0.05, 0.04, 0.055, 0.135, 0.22, 0.30, 0.20],
    "exp_previous_po": [0.06, 0.05, 0.07, 0.13, 0.20, 0.28, 0.21],
    "exp_detention_staff": [0.10, 0.10, 0.12, 0.20, 0.20, 0.17, 0.11],
    "addiction_w1": [0.30, 0.14, 0.10, 0.10, 0.12, 0.12, 0.12],
    "addiction_w2": [0.32, 0.14, 0.10, 0.10, 0.12, 0.11, 0.11],
    "lvb": [0.38, 0.17, 0.10, 0.12, 0.10, 0.08, 0.05],
    "conscience_normal": [0.08, 0.08, 0.12, 0.22, 0.20, 0.17, 0.13],
    "client_difficult_w1": [0.22, 0.18, 0.14, 0.16, 0.14, 0.10, 0.06],
    "client_difficult_w2": [0.22, 0.18, 0.14, 0.16, 0.14, 0.10, 0.06],
    "po_competent_w1": [0.01, 0.02, 0.04, 0.10, 0.25, 0.33, 0.25],
    "po_competent_w2": [0.01, 0.02, 0.04, 0.10, 0.25, 0.33, 0.25],
}
#: SMS item answer distributions: intrinsic and identified reasons mostly agreed with, external
#: reasons split, amotivation mostly rejected (no SMS means are printed)
SMS_PROBS = {
    "intrinsic_motivation": [0.10, 0.08, 0.10, 0.18, 0.20, 0.18, 0.16],
    "identified_regulation": [0.04, 0.04, 0.06, 0.12, 0.20, 0.27, 0.27],
    "external_regulation": [0.10, 0.08, 0.10, 0.16, 0.18, 0.18, 0.20],
    "amotivation": [0.30, 0.18, 0.13, 0.14, 0.10, 0.08, 0.07],
}
#: correlations of the SMS dimensions (Guay et al. 2000 report the simplex pattern)
SMS_DIM_R = np.array([[1.0, 0.6, 0.0, -0.3], [0.6, 1.0, 0.1, -0.4], [0.0, 0.1, 1.0, 0.3], [-0.3, -0.4, 0.3, 1.0]])
SMS_STABILITY = 0.5
#: RISc sample means and SDs (Table 6.7, the study group) and loading on the RISc latent
RISC_LOAD = 0.6


def sms_residual() -> list:
    R = np.block([[SMS_DIM_R, SMS_STABILITY * SMS_DIM_R], [SMS_STABILITY * SMS_DIM_R, SMS_DIM_R]])
    return R.round(4).tolist()


def initial_params(seed: int = 20240601, risc_moments: dict | None = None) -> dict:
    from wagk.motivation import sms_key
    from wagk import codebook
    items = codebook.load_items()
    sms_items = {}
    for name, its in sms_key().items():
        for it in its:
            sub = items.loc[it, "subscale"]
            sms_items[it] = {"load": 0.75, "probs": SMS_PROBS[sub]}
    risc = {}
    for s in extend.RISC_SCALES:
        m = (risc_moments or {}).get(s, {"M": 3.0, "SD": 2.5})
        risc[s] = {"M": m["M"], "SD": m["SD"], "load": RISC_LOAD}
    return {
        "version": 1,
        "seed": int(seed),
        "links": {},
        "officer_links": {"po_experience_years": {"age": 0.6}},
        "marginals": {k: {"values": list(range(1, 8)), "probs": v} for k, v in LIKERT_PROBS.items()},
        "risc_scales": risc,
        "sms": {"residual": sms_residual(), "items": sms_items},
    }
