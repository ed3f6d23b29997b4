"""The catalogue's one writer thread: ``CatalogWriter`` and ``require_writer``.

The single-writer model: one thread per read-write ``Store`` owns every write to the DuckDB
catalogue; a write is a job (a callable given the writer's own cursor) put on its queue, run in
order, its result or error handed back to the caller (``Store.write``). ``require_writer`` lets
a catalogue write function refuse to run anywhere else (tests/test_catalog_writer.py checks
that every one does). Apart from ``writer.py`` (the batched state writer, which needs pyarrow)
so that the catalogue's modules load with DuckDB alone (a ``flights`` query's start-up).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ..errors import SkywitnessError

if TYPE_CHECKING:
    from collections.abc import Callable

    import duckdb

# queue loads with a writer: a read-only ``flights`` query's start-up (issue 18) imports this
# module for ``require_writer`` alone.

T = TypeVar("T")
_on_writer = threading.local()  # ``active`` is True on a catalogue writer thread


def require_writer() -> None:
    """Raise unless running as a job of a ``CatalogWriter`` (every catalogue write does)."""
    if not getattr(_on_writer, "active", False):
        raise SkywitnessError(
            "catalogue write outside the catalogue writer thread (use Store.write)"
        )


class _Done(Generic[T]):
    """A job's result or error, handed from the writer thread to the caller that waits for
    it (what ``concurrent.futures.Future`` does here, without its ~4 ms import)."""

    def __init__(self) -> None:
        self._set = threading.Event()
        self._value: T | None = None
        self._error: BaseException | None = None

    def keep(
        self, job: Callable[[duckdb.DuckDBPyConnection], T], cursor: duckdb.DuckDBPyConnection
    ) -> None:
        """Run ``job(cursor)`` and keep its result or error (the caller waiting for it is woken
        by ``wake``)."""
        try:
            self._value = job(cursor)
        except BaseException as exc:  # handed to the caller
            self._error = exc

    def wake(self) -> None:
        self._set.set()

    def result(self) -> T:
        self._set.wait()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # keep gave a T


class CatalogWriter:
    """The one thread that writes a catalogue: ``run(job)`` runs ``job(cursor)`` there, in
    order with every other write, and returns its result (re-entrant: a job may run jobs)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, name: str = "catalog-writer") -> None:
        import queue

        self._con = con
        self._jobs: queue.Queue[tuple[Callable[[Any], Any], _Done[Any]] | None] = queue.Queue()
        self._closed = False
        self._cursor: duckdb.DuckDBPyConnection | None = None
        #: jobs finished (each counted before its caller wakes): readers that keep an answer
        #: until the next write key it on this (``api.reads.StoreSums``)
        self.writes = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def run(self, job: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        if threading.current_thread() is self._thread:
            assert self._cursor is not None
            return job(self._cursor)
        if self._closed:
            raise SkywitnessError("the catalogue writer is closed")
        done: _Done[T] = _Done()
        self._jobs.put((job, done))
        return done.result()

    def _run(self) -> None:
        _on_writer.active = True
        self._cursor = self._con.cursor()
        self._cursor.execute("SET TimeZone = 'UTC'")
        try:
            while (item := self._jobs.get()) is not None:
                job, done = item
                done.keep(job, self._cursor)
                self.writes += 1  # before the caller wakes: its next read sees the write
                done.wake()
        finally:
            self._cursor.close()

    def close(self) -> None:
        """Run the jobs queued so far, then stop the thread."""
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
            self._thread.join()
