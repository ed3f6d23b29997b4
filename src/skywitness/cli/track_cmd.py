"""``skywitness track``: clean state vectors in the canonical columns, one per aircraft per second.

``skywitness track ICAO24 --since --until -o FILE`` (a 6-hex address that is not a file) exports
that aircraft's stored track instead (GeoJSON, KML, CSV, Parquet).
"""

from __future__ import annotations

import argparse
from typing import Any

from ..output import open_writer
from ..runtime.pipeline import track_tables
from ..stats import IngestStats
from ..track import state_schema
from .common import add_input_options, print_summary, progress_bar, run_options, stop_on_signals


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
        "vertical_rate, squawk, onground, source, position_source).",
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
        "--no-dedup",
        action="store_true",
        help="keep identical frames heard by several receivers (default: merge them)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    opts = run_options(args)
    stats = IngestStats(strict=opts.strict)
    writer = open_writer(args.output, state_schema())
    try:
        with stop_on_signals() as stop, progress_bar(not args.quiet) as hook:
            for table in track_tables(args.sources, opts, stats, stop=stop, progress=hook):
                writer.write(table)
    finally:
        writer.close()
        if not args.quiet:
            print_summary(stats, title="track")
    return 0
