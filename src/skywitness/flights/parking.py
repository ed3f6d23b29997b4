"""Rows of quiet aircraft parked out of memory, for the incremental ``FlightBuilder``
(``incremental``).

An aircraft gone quiet (landed and switched off, or out of coverage) holds its last airborne
minutes, landing and taxi until ``FINAL_SILENCE_S`` (6 h) forgets it (``cutting``: a later ground
stay with a longer silence may still move its landed flight's end, so they cannot be dropped):
at 100,000 frames/s ~1.4M rows an hour of landed aircraft, the flights child's memory rising for
6 h (bench/RESULTS.md "## serve"). Given a ``RowSpill``, those rows are parked once per quiet
spell, after the aircraft's quiet cut was tried: written to the spill in one table per step (the
aircraft's rows together, in their held order), released from memory but for the rows of its
newest point (what ``recalling.remember`` reads when it is forgotten), and held again as they
were before the first step that gives the aircraft a new point; dropped with the aircraft when
it is forgotten. Every step that reads an aircraft's rows is one that gives it a new point, so
the flights are the same (a build orders each aircraft's rows by time, and the parked rows are
all older than the ones left held).

``FileSpill`` writes each table as an Arrow IPC file in a folder of its own (the live service's,
under its data folder), ``MemorySpill`` keeps them (tests, and a check that parking changes no
flight). A spill that cannot be written (a full disk) leaves the rows held: parking saves
memory, it is never needed for a result.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..procs import pid_running
from .chunks import hold, release
from .rowarrays import NEVER, run_heads
from .rowarrays import ms_of as _ms

if TYPE_CHECKING:
    from .incremental import FlightBuilder

log = logging.getLogger(__name__)

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]


class RowSpill(Protocol):
    """Where parked rows go: ``put`` a table (its key back), ``get`` it, ``drop`` it."""

    def put(self, rows: pa.Table) -> int: ...

    def get(self, key: int) -> pa.Table: ...

    def drop(self, key: int) -> None: ...


class MemorySpill:
    """A ``RowSpill`` in memory: for tests, and to check that parking changes no flight."""

    def __init__(self) -> None:
        self._tables: dict[int, pa.Table] = {}
        self._next = 0

    def put(self, rows: pa.Table) -> int:
        self._next += 1
        self._tables[self._next] = rows
        return self._next

    def get(self, key: int) -> pa.Table:
        return self._tables[key]

    def drop(self, key: int) -> None:
        self._tables.pop(key, None)

    def __len__(self) -> int:
        return len(self._tables)


class FileSpill:
    """A ``RowSpill`` of Arrow IPC files in a new folder under ``root`` (made on first use,
    named with the process id, removed by ``close``; a folder a killed process left is removed
    by a later ``FileSpill`` of the same root, ``stale``)."""

    PREFIX = "flights-"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._dir: Path | None = None
        self._next = 0

    def _folder(self) -> Path:
        if self._dir is None:
            self.root.mkdir(parents=True, exist_ok=True)
            prefix = f"{self.PREFIX}{os.getpid()}-"
            self._dir = Path(tempfile.mkdtemp(prefix=prefix, dir=self.root))
        return self._dir

    def put(self, rows: pa.Table) -> int:
        self._next += 1
        path = self._folder() / f"{self._next}.arrow"
        try:
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as w:
                w.write_table(rows)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return self._next

    def get(self, key: int) -> pa.Table:
        path = self._folder() / f"{key}.arrow"
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
            # a copy: the memory map is closed on return
            return table.take(pa.array(np.arange(table.num_rows)))

    def drop(self, key: int) -> None:
        if self._dir is not None:
            (self._dir / f"{key}.arrow").unlink(missing_ok=True)

    def close(self) -> None:
        """Remove the folder and every table in it."""
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def stale(self) -> int:
        """Remove the folders under ``root`` of spills whose process is gone (killed before
        its ``close``); the folders removed."""
        if not self.root.is_dir():
            return 0
        old = [p for p in self.root.glob(f"{self.PREFIX}*") if p.is_dir() and _gone(p.name)]
        for p in old:
            shutil.rmtree(p, ignore_errors=True)
        return len(old)


def _gone(name: str) -> bool:
    """Whether the process named in a spill folder's name (``flights-<pid>-...``) is gone."""
    pid = name.split("-")[1] if name.count("-") >= 2 else ""
    return not pid.isdigit() or not pid_running(int(pid))


class Parking:
    """Per aircraft code: where its parked rows are (spill key, row range), and the newest
    point it was looked at for parking at (once per quiet spell)."""

    def __init__(self, spill: RowSpill) -> None:
        self.spill = spill
        self.key = np.zeros(0, dtype=np.int64)  # per code: spill key (-1: nothing parked)
        self.lo = np.zeros(0, dtype=np.int64)  # per code: its rows in the spill's table
        self.hi = np.zeros(0, dtype=np.int64)
        self.tried = np.zeros(0, dtype=np.int64)  # per code: newest ms when looked at
        self._refs: dict[int, int] = {}  # spill key -> aircraft still parked in its table
        self.rows = 0  # rows parked now
        self.parked = 0  # rows parked so far (counted once per parking)
        self.failed = 0  # tables the spill could not take (their rows stayed held)
        self.lost = 0  # parked rows the spill could not give back

    def grow(self, n: int) -> None:
        """Arrays for ``n`` codes."""
        grow = n - self.key.shape[0]
        if grow > 0:
            self.key = np.r_[self.key, np.full(grow, -1, dtype=np.int64)]
            self.lo = np.r_[self.lo, np.zeros(grow, dtype=np.int64)]
            self.hi = np.r_[self.hi, np.zeros(grow, dtype=np.int64)]
            self.tried = np.r_[self.tried, np.full(grow, NEVER, dtype=np.int64)]

    def renumber(self, keep: I8) -> None:
        """The codes ``keep`` (ascending) become 0, 1, ... (``forget.forget_codes``)."""
        self.key, self.lo, self.hi = self.key[keep], self.lo[keep], self.hi[keep]
        self.tried = self.tried[keep]

    def park(self, b: FlightBuilder) -> None:
        """Park the rows of the aircraft whose quiet cut was tried at their newest point and
        that were not looked at since: all but those of their newest point."""
        look = (b._newest > NEVER) & (b._quiet_tried == b._newest) & (self.tried != b._newest)
        codes = np.flatnonzero(look & (self.key < 0))
        if codes.size == 0:
            return
        self.tried[codes] = b._newest[codes]
        mark = np.zeros(len(b._code), dtype=bool)
        mark[codes] = True
        kc = b._k_code
        at = np.flatnonzero(b._k_alive & mark[kc] & (b._k_ms < b._newest[kc]))
        if at.size == 0:
            return
        code = kc[at]
        order = np.argsort(code, kind="stable")
        table = pa.concat_tables(b._rows(at)).take(pa.array(order))
        try:
            key = self.spill.put(table)
        except OSError as exc:  # (a full disk: the rows stay held)
            self.failed += 1
            log.warning("flights: %d rows of quiet aircraft not parked: %s", at.size, exc)
            return
        code = code[order]
        heads = np.flatnonzero(run_heads(code))
        parked = code[heads]
        self.key[parked] = key
        self.lo[parked] = heads
        self.hi[parked] = np.r_[heads[1:], code.shape[0]]
        self._refs[key] = parked.shape[0]
        self.rows += at.size
        self.parked += at.size
        rows = np.zeros(b._k_alive.shape[0], dtype=bool)
        rows[at] = True
        release(b, rows, oldest=b._newest.copy())  # (what is left: the newest point's rows)

    def unpark(self, b: FlightBuilder, codes: I8) -> None:
        """Hold again the parked rows of aircraft ``codes`` (distinct), as they were held."""
        sel = codes[self.key[codes] >= 0]
        if sel.size == 0:
            return
        keys = self.key[sel]
        for key in np.unique(keys).tolist():
            group = sel[keys == key]
            take = np.concatenate([np.arange(lo, hi) for lo, hi in zip(self.lo[group].tolist(),
                                   self.hi[group].tolist(), strict=True)])  # fmt: skip
            n = np.asarray(self.hi[group] - self.lo[group], dtype=np.int64)
            try:
                rows = self.spill.get(key).take(pa.array(take))
            except (OSError, KeyError, pa.ArrowException) as exc:  # (a file gone or spoilt)
                self.lost += int(take.size)
                log.error("flights: %d parked rows lost: %s", take.size, exc)
            else:
                hold(b, rows, np.repeat(group, n), _ms(rows["timestamp"]))
            self._release(key, group.shape[0])
        self.rows -= int((self.hi[sel] - self.lo[sel]).sum())
        self.key[sel] = -1

    def drop(self, codes: B1) -> None:
        """Forget the parked rows of the aircraft where ``codes`` (they are forgotten)."""
        sel = np.flatnonzero(codes[: self.key.shape[0]] & (self.key >= 0))
        if sel.size == 0:
            return
        keys = self.key[sel]
        for key, count in zip(*np.unique(keys, return_counts=True), strict=True):
            self._release(int(key), int(count))
        self.rows -= int((self.hi[sel] - self.lo[sel]).sum())
        self.key[sel] = -1

    def _release(self, key: int, aircraft: int) -> None:
        self._refs[key] -= aircraft
        if self._refs[key] <= 0:
            del self._refs[key]
            self.spill.drop(key)
