"""Aircraft kinds (``Kind``) from what identifies an aircraft, and those the identity store
knows, for the flights stage (``flights.kinds`` holds what each kind can do).

A kind follows from an ADS-B emitter category (``kind_of_emitter``: ``TC * 8 + CA`` codes, as
the tracker keeps them) or from type facts (``kind_of_type``).

An aircraft's kind (glider, helicopter, light piston, turboprop, jet...) follows from the
current type facts of any source: an ICAO type designator (``GLID``, ``BALL``), an ICAO type
description (``L2J``, ``H1T``: an OpenSky or FlightAware import) or a type name that names it
(tar1090-db's "AIRBUS HELICOPTERS EC-145"). Each distinct value is classified once; where
sources say different kinds the highest code wins. Every caller of the flights stage over the
same catalogue (``flights rebuild``, ``ingest``, ``watch``, the live service) asks here, so
they agree.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import duckdb
import pyarrow as pa

from .store_schema import missing_relation


class Kind(IntEnum):
    """Aircraft kind, as stored in a per-aircraft int8 array (0: unknown)."""

    UNKNOWN = 0
    GLIDER = 1
    LIGHTER_THAN_AIR = 2  # balloons, airships
    HELICOPTER = 3
    PISTON = 4  # light aircraft: piston, electric, ultralight, gyrocopter
    TURBOPROP = 5
    JET = 6
    MILITARY = 7  # high performance (emitter category A6: > 5 g and > 400 kt)


#: Emitter category codes (TC * 8 + CA) -> kind. TC 4 is set A, 3 set B, 2 set C, 1 set D.
_EMITTER: dict[int, Kind] = {
    4 * 8 + 1: Kind.PISTON,  # A1 light (< 15,500 lb)
    4 * 8 + 6: Kind.MILITARY,  # A6 high performance
    4 * 8 + 7: Kind.HELICOPTER,  # A7 rotorcraft
    3 * 8 + 1: Kind.GLIDER,  # B1 glider / sailplane
    3 * 8 + 2: Kind.LIGHTER_THAN_AIR,  # B2
    3 * 8 + 4: Kind.PISTON,  # B4 ultralight / hang glider
}
_DESCRIPTION = re.compile(r"^([LSAHGTB])([0-9C-])([PTJER-])$")
_ENGINE = {"P": Kind.PISTON, "E": Kind.PISTON, "T": Kind.TURBOPROP, "J": Kind.JET}
_TYPES = {"GLID": Kind.GLIDER, "BALL": Kind.LIGHTER_THAN_AIR, "SHIP": Kind.LIGHTER_THAN_AIR}
# words of a type name (tar1090-db's long descriptions) that say the kind
_NAMED = (
    ("HELICOPTER", Kind.HELICOPTER),
    ("SAILPLANE", Kind.GLIDER),
    ("GLIDER", Kind.GLIDER),
    ("BALLOON", Kind.LIGHTER_THAN_AIR),
    ("AIRSHIP", Kind.LIGHTER_THAN_AIR),
)


def kind_of_emitter(code: int) -> Kind:
    """The kind an ADS-B emitter category code (TC * 8 + CA; -1 unknown) says (A2-A5 are
    weight classes: a jet or a turboprop, unknown here)."""
    return _EMITTER.get(int(code), Kind.UNKNOWN)


def kind_of_type(typecode: str | None, description: str | None) -> Kind:
    """The kind an ICAO type designator (``GLID``, ``BALL``...) and a type description say
    (an ICAO one such as ``L2J``, ``H1T``, ``G1P``, or a name such as "AIRBUS HELICOPTERS
    EC-145")."""
    by_type = _TYPES.get((typecode or "").strip().upper(), Kind.UNKNOWN)
    return by_type if by_type != Kind.UNKNOWN else kind_of_description(description)


def kind_of_description(description: str | None) -> Kind:
    """The kind an ICAO type description (``L2J``: landplane, 2 engines, jet; ``H1T``
    helicopter; ``G1P`` gyrocopter) or, failing that, a type name that names its kind
    (helicopter, glider, sailplane, balloon, airship) says."""
    text = (description or "").strip().upper()
    m = _DESCRIPTION.match(text)
    if m is None:
        for word, kind in _NAMED:
            if word in text:
                return kind
        return Kind.UNKNOWN
    if m.group(1) == "H":
        return Kind.HELICOPTER
    if m.group(1) == "B":
        return Kind.LIGHTER_THAN_AIR
    if m.group(1) == "G":
        return Kind.PISTON  # gyrocopter
    return _ENGINE.get(m.group(3), Kind.UNKNOWN)


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
