"""One catalogue writer (#10): every write to the DuckDB catalogue runs on the store's one
``CatalogWriter`` thread. Checked statically over the package (where write statements may be,
and that each one runs there) and at run time."""

from __future__ import annotations

import ast
import re
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.errors import SkywitnessError
from skywitness.flights import FLIGHT_SCHEMA
from skywitness.store import Store
from skywitness.store.flightdb import replace_flights

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "skywitness"
#: A SQL text that changes the catalogue (a TEMP view lives in one connection only).
WRITE_SQL = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|CREATE|COPY|ALTER|DROP|TRUNCATE)\b(?!.*\bTEMP\b)"
)
#: The modules whose functions are jobs of the writer thread: the only ones with write SQL.
JOB_MODULES = {
    "store/catalog.py",
    "store/compact.py",
    "store/flightdb.py",
    "store/recovery.py",
    "store/traces.py",
    "store/working.py",
    "identify/importer.py",
    "identify/store_schema.py",
    "identify/trace_facts.py",
    "identify/adsb_facts.py",
    "spark/lake_facts.py",
    "watch/alerts.py",
}
#: Store job modules check their thread themselves (``require_writer``).
GUARDED = {m for m in JOB_MODULES if m.startswith("store/")}
#: Writing functions of the other job modules (they take any connection, e.g. an in-memory
#: one in their own tests): the package calls them only inside ``<store>.write(...)``, or in
#: an ``on_commit`` that ``Store.write_batch`` runs in its commit job.
WRITE_FUNCTIONS = {
    "import_aircraft",
    "ensure_schema",
    "save_alerts",
    "ensure_alerts",
    "record_trace_facts",
    "record_adsb_facts",
    "merge_facts",
}


def _modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(p.relative_to(PACKAGE)), ast.parse(p.read_text(encoding="utf-8")))
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


def _texts(node: ast.AST) -> list[str]:
    """String constants in ``node`` (f-strings by their literal parts joined)."""
    out: list[str] = []
    for n in ast.walk(node):
        if isinstance(n, ast.JoinedStr):
            out.append("".join(str(v.value) for v in n.values if isinstance(v, ast.Constant)))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.append(n.value)
    return out


def _writes(node: ast.AST) -> bool:
    return any(WRITE_SQL.match(t) for t in _texts(node))


def test_write_sql_only_in_writer_job_modules() -> None:
    found = {name for name, tree in _modules() if _writes(tree)}
    assert found <= JOB_MODULES, sorted(found - JOB_MODULES)
    assert {"store/catalog.py", "store/flightdb.py", "watch/alerts.py"} <= found


def test_store_job_functions_refuse_other_threads() -> None:
    unguarded = []
    for name, tree in _modules():
        if name not in GUARDED:
            continue
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef) or not _writes(fn):
                continue
            calls = {
                c.func.id
                for c in ast.walk(fn)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            }
            if "require_writer" not in calls:
                unguarded.append(f"{name}:{fn.name}")
    assert unguarded == []


def _inside_write(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether ``node`` is (in) an argument of a ``something.write(...)`` call, or in a
    function named ``on_commit`` (a ``write_batch`` commit hook)."""
    while node in parents:
        up = parents[node]
        if isinstance(up, ast.FunctionDef) and up.name == "on_commit":
            return True
        if (
            isinstance(up, ast.Call)
            and isinstance(up.func, ast.Attribute)
            and up.func.attr == "write"
            and node in up.args
        ):
            return True
        node = up
    return False


def test_other_writers_are_called_only_as_writer_jobs() -> None:
    outside = []
    for name, tree in _modules():
        if name in JOB_MODULES:
            continue
        parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
        for node in ast.walk(tree):
            ref = None
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                ref = node.id
            elif isinstance(node, ast.Attribute):
                ref = node.attr
            if ref is None or not any(ref.endswith(f) for f in WRITE_FUNCTIONS):
                continue
            if isinstance(parents.get(node), ast.alias | ast.ImportFrom):
                continue
            if not _inside_write(node, parents):
                outside.append(f"{name}:{getattr(node, 'lineno', 0)}:{ref}")
    assert outside == []


def test_writes_run_on_the_writer_thread(tmp_path: Path) -> None:
    with Store(tmp_path / "data") as store:
        name = store.write(lambda con: threading.current_thread().name)
        assert name == "catalog-writer:data" != threading.current_thread().name
        # a catalogue write function called on a reader's connection refuses to run
        with pytest.raises(SkywitnessError, match="outside the catalogue writer thread"):
            replace_flights(store.connection, FLIGHT_SCHEMA.empty_table())
        assert store.replace_flights(FLIGHT_SCHEMA.empty_table()) == 0
        assert store.query_flights().num_rows == 0
        assert isinstance(store.table("flights"), pa.Table)
