"""The evidence query on Spark: Spark selects the rows an investigation reads from the cluster
lake; the embedded evidence code (``evidence.pack.investigate``, ``write_pack``) answers from
them, so the answer, the coverage statement and the pack's data files are those of the
embedded ``investigate`` byte for byte.

Spark reads, in two passes over the lake:

1. the flights of the question's window (``lastSeen >= since`` and ``firstSeen < until``, the
   window of ``store.flightdb.query_flights``) — every candidate, so the count of flights
   considered is the embedded one;
2. the state vectors the answer can read: those of the aircraft that pass the one filter
   vocabulary (``flights.query.select_flights``, run by DuckDB on pass 1's rows), over their
   flights widened by a sequence's hours; and every aircraft's positions in the window inside
   the bounding boxes of the coverage places (the question's places and the airports of those
   flights), or the whole window when there is no place.

Both land in an in-memory working set — a DuckDB catalogue with the reference tables (aircraft
databases, watchlists) copied from the store's catalogue when there is one — and
``investigate`` runs on it unchanged. Each query it makes is a subset of what Spark selected,
so it reads the rows it would read from the whole lake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from ..evidence.pack import Investigation, coverage_places, investigate
from ..evidence.places import Outlines, resolve
from ..evidence.query import Match, Result
from ..evidence.question import Question
from ..flights.query import select_flights
from ..flights.schema import FLIGHT_SCHEMA
from ..identify.identity import Identity
from ..identify.store_schema import ensure_schema as ensure_identity_schema
from ..store import IngestRecord, Store
from ..store.catalog_writer import CatalogWriter
from ..store.lake import STATES_DIR
from ..store.schema import STATE_SCHEMA, conform
from ..store.working import load_into, working_catalogue
from ..timeutil import from_unix, parse_iso
from .arrowtypes import conform_to
from .flights import FLIGHTS_DIR
from .ingest import ingest_records
from .lake_facts import record_lake_facts

#: The working set's stand-ins for the catalogue's flights table and the lake's states view.
_FLIGHTS, _STATES = "flights", "states"
#: A flight's last state vector is inside [firstSeen, lastSeen + 1 ms) (as evidence.query).
_LAST_ROW = timedelta(milliseconds=1)
#: The embedded bookkeeping the working set does not copy: Spark's rows stand for them.
_NOT_COPIED = frozenset({_FLIGHTS, _STATES})


@dataclass
class SparkInvestigation:
    """The embedded ``Investigation`` and what Spark read for it."""

    investigation: Investigation
    flights_read: int
    states_read: int


def working_set(
    catalog_dir: Path | None, lake: str | Path | None = None
) -> duckdb.DuckDBPyConnection:
    """An in-memory catalogue: the store's tables (reference data) when there is one, else
    the empty schema; never its flights and states (Spark reads those from the lake). With
    ``lake``: plus the emitter categories its ``spark ingest`` heard, as identity facts."""
    con = working_catalogue(catalog_dir, _NOT_COPIED, ensure_identity_schema)
    if lake is not None:
        writer = CatalogWriter(con, name="working-catalogue")
        try:
            writer.run(partial(record_lake_facts, lake=lake))
        finally:
            writer.close()
    return con


def _flights_of_window(spark: Any, lake: str, q: Question) -> pa.Table:
    """Pass 1: every flight overlapping the question's window (FLIGHT_SCHEMA)."""
    from pyspark.sql import functions as F

    try:
        df = spark.read.parquet(f"{lake}/{FLIGHTS_DIR}")
    except Exception as exc:  # no flights table yet: Spark's AnalysisException
        if "PATH_NOT_FOUND" not in str(exc) and "Path does not exist" not in str(exc):
            raise
        return FLIGHT_SCHEMA.empty_table()
    if q.since is not None:
        df = df.where(F.col("lastSeen") >= q.since)
    if q.until is not None:  # flights are partitioned by the day of firstSeen
        df = df.where(F.col("date") <= q.until.astimezone(UTC).date())
        df = df.where(F.col("firstSeen") < q.until)
    table = df.toArrow()
    return conform_to(table.drop_columns(["date"]), FLIGHT_SCHEMA)


def _states_read(
    spark: Any,
    lake: str,
    q: Question,
    aircraft: tuple[list[str], datetime, datetime] | None,
    boxes: list[tuple[float, float, float, float]] | None,
) -> pa.Table:
    """Pass 2: the aircraft's states over [lo, hi), and every state in the window inside
    ``boxes`` (None: the whole window); with the lake's ``date`` column."""
    from pyspark.sql import functions as F

    def window(lo: datetime | None, hi: datetime | None) -> Any:
        cond = F.lit(True)
        if lo is not None:
            cond = cond & (F.col("date") >= lo.astimezone(UTC).date()) & (F.col("timestamp") >= lo)
        if hi is not None:
            cond = cond & (F.col("date") <= hi.astimezone(UTC).date()) & (F.col("timestamp") < hi)
        return cond

    wanted = F.lit(False)
    if aircraft is not None:
        icaos, lo, hi = aircraft
        wanted = wanted | (F.col("icao24").isin(icaos) & window(lo, hi))
    if boxes is None:
        wanted = wanted | window(q.since, q.until)
    elif boxes:
        inside = F.lit(False)
        for x0, y0, x1, y1 in boxes:  # the BETWEENs of evidence.coverage, so a superset
            inside = inside | (
                F.col("longitude").between(x0, x1) & F.col("latitude").between(y0, y1)
            )
        wanted = wanted | (window(q.since, q.until) & F.col("latitude").isNotNull() & inside)
    table = spark.read.parquet(f"{lake}/{STATES_DIR}").where(wanted).toArrow()
    return conform(table.drop_columns(["date"]))


def _aircraft_span(q: Question, flights: pa.Table) -> tuple[list[str], datetime, datetime] | None:
    """The aircraft of ``flights`` and the span the answer may read their states over."""
    if flights.num_rows == 0:
        return None
    rows = flights.select(["icao24", "firstSeen", "lastSeen"]).to_pylist()
    pad = timedelta(hours=q.sequence.hours) if q.sequence is not None else timedelta(0)
    lo = min(r["firstSeen"] for r in rows) - pad
    hi = max(r["lastSeen"] for r in rows) + pad + _LAST_ROW
    return sorted({str(r["icao24"]) for r in rows}), lo, hi


def _boxes(
    q: Question, flights: pa.Table, outlines: Outlines
) -> list[tuple[float, float, float, float]] | None:
    """The bounding boxes of the coverage places ``investigate`` may name (None: no place,
    the coverage is the whole store's)."""
    # coverage_places reads the flights only: no identity is needed to name the places
    prelim = Result(q, matches=[Match(r, Identity(str(r["icao24"]))) for r in flights.to_pylist()])
    codes = coverage_places(prelim)
    return [resolve(c, outlines).bbox() for c in codes] if codes else None


def spark_inputs(lake: str) -> list[IngestRecord]:
    """The files ``spark ingest`` stored into ``lake`` (its records; a folder or a URI), as
    inputs."""
    out = []
    for i, d in enumerate(ingest_records(lake), start=1):
        when = parse_iso(d["ingested_at"]) if d.get("ingested_at") else None
        out.append(
            IngestRecord(
                id=i, source=str(d["path"]), sha256=str(d["sha256"]), format=d.get("format", ""),
                size_bytes=d.get("size_bytes"), started=when or from_unix(0),
                finished=when, status="done", rows_read=int(d.get("read", 0)),
                rows_accepted=int(d.get("accepted", 0)), rejected=dict(d.get("rejected", {})),
                rows_rejected=sum(d.get("rejected", {}).values()),
                rows_stored=int(d.get("stored", 0)), note="spark ingest",
            )
        )  # fmt: skip
    return out


def spark_investigate(
    spark: Any,
    lake: str | Path,
    q: Question,
    *,
    catalog_dir: Path | None = None,
    outlines: Outlines | None = None,
) -> SparkInvestigation:
    """Answer ``q`` from the Spark ``lake`` (reference data from ``catalog_dir``'s catalogue,
    when it has one); see the module doc."""
    outlines = outlines or Outlines()
    base = str(lake).rstrip("/")
    con = working_set(catalog_dir, base)
    try:
        flights = _flights_of_window(spark, base, q)
        load_into(con, _FLIGHTS, flights)
        # the filter vocabulary, once: the embedded query over the window's flights
        passing = select_flights(con, q.query)
        boxes = _boxes(q, passing, outlines)
        states = _states_read(spark, base, q, _aircraft_span(q, passing), boxes)
        load_into(con, _STATES, states.cast(STATE_SCHEMA), with_date=True)
        view = Store.reader(con, catalog_dir or Path(base))
        inv = investigate(view, q, outlines)
        if boxes is not None and not coverage_places(inv.result):
            # every flight with an airport fell to a geofence or sequence: the coverage is
            # the whole window's, which pass 2 did not read
            states = _states_read(spark, base, q, _aircraft_span(q, passing), None)
            load_into(con, _STATES, states.cast(STATE_SCHEMA), with_date=True)
            inv = investigate(view, q, outlines)
        inv.inputs = spark_inputs(base)
        return SparkInvestigation(inv, flights.num_rows, states.num_rows)
    finally:
        con.close()
