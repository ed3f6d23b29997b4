"""The state vectors the watch holds for a while: in memory, or in files of a spool directory.

The event source holds two kinds of rows. ``Pending``: the rows of windows not evaluated yet (a
window is evaluated ``lateness_s`` after its end, so up to ``step_s + lateness_s`` of data time,
3 minutes by default). ``History``: the rows of evaluated windows kept for the positions behind
an alert (``HISTORY_S``, 30 minutes). At 100,000 frames/s (about 18,000 state vectors a second)
that is 3.2 and 32 million rows; ``serve`` therefore gives a spool directory, and the rows go to
Arrow IPC files there as they come (pending rows, one stream per window) or once their window is
evaluated (history, one file per window, read through a memory map). What stays in memory is an
index: per history window, its aircraft and where their rows start. Without a directory the same
tables stay in memory (``watch``, ``watch --replay``, the tests).

Where the rows are held changes nothing the watch decides: a window's rows and the positions of
an alert are the same rows in the same order either way (``tests/watch/test_held.py``). This
module holds the spool and the pending rows; ``history`` the evaluated windows' rows.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..flights.rowarrays import ms_of
from ..procs import pid_running

log = logging.getLogger(__name__)

I8 = npt.NDArray[np.int64]
#: The sort order of a window's rows and of the history (Arrow's: NaN after numbers, null last).
ROW_ORDER = [("icao24", "ascending"), ("timestamp", "ascending"), ("latitude", "ascending")]
#: Suffix of the spool's files.
SPOOL_SUFFIX = ".watch.arrow"
#: Compression of pending rows' streams (read back whole; history files are not compressed, so
#: that a memory map reads one aircraft's rows without the rest).
PENDING_CODEC = "lz4"


class Spool:
    """Files for held rows in a folder of their own under ``directory`` (None: nothing is
    spooled, rows stay in memory). Folders that processes no longer running left there are
    removed when a spool starts.

    A file that cannot be written (disk full, read-only) leaves its rows in memory: the watch
    goes on, ``failures`` counts it and the first failure is logged."""

    def __init__(self, directory: Path | None = None) -> None:
        self.failures = 0  # files that could not be written (their rows stayed in memory)
        self.lost_rows = 0  # rows written that could not be read back (logged)
        self._names = itertools.count()
        self.directory: Path | None = None
        if directory is None:
            return
        try:
            directory.mkdir(parents=True, exist_ok=True)
            _remove_stale(directory)
            self.directory = directory / f"{os.getpid()}-{os.urandom(4).hex()}"
            self.directory.mkdir()
        except OSError as exc:
            self.failures += 1
            log.warning(
                "watch: cannot spool rows under %s (%s); holding them in memory", directory, exc
            )

    def path(self, kind: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{kind}-{next(self._names):08d}{SPOOL_SUFFIX}"

    def failed(self, path: Path | None, exc: BaseException) -> None:
        self.failures += 1
        if self.failures == 1:
            log.warning("watch: cannot spool rows to %s (%s); holding them in memory", path, exc)

    def disk_bytes(self) -> int:
        """Bytes in the spool's files now."""
        total = 0
        if self.directory is not None:
            try:
                for f in os.scandir(self.directory):
                    try:
                        total += f.stat().st_size
                    except OSError:
                        continue  # removed meanwhile
            except OSError:
                return 0
        return total

    def close(self) -> None:
        """Remove the spool's folder (every file the rows were in)."""
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def _remove_stale(directory: Path) -> None:
    """Remove the spool folders (``PID-TOKEN``) of processes that are not running."""
    for sub in directory.iterdir():
        pid = sub.name.split("-")[0]
        if not sub.is_dir() or not pid.isdigit() or int(pid) == os.getpid():
            continue
        if not pid_running(int(pid)):  # (a running one's, another user's too, is its own)
            shutil.rmtree(sub, ignore_errors=True)


def compact(table: pa.Table, columns: tuple[str, ...]) -> pa.Table:
    """``columns`` of ``table``, repeated strings (sources) dictionary-encoded."""
    cols = []
    for name in columns:
        col = table[name]
        if name in ("source", "position_source") and pa.types.is_string(col.type):
            col = pc.dictionary_encode(col)
        cols.append(col)
    return pa.table(cols, names=list(columns))


# -- pending rows: one bucket per window of data time -------------------------------------------
@dataclass
class _Bucket:
    """The pending rows of one window in arrival order: first those appended to its stream
    file (``spooled`` rows), then any kept in memory (all of them without a spool, or those
    after a write failed)."""

    spool: Spool
    tables: list[pa.Table] = field(default_factory=list)
    min_ms: int = 2**63 - 1
    spooled: int = 0
    path: Path | None = None
    _sink: Any = None
    _writer: Any = None

    def append(self, table: pa.Table) -> None:
        self.min_ms = min(self.min_ms, int(ms_of(table["timestamp"]).min()))
        if self.spool.directory is not None and not self.tables:
            try:
                if self._writer is None:
                    self.path = self.spool.path("pending")
                    assert self.path is not None
                    self._sink = pa.OSFile(str(self.path), "wb")
                    opts = pa.ipc.IpcWriteOptions(compression=PENDING_CODEC)
                    self._writer = pa.ipc.new_stream(self._sink, table.schema, options=opts)
                self._writer.write_table(table)
                self.spooled += table.num_rows
                return
            except (OSError, pa.ArrowException) as exc:
                self.spool.failed(self.path or self.spool.directory, exc)
        self.tables.append(table)

    def read(self) -> list[pa.Table]:
        """Every row, in arrival order; the bucket is empty afterwards."""
        parts: list[pa.Table] = []
        if self.path is not None:
            self._close_writer()
            if self.spooled:
                parts.append(self._read_stream(self.path))
            self.path.unlink(missing_ok=True)
            self.path = None
        parts += self.tables
        self.tables, self.spooled, self.min_ms = [], 0, 2**63 - 1
        return [t for t in parts if t.num_rows]

    def _close_writer(self) -> None:
        for closing in (self._writer, self._sink):
            try:
                if closing is not None:
                    closing.close()
            except (OSError, pa.ArrowException):
                pass  # a stream without its end mark: the batches before it still read
        self._writer = self._sink = None

    def _read_stream(self, path: Path) -> pa.Table:
        batches: list[pa.RecordBatch] = []
        n = 0
        try:
            with pa.OSFile(str(path), "rb") as f:
                reader = pa.ipc.open_stream(f)
                while n < self.spooled:  # not past the rows written whole (a failed write)
                    batch = reader.read_next_batch()
                    batches.append(batch)
                    n += batch.num_rows
        except (StopIteration, OSError, pa.ArrowException) as exc:
            self.spool.lost_rows += self.spooled - n
            log.error("watch: %d pending rows unreadable in %s (%s)", self.spooled - n, path, exc)
        if not batches:
            return pa.table({})
        return pa.Table.from_batches(batches).slice(0, self.spooled)

    def nbytes(self) -> int:
        return sum(t.nbytes for t in list(self.tables))

    def close(self) -> None:
        self._close_writer()
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        self.path = None
        self.tables = []


class Pending:
    """The rows of windows not evaluated yet, bucketed by window of ``step_s`` (aligned on the
    epoch); ``take(end)`` returns every row before ``end`` in arrival order, as the one list of
    fed tables filtered by time would."""

    def __init__(self, step_s: float, spool: Spool, columns: tuple[str, ...] | None) -> None:
        self.step_ms = max(1, round(step_s * 1000))
        self.spool = spool
        self.columns = columns  # None: every column (a flights stage reads them)
        self._buckets: dict[int, _Bucket] = {}

    def __bool__(self) -> bool:
        return bool(self._buckets)

    def add(self, rows: pa.Table) -> None:
        """Hold ``rows`` (canonical state vectors with a timestamp each)."""
        if self.columns is not None:
            rows = compact(rows, self.columns)
        key = ms_of(rows["timestamp"]) // self.step_ms
        lo, hi = int(key.min()), int(key.max())
        if lo == hi:
            self._bucket(lo).append(rows)
            return
        for k in np.unique(key).tolist():
            self._bucket(int(k)).append(rows.filter(pa.array(key == k)))

    def _bucket(self, key: int) -> _Bucket:
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = _Bucket(self.spool)
        return b

    def min_ms(self) -> int | None:
        """The earliest timestamp held, unix ms (None when nothing is)."""
        return min((b.min_ms for b in self._buckets.values()), default=None)

    def take(self, end_ms: int) -> pa.Table | None:
        """Every row before ``end_ms``, in arrival order (those after it stay)."""
        parts: list[pa.Table] = []
        for key in sorted(k for k in self._buckets if k * self.step_ms < end_ms):
            tables = self._buckets.pop(key).read()
            if not tables:
                continue
            if (key + 1) * self.step_ms <= end_ms:
                parts += tables
                continue
            whole = pa.concat_tables(tables)  # a window end inside the bucket: split it
            cut = pc.less(whole["timestamp"].cast(pa.int64()), end_ms)
            parts.append(whole.filter(cut))
            later = whole.filter(pc.invert(cut))
            if later.num_rows:
                self._bucket(key).append(later)
        parts = [p for p in parts if p.num_rows]  # a split's rows may all be later
        if not parts:
            return None
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]

    def nbytes(self) -> int:
        """Bytes of pending rows held in memory (not those in spool files)."""
        return sum(b.nbytes() for b in list(self._buckets.values()))

    def close(self) -> None:
        for b in self._buckets.values():
            b.close()
        self._buckets.clear()
