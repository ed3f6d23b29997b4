"""``skywitness flights``: query stored flights; ``skywitness flights rebuild``: recompute them.

Filters: the one vocabulary of docs/filters.md (``cli.filter_args``), the same as
``investigate`` and ``/api/flights``; output as a table, CSV, JSON lines or Parquet. Times are
printed UTC, ISO 8601 with Z.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import SkywitnessError
from ..flights.query import select_flight_rows, select_flights
from ..timeutil import iso_z, short_z
from .db_cmd import add_data_dir, open_catalog, open_store
from .filter_args import add_filter_args, query_of
from .timeargs import end_time_arg, time_arg
from .tsv import rows_tsv

if TYPE_CHECKING:
    import pyarrow as pa

# The flight builder (``rebuild``), pyarrow and jsontext (the file formats) and rich (a
# terminal's table) are imported where used: a query printed to a pipe (``flights --icao24 X |
# ...``) starts with DuckDB alone (issue 18: < 0.2 s).

#: Old spellings of `flights` options (deprecated, still accepted): old -> new.
ALIASES = {"--country": "--registry-country"}

#: Terminal table: (header, column, fallback column when the first is null, marked "~").
TABLE_COLUMNS = (
    ("icao24", "icao24", None),
    ("callsign", "callsign", None),
    ("from", "estDepartureAirport", None),
    ("departure", "takeoff_time", "first_airborne"),
    ("to", "estArrivalAirport", None),
    ("arrival", "landing_time", "last_airborne"),
    ("conf", "confidence", None),
    ("gaps", "gaps_bridged", None),
)


def register(sub: Any) -> None:
    p = sub.add_parser("flights", help="stored flights: query (filters) or rebuild")
    add_data_dir(p, sub=False)
    add_filter_args(p, ALIASES)
    p.add_argument("--limit", type=int, help="at most this many flights")
    p.add_argument(
        "--format",
        dest="out_format",
        choices=("table", "csv", "json", "parquet", "opensky"),
        default=None,
        help="table (terminal; TSV in a pipe), csv, json (lines), parquet, or opensky: OpenSky's "
        "/flights JSON (firstSeen/lastSeen as unix seconds)",
    )
    p.add_argument("-o", "--output", type=Path, help="write to a file (format from its suffix)")
    p.set_defaults(func=run_query)
    fsub = p.add_subparsers(dest="flights_command", metavar="FLIGHTS_COMMAND")
    r = fsub.add_parser("rebuild", help="reconstruct flights from the stored state vectors")
    add_data_dir(r)
    r.add_argument("--since", type=time_arg, default=argparse.SUPPRESS, help="from (UTC)")
    r.add_argument("--until", type=end_time_arg, default=argparse.SUPPRESS, help="until (UTC)")
    r.set_defaults(func=run_rebuild)


def _format(args: argparse.Namespace) -> str:
    if args.out_format:
        return str(args.out_format)
    if args.output is not None:
        suffix = args.output.suffix.lower()
        return {".csv": "csv", ".json": "json", ".jsonl": "json", ".parquet": "parquet"}.get(
            suffix, "table"
        )
    return "table"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):  # ISO 8601 to the minute keeps the table narrow
        return short_z(v, "iso-minute")
    if isinstance(v, float):
        return f"{v:.2f}"
    return str(v)


def to_json_lines(table: pa.Table) -> str:
    from ..jsontext import jsonable

    return "".join(json.dumps(jsonable(r)) + "\n" for r in table.to_pylist())


#: The fields of a flight in OpenSky's REST API (/flights/all, /flights/aircraft, ...).
OPENSKY_FIELDS = (
    "icao24", "firstSeen", "estDepartureAirport", "lastSeen", "estArrivalAirport", "callsign",
    "estDepartureAirportHorizDistance", "estDepartureAirportVertDistance",
    "estArrivalAirportHorizDistance", "estArrivalAirportVertDistance",
    "departureAirportCandidatesCount", "arrivalAirportCandidatesCount",
)  # fmt: skip


def to_opensky_json(table: pa.Table) -> str:
    """Flights as OpenSky's REST API gives them: a JSON array, times as unix seconds (int),
    distances in whole metres, callsigns padded to 8 characters as OpenSky stores them."""
    out = []
    for row in table.select(list(OPENSKY_FIELDS)).to_pylist():
        rec: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, datetime):
                value = int(value.timestamp())
            elif isinstance(value, float):
                value = round(value)
            elif key == "callsign" and value:
                value = f"{value:<8}"
            elif key.endswith("CandidatesCount") and value is None:
                value = 0
            rec[key] = value
        out.append(rec)
    return json.dumps(out, indent=1) + "\n"


def to_csv_text(table: pa.Table) -> str:
    """CSV of the flat columns (nested lists/structs as JSON text); times ISO with Z."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from ..jsontext import jsonable

    cols, names = [], []
    for name, col in zip(table.column_names, table.columns, strict=True):
        if pa.types.is_timestamp(col.type):
            col = pa.array([iso_z(v) if v else None for v in col.to_pylist()], pa.string())
        elif pa.types.is_nested(col.type):
            col = pa.array([json.dumps(jsonable(v)) for v in col.to_pylist()], pa.string())
        cols.append(col)
        names.append(name)
    buf = io.BytesIO()
    pacsv.write_csv(pa.Table.from_arrays(cols, names=names), buf)
    return buf.getvalue().decode("utf-8")


def run_query(args: argparse.Namespace) -> int:
    query = query_of(args, limit=args.limit)
    fmt = _format(args)
    with contextlib.closing(open_catalog(args)) as con:
        if fmt == "table":
            names, rows = select_flight_rows(con, query)
        else:
            flights = select_flights(con, query)
    if fmt == "parquet":
        if args.output is None:
            raise SkywitnessError("--format parquet needs -o FILE")
        import pyarrow.parquet as pq

        pq.write_table(flights, args.output, compression="zstd")
    elif fmt in ("csv", "json", "opensky"):
        writers = {"csv": to_csv_text, "json": to_json_lines, "opensky": to_opensky_json}
        text = writers[fmt](flights)
        if args.output is None:
            sys.stdout.write(text)
        else:
            args.output.write_text(text, encoding="utf-8")
    else:
        _print_table(names, rows, args.output)
    return 0


def _print_table(names: list[str], flights: list[dict[str, Any]], output: Path | None) -> None:
    """A compact table (rich on a terminal, else TSV); a departure/arrival time prefixed "~"
    is the first/last airborne point seen, not an observed takeoff/landing."""
    cols = [c for c in TABLE_COLUMNS if c[1] in set(names)]
    rows = []
    for row in flights:
        cells = []
        for _, col, fallback in cols:
            value = row[col]
            if value is None and fallback is not None and row.get(fallback) is not None:
                cells.append("~" + _cell(row[fallback]))
            else:
                cells.append(_cell(value))
        rows.append(cells)
    headers = [header for header, _, _ in cols]
    with contextlib.ExitStack() as stack:
        out = (
            sys.stdout
            if output is None
            else stack.enter_context(open(output, "w", encoding="utf-8"))
        )
        if not out.isatty():
            out.write(rows_tsv(headers, rows))
            return
        from rich.table import Table

        from .console import print_table

        table = Table(title=f"{len(rows):,} flight(s)")
        for header in headers:
            narrow = header in ("icao24", "callsign", "from", "to")
            table.add_column(header, no_wrap=narrow, overflow="fold")  # never hide a time
        for cells in rows:
            table.add_row(*cells)
        print_table(table, file=out)


def run_rebuild(args: argparse.Namespace) -> int:
    since = getattr(args, "since", None)
    until = getattr(args, "until", None)
    with open_store(args) as store:
        from ..runtime.history import rebuild_flights

        n_aircraft, n_flights = rebuild_flights(store, since=since, until=until)
    window = f"{iso_z(since) or 'start'} → {iso_z(until) or 'end'}"
    from .console import console

    console().print(f"rebuilt {n_flights:,} flight(s) of {n_aircraft:,} aircraft ({window})")
    return 0
