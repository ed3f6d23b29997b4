"""The batched writer of state vectors that feeds the catalogue's one writer thread.

``CatalogWriter`` and ``require_writer`` (the single-writer model) live in ``catalog_writer``
and are re-exported here.

``Writer``: the batched writer of one ingest's state vectors.

``append`` only queues, so ingest and alerting do not wait on the disk; only when more than
``max_pending_rows`` are queued (the disk cannot keep up) does it wait, for at most about one
flush, so memory stays bounded. The thread flushes when ``flush_rows`` rows are pending or
the oldest pending table is ``flush_seconds`` old; ``stop`` flushes what is left and joins.
A failure in the thread is re-raised by ``stop``/``append``, unless the writer *degrades*
(``degrade=True``, the live service): a batch that cannot be written (disk full, read-only file
system, a store error) is then dropped and counted (``rows_dropped``), ``degraded`` says why,
appends are dropped without touching the disk for ``DEGRADED_RETRY_S``, and the next batch
after that tries again; the first that is stored ends the degraded state. The live service
keeps serving meanwhile and says so in ``/api/stats``. ``facts``: a source of catalogue jobs
recording identity facts heard with the rows (the emitter categories of the ingest step,
``identify.adsb_facts``): each flush runs the job in the commit of its batch, so the facts
are stored with the rows they came with; the last, if any, runs alone at ``stop``.

``journal_s`` (the live service): at most this often the thread notes in the catalogue how
many rows it has received (``ingests.rows_received``), so that after a kill -9 the next open
reports the rows received and never stored: the unflushed batch (``store.recovery``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from ..errors import SkywitnessError
from ..stats import IngestStats
from .catalog import note_received
from .catalog_writer import CatalogWriter, T, require_writer
from .schema import conform

if TYPE_CHECKING:
    from .store import Store

__all__ = ["CatalogWriter", "T", "Writer", "require_writer"]  # the first three: catalog_writer's

#: Flush when this many rows are pending (about 1 s of a busy feed at 500 k rows/s).
DEFAULT_FLUSH_ROWS = 500_000
#: Flush at least this often, seconds, so a quiet live feed still reaches the disk.
DEFAULT_FLUSH_SECONDS = 5.0
#: Queued rows beyond which ``append`` waits for the writer (bounds memory, ~1 GB of rows).
DEFAULT_MAX_PENDING_ROWS = 4 * DEFAULT_FLUSH_ROWS
#: A degraded writer tries the disk again after this long, s.
DEGRADED_RETRY_S = 30.0
_STOP = object()
_FLUSH = object()  # queue item: store what is pending now (``sync``)
log = logging.getLogger(__name__)

#: Gives a catalogue job recording the facts gathered since it was last asked (None: none).
FactsSource = Callable[[], Callable[[duckdb.DuckDBPyConnection], object] | None]


class Writer:
    """Batched writer of state vectors for one ingest of a ``Store``: its thread writes the
    Parquet files; their catalogue entries go through the store's ``CatalogWriter``."""

    def __init__(
        self,
        store: Store,
        ingest_id: int,
        *,
        flush_rows: int = DEFAULT_FLUSH_ROWS,
        flush_seconds: float = DEFAULT_FLUSH_SECONDS,
        stats: IngestStats | None = None,
        max_pending_rows: int | None = None,
        degrade: bool = False,
        retry_s: float = DEGRADED_RETRY_S,
        facts: FactsSource | None = None,
        journal_s: float | None = None,
    ) -> None:
        self.store = store
        self.journal_s = journal_s
        self.rows_noted = 0  # rows received, as last noted in the catalogue
        self._journal_at = 0.0  # monotonic s of that note
        # identity facts heard with the rows (``identify.adsb_facts.PendingCategories.take``):
        # recorded in the commit of the next batch, or alone at the end
        self.facts = facts
        self.degrade, self.retry_s = degrade, retry_s
        self.degraded: str | None = None  # why batches are being dropped, None when storing
        self.rows_dropped = 0
        self._failed_at = 0.0  # monotonic s of the last failed flush
        self.max_pending_rows = max(max_pending_rows or DEFAULT_MAX_PENDING_ROWS, 2 * flush_rows)
        self.ingest_id = ingest_id
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.stats = stats if stats is not None else IngestStats()
        self.rows_appended = 0
        self.rows_stored = 0
        self.batches = 0
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._rows_taken = 0  # rows the thread has flushed or dropped
        self._taken = threading.Condition()

    def start(self) -> Writer:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"store-writer-{self.ingest_id}", daemon=True
            )
            self._thread.start()
        return self

    def append(self, table: pa.Table) -> None:
        """Queue ``table`` for writing: at once, unless ``max_pending_rows`` are already queued."""
        self._raise_if_failed()
        if self._thread is None:
            raise SkywitnessError("Writer.append before start()")
        if table.num_rows:
            with self._taken:
                while (
                    self.rows_appended - self._rows_taken >= self.max_pending_rows
                    and self._error is None
                    and self._thread.is_alive()
                ):
                    self._taken.wait(timeout=1.0)
            self._raise_if_failed()
            self.rows_appended += table.num_rows
            self._queue.put(table)

    def sync(self, timeout: float) -> bool:
        """Store everything appended so far now, not at the next timed flush, and wait for it
        (at most ``timeout`` s); True when it is stored (or dropped, degraded) in time. A
        reader of the lake (the flights stage's recall) then sees every row given so far."""
        thread = self._thread
        if thread is None:
            return True
        target = self.rows_appended
        self._queue.put(_FLUSH)
        with self._taken:
            return self._taken.wait_for(
                lambda: self._rows_taken >= target or self._error is not None
                or not thread.is_alive(),
                timeout,
            )  # fmt: skip

    def stop(self) -> None:
        """Flush everything queued, stop the thread, and raise its error if it had one."""
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
            self._thread = None
        self._raise_if_failed()

    close = stop

    def __enter__(self) -> Writer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise SkywitnessError(f"store writer failed: {self._error}") from self._error

    def _run(self) -> None:
        pending: list[pa.Table] = []
        rows = 0
        oldest = 0.0
        try:
            while True:
                timeout = (
                    None
                    if not pending
                    else max(0.0, oldest + self.flush_seconds - time.monotonic())
                )
                if self.journal_s is not None and self.rows_appended != self.rows_noted:
                    due_s = max(0.0, self._journal_at + self.journal_s - time.monotonic())
                    timeout = due_s if timeout is None else min(timeout, due_s)
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:
                    item = None
                if isinstance(item, pa.Table):
                    if not pending:
                        oldest = time.monotonic()
                    pending.append(item)
                    rows += item.num_rows
                stopping = item is _STOP
                self._journal()
                due = pending and (
                    rows >= self.flush_rows
                    or stopping
                    or item is _FLUSH
                    or time.monotonic() - oldest >= self.flush_seconds
                )
                if due:
                    if self.degrade:
                        self._flush_or_drop(pending, rows)
                    else:
                        self._flush(pending)
                    pending, rows = [], 0
                if stopping:
                    self._facts_alone()
                    return
        except BaseException as exc:  # reported to the caller by stop()/append()
            self._error = exc
        finally:
            with self._taken:
                self._taken.notify_all()

    def _journal(self) -> None:
        """Note the rows received so far, at most every ``journal_s`` (a failure to note is
        logged: the rows still flow)."""
        n = self.rows_appended
        now = time.monotonic()
        if (
            self.journal_s is None
            or n == self.rows_noted
            or now < self._journal_at + self.journal_s
        ):
            return
        self._journal_at = now
        ingest_id = self.ingest_id
        try:
            self.store.write(lambda con: note_received(con, ingest_id, n))
        except (OSError, duckdb.Error, SkywitnessError) as exc:
            if not self.degrade:
                raise
            log.warning("store: rows received not noted (%s)", exc)
            return
        self.rows_noted = n  # committed in the catalogue

    def _flush_or_drop(self, pending: list[pa.Table], rows: int) -> None:
        """Degrading flush: store, or drop and count (never raise)."""
        if self.degraded is not None and time.monotonic() < self._failed_at + self.retry_s:
            self._drop(pending, rows)
            return
        try:
            self._flush(pending)
        except (OSError, duckdb.Error, SkywitnessError) as exc:
            if self.degraded is None:
                log.error("store: cannot write (%s); live data keeps flowing, state vectors are "
                          "NOT stored until the store is writable again", exc)  # fmt: skip
            self.degraded = f"{type(exc).__name__}: {exc}"
            self._failed_at = time.monotonic()
            self.rows_dropped += rows
            return
        if self.degraded is not None:
            log.warning("store: writing again (%d state vectors were not stored)",
                        self.rows_dropped)  # fmt: skip
            self.degraded = None

    def _drop(self, pending: list[pa.Table], rows: int) -> None:
        self.rows_dropped += rows
        with self._taken:
            self._rows_taken += rows
            self._taken.notify_all()

    def _flush(self, pending: list[pa.Table]) -> None:
        # conform first: tables from different producers may differ in column order/types; a
        # dictionary-encoded text (the states gate's) is kept so, to be written as it is,
        # unless the tables differ in which texts are (then all are decoded)
        tables = [conform(t, dictionaries=True) for t in pending]
        if any(t.schema != tables[0].schema for t in tables[1:]):
            tables = [conform(t) for t in pending]
        table = tables[0] if len(tables) == 1 else pa.concat_tables(tables)
        job = self.facts() if self.facts is not None else None

        def on_commit(con: duckdb.DuckDBPyConnection) -> None:
            if job is not None:
                job(con)

        try:
            self.rows_stored += self.store.write_batch(
                self.ingest_id, table, stats=self.stats, on_commit=on_commit
            )
            self.batches += 1
        finally:
            with self._taken:
                self._rows_taken += sum(t.num_rows for t in pending)
                self._taken.notify_all()

    def _facts_alone(self) -> None:
        """At the end: the facts heard after the last rows (or in an input of no rows)."""
        job = self.facts() if self.facts is not None else None
        if job is None:
            return
        try:
            self.store.write(job)
        except (OSError, duckdb.Error, SkywitnessError) as exc:
            if not self.degrade:
                raise
            log.error("store: identity facts not stored (%s)", exc)
