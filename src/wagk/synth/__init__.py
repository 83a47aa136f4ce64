"""The synthetic dataset: a seeded generator calibrated to the thesis's published numbers.

The original interviews are confidential. This subpackage makes a dataset in the same layout
(``data/synthetic``) whose item answers, run through the compendium's own analysis code,
reproduce the published tables within the tolerances of ``wagk/tolerances.yml``. The data are
invented; they are no evidence about probation clients or officers.

Modules
-------
design.yml  the fixed design: sample structure, officers, missing-answer patterns (hand-derived
            from the printed n's)
params_v1.json  the calibrated parameters (versioned; written by ``wagk calibrate``)
model       the latent model: factors per questionnaire, their joint correlation, tails, items
structure   who answered which questionnaire; officers at both waves
missing     the missing-answer patterns and scattered missing answers
generate    ``generate(params, seed)`` -> tables; ``main`` writes data/synthetic (``wagk synth``)
targets     the published numbers the calibration aims at (reads data/published)
calibrate   the calibration loop (``wagk calibrate``)
report      the fidelity report (``wagk synth --report``)

Only this subpackage (and the comparison/report code) reads data/published.
"""
