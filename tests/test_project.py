"""Project-level promises: the CLI, the pins."""

import re
import subprocess
import sys
import tomllib

import yaml

from wagk import cli, paths


def test_cli_help_lists_subcommands():
    out = subprocess.run([sys.executable, "-m", "wagk.cli", "--help"], capture_output=True, text=True, check=True).stdout
    for sub in ("synth", "run", "compare", "book"):
        assert sub in out


def test_run_refuses_missing_chapter(tmp_path, capsys):
    rc = cli.main(["run", "--chapters", "99", "--results", str(tmp_path)])
    assert rc == 2
    assert "no notebook for chapter(s) [99]" in capsys.readouterr().err


def test_environment_yml_has_the_pyproject_pins():
    deps = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    pins = set(deps["dependencies"]) | set(deps["optional-dependencies"]["test"])
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    env_pins = {p for p in pip if not p.startswith("-e")}
    norm = lambda s: {re.sub(r"\s+", "", p) for p in s}
    assert norm(pins) == norm(env_pins)
