"""OpenSky historical database exports (``pyopensky``/``traffic`` Parquet of ``state_vectors``)
to the canonical state-vector columns, column-wise.

Columns: ``time`` (snapshot), ``icao24``, ``lat``, ``lon``, ``velocity`` (m/s), ``heading``,
``vertrate`` (m/s), ``callsign``, ``onground``, ``alert``, ``spi``, ``squawk``, ``baroaltitude``,
``geoaltitude`` (m), ``lastposupdate``, ``lastcontact``; times as unix seconds (int or float) or
as Arrow timestamps. Units are converted here, once (m -> ft, m/s -> kt, m/s -> ft/min), and a
row's time follows the OpenSky CSV reader's rule (``sources.opensky``): the last position update
when the row has a position, else the last contact, else the snapshot time.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from .records import FPM_PER_MPS, FT_PER_M, KT_PER_MPS

#: Columns that mark a table as an OpenSky export (and not canonical state vectors).
SIGNATURE = ("icao24", "lat", "lon", "time")
_F64 = pa.float64()


def is_opensky_db(schema: pa.Schema) -> bool:
    names = set(schema.names)
    return all(c in names for c in SIGNATURE) and "timestamp" not in names


def _col(t: pa.Table, name: str, typ: pa.DataType = _F64) -> pa.ChunkedArray:
    if name not in t.column_names:
        return pa.chunked_array([pa.nulls(t.num_rows, type=typ)])
    return t.column(name)


def _seconds(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Unix seconds (float64) of a time column given as numbers or as timestamps."""
    if pa.types.is_timestamp(col.type):
        us = pc.cast(pc.cast(col, pa.timestamp("us", tz=col.type.tz)), pa.int64())
        return pc.divide(pc.cast(us, pa.float64()), 1e6)
    return pc.cast(col, pa.float64(), safe=False)


def _scaled(t: pa.Table, name: str, factor: float) -> pa.ChunkedArray:
    return pc.multiply(pc.cast(_col(t, name), pa.float64(), safe=False), factor)


def _squawk(col: pa.ChunkedArray) -> pa.ChunkedArray:
    text = pc.utf8_trim_whitespace(pc.cast(col, pa.string()))
    text = pc.utf8_lpad(text, 4, "0")
    ok = pc.fill_null(pc.match_substring_regex(text, "^[0-7]{4}$"), False)
    return pc.if_else(ok, text, pa.scalar(None, pa.string()))


def opensky_db_table(raw: pa.Table, source: str) -> pa.Table:
    """``raw`` (an OpenSky export) in the canonical columns and units (see module doc)."""
    lat, lon = _col(raw, "lat"), _col(raw, "lon")
    has_pos = pc.and_(pc.is_valid(lat), pc.is_valid(lon))
    pos_t = _seconds(_col(raw, "lastposupdate"))
    contact = _seconds(_col(raw, "lastcontact"))
    snap = _seconds(_col(raw, "time"))
    fallback = pc.coalesce(contact, snap)
    t = pc.if_else(pc.and_(has_pos, pc.is_valid(pos_t)), pos_t, fallback)
    ms = pc.cast(pc.round(pc.multiply(t, 1000.0)), pa.int64())
    callsign = pc.utf8_trim_whitespace(pc.cast(_col(raw, "callsign", pa.string()), pa.string()))
    return pa.table(
        {
            "timestamp": pc.cast(ms, pa.timestamp("ms", tz="UTC")),
            "icao24": pc.utf8_lower(
                pc.utf8_trim_whitespace(pc.cast(raw.column("icao24"), pa.string()))
            ),
            "callsign": pc.if_else(pc.equal(callsign, ""), pa.scalar(None, pa.string()), callsign),
            "latitude": pc.cast(lat, pa.float64()),
            "longitude": pc.cast(lon, pa.float64()),
            "altitude": _scaled(raw, "baroaltitude", FT_PER_M),
            "geoaltitude": _scaled(raw, "geoaltitude", FT_PER_M),
            "groundspeed": _scaled(raw, "velocity", KT_PER_MPS),
            "track": pc.cast(_col(raw, "heading"), pa.float64()),
            "vertical_rate": _scaled(raw, "vertrate", FPM_PER_MPS),
            "squawk": _squawk(_col(raw, "squawk", pa.string())),
            "onground": pc.cast(_col(raw, "onground", pa.bool_()), pa.bool_()),
            "source": pa.array([source] * raw.num_rows, type=pa.string()),
        }
    )
