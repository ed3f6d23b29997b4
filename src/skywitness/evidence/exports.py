"""Exports of exactly the data an answer used: positions, tracks and flights, as file bytes.

Pure: each function returns the bytes of one pack file, deterministic for the same data (so
``verify --rerun`` can compare them byte for byte). Names are the pack's file names.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ..flights.schema import FLIGHT_SCHEMA
from ..jsontext import jsonable
from ..store import to_csv, to_geojson, to_kml
from .query import Result

POSITIONS_CSV = "positions.csv"
POSITIONS_PARQUET = "positions.parquet"
TRACKS_GEOJSON = "tracks.geojson"
TRACKS_KML = "tracks.kml"
FLIGHTS_CSV = "flights.csv"
FLIGHTS_JSON = "flights.json"
#: The data files ``verify --rerun`` recomputes and compares.
DATA_FILES = (POSITIONS_CSV, TRACKS_GEOJSON, TRACKS_KML, FLIGHTS_CSV, FLIGHTS_JSON)


def flights_records(result: Result) -> list[dict[str, Any]]:
    """The matching flights with their identity summary, JSON-ready."""
    out = []
    for m in result.matches:
        rec = {k: jsonable(v) for k, v in m.flight.items()}
        i = m.identity
        rec["identity"] = {
            "registration": i.registration,
            "typecode": i.typecode,
            "operator": i.operator,
            "country": i.country,
            "classification": i.classification,
            "reasons": [
                {"class": r.classification, "kind": r.kind, "detail": r.detail, "source": r.source}
                for r in i.reasons
            ],
            "facts": [{"field": f.field, "value": f.value, "source": f.source} for f in i.facts],
        }
        out.append(rec)
    return out


def flights_json(result: Result) -> bytes:
    return (json.dumps(flights_records(result), indent=1, sort_keys=True) + "\n").encode()


def flights_csv(result: Result) -> bytes:
    """Flights as CSV: the flat FLIGHT_SCHEMA columns (lists and alternatives as JSON text)."""
    names = FLIGHT_SCHEMA.names
    cols: dict[str, list[Any]] = {n: [] for n in names}
    for m in result.matches:
        for n in names:
            v = jsonable(m.flight.get(n))
            cols[n].append(json.dumps(v) if isinstance(v, list | dict) else v)
    table = pa.table({n: pa.array(cols[n], type=_csv_type(cols[n])) for n in names})
    buf = io.BytesIO()
    pacsv.write_csv(table, buf)
    return buf.getvalue()


def _csv_type(values: list[Any]) -> pa.DataType:
    kinds = {type(v) for v in values if v is not None}
    if kinds <= {bool}:
        return pa.bool_()
    if kinds <= {int}:
        return pa.int64()
    if kinds <= {int, float}:
        return pa.float64()
    return pa.string()


def positions_csv(result: Result) -> bytes:
    return to_csv(result.positions)


def positions_parquet(result: Result) -> bytes:
    buf = io.BytesIO()
    pq.write_table(result.positions, buf, compression="zstd")
    return buf.getvalue()


def tracks_geojson(result: Result) -> bytes:
    return (json.dumps(to_geojson(result.positions)) + "\n").encode()


def tracks_kml(result: Result) -> bytes:
    return to_kml(result.positions, name="skywitness evidence tracks").encode()


def data_files(result: Result) -> dict[str, bytes]:
    """Every export of the pack: file name -> bytes."""
    return {
        POSITIONS_CSV: positions_csv(result),
        POSITIONS_PARQUET: positions_parquet(result),
        TRACKS_GEOJSON: tracks_geojson(result),
        TRACKS_KML: tracks_kml(result),
        FLIGHTS_CSV: flights_csv(result),
        FLIGHTS_JSON: flights_json(result),
    }
