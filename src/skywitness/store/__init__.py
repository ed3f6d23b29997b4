"""store stage: the permanent store (DuckDB catalogue + Parquet lake), ingest provenance,
queries, flights storage and track exports."""

from ..timeutil import iso_z, parse_time
from .export import export_track, to_csv, to_geojson, to_kml, write_track
from .flightdb import FlightFilter, airport_icao, country_airports
from .ingest import Provenance, file_sha256, ingest_tables
from .load import load_traffic_json
from .recovery import RecoveryReport
from .schema import STATE_SCHEMA, canonicalize
from .store import AlreadyIngested, IngestRecord, Store
from .writer import Writer

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
