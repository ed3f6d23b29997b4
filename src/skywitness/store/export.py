"""Track exports: GeoJSON, KML (Google Earth gx:Track), CSV and Parquet from a state-vector table.

Pure functions from a ``pa.Table`` with the canonical columns to text/bytes, plus
``export_track`` which queries a store and writes a file, the format chosen by its suffix.
GeoJSON and KML keep only rows with a position; CSV and Parquet keep every row.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import SkywitnessError
from ..timeutil import iso_z

if TYPE_CHECKING:
    from .store import Store

FT_TO_M = 0.3048  # metres per foot (KML altitudes are metres)
FORMATS = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".csv": "csv"}
FORMATS[".parquet"] = "parquet"


def _positioned(table: pa.Table) -> pa.Table:
    ok = pc.and_(pc.is_valid(table.column("latitude")), pc.is_valid(table.column("longitude")))
    return table.filter(ok)


def _times(table: pa.Table) -> list[str]:
    return [iso_z(t) for t in table.column("timestamp").to_pylist()]


def _distinct(table: pa.Table, col: str) -> list[str]:
    if col not in table.column_names:
        return []
    seen: dict[str, None] = {}
    for v in table.column(col).to_pylist():
        if v:
            seen.setdefault(v, None)
    return list(seen)


def _altitude_m(table: pa.Table) -> list[float]:
    """Barometric altitude, else GNSS height, else 0 (on the ground), in metres."""
    alt = pc.coalesce(table.column("altitude"), table.column("geoaltitude"), 0.0)
    return [round(a * FT_TO_M, 1) for a in alt.to_pylist()]


def to_geojson(table: pa.Table) -> dict[str, Any]:
    """A FeatureCollection with one LineString per aircraft; times in ``coordTimes``."""
    features = []
    for icao in _distinct(table, "icao24"):
        t = _positioned(table.filter(pc.equal(table.column("icao24"), icao)))
        coords = [
            [lon, lat]
            for lon, lat in zip(
                t.column("longitude").to_pylist(), t.column("latitude").to_pylist(), strict=True
            )
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": coords},
                "properties": {
                    "icao24": icao,
                    "callsigns": _distinct(t, "callsign"),
                    "coordTimes": _times(t),
                    "altitude_ft": t.column("altitude").to_pylist(),
                    "onground": t.column("onground").to_pylist(),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def to_kml(table: pa.Table, *, name: str = "skywitness track") -> str:
    """KML 2.2 with one gx:Track per aircraft, altitudeMode absolute (metres)."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">',
        f"<Document><name>{escape(name)}</name>",
    ]
    for icao in _distinct(table, "icao24"):
        t = _positioned(table.filter(pc.equal(table.column("icao24"), icao)))
        label = " ".join([icao, *_distinct(t, "callsign")])
        parts.append(f"<Placemark><name>{escape(label)}</name><gx:Track>")
        parts.append("<altitudeMode>absolute</altitudeMode>")
        parts.extend(f"<when>{w}</when>" for w in _times(t))
        lons, lats = t.column("longitude").to_pylist(), t.column("latitude").to_pylist()
        for lon, lat, alt in zip(lons, lats, _altitude_m(t), strict=True):
            parts.append(f"<gx:coord>{lon} {lat} {alt}</gx:coord>")
        parts.append("</gx:Track></Placemark>")
    parts.append("</Document></kml>")
    return "\n".join(parts) + "\n"


def to_csv(table: pa.Table) -> bytes:
    """CSV with a header; timestamps as ISO 8601 with Z."""
    ts = pa.array(_times(table), pa.string())
    out = table.set_column(table.schema.get_field_index("timestamp"), "timestamp", ts)
    buf = io.BytesIO()
    pacsv.write_csv(out, buf)
    return buf.getvalue()


def write_track(table: pa.Table, out_path: str | Path, fmt: str | None = None) -> str:
    """Write ``table`` to ``out_path`` in ``fmt`` (default from the suffix); return the format."""
    p = Path(out_path)
    kind = fmt or FORMATS.get(p.suffix.lower())
    if kind == "geojson":
        p.write_text(json.dumps(to_geojson(table)) + "\n", encoding="utf-8")
    elif kind == "kml":
        p.write_text(to_kml(table, name=p.stem), encoding="utf-8")
    elif kind == "csv":
        p.write_bytes(to_csv(table))
    elif kind == "parquet":
        pq.write_table(table, p, compression="zstd")
    else:
        raise SkywitnessError(
            f"{p}: unknown track format (use .geojson, .kml, .csv or .parquet, or fmt=)"
        )
    return kind


def export_track(
    store: Store,
    icao24: str,
    since: datetime | None,
    until: datetime | None,
    out_path: str | Path,
    fmt: str | None = None,
) -> int:
    """Write one aircraft's state vectors between ``since`` and ``until``; return rows written."""
    table = store.states(icao24=icao24.lower(), since=since, until=until)
    if table.num_rows == 0:
        raise SkywitnessError(f"no state vectors of {icao24} in the store for that time")
    write_track(table, out_path, fmt)
    return int(table.num_rows)
