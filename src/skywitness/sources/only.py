"""``--only`` filters applied while an archive is read, so only what an investigation needs is
inflated, decoded and stored.

Terms (repeat ``--only``; every term must hold):

- ``icao24=ac671b,3c6444`` or ``icao24=@FILE`` (addresses, one or more a line, ``#`` comments);
- ``bbox=SOUTH,WEST,NORTH,EAST`` (degrees): aircraft with at least one position inside the box
  (their whole trace is kept, so the flight in and out of the area stays whole);
- ``country=RU``: state of registry by the address's ICAO allocation block (ISO alpha-2);
- ``class=military`` or ``class=government`` (government or military): by ``identify``'s
  classification (military address blocks, state callsigns and operator designators, the
  catalogue's aircraft databases and watchlists) and the trace's own ``dbFlags`` military bit.

Address and country terms are decided from the member's name, before it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..identify.blocks import countries
from ..identify.classify import Classification, classify_many
from ..model import Observations

CLASSES = ("military", "government")
#: readsb ``dbFlags`` bit for a military aircraft.
DBFLAG_MILITARY = 1


@dataclass(frozen=True)
class OnlyFilter:
    icao24: frozenset[str] | None = None
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east (deg)
    country: str | None = None  # ISO 3166 alpha-2, upper case
    klass: str | None = None  # "military" or "government"
    #: addresses the catalogue's databases/watchlists class as military / as state aircraft
    db_military: frozenset[str] = frozenset()
    db_state: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return any((self.icao24 is not None, self.bbox, self.country, self.klass))

    def describe(self) -> str:
        parts = []
        if self.icao24 is not None:
            parts.append(f"{len(self.icao24):,} addresses")
        if self.bbox:
            parts.append("bbox " + ",".join(f"{v:g}" for v in self.bbox))
        if self.country:
            parts.append(f"country {self.country}")
        if self.klass:
            parts.append(f"class {self.klass}")
        return "; ".join(parts) or "everything"

    def keep_address(self, icao: str) -> bool:
        """Decided before the trace is read (``icao``: lowercase hex, ``~`` non-ICAO)."""
        if self.icao24 is not None and icao not in self.icao24:
            return False
        if self.country:
            iso2, _ = countries(np.array([icao.lstrip("~")]))
            if str(iso2[0]).upper() != self.country:
                return False
        return True

    def keep_trace(self, icao: str, doc: dict[str, Any], obs: Observations) -> bool:
        """Decided on the decoded trace: bounding box and class."""
        if self.bbox is not None:
            s, w, n, e = self.bbox
            lat, lon = obs.latitude, obs.longitude
            inside = (lat >= s) & (lat <= n) & (lon >= w) & (lon <= e)
            if not inside.any():
                return False
        if self.klass:
            return self._class_of(icao, doc, obs) in _WANTED[self.klass]
        return True

    def _class_of(self, icao: str, doc: dict[str, Any], obs: Observations) -> Classification:
        flags = doc.get("dbFlags")
        if icao in self.db_military or (isinstance(flags, int) and flags & DBFLAG_MILITARY):
            return Classification.MILITARY
        best = Classification.GOVERNMENT if icao in self.db_state else Classification.CIVIL
        if icao.startswith("~"):
            return best
        calls = np.unique(obs.callsign[obs.callsign != ""])
        addr = np.full(max(1, calls.shape[0]), icao)
        res = classify_many(None, addr, calls if calls.shape[0] else None)
        return max(best, Classification(int(res.classification.max())))


_WANTED = {
    "military": {Classification.MILITARY},
    "government": {Classification.MILITARY, Classification.GOVERNMENT, Classification.POLICE},
}


def parse_only(terms: list[str] | None, con: Any = None) -> OnlyFilter:
    """An ``OnlyFilter`` from ``--only`` terms; InputError names a bad term. ``con``: the
    catalogue, for the aircraft databases' and watchlists' classes."""
    kw: dict[str, Any] = {}
    for term in terms or []:
        key, sep, value = term.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise InputError(term, "an --only term is KEY=VALUE", detail=_KEYS)
        if key == "icao24":
            kw["icao24"] = _addresses(value)
        elif key == "bbox":
            kw["bbox"] = _bbox(term, value)
        elif key == "country":
            if len(value) != 2 or not value.isalpha():
                raise InputError(term, "country is an ISO 3166 alpha-2 code (RU, US, ...)")
            kw["country"] = value.upper()
        elif key == "class":
            if value.lower() not in CLASSES:
                raise InputError(term, f"class is one of {', '.join(CLASSES)}")
            kw["klass"] = value.lower()
            kw["db_military"], kw["db_state"] = _db_classes(con)
        else:
            raise InputError(term, f"unknown --only key {key!r}", detail=_KEYS)
    return OnlyFilter(**kw)


_KEYS = "icao24=HEX,HEX|@FILE, bbox=S,W,N,E, country=XX, class=military|government"


def _addresses(value: str) -> frozenset[str]:
    items: list[str] = []
    if value.startswith("@"):
        path = Path(value[1:])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(str(path), "cannot read the address list", detail=str(e)) from e
        for line in text.splitlines():
            items += line.split("#", 1)[0].replace(",", " ").split()
    else:
        items = value.split(",")
    out = set()
    for raw in items:
        a = raw.strip().lower()
        hexpart = a.lstrip("~")
        if len(hexpart) != 6 or any(c not in "0123456789abcdef" for c in hexpart):
            raise InputError(value, f"not a 24-bit hex address: {raw!r}")
        out.add(a)
    return frozenset(out)


def _bbox(term: str, value: str) -> tuple[float, float, float, float]:
    try:
        s, w, n, e = (float(v) for v in value.split(","))
    except ValueError as exc:
        raise InputError(term, "bbox is SOUTH,WEST,NORTH,EAST in degrees") from exc
    if not (-90 <= s <= n <= 90 and -180 <= w <= e <= 180):
        raise InputError(term, "bbox is SOUTH,WEST,NORTH,EAST with south <= north, west <= east")
    return s, w, n, e


def _db_classes(con: Any) -> tuple[frozenset[str], frozenset[str]]:
    """Addresses the catalogue's imported databases flag as military, and as state aircraft."""
    if con is None:
        return frozenset(), frozenset()
    try:
        rows = con.execute(
            """SELECT icao24, field, lower(value) FROM aircraft_facts WHERE valid_until IS NULL
               AND (field = 'flag_military' AND value = '1' OR field = 'watchlist_class')"""
        ).fetchall()
    except Exception:  # a catalogue without identity tables (duckdb.CatalogException)
        return frozenset(), frozenset()
    mil = {str(a) for a, f, v in rows if f == "flag_military" or v == "mil"}
    state = {str(a) for a, f, v in rows if f == "watchlist_class" and v in ("gov", "pol")}
    return frozenset(mil), frozenset(state)
