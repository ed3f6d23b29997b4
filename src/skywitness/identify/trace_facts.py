"""Identity facts carried by readsb traces (``r``, ``t``, ``desc``, ``ownOp``, ``year`` and the
``dbFlags`` bits), stored as ``aircraft_facts`` with their source like any imported database.

The values come from the tar1090 aircraft database that readsb embeds, so the source is of kind
``tar1090``; its name is ``readsb-globe`` and each fact's ``source_version`` names the archive it
was read from. A value that changes retires the earlier one (``valid_until``), as an import does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa

from .formats import DBFLAG_FIELDS
from .store_schema import KIND_PRIORITY

SOURCE = "readsb-globe"
KIND = "tar1090"
#: trace document key -> fact field.
TRACE_FIELDS = {
    "r": "registration",
    "t": "typecode",
    "desc": "description",
    "ownOp": "owner",
    "year": "year",
}


def trace_facts(icao24: str, doc: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(icao24, field, value) of one trace document; dbFlags bits 1, 2, 4, 8 become
    ``flag_military``, ``flag_interesting``, ``flag_pia``, ``flag_ladd`` = "1"."""
    out = []
    for key, fld in TRACE_FIELDS.items():
        v = doc.get(key)
        if isinstance(v, str | int) and not isinstance(v, bool) and str(v).strip():
            out.append((icao24, fld, str(v).strip()))
    flags = doc.get("dbFlags")
    if isinstance(flags, int) and not isinstance(flags, bool):
        for bit, fld in enumerate(DBFLAG_FIELDS):
            if flags & (1 << bit):
                out.append((icao24, fld, "1"))
    return out


def record_trace_facts(
    con: Any, facts: list[tuple[str, str, str]], version: str, stamp: dt.datetime
) -> int:
    """Merge ``facts`` into ``aircraft_facts``; returns the facts added."""
    if not facts:
        return 0
    con.execute(
        "INSERT INTO aircraft_sources VALUES (?, ?, ?) ON CONFLICT (source) DO NOTHING",
        [SOURCE, KIND, KIND_PRIORITY[KIND]],
    )
    cols = list(zip(*facts, strict=True))
    table = pa.table({"icao24": cols[0], "field": cols[1], "value": cols[2]})
    con.register("_trace_facts", table)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _tf AS SELECT icao24, field, last(value) AS value
               FROM _trace_facts GROUP BY icao24, field"""
        )
        con.execute(
            """UPDATE aircraft_facts AS f SET valid_until = ?
               WHERE f.source = ? AND f.valid_until IS NULL AND EXISTS (SELECT 1 FROM _tf n
                   WHERE n.icao24 = f.icao24 AND n.field = f.field AND n.value <> f.value)""",
            [stamp, SOURCE],
        )
        added = con.execute(
            """INSERT INTO aircraft_facts
               SELECT n.icao24, n.field, n.value, ?, ?, ?, NULL FROM _tf n
               WHERE NOT EXISTS (SELECT 1 FROM aircraft_facts f WHERE f.source = ?
                   AND f.valid_until IS NULL AND f.icao24 = n.icao24 AND f.field = n.field
                   AND f.value = n.value)""",
            [SOURCE, version, stamp, SOURCE],
        ).fetchone()
    finally:
        con.unregister("_trace_facts")
        con.execute("DROP TABLE IF EXISTS _tf")
    return int(added[0]) if added else 0
