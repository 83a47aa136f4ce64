"""Run R (lavaan, psych) as a reference implementation when Rscript is on PATH.

Tests that use it are skipped, with the reason, on a machine without R; CI installs
``r-cran-lavaan`` and ``r-cran-psych`` (see .ci/run) so the oracle runs there.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

RSCRIPT = shutil.which("Rscript")


def _has_packages() -> str | None:
    if RSCRIPT is None:
        return "Rscript not on PATH (apt-get install r-cran-lavaan r-cran-psych)"
    probe = subprocess.run([RSCRIPT, "-e", "library(lavaan); library(psych)"], capture_output=True, text=True)
    if probe.returncode != 0:
        return "R packages lavaan/psych not installed (apt-get install r-cran-lavaan r-cran-psych)"
    return None


_REASON = _has_packages()
needs_r = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


def run_r(script: str, workdir: Path) -> None:
    """Run an R script in ``workdir``; raise with R's stderr when it fails."""
    path = workdir / "script.R"
    path.write_text(script, encoding="utf-8")
    proc = subprocess.run([RSCRIPT, "--vanilla", str(path)], capture_output=True, text=True, cwd=workdir,
                          timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"R failed:\n{proc.stderr[-3000:]}")


def lavaan_syntax(factors: dict[str, list[str]], residual_covariances=()) -> str:
    lines = [f"{f} =~ " + " + ".join(items) for f, items in factors.items()]
    lines += [f"{a} ~~ {b}" for a, b in residual_covariances]
    return "\n".join(lines)


def lavaan_cfa(data: pd.DataFrame | dict[str, pd.DataFrame], factors: dict[str, list[str]], workdir: Path, *,
               missing: str = "ml", residual_covariances=(), group_equal=()) -> dict:
    """Fit the same CFA in lavaan (std.lv = TRUE, ML); return fit measures and the parameter table."""
    if isinstance(data, dict):
        frames = []
        for g, frame in data.items():
            frames.append(frame.assign(grp=g))
        pd.concat(frames).to_csv(workdir / "data.csv", index=False)
        group = ', group = "grp", group.label = c(' + ", ".join(f'"{g}"' for g in data) + ")"
        if group_equal:
            group += ", group.equal = c(" + ", ".join(f'"{e}"' for e in group_equal) + ")"
    else:
        data.to_csv(workdir / "data.csv", index=False)
        group = ""
    model = lavaan_syntax(factors, residual_covariances)
    run_r(f"""
suppressMessages(library(lavaan))
d <- read.csv("data.csv")
m <- '{model}'
fit <- cfa(m, d, std.lv = TRUE, estimator = "ML", missing = "{missing}", meanstructure = TRUE, se = "none"{group})
fm <- fitMeasures(fit, c("chisq", "df", "cfi", "tli", "rmsea", "baseline.chisq", "baseline.df",
                         "logl", "unrestricted.logl", "ntotal"))
write.csv(data.frame(name = names(fm), value = unclass(fm)), "fit.csv", row.names = FALSE)
write.csv(standardizedSolution(fit), "std.csv", row.names = FALSE)
write.csv(parameterEstimates(fit), "est.csv", row.names = FALSE)
""", workdir)
    fit = pd.read_csv(workdir / "fit.csv").set_index("name")["value"].to_dict()
    std = pd.read_csv(workdir / "std.csv")
    est = pd.read_csv(workdir / "est.csv")
    return dict(fit=fit, std=std, est=est)
