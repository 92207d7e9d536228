"""environment.yml (conda, Binder) and the pip route install the same packages and versions."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pip_packages() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    return {_norm(re.split(r"[<>=\[ ;]", spec)[0]) for spec in specs}


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_norm(name)] = version.strip()
    return pins


def _conda_packages() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = dep.partition("=")
            out[_norm(name)] = version
    return out


def test_same_packages():
    conda = set(_conda_packages()) - {"python", "pip"}
    assert conda == _pip_packages()


def test_same_versions():
    conda, pins = _conda_packages(), _constraints()
    for name in _pip_packages():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert conda[name] == pins[name], f"{name}: environment.yml {conda[name]} vs constraints.txt {pins[name]}"
    assert conda["python"] == "3.11"
