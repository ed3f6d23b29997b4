"""The ``flights`` table: replace the flights of the aircraft/days recomputed, and query them.

Agnostic of the flights schema (``skywitness.flights.schema`` owns it): any Arrow table with at
least ``flight_id``, ``icao24``, ``firstSeen`` and ``lastSeen`` is stored as it is. Filters use
the OpenSky-style columns when the table has them (``callsign``, ``callsigns``,
``estDepartureAirport``, ``estArrivalAirport``, ``confidence``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb

from ..errors import SkywitnessError
from .catalog import first, table_exists
from .catalog_writer import require_writer

if TYPE_CHECKING:
    import pyarrow as pa

# pyarrow and airportsdata (~28k airports) are imported where used: a terminal query of one
# aircraft's flights (``query_flight_rows``) loads neither (start-up, issue 18).

FLIGHTS = "flights"


#: One value, or alternatives (any of them matches); None or empty means no constraint.
Values = str | Sequence[str] | None


@dataclass(frozen=True, slots=True)
class FlightFilter:
    """What ``query_flights`` selects (the flight half of docs/filters.md).

    Several values of one field are alternatives; different fields must all hold."""

    icao24: Values = None
    callsign: Values = None  # globs: AFR*, ?ZB1234 (the main callsign or any other flown)
    origin: Values = None  # departure airport, ICAO or IATA
    destination: Values = None  # arrival airport
    origin_country: Values = None  # ISO 3166 alpha-2 of the departure airport
    destination_country: Values = None
    since: datetime | None = None  # flights still seen at or after
    until: datetime | None = None  # flights first seen before
    min_confidence: float | None = None
    limit: int | None = None
    via: Values = None  # departs from or arrives at one of these airports
    via_country: Values = None  # departs from or arrives at an airport of these countries


@functools.lru_cache(maxsize=1)
def _airports() -> tuple[dict[str, Any], dict[str, Any]]:
    import airportsdata

    return airportsdata.load("ICAO"), airportsdata.load("IATA")


def airport_icao(code: str) -> str:
    """ICAO code of an airport given by ICAO or IATA code; SkywitnessError when unknown."""
    icao, iata = _airports()
    c = code.strip().upper()
    if c in icao:
        return c
    if c in iata and iata[c].get("icao"):
        return str(iata[c]["icao"])
    raise SkywitnessError(f"unknown airport {code!r} (give an ICAO or IATA code)")


def country_airports(country: str) -> list[str]:
    """ICAO codes of the airports in a country (ISO 3166 alpha-2)."""
    c = country.strip().upper()
    if len(c) != 2 or not c.isalpha():
        raise SkywitnessError(f"not an ISO 3166 alpha-2 country code: {country!r}")
    return sorted(k for k, a in _airports()[0].items() if a.get("country") == c)


def replace_flights(
    con: duckdb.DuckDBPyConnection,
    table: pa.Table,
    *,
    icao24s: Iterable[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    remove_ids: Iterable[str] = (),
    replace_all: bool = False,
) -> int:
    """Store ``table``'s flights, first deleting the ones it supersedes; return rows deleted.

    Deleted: every flight whose ``flight_id`` is in ``table`` or ``remove_ids``; and when a
    scope is given (``icao24s`` and/or ``since``/``until``), every flight of those aircraft
    overlapping that time window (what a rebuild of that scope recomputed); with
    ``replace_all`` every stored flight. One transaction: readers see old or new, never half.
    """
    require_writer()
    import pyarrow as pa

    for col in ("flight_id", "icao24", "firstSeen", "lastSeen"):
        if col not in table.column_names:
            raise SkywitnessError(f"flights table lacks column {col!r}")
    incoming = table  # noqa: F841  (read by DuckDB's replacement scan below)
    ids = pa.table(
        {
            "flight_id": pa.concat_arrays(
                [
                    table.column("flight_id").combine_chunks(),
                    pa.array(list(remove_ids), pa.string()),
                ]
            )
        }
    )
    scoped = replace_all or icao24s is not None or since is not None or until is not None
    aircraft = pa.table({"icao24": pa.array(sorted(set(icao24s or ())), pa.string())})
    con.execute("BEGIN TRANSACTION")
    try:
        if not table_exists(con, FLIGHTS):
            con.execute(f"CREATE TABLE {FLIGHTS} AS SELECT * FROM incoming LIMIT 0")
        con.register("_del_ids", ids)
        # a DELETE answers the rows it deleted: no count before and after (two queries less)
        deleted = _deleted(
            con, f"DELETE FROM {FLIGHTS} WHERE flight_id IN (SELECT flight_id FROM _del_ids)"
        )
        if scoped:
            where, params = ["true"], []
            if not replace_all:
                if icao24s is not None:
                    con.register("_del_ac", aircraft)
                    where.append("icao24 IN (SELECT icao24 FROM _del_ac)")
                if since is not None:
                    where.append('"lastSeen" >= ?')
                    params.append(since)
                if until is not None:
                    where.append('"firstSeen" < ?')
                    params.append(until)
            deleted += _deleted(con, f"DELETE FROM {FLIGHTS} WHERE {' AND '.join(where)}", params)
        stored = {r[0] for r in con.execute(f"DESCRIBE {FLIGHTS}").fetchall()}
        if set(table.column_names) <= stored:
            con.execute(f"INSERT INTO {FLIGHTS} BY NAME SELECT * FROM incoming")
        else:  # the flights schema grew: rebuild the table with the union of columns
            con.execute(
                f"CREATE OR REPLACE TABLE {FLIGHTS} AS SELECT * FROM {FLIGHTS} "
                "UNION ALL BY NAME SELECT * FROM incoming"
            )
        con.execute("COMMIT")
    except Exception:
        # a COMMIT that failed (a full disk) has ended the transaction already: the rollback
        # then fails too, and must not hide the error that matters
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    finally:
        for view in ("_del_ids", "_del_ac"):
            with contextlib.suppress(duckdb.Error):
                con.unregister(view)
    return deleted


def _deleted(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    """Run a DELETE; the rows it deleted (DuckDB answers a DELETE with its count)."""
    row = first(con.execute(sql, params).fetchall())
    return int(row[0]) if row else 0


def _glob_sql(pattern: str) -> str:
    """A shell glob (``*``, ``?``, ``[...]``) for DuckDB's GLOB, upper-cased like callsigns."""
    return pattern.strip().upper()


def values(v: Values) -> list[str]:
    """``v`` as a list of stripped, non-empty strings (a single string is one value)."""
    items = [v] if isinstance(v, str) else list(v or ())
    return [s.strip() for s in items if s and s.strip()]


def _airport_codes(codes: Values) -> list[str] | None:
    """ICAO codes of the airports given (ICAO or IATA); None when none is given."""
    given = values(codes)
    return sorted({airport_icao(c) for c in given}) if given else None


def _country_airports(countries: Values) -> list[str] | None:
    """ICAO codes of the airports in the countries given; None when none is given."""
    given = values(countries)
    return sorted({a for c in given for a in country_airports(c)}) if given else None


def query_flights(con: duckdb.DuckDBPyConnection, flt: FlightFilter) -> pa.Table:
    """Flights matching ``flt``, ordered by firstSeen then icao24 (empty table if none stored)."""
    import pyarrow as pa

    query = flights_sql(con, flt)
    if query is None:
        return pa.table({})
    return con.sql(query[0], params=query[1]).to_arrow_table()


def query_flight_rows(
    con: duckdb.DuckDBPyConnection, flt: FlightFilter
) -> tuple[list[str], list[tuple[Any, ...]]]:
    """``query_flights`` as column names and Python rows: no pyarrow (a terminal table)."""
    query = flights_sql(con, flt)
    if query is None:
        return [], []
    cur = con.execute(*query)
    return [d[0] for d in cur.description or ()], cur.fetchall()


def _flight_columns(con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """The flights table's column names; None when it does not exist. One DESCRIBE: asking
    ``table_exists`` first (``duckdb_tables()``, which loads every table's metadata) cost a
    ``flights --icao24`` query ~6 ms of CPU, a third of its work (issue 18)."""
    try:
        return {r[0] for r in con.execute(f"DESCRIBE {FLIGHTS}").fetchall()}
    except duckdb.CatalogException:
        return None


def flights_sql(con: duckdb.DuckDBPyConnection, flt: FlightFilter) -> tuple[str, list[Any]] | None:
    """The SQL text and parameters selecting the flights matching ``flt`` (None when no
    flights are stored): the one query of ``query_flights`` and ``query_flight_rows``."""
    cols = _flight_columns(con)
    if cols is None:
        return None
    where: list[str] = []
    params: list[Any] = []

    def need(col: str) -> None:
        if col not in cols:
            raise SkywitnessError(f"the flights table has no {col!r} column to filter on")

    icaos = [v.lower() for v in values(flt.icao24)]
    if icaos:  # IN (...), not list_contains: DuckDB pushes it into the scan
        where.append(f"icao24 IN ({', '.join('?' * len(icaos))})")
        params += icaos
    pats = [_glob_sql(p) for p in values(flt.callsign)]
    if pats:
        need("callsign")
        conds = []
        for pat in pats:
            conds.append("upper(callsign) GLOB ?")
            params.append(pat)
            if "callsigns" in cols:
                conds.append("len(list_filter(callsigns, lambda c: upper(c) GLOB ?)) > 0")
                params.append(pat)
        where.append(f"({' OR '.join(conds)})")
    ends = ("estDepartureAirport", "estArrivalAirport")
    places = (
        (ends[:1], _airport_codes(flt.origin)),
        (ends[:1], _country_airports(flt.origin_country)),
        (ends[1:], _airport_codes(flt.destination)),
        (ends[1:], _country_airports(flt.destination_country)),
        (ends, _airport_codes(flt.via)),
        (ends, _country_airports(flt.via_country)),
    )
    for at, codes in places:
        if codes is None:
            continue
        for col in at:
            need(col)
        where.append("(" + " OR ".join(f'list_contains(?, "{col}")' for col in at) + ")")
        params += [codes] * len(at)
    if flt.since is not None:
        where.append('"lastSeen" >= ?')
        params.append(flt.since)
    if flt.until is not None:
        where.append('"firstSeen" < ?')
        params.append(flt.until)
    if flt.min_confidence is not None:
        need("confidence")
        where.append("confidence >= ?")
        params.append(flt.min_confidence)
    sql = f"SELECT * FROM {FLIGHTS}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += ' ORDER BY "firstSeen", icao24'
    if flt.limit is not None:
        sql += f" LIMIT {int(flt.limit)}"
    return sql, params


def flight_ids(con: duckdb.DuckDBPyConnection, icao24s: Sequence[str]) -> list[str]:
    if not table_exists(con, FLIGHTS):
        return []
    rows = con.execute(
        f"SELECT flight_id FROM {FLIGHTS} WHERE list_contains(?, icao24)", [list(icao24s)]
    ).fetchall()
    return [r[0] for r in rows]


def keep_flights_of(con: duckdb.DuckDBPyConnection, aircraft: Sequence[str]) -> None:
    """Delete the flights of every aircraft not in ``aircraft`` (after a full rebuild)."""
    require_writer()
    if table_exists(con, FLIGHTS):
        con.execute(f"DELETE FROM {FLIGHTS} WHERE NOT list_contains(?, icao24)", [list(aircraft)])
