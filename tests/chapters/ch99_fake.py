# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # A fake chapter (tests only)
#
# Does what a chapter does, on a small scale and deterministically: loads the study, scores it,
# shows aggregates through `wagk.privacy`, tries to show rows (refused in real-data mode), draws a
# scatterplot, bootstraps with the seed, and writes tidy result tables.

# %% tags=["parameters"]
data_dir = "data/synthetic"
results_dir = "build/results"
seed = 20180907
real_data = False
min_cell = 5

# %%
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from wagk import codebook, ledger, scoring
from wagk.contract import load_study
from wagk.privacy import Privacy, row_level

privacy = Privacy(real_data, min_cell=min_cell)
study = load_study(data_dir, real_data=real_data)
mon = codebook.load_monitor()
scores = scoring.score(study.questionnaire("client", 1), mon, "client")
results = Path(results_dir)
results.mkdir(parents=True, exist_ok=True)
print(study)

# %% [markdown]
# Rows: shown on synthetic data, refused on real data.

# %%
privacy.show(study.tables["clients"].head())
privacy.show(row_level(scores.reset_index(drop=True).head()))

# %% [markdown]
# Aggregates by a background variable, small cells suppressed in real-data mode.

# %%
outcome = study.tables["registry"].set_index("client_id")["dropout"] if study.has("registry") else None
frame = scores.join(outcome.rename("dropout")) if outcome is not None else scores.assign(dropout=0.0)
desc = (frame.groupby("dropout")["trust"].agg(n="count", M="mean", SD="std").reset_index())
privacy.show(privacy.table(desc, count_cols=["n"], display=True))

led = ledger.Ledger()
for r in desc.itertuples():
    for stat in ("n", "M", "SD"):
        led.add(ref="T99.1", perspective="client", wave=1, analysis="descriptives", variable="trust",
                group=f"dropout={int(r.dropout)}", statistic=stat, value=getattr(r, stat))
rng = np.random.default_rng(seed)
trust = scores["trust"].dropna().to_numpy()
boot = np.array([rng.choice(trust, size=len(trust)).mean() for _ in range(200)])
led.add(ref="T99.2", perspective="client", wave=1, analysis="bootstrap", variable="trust",
        statistic="ci_low", value=np.quantile(boot, 0.025))
led.add(ref="T99.2", perspective="client", wave=1, analysis="bootstrap", variable="trust",
        statistic="ci_high", value=np.quantile(boot, 0.975))
ledger.write(privacy.ledger(led.frame()), results / "ledger" / "ch99.csv")
counts = scoring.scoring_counts(study.questionnaire("client", 1), mon, "client")
counts.to_csv(results / "ch99_scoring_counts.csv", index=False, lineterminator="\n")
study.funnel.to_csv(results / "ch99_funnel.csv", index=False, lineterminator="\n")
privacy.show(study.funnel)

# %%
fig, ax = plt.subplots(figsize=(4, 3))
privacy.scatter(ax, scores["trust"], scores["bond"])
ax.set_xlabel("trust")
ax.set_ylabel("bond")
(results / "figures").mkdir(parents=True, exist_ok=True)
fig.savefig(results / "figures" / "ch99_scatter.png", dpi=72, metadata={"Software": None})
plt.show()
print(privacy.summary())
