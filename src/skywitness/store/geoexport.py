"""Track exports that GIS tools and Google Earth load: GeoJSON and KML.

GeoJSON (RFC 7946, read back with GDAL in the tests): per aircraft, one feature per observed
run (``kind: observed``: a 3-D ``LineString`` of ``[lon, lat, altitude_m]``, or a ``Point`` for a
run of one position) and one per silence between runs (``kind: estimated``: the straight line
the aircraft was not seen flying). Properties are scalars or string lists only, which every GDAL
driver reads: ``icao24``, ``callsign`` (the run's callsigns, space-separated), ``kind``,
``start``, ``end`` (ISO 8601 Z), ``points`` and ``coordTimes`` (one ISO time per coordinate).
Per-point values beyond position, altitude and time are in the CSV and Parquet exports.

KML 2.2: per aircraft a folder with a time-stamped ``gx:Track`` (Google Earth's time slider)
and the observed runs drawn as lines coloured by altitude band (one ``Style`` per band), and
each silence drawn dashed (KML has no dash style: short alternate pieces) in grey.

Altitudes: barometric, else GNSS height, else 0 (on the ground), in metres.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..timeutil import iso_z
from .trackruns import run_bounds

FT_TO_M = 0.3048  # metres per foot (KML and GeoJSON altitudes are metres)
#: Altitude bands for KML colours: upper bound ft, KML colour aabbggrr (tar1090-like ramp).
ALTITUDE_BANDS: tuple[tuple[float, str], ...] = (
    (500.0, "ff0052f0"),
    (2000.0, "ff008cff"),
    (6000.0, "ff00d7ff"),
    (10000.0, "ff00c000"),
    (20000.0, "ffd4b400"),
    (30000.0, "ffff5000"),
    (float("inf"), "ffd000c0"),
)
ESTIMATED_COLOUR = "ff909090"
DASHES = 24  # pieces a silence is cut into (every other one drawn), count


class _Track:
    """One aircraft's positioned rows, by time, as plain lists."""

    def __init__(self, table: pa.Table) -> None:
        t = table.sort_by("timestamp")
        self.lon: list[float] = t.column("longitude").to_pylist()
        self.lat: list[float] = t.column("latitude").to_pylist()
        alt = pc.coalesce(t.column("altitude"), t.column("geoaltitude"), 0.0).to_pylist()
        self.alt_ft: list[float] = [float(a) for a in alt]
        self.times: list[str] = [iso_z(x) for x in t.column("timestamp").to_pylist()]
        self.t = _seconds(t)
        n = len(self.times)
        has_callsign = "callsign" in t.column_names
        self.callsign: list[str | None] = (
            t.column("callsign").to_pylist() if has_callsign else [None] * n
        )

    def coord(self, i: int) -> list[float]:
        return [self.lon[i], self.lat[i], round(self.alt_ft[i] * FT_TO_M, 1)]

    def callsigns(self, a: int, b: int) -> str:
        return " ".join(dict.fromkeys(c for c in self.callsign[a:b] if c))


def _seconds(t: pa.Table) -> np.ndarray[Any, Any]:
    """Unix s of the ``timestamp`` column (any unit)."""
    ts = pc.cast(t.column("timestamp"), pa.timestamp("us", tz="UTC"))
    us = pc.cast(ts, pa.int64()).to_numpy(zero_copy_only=False)
    return np.asarray(us, dtype=np.float64) / 1e6


def _tracks(table: pa.Table) -> list[tuple[str, _Track]]:
    ok = pc.and_(pc.is_valid(table.column("latitude")), pc.is_valid(table.column("longitude")))
    table = table.filter(ok)
    icaos = sorted(set(table.column("icao24").to_pylist()) - {None})
    return [(i, _Track(table.filter(pc.equal(table.column("icao24"), i)))) for i in icaos]


def _feature(icao: str, tr: _Track, idx: list[int], kind: str) -> dict[str, Any]:
    coords = [tr.coord(i) for i in idx]
    geometry = (
        {"type": "Point", "coordinates": coords[0]}
        if len(coords) == 1
        else {"type": "LineString", "coordinates": coords}
    )
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "icao24": icao,
            "callsign": tr.callsigns(idx[0], idx[-1] + 1),
            "kind": kind,
            "start": tr.times[idx[0]],
            "end": tr.times[idx[-1]],
            "points": len(idx),
            "coordTimes": [tr.times[i] for i in idx],
        },
    }


def to_geojson(table: pa.Table) -> dict[str, Any]:
    """The FeatureCollection described in the module docstring."""
    features: list[dict[str, Any]] = []
    for icao, tr in _tracks(table):
        runs = run_bounds(tr.t)
        for k, (a, b) in enumerate(runs):
            if k > 0:
                features.append(_feature(icao, tr, [a - 1, a], "estimated"))
            features.append(_feature(icao, tr, list(range(a, b)), "observed"))
    return {"type": "FeatureCollection", "features": features}


def _band(alt_ft: float) -> int:
    return next(k for k, (top, _) in enumerate(ALTITUDE_BANDS) if alt_ft < top)


def _coords(tr: _Track, idx: range | list[int]) -> str:
    return " ".join(",".join(str(v) for v in tr.coord(i)) for i in idx)


def _styles() -> list[str]:
    out = [
        f'<Style id="alt{k}"><LineStyle><color>{colour}</color><width>3</width></LineStyle></Style>'
        for k, (_, colour) in enumerate(ALTITUDE_BANDS)
    ]
    out.append(
        f'<Style id="estimated"><LineStyle><color>{ESTIMATED_COLOUR}</color><width>2</width>'
        "</LineStyle></Style>"
    )
    out.append('<Style id="track"><LineStyle><color>00ffffff</color></LineStyle></Style>')
    return out


def _observed(tr: _Track, a: int, b: int) -> list[str]:
    """A run as lines coloured by altitude band: one piece per change of band."""
    out: list[str] = []
    start = a
    for i in range(a + 1, b + 1):
        if i == b or _band(tr.alt_ft[i]) != _band(tr.alt_ft[start]):
            end = min(i, b - 1)
            if end > start:
                out.append(
                    f"<Placemark><styleUrl>#alt{_band(tr.alt_ft[start])}</styleUrl>"
                    "<LineString><altitudeMode>absolute</altitudeMode>"
                    f"<coordinates>{_coords(tr, range(start, end + 1))}</coordinates>"
                    "</LineString></Placemark>"
                )
            start = end
    return out


def _dashed(tr: _Track, i: int, j: int) -> str:
    """The silence between points ``i`` and ``j``: every other of ``DASHES`` pieces."""
    p, q = np.array(tr.coord(i)), np.array(tr.coord(j))
    f = np.linspace(0.0, 1.0, DASHES + 1)
    pts = [p + (q - p) * x for x in f]
    pieces = [
        "<LineString><altitudeMode>absolute</altitudeMode><coordinates>"
        + " ".join(",".join(str(round(float(v), 6)) for v in pts[k + m]) for m in (0, 1))
        + "</coordinates></LineString>"
        for k in range(0, DASHES, 2)
    ]
    return (
        f"<Placemark><name>estimated {tr.times[i]} to {tr.times[j]}</name>"
        f"<styleUrl>#estimated</styleUrl><MultiGeometry>{''.join(pieces)}</MultiGeometry>"
        "</Placemark>"
    )


def to_kml(table: pa.Table, *, name: str = "skywitness track") -> str:
    """The KML document described in the module docstring."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
        f"<Document><name>{escape(name)}</name>",
        *_styles(),
    ]
    for icao, tr in _tracks(table):
        label = " ".join([icao, *dict.fromkeys(c for c in tr.callsign if c)])
        parts.append(f"<Folder><name>{escape(label)}</name>")
        parts.append(
            f"<Placemark><name>{escape(label)}</name><styleUrl>#track</styleUrl><gx:Track>"
            "<altitudeMode>absolute</altitudeMode>"
        )
        parts.extend(f"<when>{w}</when>" for w in tr.times)
        parts.extend(f"<gx:coord>{' '.join(str(v) for v in tr.coord(i))}</gx:coord>"
                     for i in range(len(tr.times)))  # fmt: skip
        parts.append("</gx:Track></Placemark>")
        for k, (a, b) in enumerate(run_bounds(tr.t)):
            if k > 0:
                parts.append(_dashed(tr, a - 1, a))
            parts.extend(_observed(tr, a, b))
        parts.append("</Folder>")
    parts.append("</Document></kml>")
    return "\n".join(parts) + "\n"
