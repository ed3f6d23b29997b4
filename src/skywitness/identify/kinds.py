"""Aircraft kinds (``Kind``) from what identifies an aircraft, and those the identity store
knows, for the flights stage (``flights.kinds`` holds what each kind can do).

A kind follows from type facts (``kind_of_type``) or from the ADS-B emitter category the
aircraft transmits (``kind_of_emitter``: ``TC * 8 + CA`` codes, as the decoder keeps them;
``kind_of_category``: the same as text, "B1"), which the ingest step records as an identity
fact (``identify.adsb_facts``: field ``emitter_category``, source ``adsb``).

An aircraft's type kind (glider, helicopter, light piston, turboprop, jet...) follows from the
current type facts of any source: an ICAO type designator (``GLID``, ``BALL``), an ICAO type
description (``L2J``, ``H1T``: an OpenSky or FlightAware import) or a type name that names it
(tar1090-db's "AIRBUS HELICOPTERS EC-145"). Each distinct value is classified once; where
sources say different kinds the highest code wins.

Which wins (``resolve_kind``): a decisive emitter category (B1 glider, B2 lighter than air, A7
rotorcraft) says what the airframe is, from the aircraft itself as heard now, and wins over
the database (keyed by an address that may be reassigned or wrong); otherwise the type kind,
more specific than set A's coarse weight classes (A1 light could be a piston, a turboprop or
a helicopter; A6 says performance, not type); the emitter category only when no type fact
gives a kind. Every caller of the flights stage over the same catalogue (``flights
rebuild``, ``ingest``, ``watch``, the live service, Spark) asks here, so they agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import IntEnum
from typing import Any

import duckdb

from ..decode.codes import category_code
from .store_schema import missing_relation

#: The identity fact an emitter category is kept as (``identify.adsb_facts`` writes it).
CATEGORY_FIELD = "emitter_category"


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


#: Emitter categories that say what the airframe is: they win over a type fact.
DECISIVE: frozenset[int] = frozenset({3 * 8 + 1, 3 * 8 + 2, 4 * 8 + 7})  # B1, B2, A7


def kind_of_emitter(code: int) -> Kind:
    """The kind an ADS-B emitter category code (TC * 8 + CA; -1 unknown) says (A2-A5 are
    weight classes: a jet or a turboprop, unknown here)."""
    return _EMITTER.get(int(code), Kind.UNKNOWN)


def kind_of_category(text: str | None) -> Kind:
    """``kind_of_emitter`` of a category as text ("B1", as readsb writes it)."""
    return kind_of_emitter(category_code(text))


def resolve_kind(type_kind: int, category: str | None) -> int:
    """An aircraft's kind from its type kind (0: none) and its emitter category (None: none):
    a decisive category (B1, B2, A7) first, then the type, then any other category."""
    code = category_code(category)
    if code in DECISIVE or not type_kind:
        return int(kind_of_emitter(code)) or int(type_kind)
    return int(type_kind)


def resolve_kinds(typed: Mapping[str, int], categories: Mapping[str, str]) -> dict[str, int]:
    """icao24 -> kind of the aircraft in either mapping (``resolve_kind``), unknown left out."""
    out = dict(typed)
    for icao24, category in categories.items():
        kind = resolve_kind(typed.get(icao24, 0), category)
        if kind:
            out[icao24] = kind
    return out


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


def _classified(con: Any) -> tuple[list[str], list[str], list[int]]:
    """(fields, values, kinds) of every distinct current typecode and description of a known
    kind: bound to a query as three lists (an Arrow table built from Python lists would load
    pandas, ~0.17 s of every ingest)."""
    rows = con.execute(
        """SELECT DISTINCT field, value FROM aircraft_facts
           WHERE valid_until IS NULL AND field IN ('typecode', 'description')"""
    ).fetchall()
    out: tuple[list[str], list[str], list[int]] = ([], [], [])
    for fld, value in rows:
        kind = kind_of_type(value, None) if fld == "typecode" else kind_of_description(value)
        if kind != Kind.UNKNOWN:
            out[0].append(fld)
            out[1].append(value)
            out[2].append(int(kind))
    return out


def aircraft_kinds(con: Any, icao24s: Sequence[str] | None = None) -> dict[str, int]:
    """icao24 -> ``Kind`` of the aircraft (all, or ``icao24s``) whose current type facts or
    emitter category fact say one (``resolve_kind`` says which wins); aircraft of unknown kind
    are left out. Empty without identity tables."""
    if icao24s is not None and not icao24s:
        return {}
    return resolve_kinds(type_kinds(con, icao24s), emitter_categories(con, icao24s))


def kinds_heard(con: Any, categories: Mapping[str, str]) -> dict[str, int]:
    """icao24 -> kind of the aircraft whose emitter categories were just heard (a live run),
    resolved with the type kinds the catalogue ``con`` has for them (None: no catalogue) as
    ``aircraft_kinds`` does; unknown left out."""
    typed = type_kinds(con, sorted(categories)) if con is not None and categories else {}
    kinds = resolve_kinds(typed, categories)
    return {a: kinds[a] for a in categories if a in kinds}


def emitter_categories(con: Any, icao24s: Sequence[str] | None = None) -> dict[str, str]:
    """icao24 -> current emitter category fact ("B1") of the aircraft (all, or ``icao24s``)
    that have one (the newest, should sources differ). Empty without identity tables."""
    rows = _query(
        con,
        icao24s,
        f"""SELECT icao24, arg_max(value, imported_at) FROM aircraft_facts f
            WHERE valid_until IS NULL AND field = '{CATEGORY_FIELD}' {{where}}
            GROUP BY icao24""",
    )
    return {str(a): str(v) for a, v in rows}


def type_kinds(con: Any, icao24s: Sequence[str] | None = None) -> dict[str, int]:
    """icao24 -> ``Kind`` of the aircraft (all, or ``icao24s``) whose current type facts say
    one (the highest, should sources differ). Empty without identity tables."""
    if icao24s is not None and not icao24s:
        return {}
    try:
        classified = _classified(con)
    except duckdb.Error as exc:
        if missing_relation(con, exc, "aircraft_facts"):
            return {}
        raise
    if not classified[0]:
        return {}  # no type fact names a kind
    rows = _query(
        con,
        icao24s,
        """SELECT f.icao24, max(v.kind) FROM aircraft_facts f
           JOIN (SELECT unnest(?::VARCHAR[]) AS field, unnest(?::VARCHAR[]) AS value,
                        unnest(?::TINYINT[]) AS kind) v
             ON f.field = v.field AND f.value = v.value
           WHERE f.valid_until IS NULL {where} GROUP BY f.icao24""",
        list(classified),
    )
    return {str(a): int(k) for a, k in rows}


def _query(
    con: Any, icao24s: Sequence[str] | None, sql: str, params: Sequence[Any] = ()
) -> list[tuple[Any, ...]]:
    """``sql`` (its ``{where}`` limited to ``icao24s`` when given, bound as a list after
    ``params``) over ``aircraft_facts`` aliased ``f``; no rows without identity tables."""
    if icao24s is not None and not icao24s:
        return []
    where, args = "", list(params)
    if icao24s is not None:
        where = "AND f.icao24 IN (SELECT unnest(?::VARCHAR[]))"
        args.append([a.lower() for a in icao24s])
    try:
        rows: list[tuple[Any, ...]] = con.execute(sql.format(where=where), args).fetchall()
    except duckdb.Error as exc:
        if missing_relation(con, exc, "aircraft_facts"):
            return []
        raise
    return rows
