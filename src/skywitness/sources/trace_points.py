"""A readsb trace's points as columns (``TraceColumns``) and the one conversion of them into
``Observations`` (``trace_arrays``), where both trace decoders end: the general one
(``readsb``) and the column-wise one (``trace_bytes``). numpy only, so the readers that import
it load nothing else."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import Observations, PositionSource, SourceKind
from .records import readsb_type


@dataclass(frozen=True, slots=True)
class TraceColumns:
    """A trace's points as arrays (before ``trace_arrays`` turns them into ``Observations``)."""

    dt: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    alt: npt.NDArray[np.float64]  # NaN where unknown or on ground
    ground: npt.NDArray[np.bool_]
    gs: npt.NDArray[np.float64]
    track: npt.NDArray[np.float64]
    flags: npt.NDArray[np.float64]
    vrate: npt.NDArray[np.float64]
    geom_alt: npt.NDArray[np.float64]
    geom_rate: npt.NDArray[np.float64]
    callsign: npt.NDArray[np.str_]  # "" none
    squawk: npt.NDArray[np.int16]  # -1 none
    types: npt.NDArray[np.object_]  # source type name (str) or None, per point
    category: npt.NDArray[np.int8]  # emitter category code of the details (-1 none)


def trace_arrays(
    c: TraceColumns, t: npt.NDArray[np.float64], addr: tuple[int, bool], source: str
) -> Observations:
    """A trace's columns as ``Observations`` at unix times ``t`` (the one place both decoders
    end): on-ground from ``"ground"``, the geometric rate where no baro rate, leg starts from
    ``flags & 2``, positions out of range dropped, kinds from the source type names."""
    n = len(t)
    onground = np.isfinite(c.alt).view(np.int8) - np.int8(1)  # 0 known, -1 unknown
    onground[c.ground] = 1
    vr = c.vrate
    no_vr = ~np.isfinite(vr)
    if no_vr.any():
        vr = np.where(no_vr, c.geom_rate, vr)
    new_leg = (np.nan_to_num(c.flags, nan=0.0).astype(np.int64) & 2) != 0
    # (a comparison with NaN or an infinity is False: no separate finiteness test)
    bad_pos = ~((np.abs(c.lat) <= 90) & (np.abs(c.lon) <= 180))
    lat, lon = c.lat, c.lon
    some_bad = bool(bad_pos.any())
    if some_bad:  # (the columns are not written to: a copy only where a value changes)
        lat, lon = np.where(bad_pos, np.nan, lat), np.where(bad_pos, np.nan, lon)
    kind = np.full(n, int(SourceKind.OTHER), dtype=np.uint8)
    possrc = np.full(n, int(PositionSource.OTHER), dtype=np.uint8)
    anon = np.zeros(n, dtype=np.bool_)
    names = set(c.types.tolist())
    for name in names:
        k, p, a = readsb_type(name)
        sel = c.types == name if len(names) > 1 else slice(None)
        kind[sel], possrc[sel], anon[sel] = k, p, a
    if some_bad:
        possrc[bad_pos] = PositionSource.UNKNOWN
    return Observations(
        timestamp=t.astype(np.float64, copy=False),
        icao24=np.full(n, addr[0], dtype=np.uint32),
        non_icao=anon | addr[1],
        callsign=c.callsign,
        latitude=lat,
        longitude=lon,
        altitude=np.where(c.ground, np.nan, c.alt) if c.ground.any() else c.alt,
        geoaltitude=c.geom_alt,
        groundspeed=c.gs,
        track=c.track,
        vertical_rate=vr,
        squawk=c.squawk,
        onground=onground,
        kind=kind,
        position_source=possrc,
        new_leg=new_leg,
        category=c.category,
        source=source,
    )
