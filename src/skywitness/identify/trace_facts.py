"""Identity facts carried by readsb traces (``r``, ``t``, ``desc``, ``ownOp``, ``year`` and the
``dbFlags`` bits), stored as ``aircraft_facts`` with their source like any imported database.

The values come from the tar1090 aircraft database that readsb embeds, so the source is of kind
``tar1090``; its name is ``readsb-globe`` and each fact's ``source_version`` names the archive it
was read from. A value that changes retires the earlier one (``valid_until``), as an import does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .formats import DBFLAG_FIELDS
from .store_schema import merge_facts

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
    return merge_facts(con, facts, SOURCE, KIND, version, stamp)
