"""The import layers of ../shared/design/ARCHITECTURE.md, checked by walking every import.

model/errors/stats/output/jsontext/timeutil/runs < sources, decode, identify, store < track <
flights, watch, evidence, simulate < runtime < api, cli, claims, spark. A module may import its own
layer or lower ones, and no imports go round in a cycle: neither between the modules of the
package (module-level imports; ``if TYPE_CHECKING:`` ones aside) nor between its subpackages
(any import, those inside functions too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
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
    "jsoncolumns": 0,
    "arrow_views": 0,
    "runs": 0,
    "procs": 0,
    "timeutil": 0,
    "tomllines": 0,
    "bounded": 0,
    "lazy": 0,
    "alloc": 0,
    "pandas_off": 0,
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
    "mlat": 3,
    "runtime": 4,
    "spark": 5,
    "api": 5,
    "claims": 5,
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


# -- import cycles -------------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The statements run at import time: module level, inside ``if`` / ``try`` (not
    ``if TYPE_CHECKING:``, not function or class bodies)."""
    for node in body:
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            yield from _statements(node.body)
            yield from _statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _statements(block)
            for handler in node.handlers:
                yield from _statements(handler.body)
        else:
            yield node


def module_imports(path: Path, *, lazy: bool = False) -> set[str]:
    """The package's modules that ``path`` imports (a package: its ``__init__``); ``lazy``:
    imports inside functions too. ``from . import sub`` imports ``sub`` only: the package
    itself is the one being imported already."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = _module_name(path)
    package = own.split(".") if path.name == "__init__.py" else own.split(".")[:-1]
    nodes: Iterable[ast.AST] = ast.walk(tree) if lazy else _statements(tree.body)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("skywitness"):
                target = node.module.removeprefix("skywitness").lstrip(".")
            else:
                continue
            subs = [f"{target}.{a.name}" if target else a.name for a in node.names]
            found.update(x for x in subs if x in MODULES)
            if target in MODULES and (node.module or any(x not in MODULES for x in subs)):
                found.add(target)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name.removeprefix("skywitness.")
                if alias.name.startswith("skywitness.") and name in MODULES:
                    found.add(name)
    found.discard(own)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.append(top)
                        if top == node:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_cycle_finder() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"e2"}, "e2": {"e"}}
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["e", "e2"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules() -> None:
    graph = {name: module_imports(path) for name, path in MODULES.items()}
    assert cycles(graph) == [], "module-level import cycles"


def test_no_import_cycle_between_subpackages() -> None:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        mine = _top(name) if name else "__init__"
        for target in module_imports(path, lazy=True):
            if _top(target) != mine:
                graph.setdefault(mine, set()).add(_top(target))
    assert cycles(graph) == [], "import cycles between subpackages"


def test_one_time_printer() -> None:
    """ISO 8601 time printing is defined once (``timeutil.iso_z``), so every output agrees."""
    defs = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if "\ndef iso_z(" in p.read_text(encoding="utf-8")
    ]
    assert defs == ["timeutil.py"]
