"""``skywitness aircraft QUERY...`` and ``skywitness db import-aircraft``: parsing, printing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..config import data_dir
from ..errors import InputError
from ..identify.download import DOWNLOADS, download
from ..identify.formats import KINDS
from ..identify.identity import Identity, identify_many
from ..identify.importer import import_aircraft
from ..identify.query import Match, recent_activity, resolve
from ..store import Store
from .common import step_status

CATALOG_NAME = "catalog.duckdb"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "aircraft",
        help="who is this aircraft: identity, classification, reasons and sources",
        description="Look up aircraft by icao24, registration or callsign. Uses the catalogue's "
        "imported databases when present, else built-in facts only.",
    )
    p.add_argument("query", nargs="+", metavar="QUERY", help="icao24, registration or callsign")
    p.add_argument("--callsign", help="callsign to classify with (for an icao24 query)")
    p.add_argument(
        "--data-dir", help="data directory (default $SKYWITNESS_DATA_DIR or ./skywitness-data)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    p.set_defaults(func=run_aircraft)


def register_db_commands(db_subparsers: Any) -> None:
    p = db_subparsers.add_parser(
        "import-aircraft",
        help="import an aircraft database or operator list (history kept per source)",
    )
    p.add_argument("file", nargs="?", type=Path, help="CSV file (optional with --download)")
    p.add_argument("--kind", choices=KINDS, help="file kind (default from --download)")
    p.add_argument("--download", choices=sorted(DOWNLOADS), help="fetch the public version first")
    p.add_argument("--source", help="source name (default: the kind)")
    p.add_argument("--source-version", help="version label (default: sha256 prefix)")
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="generic kind: field to column (icao24=..., registration=..., typecode=...)",
    )
    p.add_argument("--strict", action="store_true", help="stop at the first bad row")
    p.add_argument("--force", action="store_true", help="re-import even an identical file")
    p.add_argument(
        "--data-dir", help="data directory (default $SKYWITNESS_DATA_DIR or ./skywitness-data)"
    )
    p.set_defaults(func=run_import)


def _connect(path: Path, *, read_only: bool) -> Any:
    import duckdb

    return duckdb.connect(str(path), read_only=read_only)


def run_import(args: argparse.Namespace) -> int:
    ddir = data_dir(args.data_dir)
    kind = args.kind
    path: Path | None = args.file
    if args.download:
        kind = kind or DOWNLOADS[args.download][0]
        path = download(args.download, ddir / "downloads")
    if path is None or kind is None:
        raise InputError("import-aircraft", "give FILE and --kind, or --download NAME")
    mapping = dict(m.split("=", 1) for m in args.map if "=" in m)
    ddir.mkdir(parents=True, exist_ok=True)
    with Store(ddir) as store, step_status() as step:  # the import: a catalogue writer job
        rep = store.write(
            lambda con: import_aircraft(
                con,
                path,
                kind,
                source=args.source,
                source_version=args.source_version,
                column_map=mapping or None,
                strict=args.strict,
                force=args.force,
                progress=step,
            )
        )
    if rep.already_imported:
        print(
            f"{path}: already imported as {rep.source} (sha256 {rep.sha256[:12]}): nothing changed"
        )
        return 0
    rejected = ", ".join(f"{k} {v}" for k, v in sorted(rep.stats.rejected.items())) or "none"
    print(
        f"{path}: {rep.rows_read} rows, {rep.keys} "
        f"{'designators' if kind == 'operators' else 'aircraft'}; "
        f"facts added {rep.facts_added}, retired {rep.facts_retired}, unchanged "
        f"{rep.facts_unchanged}; rejected: {rejected}; {rep.seconds:.1f} s "
        f"(source {rep.source}, version {rep.source_version})"
    )
    return 0


def _open_catalog(ddir: Path) -> Any:
    cat = ddir / CATALOG_NAME
    if not cat.is_file():
        return None
    try:
        return _connect(cat, read_only=True)
    except Exception as exc:  # locked by a writer: built-in facts still answer
        print(f"note: catalogue not readable ({exc}); built-in facts only", file=sys.stderr)
        return None


def run_aircraft(args: argparse.Namespace) -> int:
    con = _open_catalog(data_dir(args.data_dir))
    try:
        resolved = [(q, m) for q in args.query for m in _resolve_or_warn(con, q)]
        idents = identify_many(
            con, [(m.icao24 or None, m.callsign or args.callsign) for _, m in resolved]
        )
        for (q, m), ident in zip(resolved, idents, strict=True):
            activity = recent_activity(con, ident.icao24) if con and ident.icao24 else {}
            if args.json:
                out = ident.as_dict() | {"query": q, "matched_by": m.how} | activity
                print(json.dumps(out, ensure_ascii=False, default=str))
            else:
                _print_identity(ident, q, m.how, con is not None)
                _print_activity(activity)
    finally:
        if con is not None:
            con.close()
    return 0 if resolved else 1


def _resolve_or_warn(con: Any, query: str) -> list[Match]:
    matches = resolve(con, query)
    if not matches:
        print(f"{query}: not an icao24, known registration or callsign", file=sys.stderr)
    return matches


def _print_identity(ident: Identity, query: str, how: str, have_db: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    title = f"{ident.icao24 or ident.callsign}  ({query}: {how})"
    t = Table(title=title, show_lines=False)
    t.add_column("field")
    t.add_column("value")
    t.add_column("source", style="dim")
    if ident.callsign:
        t.add_row("callsign", ident.callsign, "query")
    for f in ident.facts:
        t.add_row(f.field, f.value, f.source)
    if ident.operator_designator and not any(f.field == "operator" for f in ident.facts):
        t.add_row("operator", f"{ident.operator} ({ident.operator_designator})", "designator")
    for f in ident.other_facts:
        t.add_row(f"  also {f.field}", f.value, f.source)
    console.print(t)
    console.print(f"classification: [bold]{ident.classification}[/bold]")
    for r in ident.reasons:
        console.print(f"  - {r.classification}: {r.kind}: {r.detail}  [dim]({r.source})[/dim]")
    if not ident.reasons:
        console.print("  (no military, government or police indicator found)")
    if not have_db:
        console.print(
            "[dim]built-in facts only: import a database with 'skywitness db import-aircraft'[/dim]"
        )


def _print_activity(activity: dict[str, Any]) -> None:
    from rich.console import Console

    console = Console()
    last = activity.get("last_position")
    if last:
        console.print(
            f"last position: {last['timestamp']}  {last['latitude']:.4f}, "
            f"{last['longitude']:.4f}  alt {last['altitude']} ft  {last['callsign'] or ''}"
        )
    for f in activity.get("recent_flights", []):
        console.print(
            f"flight {f['flight_id']}  {f['callsign'] or '?'}  {f['from'] or '?'} -> "
            f"{f['to'] or '?'}  {f['firstSeen']} .. {f['lastSeen']}"
        )
