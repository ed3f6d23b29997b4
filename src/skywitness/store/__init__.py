"""store stage: the permanent store (DuckDB catalogue + Parquet lake), ingest provenance,
queries, flights storage and track exports.

The names below are loaded on first use (PEP 562): importing one light submodule (the schema,
``load``) must not pull in DuckDB, which ``decode`` and ``track`` never need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..lazy import lazy_attr

if TYPE_CHECKING:
    from ..timeutil import iso_z, parse_time
    from .export import export_track, to_csv, write_track
    from .flightdb import FlightFilter, airport_icao, country_airports
    from .geoexport import to_geojson, to_kml
    from .ingest import Provenance, file_sha256, ingest_tables
    from .load import load_traffic_json
    from .recovery import RecoveryReport
    from .schema import STATE_SCHEMA, canonicalize
    from .store import AlreadyIngested, IngestRecord, Store
    from .writer import Writer

#: Each public name and the submodule that defines it.
_WHERE = {
    "export_track": "export",
    "to_csv": "export",
    "to_geojson": "geoexport",
    "to_kml": "geoexport",
    "write_track": "export",
    "FlightFilter": "flightdb",
    "airport_icao": "flightdb",
    "country_airports": "flightdb",
    "Provenance": "ingest",
    "file_sha256": "ingest",
    "ingest_tables": "ingest",
    "load_traffic_json": "load",
    "RecoveryReport": "recovery",
    "STATE_SCHEMA": "schema",
    "canonicalize": "schema",
    "AlreadyIngested": "store",
    "IngestRecord": "store",
    "Store": "store",
    "iso_z": ".timeutil",  # the package's (skywitness.timeutil), re-exported here
    "parse_time": ".timeutil",
    "Writer": "writer",
}


def __getattr__(name: str) -> Any:
    return lazy_attr(__name__, _WHERE, globals(), name)


__all__ = [
    "STATE_SCHEMA",
    "AlreadyIngested",
    "FlightFilter",
    "IngestRecord",
    "Provenance",
    "RecoveryReport",
    "Store",
    "Writer",
    "airport_icao",
    "canonicalize",
    "country_airports",
    "export_track",
    "file_sha256",
    "ingest_tables",
    "iso_z",
    "load_traffic_json",
    "parse_time",
    "to_csv",
    "to_geojson",
    "to_kml",
    "write_track",
]
