"""``/data/aircraft.json`` entries in readsb's vocabulary (readsb README-json.md), so that
tar1090, graphs1090 and other readsb clients run on skywitness unchanged.

Built column by column from the snapshot's ``LiveColumns``; the identity fields (``r``, ``t``,
``desc``, ``ownOp``, ``dbFlags``) come from the snapshot's identity cache. Unknown fields are
left out, as readsb does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..decode.codes import emitter_category
from ..identify.identity import Identity
from .live_cols import LiveColumns

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
#: readsb ``emergency`` names of the ADS-B emergency/priority states 0..7.
EMERGENCY_NAMES = (
    "none", "general", "lifeguard", "minfuel", "nordo", "unlawful", "downed", "reserved",
)  # fmt: skip
#: readsb ``dbFlags`` bits.
DB_MILITARY, DB_INTERESTING, DB_PIA, DB_LADD = 1, 2, 4, 8
#: Fields readsb lists in ``mlat[]`` / ``tisb[]`` when they came from that source.
_DERIVED_FIELDS = ["lat", "lon", "gs", "track", "alt_baro", "baro_rate"]


def _column(a: Any, digits: int) -> list[float | None]:
    out: list[float | None] = np.round(a, digits).tolist()
    return [None if x != x else x for x in out]  # NaN != NaN


def _ints(a: Any) -> list[int | None]:
    return [None if x is None else int(x) for x in _column(a, 0)]


def db_flags(ident: Identity | None, klass: str) -> int:
    """readsb's ``dbFlags`` from the classification and the identity's flags."""
    flags = DB_MILITARY if klass == "military" else 0
    if ident is not None:
        if ident.watchlists:
            flags |= DB_INTERESTING
        names = {f.lower() for f in ident.flags}
        flags |= DB_PIA if "pia" in names else 0
        flags |= DB_LADD if "ladd" in names else 0
    return flags


def _identity_fields(r: dict[str, Any], ident: Identity | None, klass: str) -> None:
    if ident is not None:
        for key, value in (
            ("r", ident.registration),
            ("t", ident.typecode),
            ("desc", ident.description),
            ("ownOp", ident.operator),
        ):
            if value:
                r[key] = value
    flags = db_flags(ident, klass)
    if flags:
        r["dbFlags"] = flags


def readsb_rows(
    c: LiveColumns,
    now: float,
    idents: Sequence[Identity | None] | None = None,
    classes: Sequence[tuple[str, bool] | None] | None = None,
) -> list[dict[str, Any]]:
    """``aircraft.json`` entries; ``idents``/``classes`` per row (as ``aircraft_rows``)."""
    n = len(c)
    idents = idents if idents is not None else [None] * n
    classes = classes if classes is not None else [None] * n
    alt, geo, vr = _ints(c.altitude), _ints(c.geoaltitude), _ints(c.vertical_rate)
    gs, trk = _column(c.groundspeed, 1), _column(c.track, 1)
    lat, lon = _column(c.latitude, 6), _column(c.longitude, 6)
    seen_pos = _column(np.maximum(0.0, now - c.position_time), 1)
    seen = _column(np.maximum(0.0, now - c.last_seen), 1)
    rssi = _column(c.rssi.astype(np.float64), 1)
    callsign, onground = c.callsign.tolist(), c.onground.tolist()
    squawk = [None if x < 0 else f"{x:04d}" for x in c.squawk.tolist()]
    messages, category, emergency = c.messages.tolist(), c.category.tolist(), c.emergency.tolist()
    out = []
    for k, (icao, psrc) in enumerate(
        zip(c.icao24.tolist(), c.position_source.tolist(), strict=True)
    ):
        kind = READSB_TYPES.get(psrc, "other") if psrc else "mode_s"
        kind = "adsb_icao_nt" if kind == "adsb_icao" and icao[0] == "~" else kind
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
        if emergency[k] >= 0:
            r["emergency"] = EMERGENCY_NAMES[emergency[k] & 7]
        cat = emitter_category(category[k])
        if cat is not None:
            r["category"] = cat
        ident, fb = idents[k], classes[k]
        _identity_fields(r, ident, ident.classification if ident else (fb or ("civil", 0))[0])
        if lat[k] is not None and lon[k] is not None and seen_pos[k] is not None:
            r["lat"], r["lon"], r["seen_pos"] = lat[k], lon[k], seen_pos[k]
        r["mlat"] = _DERIVED_FIELDS if kind == "mlat" else []
        r["tisb"] = _DERIVED_FIELDS if kind.startswith("tisb") else []
        r["messages"] = messages[k]
        r["seen"] = seen[k]
        if rssi[k] is not None:
            r["rssi"] = rssi[k]
        out.append(r)
    return out
