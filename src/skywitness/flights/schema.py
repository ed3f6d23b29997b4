"""Arrow schemas of the flights table and the runways table (names after OpenSky's flights)."""

from __future__ import annotations

import functools

import pyarrow as pa

TS = pa.timestamp("ms", tz="UTC")

#: One ranked candidate airport for a flight end.
ALTERNATIVE = pa.struct(
    [
        pa.field("airport", pa.string()),
        pa.field("distance_m", pa.float64()),  # horizontal, to runway centre line or centre
        pa.field("score", pa.float64()),  # 0..1, higher is better
    ]
)

#: One row per reconstructed flight. Distances in metres (OpenSky's units), times UTC.
FLIGHT_SCHEMA = pa.schema(
    [
        pa.field("flight_id", pa.string(), nullable=False),
        pa.field("icao24", pa.string(), nullable=False),
        pa.field("callsign", pa.string()),
        pa.field("callsigns", pa.list_(pa.string())),
        pa.field("firstSeen", TS, nullable=False),
        pa.field("lastSeen", TS, nullable=False),
        pa.field("takeoff_time", TS),
        pa.field("landing_time", TS),
        pa.field("estDepartureAirport", pa.string()),
        pa.field("estArrivalAirport", pa.string()),
        pa.field("departure_observed", pa.bool_()),
        pa.field("arrival_observed", pa.bool_()),
        pa.field("estDepartureAirportHorizDistance", pa.float64()),
        pa.field("estDepartureAirportVertDistance", pa.float64()),
        pa.field("estArrivalAirportHorizDistance", pa.float64()),
        pa.field("estArrivalAirportVertDistance", pa.float64()),
        pa.field("departure_confidence", pa.float64()),
        pa.field("arrival_confidence", pa.float64()),
        pa.field("confidence", pa.float64()),
        pa.field("departureAirportCandidatesCount", pa.int32()),
        pa.field("arrivalAirportCandidatesCount", pa.int32()),
        pa.field("departure_alternatives", pa.list_(ALTERNATIVE)),
        pa.field("arrival_alternatives", pa.list_(ALTERNATIVE)),
        pa.field("gaps_bridged", pa.int32()),
        pa.field("longest_gap_s", pa.float64()),
        pa.field("arrival_window_start", TS),
        pa.field("arrival_window_end", TS),
        # what was seen at the transitions: the first and last airborne point (a takeoff in a
        # silence has no takeoff_time, but its first airborne point at the airport)
        pa.field("first_airborne", TS),
        pa.field("last_airborne", TS),
        # why an end names no airport: "no airport within N km", or its best candidate was
        # below the confidence threshold (the candidates stay in the alternatives)
        pa.field("departure_note", pa.string()),
        pa.field("arrival_note", pa.string()),
        pa.field("n_positions", pa.int64()),
        pa.field("sources", pa.list_(pa.string())),
        pa.field("day", pa.date32()),
    ]
)

#: OurAirports runways, the columns skywitness uses (le = low-numbered end, he = high end).
RUNWAY_SCHEMA = pa.schema(
    [
        pa.field("airport_ident", pa.string()),
        pa.field("length_ft", pa.float64()),
        pa.field("width_ft", pa.float64()),
        pa.field("closed", pa.bool_()),
        pa.field("le_ident", pa.string()),
        pa.field("le_latitude_deg", pa.float64()),
        pa.field("le_longitude_deg", pa.float64()),
        pa.field("le_elevation_ft", pa.float64()),
        pa.field("le_heading_degT", pa.float64()),
        pa.field("he_ident", pa.string()),
        pa.field("he_latitude_deg", pa.float64()),
        pa.field("he_longitude_deg", pa.float64()),
        pa.field("he_elevation_ft", pa.float64()),
        pa.field("he_heading_degT", pa.float64()),
        pa.field("surface", pa.string()),
    ]
)


@functools.cache
def empty_flights() -> pa.Table:
    """An empty ``FLIGHT_SCHEMA`` table, one shared (tables are immutable): making one costs
    ~150 us, and a live flights step made a few each (``incremental``, ``stage``). Made on the
    first call, not at import: pyarrow's ``empty_table`` loads pandas when it can, and the
    ``ingest`` program keeps pandas out (``pandas_off``, after its imports)."""
    return FLIGHT_SCHEMA.empty_table()
