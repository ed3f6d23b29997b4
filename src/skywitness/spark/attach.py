"""The embedded store answers from a Spark-written lake: Spark writes ``<data-dir>/lake`` in the
embedded layout, so opening the store adopts its state files (the catalogue registers Parquet
files it did not write, as after a crash), the emitter categories ``spark ingest`` heard become
its identity facts (as embedded ``ingest`` records them), and the flights Spark built
(``lake/flights/``) are loaded into the catalogue's flights table. Pure pyarrow and DuckDB: no
Spark needed here."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pyarrow.parquet as pq

from ..flights.schema import FLIGHT_SCHEMA
from ..store.store import Store
from .arrowtypes import conform_to
from .flights import FLIGHTS_DIR
from .lake_facts import record_lake_facts


def attach_spark_lake(data_dir: str | Path) -> tuple[int, int]:
    """Open the store over its Spark-written lake; returns (state files adopted, flights
    loaded)."""
    store = Store(data_dir)
    try:
        adopted = len(store.recovery.files_adopted) if store.recovery else 0
        store.write(partial(record_lake_facts, lake=store.lake))
        flights_dir = store.lake / FLIGHTS_DIR
        if not flights_dir.is_dir():
            return adopted, 0
        table = pq.read_table(flights_dir)
        flights = conform_to(table.drop_columns(["date"]), FLIGHT_SCHEMA)
        store.replace_flights(flights, icao24s=sorted(set(flights.column("icao24").to_pylist())))
        return adopted, flights.num_rows
    finally:
        store.close()
