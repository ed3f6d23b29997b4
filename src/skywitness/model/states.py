"""The canonical state-vector columns that ``track`` emits and ``store`` keeps, and their
Arrow schema."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

#: ``position_error``: metres, the 95 % horizontal radius of a multilateration position (null
#: for every other position source, whose accuracy is in the message, not estimated here).
STATE_COLUMNS: tuple[str, ...] = (
    "timestamp",
    "icao24",
    "callsign",
    "latitude",
    "longitude",
    "altitude",
    "geoaltitude",
    "groundspeed",
    "track",
    "vertical_rate",
    "squawk",
    "onground",
    "source",
    "position_source",
    "position_error",
)

#: Arrow type of a state-vector timestamp: milliseconds, UTC.
TIMESTAMP_TYPE = pa.timestamp("ms", tz="UTC")
#: Arrow type of each state-vector column (standard Parquet types only, so DuckDB, Spark,
#: Trino and the ``traffic`` library read the lake unchanged); the other columns are float64.
STATE_TYPES: dict[str, pa.DataType] = {
    name: {
        "timestamp": TIMESTAMP_TYPE,
        "icao24": pa.string(),
        "callsign": pa.string(),
        "squawk": pa.string(),
        "onground": pa.bool_(),
        "source": pa.string(),
        "position_source": pa.string(),
    }.get(name, pa.float64())
    for name in STATE_COLUMNS
}
#: The one state-vector schema: what ``track`` emits, the lake stores and ``flights`` reads.
STATE_SCHEMA = pa.schema([pa.field(name, STATE_TYPES[name]) for name in STATE_COLUMNS])


@dataclass(frozen=True, slots=True)
class StateRows:
    """Already-tracked state vectors from one document (our own lake files, ``traffic`` and
    OpenSky exports) as a canonical ``STATE_SCHEMA`` table: every row with a time and a
    6-hex-digit address. Its text columns (``icao24``, ``callsign``, ``squawk``,
    ``position_source``) may be dictionary-encoded, as a Parquet file stores them. The ingest
    step gates them column-wise (``track.states_gate``) instead of re-tracking them; readers
    that need reports convert them (``sources.states.observations_from_states``, which gives
    plain texts)."""

    table: pa.Table
    source: str = ""

    def __len__(self) -> int:
        return int(self.table.num_rows)
