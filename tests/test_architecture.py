"""The import layers of ../shared/design/ARCHITECTURE.md, checked by walking every import.

model/errors/stats/output/jsontext < sources, decode, identify, store < track < flights, watch,
evidence, simulate < runtime < api, cli. A module may import its own layer or lower ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "skywitness"

LAYERS: dict[str, int] = {
    "__init__": 0,
    "__main__": 5,
    "model": 0,
    "errors": 0,
    "stats": 0,
    "output": 0,
    "jsontext": 0,
    "config": 0,
    "data": 0,
    "sources": 1,
    "decode": 1,
    "identify": 1,
    "store": 1,
    "track": 2,
    "flights": 3,
    "watch": 3,
    "evidence": 3,
    "simulate": 3,
    "runtime": 4,
    "api": 5,
    "web": 5,
    "cli": 5,
}


def _top(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path) -> list[str]:
    rel = path.relative_to(PACKAGE).with_suffix("")
    package = list(rel.parts[:-1])
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, node.module or ""]).strip(".")
                if not target:
                    found.extend(alias.name for alias in node.names)
                else:
                    found.append(target)
            elif node.module and node.module.startswith("skywitness."):
                found.append(node.module.removeprefix("skywitness."))
        elif isinstance(node, ast.Import):
            found.extend(
                a.name.removeprefix("skywitness.")
                for a in node.names
                if a.name.startswith("skywitness.")
            )
    return found


def test_every_module_has_a_layer() -> None:
    for path in PACKAGE.rglob("*.py"):
        top = _top(str(path.relative_to(PACKAGE).with_suffix("")).replace("/", "."))
        assert top in LAYERS, f"{path}: no layer for {top!r}; add it to LAYERS"


def test_imports_respect_layers() -> None:
    violations = []
    for path in PACKAGE.rglob("*.py"):
        own = _top(str(path.relative_to(PACKAGE).with_suffix("")).replace("/", "."))
        for target in _imports(path):
            other = _top(target)
            if other in LAYERS and LAYERS[other] > LAYERS[own]:
                violations.append(f"{path.relative_to(PACKAGE)} imports {target}")
    assert not violations, "\n".join(violations)


def test_no_gpl_import_in_package() -> None:
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import pyModeS" not in text and "from pyModeS" not in text, path
