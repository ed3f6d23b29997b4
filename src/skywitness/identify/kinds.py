"""The aircraft kinds the identity store knows, for the flights stage (``flights.kinds``).

An aircraft's kind (glider, helicopter, light piston, turboprop, jet...) follows from its
current ICAO type designator and type description (``typecode``, ``description`` of the
``aircraft`` view: an OpenSky or FlightAware import gives descriptions such as ``L2J`` and
``H1T``; ``GLID`` and ``BALL`` are types). Every caller of the flights stage over the same
catalogue (``flights rebuild``, ``ingest``, the live service) asks here, so they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from ..flights.kinds import Kind, kind_of_type
from .store_schema import missing_relation


def aircraft_kinds(con: Any, icao24s: Sequence[str] | None = None) -> dict[str, int]:
    """icao24 -> ``Kind`` of the aircraft (all, or ``icao24s``) whose current type says one;
    aircraft of unknown kind are left out. Empty without identity tables."""
    where = ""
    if icao24s is not None:
        if not icao24s:
            return {}
        con.register("_kinds_q", pa.table({"icao24": [a.lower() for a in icao24s]}))
        where = "AND icao24 IN (SELECT icao24 FROM _kinds_q)"
    try:
        rows = con.execute(
            f"""SELECT typecode, description, list(icao24) FROM aircraft
                WHERE (typecode IS NOT NULL OR description IS NOT NULL) {where}
                GROUP BY ALL"""
        ).fetchall()
    except duckdb.Error as exc:
        if missing_relation(con, exc, "aircraft"):
            return {}
        raise
    finally:
        if icao24s is not None:
            con.unregister("_kinds_q")
    out: dict[str, int] = {}
    # one classification per distinct (type, description), not per aircraft
    for typecode, description, addresses in rows:
        kind = kind_of_type(typecode, description)
        if kind != Kind.UNKNOWN:
            out.update(dict.fromkeys(addresses, int(kind)))
    return out
