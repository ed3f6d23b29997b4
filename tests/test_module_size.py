"""The house rule on size, kept true: no source module over ``MAX_MODULE_LINES`` lines and no
function over ``MAX_FUNCTION_LINES`` lines of its own (a nested function, such as a route
handler inside ``create_app``, counts as a function of its own, not as lines of its parent)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "skywitness"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def own_lines(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of ``fn`` (decorators included) less those of the functions and classes nested
    in it."""
    first = min([d.lineno for d in fn.decorator_list] + [fn.lineno])
    lines = set(range(first, (fn.end_lineno or fn.lineno) + 1))
    for node in ast.walk(fn):
        if node is not fn and isinstance(node, _DEFS):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            lines -= set(range(start, (node.end_lineno or node.lineno) + 1))
    return len(lines)


def oversized(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(root).as_posix()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{rel}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = own_lines(node)
                if n > MAX_FUNCTION_LINES:
                    found.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    return found


def test_no_module_or_function_too_long() -> None:
    assert oversized(PACKAGE) == []


def test_the_measure(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    nested = "def outer():\n    @dec\n    def inner():\n" + body.replace("    ", "        ") + "\n"
    (tmp_path / "a.py").write_text(f"def big():\n{body}\n\n\n{nested}")
    # big: the def line and 80 body lines; outer: 1 line of its own, inner: 81 (+ decorator)
    assert oversized(tmp_path) == ["a.py:1 big: 81 lines", "a.py:86 inner: 82 lines"]
    (tmp_path / "a.py").write_text("x = 1\n" * (MAX_MODULE_LINES + 1))
    assert oversized(tmp_path) == [f"a.py: {MAX_MODULE_LINES + 1} lines"]
