"""``skywitness track``: clean state vectors in the canonical columns, one per aircraft per second.

``skywitness track ICAO24 --since --until -o FILE`` (a 6-hex address that is not a file) exports
that aircraft's stored track instead (GeoJSON, KML, CSV, Parquet).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from ..errors import SkywitnessError
from ..output import open_writer
from ..runtime.pipeline import track_tables
from ..stats import IngestStats
from ..track import state_schema
from .common import (
    add_input_options,
    nothing_accepted,
    print_summary,
    progress_bar,
    run_options,
    stderr,
    stop_on_signals,
)
from .timeargs import end_time_arg, time_arg

_ICAO24 = re.compile(r"[0-9a-fA-F]{6}")


def parse_reference(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(x) for x in text.split(","))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected LAT,LON: {text!r}") from exc
    return lat, lon


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "track",
        help="track aircraft: state vectors in the canonical columns",
        description="Decode and track every aircraft, writing state vectors (timestamp, icao24, "
        "callsign, latitude, longitude, altitude, geoaltitude, groundspeed, track, "
        "vertical_rate, squawk, onground, source, position_source, position_error).",
    )
    add_input_options(p)
    p.add_argument(
        "--rate",
        type=float,
        default=1.0,
        help="at most one state vector per aircraft per RATE seconds (0: every update)",
    )
    p.add_argument(
        "--reference",
        type=parse_reference,
        default=None,
        metavar="LAT,LON",
        help="receiver position, to resolve surface positions before any airborne one",
    )
    p.add_argument(
        "--receivers",
        default=None,
        metavar="TOML",
        help="multilateration: the receivers file (docs/mlat.md); SOURCES are one Beast feed "
        "per receiver (named after it) or one with 0xe3 receiver ids; adds position_error",
    )
    p.add_argument(
        "--no-dedup",
        action="store_true",
        help="keep identical frames heard by several receivers (default: merge them)",
    )
    stored = p.add_argument_group(
        "a stored track (skywitness track ICAO24 --since … --until … -o FILE)",
        "when the only SOURCE is a 6-hex address and no such file exists, export that "
        "aircraft's stored track: GeoJSON, KML, CSV or Parquet by the -o extension",
    )
    stored.add_argument("--since", type=time_arg, default=None, help="from (date or datetime, UTC)")
    stored.add_argument("--until", type=end_time_arg, default=None, help="until (UTC)")
    stored.add_argument("--data-dir", default=None, help="data directory of the store")
    p.set_defaults(func=run)


def is_stored_track(sources: list[str]) -> bool:
    """``track ICAO24``: one 6-hex argument that is not a file."""
    return (
        len(sources) == 1 and bool(_ICAO24.fullmatch(sources[0])) and not Path(sources[0]).exists()
    )


def run_export(args: argparse.Namespace) -> int:
    # the store (DuckDB) is only loaded for this use of the command
    from ..config import data_dir
    from ..store import Store, export_track

    if not args.output:
        raise SkywitnessError("a stored track needs -o FILE (.geojson, .kml, .csv or .parquet)")
    store = Store(data_dir(args.data_dir), read_only=True)
    try:
        rows = export_track(store, args.sources[0].lower(), args.since, args.until, args.output)
    finally:
        store.close()
    if not args.quiet:
        stderr().print(f"{rows:,} state vectors of {args.sources[0].lower()} → {args.output}")
    return 0


def run(args: argparse.Namespace) -> int:
    if is_stored_track(args.sources):
        return run_export(args)
    opts = run_options(args)
    stats = IngestStats(strict=opts.strict)
    if args.receivers:
        return run_mlat(args, opts, stats)
    writer = open_writer(args.output, state_schema())
    try:
        with stop_on_signals() as stop, progress_bar(not args.quiet) as hook:
            for table in track_tables(args.sources, opts, stats, stop=stop, progress=hook):
                writer.write(table)
    finally:
        writer.close()
        if not args.quiet:
            print_summary(stats, title="track")
    return nothing_accepted(stats, args.sources, opts.fmt)


def run_mlat(args: argparse.Namespace, opts: Any, stats: IngestStats) -> int:
    from ..mlat import load_receivers
    from ..runtime.mlat_tables import mlat_track_tables

    sites = load_receivers(args.receivers)
    writer = open_writer(args.output, state_schema())
    try:
        with stop_on_signals() as stop:
            for table in mlat_track_tables(args.sources, opts, stats, sites, stop=stop):
                writer.write(table)
    finally:
        writer.close()
        if not args.quiet:
            print_summary(stats, title="track (mlat)")
    return 0
