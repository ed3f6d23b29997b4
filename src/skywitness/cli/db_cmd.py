"""``skywitness db``: the store's housekeeping: ``info``, ``compact``, ``import-runways``.

Also hosts the identity helper's ``db import-aircraft`` when its module provides
``register_db_commands``. The data directory comes from ``--data-dir``, else
``$SKYWITNESS_DATA_DIR``, else ``./skywitness-data``.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import data_dir
from ..errors import SkywitnessError
from ..timeutil import iso_z, parse_time

if TYPE_CHECKING:
    import duckdb
    import httpx
    from rich.console import Console

    from ..store.store import Store

# The store (pyarrow, the lake) and rich are imported where used: ``add_data_dir`` and
# ``open_catalog`` serve a ``flights`` query, which starts with DuckDB alone (issue 18).

#: Moved airports named after an import (the farthest moved first).
MOVED_SHOWN = 8
#: OurAirports publishes its CSV files here (public domain data).
RUNWAYS_URL = "https://davidmegginson.github.io/ourairports-data/runways.csv"
DOWNLOAD_TIMEOUT_S = 60.0


def add_data_dir(p: argparse.ArgumentParser, *, sub: bool = True) -> None:
    """``--data-dir``, accepted before or after a sub-command (a sub-command's absent option
    must not overwrite the group's, hence SUPPRESS there)."""
    p.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS if sub else None,
        help="data directory (default $SKYWITNESS_DATA_DIR or ./skywitness-data)",
    )


def _out() -> Console:
    from .console import console

    return console()


def _existing(args: argparse.Namespace) -> Path:
    ddir = data_dir(getattr(args, "data_dir", None))
    if not (ddir / "catalog.duckdb").exists():
        raise SkywitnessError(f"no store at {ddir} (ingest something first, or give --data-dir)")
    return ddir


def open_store(args: argparse.Namespace, *, read_only: bool = False) -> Store:
    from ..store.store import Store

    ddir = _existing(args) if read_only else data_dir(getattr(args, "data_dir", None))
    return Store(ddir, read_only=read_only)


def open_catalog(args: argparse.Namespace) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the catalogue alone (``store.connect.read_catalog``): for
    queries of its tables that need neither the lake nor the store's recovery diagnosis."""
    from ..store.connect import read_catalog

    return read_catalog(_existing(args))


def register(sub: Any) -> None:
    db = sub.add_parser("db", help="the store: info, compact, reference imports")
    add_data_dir(db, sub=False)
    db_sub = db.add_subparsers(dest="db_command", metavar="DB_COMMAND")
    db.set_defaults(func=lambda args: (db.print_help(), 2)[1])

    p = db_sub.add_parser("info", help="size, rows, date range, aircraft, flights, ingests")
    add_data_dir(p)
    p.set_defaults(func=run_info)

    p = db_sub.add_parser("compact", help="merge the small Parquet files of a day (or all days)")
    add_data_dir(p)
    p.add_argument("--date", help="the UTC day YYYY-MM-DD (default: every day with >1 file)")
    p.set_defaults(func=run_compact)

    p = db_sub.add_parser(
        "import-runways", help="import OurAirports runways.csv[.gz] (thresholds, lengths, surfaces)"
    )
    add_data_dir(p)
    p.add_argument("file", type=Path, help="runways.csv or runways.csv.gz (--download writes it)")
    p.add_argument("--download", action="store_true", help=f"download it first from {RUNWAYS_URL}")
    p.set_defaults(func=run_import_runways)

    try:
        aircraft_cmd = importlib.import_module("skywitness.cli.aircraft_cmd")
    except ImportError:
        return
    register_db = getattr(aircraft_cmd, "register_db_commands", None)
    if register_db is not None:
        register_db(db_sub)


def info_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    ingests = ", ".join(f"{n} {status}" for status, n in info["ingests"].items()) or "none"
    first, last = info["first"], info["last"]
    return [
        ("data dir", info["data_dir"]),
        ("size", f"{info['size_bytes'] / 1e6:,.1f} MB ({info['files']:,} Parquet files)"),
        ("state vectors", f"{info['rows']:,}"),
        ("date range", f"{iso_z(first)} → {iso_z(last)} ({info['days']} days)" if first else "-"),
        ("aircraft", f"{info['aircraft']:,}"),
        ("flights", f"{info['flights']:,}"),
        ("ingests", ingests),
        ("last open", info["recovery"]),
    ]


def run_info(args: argparse.Namespace) -> int:
    with open_store(args, read_only=True) as store:
        info = store.info()
    from rich.table import Table

    table = Table(title="skywitness store", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    for k, v in info_rows(info):
        table.add_row(k, v)
    _out().print(table)
    return 0


def run_compact(args: argparse.Namespace) -> int:
    day = parse_time(args.date).date() if args.date else None
    with open_store(args) as store:
        if not store.recovery.clean:
            _out().print(f"[yellow]recovered:[/] {store.recovery.summary()}")
        done = store.compact(day)
    if not done:
        _out().print("nothing to compact")
    for d in done:
        _out().print(f"{d['day']}: {d['files_before']} file(s) → {d['files_after']}")
    return 0


def download_runways(dest: Path, *, client: httpx.Client | None = None) -> int:
    """Fetch OurAirports runways.csv to ``dest`` (via a temporary name); return bytes written."""
    import httpx  # on use: ~0.1 s of start-up for every other ``db``/``flights`` run

    own = client is None
    http = client or httpx.Client(timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        with http.stream("GET", RUNWAYS_URL) as resp:
            if resp.status_code != 200:
                raise SkywitnessError(f"download of {RUNWAYS_URL} failed: HTTP {resp.status_code}")
            size = 0
            with open(tmp, "wb") as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
                    size += len(chunk)
        tmp.replace(dest)
        return size
    except httpx.HTTPError as exc:
        raise SkywitnessError(f"download of {RUNWAYS_URL} failed: {exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
        if own:
            http.close()


def run_import_runways(args: argparse.Namespace) -> int:
    from ..flights.airports import AirportIndex, load_runways

    path: Path = args.file
    if args.download:
        size = download_runways(path)
        _out().print(f"downloaded {size:,} bytes to {path}")
    if not path.is_file():
        raise SkywitnessError(f"{path}: no such file (add --download to fetch it)")
    try:
        runways = load_runways(path)
    except (OSError, ValueError) as exc:
        raise SkywitnessError(f"{path}: not an OurAirports runways file ({exc})") from exc
    with open_store(args) as store:
        n = store.replace_table("runways", runways)
    _out().print(f"imported {n:,} runways (thresholds or length) into table runways")
    _, moved = AirportIndex.default().moved_to_runways(runways)
    if moved:
        worst = sorted(moved.items(), key=lambda kv: -kv[1])[:MOVED_SHOWN]
        shown = ", ".join(f"{icao} {m / 1000:.0f} km" for icao, m in worst)
        more = f" and {len(moved) - len(worst)} more" if len(moved) > len(worst) else ""
        _out().print(
            f"{len(moved)} airports are listed 5-50 km from their runways in airportsdata; "
            f"flights place them at their runways: {shown}{more}"
        )
    return 0
