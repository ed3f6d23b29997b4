"""The one flight query: which flights, by who flies them, where and when (docs/filters.md).

``FILTERS`` is the vocabulary: each filter's command-line flag (the same in ``skywitness
flights`` and ``skywitness investigate``), its ``/api/flights`` parameter (also its key in an
investigate question file) and what it means. ``build_query`` turns values keyed by those names
into a ``FlightQuery``; ``select_flights`` answers it from the catalogue. Values of one filter
are alternatives (OR); different filters must all hold (AND).

The flight half (addresses, callsigns, places, times, confidence) is one SQL query
(``store.flightdb.query_flights``); the identity half (``identify.filter.IdentityQuery``) is
then applied to each distinct aircraft of the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..errors import SkywitnessError
from ..identify.filter import IdentityQuery, filter_by_identity
from ..store.flightdb import FlightFilter, query_flight_rows, query_flights, values

if TYPE_CHECKING:
    import pyarrow as pa
from ..timeutil import iso_z, parse_time


@dataclass(frozen=True)
class Filter:
    """One filter of the vocabulary."""

    key: str  # /api/flights parameter and question-file key
    flag: str  # command-line option of `flights` and `investigate`
    target: str  # FlightFilter field, or "who.<IdentityQuery field>"
    kind: str  # list (repeatable, comma lists) | switch | time | number
    help: str


FILTERS: tuple[Filter, ...] = (
    Filter("icao24", "--icao24", "icao24", "list", "aircraft address(es), 6 hex digits"),
    Filter("callsign", "--callsign", "callsign", "list", "callsign glob(s), e.g. 'RFF*'"),
    Filter("registration", "--registration", "who.registration", "list", "registration glob(s)"),
    Filter(
        "operator", "--operator", "who.operator", "list", "operator ICAO designator or name part"
    ),
    Filter(
        "registry_country",
        "--registry-country",
        "who.registry_country",
        "list",
        "state of registry (ISO 3166 alpha-2 or name)",
    ),
    Filter("type", "--type", "who.typecode", "list", "ICAO aircraft type glob(s), e.g. 'IL76*'"),
    Filter("class", "--class", "who.classes", "list", "military, government, police or civil"),
    Filter("military", "--military", "who.classes", "switch", "same as --class military"),
    Filter(
        "government",
        "--government",
        "who.classes",
        "switch",
        "same as --class government (military aircraft are not included)",
    ),
    Filter(
        "watchlist",
        "--watchlist",
        "who.watchlist",
        "list",
        "on a watchlist whose name, category or tag matches this glob (no value: any)",
    ),
    Filter("from", "--from", "origin", "list", "departure airport(s), ICAO or IATA"),
    Filter("to", "--to", "destination", "list", "arrival airport(s), ICAO or IATA"),
    Filter("via", "--via", "via", "list", "departs from or arrives at airport(s)"),
    Filter(
        "from_country", "--from-country", "origin_country", "list", "departure country (alpha-2)"
    ),
    Filter(
        "to_country", "--to-country", "destination_country", "list", "arrival country (alpha-2)"
    ),
    Filter(
        "via_country", "--via-country", "via_country", "list", "departs from/arrives in (alpha-2)"
    ),
    Filter("since", "--since", "since", "time", "flights still seen at or after (UTC)"),
    Filter("until", "--until", "until", "time", "flights first seen before (a date: its end)"),
    Filter("min_confidence", "--min-confidence", "min_confidence", "number", "confidence 0..1"),
)
BY_KEY = {f.key: f for f in FILTERS}


@dataclass(frozen=True)
class FlightQuery:
    """The flight constraints (one SQL query) and who must fly (applied per aircraft)."""

    flights: FlightFilter = field(default_factory=FlightFilter)
    who: IdentityQuery = field(default_factory=IdentityQuery)


def _strings(value: Any) -> tuple[str, ...]:
    """A string, or a list of strings, with comma lists split; empty parts dropped."""
    if value is not None and not isinstance(value, str | list | tuple | set):
        raise SkywitnessError(f"expected a text or a list of texts, got {value!r}")
    items = [value] if isinstance(value, str) else list(value or ())
    return tuple(p.strip() for item in items for p in str(item).split(",") if p.strip())


_PLACE_COUNTRIES = ("from_country", "to_country", "via_country")
_UPPER = ("callsign", "from", "to", "via")


def _country(code: str) -> str:
    if len(code) != 2 or not code.isalpha():
        raise SkywitnessError(f"not an ISO 3166 alpha-2 country code: {code!r}")
    return code.upper()


def _time(key: str, value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str | date | datetime | int | float):
        raise SkywitnessError(f"{key}: not a date or time: {value!r}")
    try:
        return parse_time(value, end=key == "until")
    except (ValueError, OverflowError, OSError) as exc:
        raise SkywitnessError(f"{key}: {exc}") from exc


def _number(key: str, value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SkywitnessError(f"{key} must be a number, not {value!r}") from exc


def build_query(given: Mapping[str, Any], *, limit: int | None = None) -> FlightQuery:
    """A ``FlightQuery`` from values keyed by ``FILTERS`` keys (None / empty: not asked).

    A ``watchlist`` of ``True`` means any watchlist (a question file's ``watchlist = true``).
    """
    unknown = sorted(set(given) - set(BY_KEY))
    if unknown:
        raise SkywitnessError(f"unknown filter(s): {', '.join(unknown)}")
    flights: dict[str, Any] = {"limit": limit}
    who: dict[str, list[str]] = {}
    for f in FILTERS:
        value = given.get(f.key)
        if f.key == "watchlist" and isinstance(value, bool):
            value = "*" if value else None
        if f.kind == "list":
            parsed: Any = _strings(value)
            if f.key == "icao24":
                parsed = tuple(v.lower() for v in parsed)
            elif f.key in _PLACE_COUNTRIES:
                parsed = tuple(_country(v) for v in parsed)
            elif f.key in _UPPER:
                parsed = tuple(v.upper() for v in parsed)
        elif f.kind == "switch":
            parsed = (f.key,) if value else ()
        elif f.kind == "time":
            parsed = _time(f.key, value)
        else:
            parsed = _number(f.key, value)
        if f.target.startswith("who."):
            who.setdefault(f.target[4:], []).extend(parsed)
        else:
            flights[f.target] = parsed
    since, until = flights.get("since"), flights.get("until")
    if since is not None and until is not None and until <= since:
        raise SkywitnessError("--until must be after --since")
    return FlightQuery(
        FlightFilter(**flights), IdentityQuery(**{k: tuple(v) for k, v in who.items()})
    )


def query_dict(q: FlightQuery) -> dict[str, Any]:
    """The values of ``q`` keyed by ``FILTERS`` keys (JSON-ready; not-asked filters left out),
    so that ``build_query(query_dict(q)) == q``."""
    out: dict[str, Any] = {}
    for f in FILTERS:
        if f.kind == "switch":
            continue  # recorded in "class"
        if f.target.startswith("who."):
            value: Any = getattr(q.who, f.target[4:])
        else:
            value = getattr(q.flights, f.target)
        if f.kind == "list":
            value = list(values(value))
        elif f.kind == "time":
            value = iso_z(value) or None
        if value not in (None, []):
            out[f.key] = value
    return out


def select_flights(con: Any, q: FlightQuery) -> pa.Table:
    """The stored flights matching ``q``, by firstSeen then icao24 (``limit`` applies last)."""
    if not q.who.active:
        return query_flights(con, q.flights)
    table = query_flights(con, dataclasses.replace(q.flights, limit=None))
    if table.num_rows == 0:
        return table
    table = filter_by_identity(con, table, q.who)
    limit = q.flights.limit
    return table if limit is None else table.slice(0, limit)


def select_flight_rows(con: Any, q: FlightQuery) -> tuple[list[str], list[dict[str, Any]]]:
    """``select_flights`` as column names and one dict per flight. Without an identity
    filter it runs with DuckDB alone (no pyarrow: ``flights --icao24``'s start-up)."""
    if q.who.active:
        table = select_flights(con, q)
        return table.column_names, table.to_pylist()
    names, rows = query_flight_rows(con, q.flights)
    return names, [dict(zip(names, row, strict=True)) for row in rows]
