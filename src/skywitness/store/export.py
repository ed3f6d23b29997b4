"""Track exports: GeoJSON and KML (``geoexport``), CSV and Parquet from a state-vector table.

Pure functions from a ``pa.Table`` with the canonical columns to text/bytes, plus
``export_track`` which queries a store and writes a file, the format chosen by its suffix.
GeoJSON and KML keep only rows with a position; CSV and Parquet keep every row.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..errors import SkywitnessError
from ..timeutil import iso_z
from .geoexport import to_geojson, to_kml

if TYPE_CHECKING:
    from .store import Store

FORMATS = {".geojson": "geojson", ".json": "geojson", ".kml": "kml", ".csv": "csv"}
FORMATS[".parquet"] = "parquet"


def _positioned(table: pa.Table) -> pa.Table:
    ok = pc.and_(pc.is_valid(table.column("latitude")), pc.is_valid(table.column("longitude")))
    return table.filter(ok)


def _times(table: pa.Table) -> list[str]:
    return [iso_z(t) for t in table.column("timestamp").to_pylist()]


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
