"""Select flights (or any table with ``icao24``/``callsign``) by who flies the aircraft.

Shared by ``skywitness flights``, the HTTP API and evidence questions: registration (glob),
operator (designator or name), country of registry (ISO alpha-2), classification (military,
government) and watchlist (list name, category or tag). Identity comes from the built-in facts
plus whatever aircraft databases were imported into the catalogue.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..identify.identity import Identity, identify_many


@dataclass(frozen=True)
class IdentityFilter:
    """What the aircraft must be; None / False means no constraint."""

    registration: str | None = None  # glob, case-insensitive: "RA-8*"
    operator: str | None = None  # ICAO designator ("RFF") or part of the operator's name
    country: str | None = None  # ISO 3166 alpha-2 of the state of registry
    military: bool = False
    government: bool = False  # government or military (state aircraft)
    watchlist: str | None = None  # part of a watchlist's name, category or tags

    @property
    def active(self) -> bool:
        return any(
            (
                self.registration,
                self.operator,
                self.country,
                self.military,
                self.government,
                self.watchlist,
            )
        )

    def matches(self, ident: Identity) -> bool:
        if self.registration and not fnmatch.fnmatch(
            ident.registration.upper(), self.registration.upper()
        ):
            return False
        if self.operator:
            want = self.operator.upper()
            if want != ident.operator_designator.upper() and want not in ident.operator.upper():
                return False
        if self.country and ident.country_iso2.upper() != self.country.upper():
            return False
        if self.military and ident.classification != "military":
            return False
        if self.government and ident.classification not in ("military", "government"):
            return False
        if self.watchlist:
            want = self.watchlist.lower()
            if not any(want in f"{w.list} {w.category} {w.tags}".lower() for w in ident.watchlists):
                return False
        return True


def identities(con: Any, table: pa.Table) -> dict[tuple[str, str], Identity]:
    """Identity of every distinct (icao24, callsign) in ``table`` (one catalogue query)."""
    icao = table.column("icao24").to_pylist()
    calls = (
        table.column("callsign").to_pylist()
        if "callsign" in table.column_names
        else [None] * table.num_rows
    )
    pairs = sorted({(str(i), str(c or "")) for i, c in zip(icao, calls, strict=True)})
    found = identify_many(con, [(i, c or None) for i, c in pairs])
    return dict(zip(pairs, found, strict=True))


def filter_by_identity(con: Any, table: pa.Table, wanted: IdentityFilter) -> pa.Table:
    """The rows of ``table`` whose aircraft matches ``wanted``."""
    if not wanted.active or table.num_rows == 0:
        return table
    known = identities(con, table)
    calls = (
        table.column("callsign").to_pylist()
        if "callsign" in table.column_names
        else [None] * table.num_rows
    )
    mask = [
        wanted.matches(known[(str(i), str(c or ""))])
        for i, c in zip(table.column("icao24").to_pylist(), calls, strict=True)
    ]
    return table.filter(pa.array(mask, type=pa.bool_()))
