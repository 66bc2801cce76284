"""environment.yml and requirements.lock must describe the environment pyproject.toml declares."""

import re
import sys
import tomllib

import yaml

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {_name(d) for d in project["dependencies"] + project["optional-dependencies"]["dev"]}


def _locked() -> dict[str, str]:
    """name -> version of every package pinned in requirements.lock."""
    text = (ROOT / "requirements.lock").read_text()
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^ ;\\]+)", text, flags=re.M))


def test_the_lock_pins_every_declared_dependency_once_with_hashes():
    text = (ROOT / "requirements.lock").read_text()
    names = re.findall(r"^([a-z0-9][a-z0-9._-]*)==", text, flags=re.M)
    assert len(names) == len(set(names)), "one version per package, whatever the Python or platform"
    assert _declared() <= set(names), f"not in requirements.lock: {_declared() - set(names)} (run make lock)"
    for entry in re.split(r"\n(?=[a-z0-9])", text.split("\n", 2)[2]):
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_environment_yml_matches_pyproject_at_the_locked_versions():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pins = dict(d.split("#")[0].strip().partition("=")[::2] for d in env["dependencies"] if isinstance(d, str))
    python = pins.pop("python")
    assert pins.pop("pip") == ""  # pip itself is left to conda; it installs the package (-e .)
    assert python == "3.11"
    only_yml, only_pyproject = set(pins) - _declared(), _declared() - set(pins)
    assert not only_yml and not only_pyproject, f"only in environment.yml: {only_yml}; only in pyproject: {only_pyproject}"
    locked = _locked()
    differing = {name: (version, locked[name]) for name, version in pins.items() if locked[name] != version}
    assert not differing, f"environment.yml pins other versions than requirements.lock (yml, lock): {differing}"
    pip_part = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_part
    assert env["channels"] == ["conda-forge"]


def test_the_kernel_the_notebooks_ask_for_is_installed_with_the_package():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("parkstad-analysis")  # NoSuchKernel if the install did not bring it
    assert spec.language == "python" and spec.argv[0] == sys.executable and "ipykernel_launcher" in spec.argv
    assert spec.resource_dir.startswith(sys.prefix), spec.resource_dir  # the environment's, not the user's folders
