"""The live snapshot behind ``/api/aircraft`` and ``/data/aircraft.json``, built pre-serialised.

``build_snapshot`` turns a columnar copy of the tracker's state (``LiveColumns``) into JSON
bytes (plain and gzip-compressed, with an ETag) once; requests then only hand those bytes out,
so serving never touches the tracker and costs the same whatever the number of aircraft.
Identities are cached per (address, callsign): an aircraft is identified once, not once a second.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..identify.identity import Identity, identify_many
from ..model import F8
from .live_cols import LiveColumns

#: gzip level for the pre-compressed bodies: 1 is ~5x faster than 6 for ~10 % larger output.
GZIP_LEVEL = 1
#: Identity cache entries kept before it is cleared (bounds memory on a long run).
IDENTITY_CACHE_MAX = 200_000

#: readsb ``type`` of an aircraft by the position source of its last position.
READSB_TYPES = {
    "adsb": "adsb_icao",
    "mlat": "mlat",
    "tisb": "tisb_icao",
    "adsr": "adsr_icao",
    "adsc": "adsc",
    "other": "other",
    "unknown": "other",
}


@dataclass(frozen=True, slots=True)
class Body:
    """One pre-serialised response: plain bytes, gzip bytes and its ETag."""

    plain: bytes
    gz: bytes
    etag: str

    @classmethod
    def of(cls, obj: Any) -> Body:
        plain = json.dumps(obj, separators=(",", ":"), allow_nan=False).encode()
        digest = hashlib.blake2b(plain, digest_size=12).hexdigest()
        return cls(plain, gzip.compress(plain, GZIP_LEVEL, mtime=0), f'"{digest}"')


@dataclass(frozen=True, slots=True)
class LiveSnapshot:
    now: float
    count: int
    aircraft: Body  # /api/aircraft
    readsb: Body  # /data/aircraft.json
    by_icao: dict[str, dict[str, Any]] = field(default_factory=dict)
    columns: LiveColumns = field(default_factory=LiveColumns.empty)
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, now: float = 0.0) -> LiveSnapshot:
        return build_snapshot(LiveColumns.empty(), now, 0, IdentityCache(None))

    def provenance(self, icao24: str) -> dict[str, Any] | None:
        i = self.index.get(icao24)
        return None if i is None else self.columns.provenance(i)


def _column(a: F8, digits: int) -> list[float | None]:
    """Rounded floats with None where unknown (numpy round, one tolist)."""
    out: list[float | None] = np.round(a, digits).tolist()
    return [None if x != x else x for x in out]  # NaN != NaN


def _ints(a: F8) -> list[int | None]:
    return [None if x is None else int(x) for x in _column(a, 0)]


class IdentityCache:
    """``identify`` results per (icao24, callsign), filled in bulk for the new ones."""

    def __init__(self, con: Any, watched: Callable[[], set[str]] | None = None) -> None:
        self.con = con
        self._cache: dict[tuple[str, str], Identity] = {}
        self._watched = watched

    def watched(self) -> set[str]:
        return self._watched() if self._watched is not None else set()

    def get_many(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Identity]:
        keys = list(keys)
        new = sorted({k for k in keys if k not in self._cache})
        if new:
            if len(self._cache) + len(new) > IDENTITY_CACHE_MAX:
                self._cache.clear()
            found = identify_many(self.con, [(i, c or None) for i, c in new])
            self._cache.update(zip(new, found, strict=True))
        return {k: self._cache[k] for k in keys}

    def clear(self) -> None:
        """Forget every identity (after an aircraft DB import)."""
        self._cache.clear()


#: /api/aircraft float fields and the decimals they keep.
_FLOATS = (
    ("latitude", 6),
    ("longitude", 6),
    ("altitude", 0),
    ("geoaltitude", 0),
    ("groundspeed", 1),
    ("track", 1),
    ("vertical_rate", 0),
    ("position_time", 3),
    ("first_seen", 3),
    ("last_seen", 3),
)


def _text(a: np.ndarray[Any, Any]) -> list[str | None]:
    return [x or None for x in a.tolist()]


def _squawks(a: np.ndarray[Any, Any]) -> list[str | None]:
    return [None if x < 0 else f"{x:04d}" for x in a.tolist()]


def _onground(a: np.ndarray[Any, Any]) -> list[bool | None]:
    return [None if x < 0 else x == 1 for x in a.tolist()]


def aircraft_rows(
    c: LiveColumns, idents: Sequence[Identity | None], watched: set[str]
) -> list[dict[str, Any]]:
    """The ``/api/aircraft`` rows (docs/api.md), built column by column."""
    floats = {name: _column(getattr(c, name), d) for name, d in _FLOATS}
    callsign, squawk = _text(c.callsign), _squawks(c.squawk)
    onground, psrc, source = _onground(c.onground), _text(c.position_source), _text(c.source)
    rows = []
    for k, (icao, ident) in enumerate(zip(c.icao24.tolist(), idents, strict=True)):
        row: dict[str, Any] = {
            "icao24": icao,
            "callsign": callsign[k],
            "registration": (ident.registration or None) if ident else None,
            "typecode": (ident.typecode or None) if ident else None,
            "country": (ident.country or None) if ident else None,
            "country_iso2": (ident.country_iso2 or None) if ident else None,
            "classification": ident.classification if ident else "civil",
            "military": bool(ident and ident.classification == "military"),
            "watched": icao in watched or bool(ident and ident.watchlists),
            "operator": (ident.operator or None) if ident else None,
            "squawk": squawk[k],
            "onground": onground[k],
            "position_source": psrc[k],
            "source": source[k],
        }
        for name, _ in _FLOATS:
            row[name] = floats[name][k]
        rows.append(row)
    return rows


def readsb_rows(c: LiveColumns, now: float) -> list[dict[str, Any]]:
    """``aircraft.json`` entries in readsb's vocabulary; unknown fields left out."""
    alt, geo, vr = _ints(c.altitude), _ints(c.geoaltitude), _ints(c.vertical_rate)
    gs, trk = _column(c.groundspeed, 1), _column(c.track, 1)
    lat, lon = _column(c.latitude, 6), _column(c.longitude, 6)
    seen_pos = _column(np.maximum(0.0, now - c.position_time), 1)
    seen = _column(np.maximum(0.0, now - c.last_seen), 1)
    callsign, squawk, onground = c.callsign.tolist(), _squawks(c.squawk), c.onground.tolist()
    out = []
    for k, (icao, psrc) in enumerate(
        zip(c.icao24.tolist(), c.position_source.tolist(), strict=True)
    ):
        if psrc:
            kind = READSB_TYPES.get(psrc, "other")
            kind = "adsb_icao_nt" if kind == "adsb_icao" and icao[0] == "~" else kind
        else:
            kind = "mode_s"
        r: dict[str, Any] = {"hex": icao, "type": kind}
        if callsign[k]:
            r["flight"] = f"{callsign[k]:<8}"
        if onground[k] == 1:
            r["alt_baro"] = "ground"
        elif alt[k] is not None:
            r["alt_baro"] = alt[k]
        for key, col in (("alt_geom", geo), ("gs", gs), ("track", trk), ("baro_rate", vr)):
            if col[k] is not None:
                r[key] = col[k]
        if squawk[k] is not None:
            r["squawk"] = squawk[k]
        if lat[k] is not None and lon[k] is not None and seen_pos[k] is not None:
            r["lat"], r["lon"], r["seen_pos"] = lat[k], lon[k], seen_pos[k]
        r["seen"] = seen[k]
        out.append(r)
    return out


def build_snapshot(
    c: LiveColumns, now: float, messages: int, identities: IdentityCache
) -> LiveSnapshot:
    """Serialise a columnar copy of the tracker's state."""
    icaos, calls = c.icao24.tolist(), c.callsign.tolist()
    keys = [(i, s) for i, s in zip(icaos, calls, strict=True)]
    idents = identities.get_many(k for k in keys if not k[0].startswith("~"))
    watched = identities.watched()
    rows = aircraft_rows(c, [idents.get(k) for k in keys], watched)
    readsb = {"now": round(now, 1), "messages": messages, "aircraft": readsb_rows(c, now)}
    api = {"now": round(now, 3), "count": len(rows), "aircraft": rows}
    return LiveSnapshot(
        now=now,
        count=len(rows),
        aircraft=Body.of(api),
        readsb=Body.of(readsb),
        by_icao={r["icao24"]: r for r in rows},
        columns=c,
        index={icao: i for i, icao in enumerate(icaos)},
    )
