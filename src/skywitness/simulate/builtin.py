"""Scenarios shipped with the package (``scenarios/*.toml``), loaded by name."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .scenario import Scenario, load_scenario, parse_scenario

_PACKAGE = "skywitness.simulate"
_FOLDER = "scenarios"


def list_builtin() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    folder = resources.files(_PACKAGE).joinpath(_FOLDER)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def load_builtin(name: str = "caracas") -> Scenario:
    """A built-in scenario by name; ConfigError lists the names when it is unknown."""
    names = list_builtin()
    if name not in names:
        raise ConfigError(f"no built-in scenario {name!r} (built-in: {', '.join(names)})")
    res = resources.files(_PACKAGE).joinpath(_FOLDER, f"{name}.toml")
    return parse_scenario(res.read_text(encoding="utf-8"), f"<built-in scenario {name}>")


def resolve(spec: str) -> Scenario:
    """A scenario from a TOML path, or a built-in name when no such file exists."""
    path = Path(spec)
    if path.suffix == ".toml" or path.exists():
        return load_scenario(path)
    return load_builtin(spec)
