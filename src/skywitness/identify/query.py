"""Resolve a user's query (icao24, registration or callsign) to the aircraft it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import duckdb

from ..jsontext import jsonable
from .address import parse_icao24
from .nnumber import n_number_address
from .store_schema import addresses_for_registration, has_schema, missing_relation

#: Most addresses listed for one registration or callsign.
MAX_MATCHES = 20


@dataclass(frozen=True, slots=True)
class Match:
    icao24: str  # "" when only the callsign is known
    callsign: str
    how: str  # icao24 | registration (DB) | n-number | callsign (store) | callsign


def _absent(con: Any, exc: duckdb.Error, name: str) -> bool:
    """Whether ``exc`` only says the store has no ``name`` to read (no store tables yet, or a
    ``states`` view whose lake files are gone): then there is nothing to report, not a bug."""
    if isinstance(exc, duckdb.IOException) and "No files found" in str(exc):
        return True
    return missing_relation(con, exc, name)


def _states_for_callsign(con: Any, callsign: str) -> list[str]:
    """Addresses seen with this callsign in the store's ``states`` view, if that view exists."""
    try:
        rows = con.execute(
            "SELECT DISTINCT icao24 FROM states WHERE callsign = ? ORDER BY icao24 LIMIT ?",
            [callsign, MAX_MATCHES],
        ).fetchall()
    except duckdb.Error as exc:
        if _absent(con, exc, "states"):  # the callsign alone still helps
            return []
        raise
    return [str(r[0]) for r in rows]


def resolve(con: Any, query: str) -> list[Match]:
    text = query.strip()
    if parse_icao24(text) is not None:
        return [Match(text.lower(), "", "icao24")]
    upper = text.upper()
    if con is not None and has_schema(con):
        hits = addresses_for_registration(con, upper)[:MAX_MATCHES]
        if hits:
            return [Match(h, "", "registration") for h in hits]
    if upper.startswith("N"):
        addr = n_number_address(upper)
        if addr is not None:
            return [Match(f"{addr:06x}", "", "n-number")]
    if re.fullmatch(r"[A-Z0-9]{2,8}", upper):
        seen = _states_for_callsign(con, upper) if con is not None else []
        if seen:
            return [Match(h, upper, "callsign (store)") for h in seen]
        return [Match("", upper, "callsign")]
    return []


def recent_activity(con: Any, icao24: str, limit: int = 5) -> dict[str, Any]:
    """Last position (store ``states`` view) and recent flights (``flights`` table) of an address.

    Either part is left out when the store has no such view/table yet; any other database
    error (a wrong column, a bad query) is raised.
    """
    out: dict[str, Any] = {}
    try:
        row = con.execute(
            """SELECT timestamp, latitude, longitude, altitude, callsign FROM states
               WHERE icao24 = ? AND latitude IS NOT NULL ORDER BY timestamp DESC LIMIT 1""",
            [icao24],
        ).fetchone()
        if row is not None:
            pos_keys = ("timestamp", "latitude", "longitude", "altitude", "callsign")
            out["last_position"] = {k: jsonable(v) for k, v in zip(pos_keys, row, strict=True)}
    except duckdb.Error as exc:
        if not _absent(con, exc, "states"):
            raise
    try:
        rows = con.execute(
            """SELECT flight_id, callsign, firstSeen, lastSeen, estDepartureAirport,
                      estArrivalAirport FROM flights WHERE icao24 = ?
               ORDER BY firstSeen DESC LIMIT ?""",
            [icao24, limit],
        ).fetchall()
        fl_keys = ("flight_id", "callsign", "firstSeen", "lastSeen", "from", "to")
        out["recent_flights"] = [
            {k: jsonable(v) for k, v in zip(fl_keys, r, strict=True)} for r in rows
        ]
    except duckdb.Error as exc:
        if not _absent(con, exc, "flights"):
            raise
    return out
