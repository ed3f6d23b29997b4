"""The permanent store: a DuckDB catalogue beside a Hive-partitioned Parquet lake of state vectors.

``Store(data_dir)`` opens (creating) ``data_dir/catalog.duckdb`` and ``data_dir/lake/``, runs
crash recovery on a read-write open, and offers ingest provenance, atomic batch commits, the
queries and compaction. Every catalogue write runs on the store's one ``CatalogWriter`` thread
(``write``); queries run on the caller's connection or cursor. DuckDB allows one read-write
process: other processes open read-only or read the Parquet lake directly.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import SkywitnessError
from ..stats import IngestStats
from . import flightdb
from .catalog import (
    begin_batch,
    begin_ingest,
    commit_batch,
    create_states_view,
    ensure_schema,
    finish_ingest,
    first,
    replace_table,
    states_view_sql,
    table_exists,
)
from .catalog_writer import CatalogWriter, T
from .compact import compact_day
from .connect import CATALOG_FILE, connect_catalog
from .lake import parquet_files, partition_dir, split_by_day, write_atomic
from .records import AlreadyIngested, IngestRecord, as_utc, record_from_row
from .recovery import RecoveryReport, diagnose, recover, remove_ingest_files
from .schema import STATE_SCHEMA, canonicalize

__all__ = ["CATALOG_FILE", "AlreadyIngested", "IngestRecord", "Store"]

LAKE_DIR = "lake"


_EPOCH = datetime(1970, 1, 1)  # naive UTC, as the catalogue's TIMESTAMP columns


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Store:
    """A data directory: ``catalog.duckdb`` plus ``lake/states/date=YYYY-MM-DD/*.parquet``."""

    def __init__(self, data_dir: str | Path, *, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.lake = self.data_dir / LAKE_DIR
        self.read_only = read_only
        catalog = self.data_dir / CATALOG_FILE
        if read_only and not catalog.exists():
            raise SkywitnessError(f"no store at {self.data_dir} (no {CATALOG_FILE})")
        try:
            if not read_only:
                self.lake.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # read-only file system, disk full
            raise SkywitnessError(f"cannot open store {self.data_dir}: {exc}") from exc
        self._con = connect_catalog(self.data_dir, read_only=read_only)
        self._seq: dict[int, int] = {}  # last batch seq per ingest (writer thread only)
        self.recovery = RecoveryReport()
        self._writer: CatalogWriter | None = None
        try:
            if not read_only:
                self._writer = CatalogWriter(self._con, name=f"catalog-writer:{self.data_dir.name}")
                self.write(ensure_schema)
                self.recovery = self.write(lambda con: recover(con, self.lake))
            else:  # nothing can be repaired: say what the next read-write open will repair
                self.recovery = diagnose(self._con, self.lake)
        except (duckdb.Error, OSError) as exc:  # a damaged catalogue, a full disk
            if self._writer is not None:
                self._writer.close()
            self._con.close()
            raise SkywitnessError(f"cannot open store {self.data_dir}: {exc}") from exc
        self._view_has_files = False
        self._borrowed = False  # True for a ``reader`` over another connection's cursor
        self.refresh_views()

    @classmethod
    def reader(cls, con: duckdb.DuckDBPyConnection, data_dir: str | Path) -> Store:
        """A read-only view of an open store through another cursor of its catalogue (the
        API's read cursor): the store's queries, none of its writes; closing it is the
        cursor owner's business (``close`` does nothing)."""
        view = cls.__new__(cls)
        view.data_dir = Path(data_dir)
        view.lake = view.data_dir / LAKE_DIR
        view.read_only = True
        view._con = con
        view._writer = None
        view._seq = {}
        view.recovery = RecoveryReport()
        view._view_has_files = True
        view._borrowed = True
        return view

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The catalogue connection, for other stages' tables and queries (one thread)."""
        return self._con

    def write(self, job: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """Run ``job(cursor)`` on the catalogue writer thread and return its result: the one
        way to write the catalogue (readers use their own cursors)."""
        self._writable()
        assert self._writer is not None
        return self._writer.run(job)

    @property
    def writes(self) -> int:
        """Catalogue write jobs finished so far (``CatalogWriter.writes``; 0 for a reader)."""
        return self._writer.writes if self._writer is not None else 0

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        if not self._borrowed:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def refresh_views(self) -> None:
        """(Re)create the ``states`` view over the lake (a temporary one, on this connection
        only, when read-only)."""
        has_files = bool(parquet_files(self.lake))
        body = states_view_sql(self.lake, has_files)
        if self.read_only:
            self._con.execute(f"CREATE OR REPLACE TEMP VIEW states AS {body}")
        else:
            self.write(lambda con: create_states_view(con, body))
        self._view_has_files = has_files

    # -- ingest provenance -------------------------------------------------------------
    def find_ingest(self, sha256: str) -> IngestRecord | None:
        """The completed ingest of a file with this SHA-256, if any."""
        row = first(
            self._con.execute(
                "SELECT * FROM ingests WHERE sha256 = ? AND status = 'done' ORDER BY id LIMIT 1",
                [sha256],
            ).fetchall()
        )
        return record_from_row(row) if row else None

    def ingest(self, ingest_id: int) -> IngestRecord:
        row = first(self._con.execute("SELECT * FROM ingests WHERE id = ?", [ingest_id]).fetchall())
        if row is None:
            raise SkywitnessError(f"no ingest #{ingest_id}")
        return record_from_row(row)

    def ingests(self) -> list[IngestRecord]:
        return [
            record_from_row(r)
            for r in self._con.execute("SELECT * FROM ingests ORDER BY id").fetchall()
        ]

    def begin_ingest(self, source_spec: str, sha256: str | None, fmt: str, size: int | None) -> int:
        """Record the start of an ingest and return its id.

        ``sha256`` None means a live source (no file). Raises AlreadyIngested when a file with
        this SHA-256 was already ingested completely.
        """
        if sha256 is not None and (prior := self.find_ingest(sha256)) is not None:
            raise AlreadyIngested(prior)
        return self.write(lambda con: begin_ingest(con, [source_spec, sha256, fmt, size, _now()]))

    def finish_ingest(
        self, ingest_id: int, counts: dict[str, Any], *, status: str = "done", note: str = ""
    ) -> IngestRecord:
        """Close an ingest with its counts: ``read``/``accepted`` ints and ``rejected``
        (reason -> count). ``IngestStats.as_dict()`` keys (``frames``) are accepted too."""
        rejected = {str(k): int(v) for k, v in dict(counts.get("rejected", {})).items()}
        read = int(counts.get("read", counts.get("frames", 0)))
        values = [
            _now(),
            status,
            read,
            int(counts.get("accepted", 0)),
            sum(rejected.values()),
            json.dumps(rejected, sort_keys=True),
        ]
        self.write(lambda con: finish_ingest(con, ingest_id, values, note))
        return self.ingest(ingest_id)

    def discard_ingest(self, ingest_id: int, counts: dict[str, Any]) -> IngestRecord:
        """Mark an ingest ``failed`` and remove every row it stored."""
        removed = self.write(lambda con: remove_ingest_files(con, self.lake, ingest_id))
        self.refresh_views()
        return self.finish_ingest(
            ingest_id, counts, status="failed", note=f"failed: {removed:,} rows removed"
        )

    # -- writing -----------------------------------------------------------------------
    def write_batch(
        self,
        ingest_id: int,
        table: pa.Table,
        *,
        stats: IngestStats | None = None,
        on_commit: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    ) -> int:
        """Commit one batch of state vectors atomically; return rows stored.

        Journal first (batch ``writing``), then each day's file written and renamed (in the
        calling thread), then one catalogue transaction on the writer thread registers the
        files and marks the batch ``committed``. ``on_commit`` runs inside that transaction
        (on the writer thread, given its cursor), so what it records (e.g. which traces the
        batch holds) is committed together with the rows, or not at all.
        """
        self._writable()
        rows = canonicalize(table, stats=stats, source=f"ingest #{ingest_id}", dictionaries=True)
        if rows.num_rows == 0:
            return 0
        n = rows.num_rows
        seq = self.write(lambda con: begin_batch(con, self._seq, ingest_id, n, _now()))
        entries = []
        for part in split_by_day(rows):
            final = partition_dir(self.lake, part.day) / f"part-{ingest_id:08d}-{seq:06d}.parquet"
            size = write_atomic(part.table, final)
            # as int ms: a timestamp scalar's ``as_py`` loads pandas
            lo, hi = (
                _EPOCH + timedelta(milliseconds=v.as_py())
                for v in pc.min_max(part.table.column("timestamp").cast(pa.int64())).values()
            )
            entries.append(
                [
                    str(final.relative_to(self.lake)),
                    part.day,
                    ingest_id,
                    seq,
                    part.table.num_rows,
                    size,
                    lo,
                    hi,
                    _now(),
                ]
            )
        self.write(lambda con: commit_batch(con, entries, ingest_id, seq, _now(), on_commit))
        if not self._view_has_files:
            self.refresh_views()
        return int(rows.num_rows)

    def _writable(self) -> None:
        if self.read_only:
            raise SkywitnessError(f"store {self.data_dir} is open read-only")

    # -- queries -----------------------------------------------------------------------
    def states(
        self,
        icao24: str | Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        *,
        ordered: bool = True,
    ) -> pa.Table:
        """State vectors (STATE_SCHEMA) ordered by icao24, timestamp.

        ``since`` inclusive, ``until`` exclusive; ``bbox`` is (min_lon, min_lat, max_lon,
        max_lat) in degrees. Day partitions outside the window are never opened.
        ``ordered=False``: in the lake's order instead (day, then file, each file by icao24,
        time), for a reader that sorts them itself (the flights build): half the CPU of the
        sorted read (bench/RESULTS.md).
        """
        where: list[str] = ["true"]
        params: list[Any] = []
        if icao24 is not None:
            addrs = sorted(a.lower() for a in ([icao24] if isinstance(icao24, str) else icao24))
            if len(addrs) == 1:
                where.append("icao24 = ?")
                params.append(addrs[0])
            else:  # the BETWEEN lets DuckDB skip row groups by their min/max statistics
                where.append("icao24 BETWEEN ? AND ? AND list_contains(?, icao24)")
                params += [addrs[0] if addrs else "", addrs[-1] if addrs else "", addrs]
        if since is not None:
            where += ["date >= ?", "timestamp >= ?"]
            params += [since.astimezone(UTC).date(), since]
        if until is not None:
            where += ["date <= ?", "timestamp < ?"]
            params += [until.astimezone(UTC).date(), until]
        if bbox is not None:
            where.append("longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?")
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        cols = ", ".join(f'"{c}"' for c in STATE_SCHEMA.names)
        order = " ORDER BY icao24, timestamp" if ordered else ""
        sql = f"SELECT {cols} FROM states WHERE {' AND '.join(where)}{order}"
        return self._con.sql(sql, params=params).to_arrow_table().cast(STATE_SCHEMA)

    def info(self) -> dict[str, Any]:
        """Size, rows, date range, aircraft, flights and ingests, as plain values."""
        c = self._con
        row = first(
            c.execute(
                "SELECT coalesce(sum(rows), 0), coalesce(sum(bytes), 0), count(*), min(min_ts), "
                "max(max_ts), count(DISTINCT day) FROM files"
            ).fetchall()
        )
        assert row is not None
        catalog = self.data_dir / CATALOG_FILE
        aircraft = first(c.execute("SELECT count(DISTINCT icao24) FROM states").fetchall())
        flights = (
            first(c.execute("SELECT count(*) FROM flights").fetchall())
            if table_exists(c, "flights")
            else (0,)
        )
        by_status = dict(
            c.execute("SELECT status, count(*) FROM ingests GROUP BY status ORDER BY 1").fetchall()
        )
        return {
            "data_dir": str(self.data_dir),
            "size_bytes": int(row[1]) + (catalog.stat().st_size if catalog.exists() else 0),
            "lake_bytes": int(row[1]),
            "rows": int(row[0]),
            "files": int(row[2]),
            "days": int(row[5]),
            "first": as_utc(row[3]),
            "last": as_utc(row[4]),
            "aircraft": int(aircraft[0]) if aircraft else 0,
            "flights": int(flights[0]) if flights else 0,
            "ingests": by_status,
            "recovery": self.recovery.summary(),
        }

    # -- flights -----------------------------------------------------------------------
    def replace_flights(
        self,
        table: pa.Table,
        *,
        icao24s: Iterable[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        remove_ids: Iterable[str] = (),
        replace_all: bool = False,
    ) -> int:
        """See ``flightdb.replace_flights``; returns the number of flights deleted."""
        return self.write(
            lambda con: flightdb.replace_flights(
                con,
                table,
                icao24s=icao24s,
                since=since,
                until=until,
                remove_ids=remove_ids,
                replace_all=replace_all,
            )
        )

    def query_flights(self, filters: flightdb.FlightFilter | None = None) -> pa.Table:
        return flightdb.query_flights(self._con, filters or flightdb.FlightFilter())

    def replace_table(self, name: str, table: pa.Table) -> int:
        """Replace a whole reference table (e.g. ``runways``) with ``table``; return its rows."""
        if not name.isidentifier():
            raise SkywitnessError(f"bad table name {name!r}")
        self.write(lambda con: replace_table(con, name, table))
        return int(table.num_rows)

    def table(self, name: str) -> pa.Table | None:
        """A whole catalogue table as Arrow, or None when it does not exist."""
        if not name.isidentifier() or not table_exists(self._con, name):
            return None
        return self._con.sql(f"SELECT * FROM {name}").to_arrow_table()

    def compact(self, day: date | None = None) -> list[dict[str, Any]]:
        """Merge small files: of ``day``, or of every day with more than one file (the days
        where something was merged; ``store.compact``)."""
        self._writable()
        days = [day] if day is not None else self.days(min_files=2)
        done = [self.write(functools.partial(compact_day, lake=self.lake, day=d)) for d in days]
        return done if day is not None else [d for d in done if "rows" in d]

    def days(self, *, min_files: int = 1) -> list[date]:
        return [
            r[0]
            for r in self._con.execute(
                "SELECT day FROM files GROUP BY day HAVING count(*) >= ? ORDER BY day",
                [min_files],
            ).fetchall()
        ]
