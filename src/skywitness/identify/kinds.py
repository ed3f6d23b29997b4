"""The aircraft kinds the identity store knows, for the flights stage (``flights.kinds``).

An aircraft's kind (glider, helicopter, light piston, turboprop, jet...) follows from the
current type facts of any source: an ICAO type designator (``GLID``, ``BALL``), an ICAO type
description (``L2J``, ``H1T``: an OpenSky or FlightAware import) or a type name that names it
(tar1090-db's "AIRBUS HELICOPTERS EC-145"). Each distinct value is classified once; where
sources say different kinds the highest code wins. Every caller of the flights stage over the
same catalogue (``flights rebuild``, ``ingest``, ``watch``, the live service) asks here, so
they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pyarrow as pa

from ..flights.kinds import Kind, kind_of_description, kind_of_type
from .store_schema import missing_relation


def _classified(con: Any) -> pa.Table:
    """(field, value, kind) of every distinct current typecode and description of a known
    kind."""
    rows = con.execute(
        """SELECT DISTINCT field, value FROM aircraft_facts
           WHERE valid_until IS NULL AND field IN ('typecode', 'description')"""
    ).fetchall()
    out: dict[str, list[Any]] = {"field": [], "value": [], "kind": []}
    for fld, value in rows:
        kind = kind_of_type(value, None) if fld == "typecode" else kind_of_description(value)
        if kind != Kind.UNKNOWN:
            out["field"].append(fld)
            out["value"].append(value)
            out["kind"].append(int(kind))
    return pa.table(out, schema=pa.schema([("field", pa.string()), ("value", pa.string()),
                                           ("kind", pa.int8())]))  # fmt: skip


def aircraft_kinds(con: Any, icao24s: Sequence[str] | None = None) -> dict[str, int]:
    """icao24 -> ``Kind`` of the aircraft (all, or ``icao24s``) whose current type facts say
    one; aircraft of unknown kind are left out. Empty without identity tables."""
    if icao24s is not None and not icao24s:
        return {}
    names: list[str] = []
    try:
        con.register("_kinds_v", _classified(con))
        names.append("_kinds_v")
        where = ""
        if icao24s is not None:
            con.register("_kinds_q", pa.table({"icao24": [a.lower() for a in icao24s]}))
            names.append("_kinds_q")
            where = "AND f.icao24 IN (SELECT icao24 FROM _kinds_q)"
        rows = con.execute(
            f"""SELECT f.icao24, max(v.kind) FROM aircraft_facts f
                JOIN _kinds_v v ON f.field = v.field AND f.value = v.value
                WHERE f.valid_until IS NULL {where} GROUP BY f.icao24"""
        ).fetchall()
    except duckdb.Error as exc:
        if missing_relation(con, exc, "aircraft_facts"):
            return {}
        raise
    finally:
        for name in names:
            con.unregister(name)
    return {str(a): int(k) for a, k in rows}
