"""environment.yml must parse and list the same dependencies as pyproject.toml."""

import re
import tomllib

import yaml

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def test_environment_yml_matches_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    declared = {_name(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}
    assert conda == declared, f"only in environment.yml: {conda - declared}; only in pyproject: {declared - conda}"
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part
    assert env["channels"] == ["conda-forge"]
