"""``Batch``: the tracker's internal rows, built from ``Messages`` or ``Observations``."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import (
    F4,
    F8,
    I1,
    I2,
    I4,
    NON_ICAO_FLAG,
    U1,
    U4,
    CprKind,
    Messages,
    Observations,
    PositionSource,
    Str,
)
from ..model import SourceKind as K
from .fields import present as fields_present

#: Added to the SourceKind of onground values implied by a position's type (surface or
#: airborne): around takeoff and landing, transponders flip the CA/FS flags a second or two
#: before they switch position formats, and the position format is what ATC and readsb trust.
POSITION_ONGROUND_BONUS = 16

#: PositionSource of a position taken from a message of each SourceKind.
KIND_TO_POSITION_SOURCE: U1 = np.full(len(K), int(PositionSource.OTHER), dtype=np.uint8)
for _k, _p in (
    (K.ADSB, PositionSource.ADSB),
    (K.ADSR, PositionSource.ADSR),
    (K.TISB, PositionSource.TISB),
    (K.MLAT, PositionSource.MLAT),
    (K.ADSC, PositionSource.ADSC),
    (K.INVALID, PositionSource.UNKNOWN),
):
    KIND_TO_POSITION_SOURCE[int(_k)] = int(_p)


@dataclass(slots=True)
class Batch:
    t: F8
    key: U4  # address, bit 24 set for non-ICAO
    kind: U1
    callsign: Str
    altitude: F8
    geoaltitude: F8
    groundspeed: F8
    track: F8
    vertical_rate: F8
    squawk: I2
    onground: I1
    onground_kind: U1  # trust of onground: the kind, + POSITION_ONGROUND_BONUS from positions
    geo_minus_baro: F8  # ft, NaN where none
    pos_src: U1
    cpr_kind: U1
    cpr_odd: I1
    cpr_lat: I4
    cpr_lon: I4
    lat: F8  # already decoded positions (Observations); NaN otherwise
    lon: F8
    category: I1  # ADS-B emitter category code (TC * 8 + CA, as Messages); -1 unknown
    emergency: I1  # ADS-B emergency/priority state 0..7; -1 unknown
    signal: F4  # dBFS of the frame; NaN unknown (always for Observations)
    pos_err: F8  # 95 % radius of a multilateration position, m; NaN otherwise

    def take(self, index: npt.NDArray[Any]) -> Batch:
        return Batch(**{f.name: getattr(self, f.name)[index] for f in fields(self)})


def from_messages(m: Messages, rows: npt.NDArray[np.int64], key: U4) -> Batch:
    """Rows ``rows`` of ``m`` (``key``: their tracker keys); the position type code decides
    onground (TC 5-8 surface)."""
    cpr_kind = m.cpr_kind[rows]
    onground = m.onground[rows]  # (a gather: its own copy)
    kind = m.kind[rows]
    og_kind = kind.copy()
    has_pos = cpr_kind != CprKind.NONE
    onground[has_pos] = (cpr_kind[has_pos] == CprKind.SURFACE).astype(np.int8)
    og_kind[has_pos] += POSITION_ONGROUND_BONUS
    n = rows.shape[0]
    gmb = m.geo_minus_baro[rows] if m.geo_minus_baro.shape[0] == len(m) else np.full(n, np.nan)
    return Batch(
        t=m.timestamp[rows],
        key=key,
        kind=kind,
        callsign=_valid_callsigns(m.callsign[rows]),
        altitude=m.altitude[rows],
        geoaltitude=m.geoaltitude[rows],
        groundspeed=m.groundspeed[rows],
        track=m.track[rows],
        vertical_rate=m.vertical_rate[rows],
        squawk=m.squawk[rows],
        onground=onground,
        onground_kind=og_kind,
        geo_minus_baro=gmb,
        # (``take`` of clipped kinds: no index cast nor bounds check, half a fancy index's cost)
        pos_src=KIND_TO_POSITION_SOURCE.take(kind, mode="clip"),
        cpr_kind=cpr_kind,
        cpr_odd=m.cpr_odd[rows],
        cpr_lat=m.cpr_lat[rows],
        cpr_lon=m.cpr_lon[rows],
        lat=np.full(n, np.nan),
        lon=np.full(n, np.nan),
        category=m.category[rows],
        emergency=m.emergency[rows],
        signal=m.signal[rows] if m.signal.shape[0] == len(m) else np.full(n, np.nan, np.float32),
        pos_err=np.full(n, np.nan),
    )


def from_observations(o: Observations) -> Batch:
    """Every row with an address and a time (others cannot be tracked)."""
    n = len(o)
    return Batch(
        t=o.timestamp,
        key=(o.icao24 & np.uint32(0xFFFFFF))
        | np.where(o.non_icao, NON_ICAO_FLAG, 0).astype(np.uint32),
        kind=o.kind,
        callsign=o.callsign,
        altitude=o.altitude,
        geoaltitude=o.geoaltitude,
        groundspeed=o.groundspeed,
        track=o.track,
        vertical_rate=o.vertical_rate,
        squawk=o.squawk,
        onground=o.onground,
        onground_kind=o.kind,
        geo_minus_baro=np.full(n, np.nan),
        pos_src=o.position_source,
        cpr_kind=np.zeros(n, dtype=np.uint8),
        cpr_odd=np.full(n, -1, dtype=np.int8),
        cpr_lat=np.full(n, -1, dtype=np.int32),
        cpr_lon=np.full(n, -1, dtype=np.int32),
        lat=o.latitude,
        lon=o.longitude,
        category=np.full(n, -1, dtype=np.int8),
        emergency=np.full(n, -1, dtype=np.int8),
        signal=np.full(n, np.nan, dtype=np.float32),
        pos_err=o.position_error if o.position_error.shape[0] == n else np.full(n, np.nan),
    )


def _valid_callsigns(values: Str) -> Str:
    """Callsigns holding a code outside the ICAO character set (decoded as ``#``) are not
    identities: a frame can pass its CRC and still carry garbage (TC 2 obstruction beacons)."""
    present = fields_present(values)  # (a first code point test, not string compares)
    bad = present[np.char.find(values[present], "#") >= 0]
    if bad.size == 0:
        return values
    out: Str = values.copy()
    out[bad] = ""
    return out
