# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Colophon
#
# What this book was built from: the versions of the packages, the commit of the code, the
# hash of every data file and the time of the build. Everything here is fixed by the inputs
# except the build time, the one field that differs between two builds of the same commit.

# %% tags=["parameters", "remove-cell"]
results_dir = "build/results"
data_dir = "data/synthetic"
real_data = False

# %% tags=["hide-input"]
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from wagk import colophon, paths, report, runner

status = runner.read_status(results_dir)

# %% [markdown]
# ## Code

# %% tags=["hide-input"]
display(HTML(report.static_table(colophon.code_state(paths.ROOT), index=False)))

# %% [markdown]
# ## Packages
#
# The pinned dependencies of `pyproject.toml`, as installed for this build.

# %% tags=["hide-input"]
display(HTML(report.static_table(colophon.package_versions(), index=False)))

# %% [markdown]
# ## Data
#
# SHA-256 of every file of the dataset the chapters ran on, of the published numbers and of the
# codebook. Two builds from files with the same hashes compute the same numbers.

# %% tags=["hide-input", "full-width"]
ran_on = status.get("data_dir") or data_dir
folders = {"dataset": Path(ran_on), "published numbers": paths.PUBLISHED, "codebook": paths.CODEBOOK}
hashes = colophon.file_hashes(folders, root=paths.ROOT)
display(HTML(report.static_table(hashes, index=False, small=True)))
print("chapters ran on real data" if status.get("real_data") else "chapters ran on the dataset above (not marked as real data)")

# %% [markdown]
# ## Chapter runs

# %% tags=["hide-input"]
runs = pd.DataFrame.from_dict(status["chapters"], orient="index")
if runs.empty:
    print("No chapter has been run (no run_status.json in the results folder).")
else:
    display(HTML(report.static_table(runs.drop(columns=["error"], errors="ignore"))))

# %% [markdown]
# ## Build

# %% tags=["hide-input"]
print(f"built {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M:%S')} UTC "
      f"(the only non-deterministic field of this book) with Python {platform.python_version()} "
      f"on {platform.system()} {platform.machine()}")
