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
# # A fake chapter that fails (tests only)
#
# It stops with an error whose message quotes a client id, as careless code might.

# %% tags=["parameters"]
data_dir = "data/synthetic"
results_dir = "build/results"
seed = 20180907
real_data = False
min_cell = 5

# %%
from wagk.contract import load_study

study = load_study(data_dir, real_data=real_data)
first = study.tables["clients"]["client_id"].iloc[0]
raise KeyError(f"no score for client {first}")
