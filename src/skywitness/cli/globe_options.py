"""What ``skywitness ingest`` needs of its globe-history part before it knows it was given a
day archive: the options (``--only``, ``--follow``), and the ``--no-flights`` rebuild hint;
kept apart from ``cli.globe_ingest`` (rich's progress bar and the globe readers, ~0.03 s) so
that an ingest of other sources (``sources.globe_names.is_globe_input`` says which) does not
load it.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from ..timeutil import iso_z
from .ingest_out import say

#: Seconds between two reads of a followed globe-history folder.
FOLLOW_EVERY_S = 60.0


def add_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--only",
        action="append",
        metavar="KEY=VALUE",
        help="globe-history archives: keep only icao24=HEX,HEX|@FILE, bbox=S,W,N,E, "
        "country=XX (registry, by address block) or class=military|government (repeatable; "
        "all must hold)",
    )
    p.add_argument(
        "--follow",
        nargs="?",
        type=float,
        const=FOLLOW_EVERY_S,
        default=None,
        metavar="SECONDS",
        help="globe-history folders (a feeder's --write-globe-history): read them again every "
        f"SECONDS (default {FOLLOW_EVERY_S:g}) until Ctrl-C/SIGTERM, storing new traces and "
        "the new points of grown ones; live feeds are always followed",
    )


def rebuild_hint(data_dir: Path, window: tuple[datetime, datetime]) -> None:
    """Say the ``flights rebuild`` of ``window`` that gives the flights an ingest with
    ``--no-flights`` did not recompute; said even with --quiet: the store's flights are stale
    until it runs."""
    say(
        f"flights not rebuilt (--no-flights): skywitness flights rebuild --data-dir {data_dir} "
        f"--since {iso_z(window[0])} --until {iso_z(window[1])}"
    )
