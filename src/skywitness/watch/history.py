"""The rows of evaluated windows the watch keeps for the positions behind an alert.

One chunk per evaluated window (``HISTORY_S`` of data time of them), each sorted by
``ROW_ORDER`` and indexed by aircraft, in a file of the spool (memory-mapped: reading one
aircraft's rows reads their pages only; each file is mapped again after every window, so that
the pages read leave the resident set) or in memory without one (``held``). ``positions``
gives what one table of every window's rows, re-sorted by ``ROW_ORDER`` after each window,
would give: the same rows in the same order.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..flights.rowarrays import ms_of
from ..runs import run_stops
from .held import Spool, compact


@dataclass
class _Chunk:
    """One evaluated window's history rows, sorted by ``ROW_ORDER``, and their index: the
    aircraft (sorted) and where each one's rows start and end."""

    table: pa.Table
    keys: npt.NDArray[np.bytes_]  # UTF-8, sorted (14 bytes an aircraft with the offsets)
    starts: npt.NDArray[np.int32]
    ends: npt.NDArray[np.int32]
    min_ms: int
    max_ms: int
    path: Path | None = None

    def span(self, icao24: str) -> tuple[int, int] | None:
        key = icao24.encode()
        i = int(np.searchsorted(self.keys, key))
        if i < self.keys.shape[0] and self.keys[i] == key:
            return int(self.starts[i]), int(self.ends[i])
        return None

    def nbytes(self) -> int:
        held = self.keys.nbytes + self.starts.nbytes + self.ends.nbytes
        return held + (self.table.nbytes if self.path is None else 0)

    def drop(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)

    def remap(self) -> None:
        """Map the file again, letting go of the old mapping: the pages the last window's
        lookups read stay in the kernel's page cache but leave this process's resident set,
        which otherwise grew by the touched part of every file held (``HISTORY_S`` of them)."""
        if self.path is not None:
            # on failure the old mapping stays: the same rows
            with contextlib.suppress(OSError, pa.ArrowException):
                self.table = pa.ipc.open_file(pa.memory_map(str(self.path))).read_all()


def _index(
    table: pa.Table,
) -> tuple[npt.NDArray[np.bytes_], npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    icao = table["icao24"].combine_chunks()
    n = len(icao)
    if n == 0:
        return np.array([], dtype=bytes), np.zeros(0, np.int32), np.zeros(0, np.int32)
    change = pc.not_equal(icao.slice(1), icao.slice(0, n - 1)).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, change]).astype(np.int32)
    ends = run_stops(starts, n).astype(np.int32)
    keys = np.array([k.encode() for k in icao.take(pa.array(starts)).to_pylist()], dtype=bytes)
    order = np.argsort(keys, kind="stable")  # numpy's order for the lookups
    return keys[order], starts[order], ends[order]


class History:
    """Each evaluated window's rows (``columns``) for the last ``keep_s`` of data time."""

    def __init__(self, keep_s: float, spool: Spool, columns: tuple[str, ...]) -> None:
        self.keep_s = keep_s
        self.spool = spool
        self.columns = columns
        self.lo_ms: int | None = None  # rows before this are forgotten
        self._chunks: list[_Chunk] = []

    def remember(self, rows: pa.Table, end: float) -> None:
        """Add a window's rows (sorted by ``ROW_ORDER``); forget what is older than ``keep_s``
        before ``end``."""
        table = compact(rows, self.columns).combine_chunks()
        keys, starts, ends = _index(table)
        ms = ms_of(table["timestamp"])
        chunk = _Chunk(table, keys, starts, ends, int(ms.min()), int(ms.max()))
        path = self.spool.path("history")
        if path is not None:
            try:
                with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
                    w.write_table(table)
                chunk.table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
                chunk.path = path
            except (OSError, pa.ArrowException) as exc:
                self.spool.failed(path, exc)
                path.unlink(missing_ok=True)
        self._chunks.append(chunk)
        self.lo_ms = round((end - self.keep_s) * 1000)
        keep = [c for c in self._chunks if c.max_ms >= self.lo_ms]
        for c in self._chunks:
            if c.max_ms < self.lo_ms:
                c.drop()
        self._chunks = keep
        for c in keep[:-1]:
            c.remap()

    def nbytes(self) -> int:
        """Bytes held in memory (index; and rows when not spooled)."""
        return sum(c.nbytes() for c in list(self._chunks))

    def chunks(self) -> int:
        return len(self._chunks)

    def close(self) -> None:
        for c in self._chunks:
            c.drop()
        self._chunks = []

    def positions(self, icao24: str, t: float, *, before: int, after: int) -> list[dict[str, Any]]:
        """Up to ``before`` rows of ``icao24`` at or before ``t`` and ``after`` after it, in the
        order of the one history sorted by ``ROW_ORDER`` (ties: the earlier window first)."""
        if self.lo_ms is None:
            return []
        parts = [(c, s) for c in self._chunks if (s := c.span(icao24)) is not None]
        if not parts:
            return []
        lo_ms, t_ms = self.lo_ms, round(t * 1000)
        if len(parts) > 1:
            parts = _needed(parts, lo_ms, t_ms, before, after)
            if not parts:  # nothing asked for (before = after = 0)
                return []
        picked: list[tuple[pa.Table, int]]
        if len(parts) == 1:  # one window's rows: already in order
            c, (a, b) = parts[0]
            ms = ms_of(c.table["timestamp"].slice(a, b - a))
            a += int(np.searchsorted(ms, lo_ms, side="left"))
            ms = ms[ms >= lo_ms]
            k = int(np.searchsorted(ms, t_ms, side="right"))
            lo = max(k - before, 0)
            n = min(min(k, before) + after, ms.shape[0] - lo)
            picked = [(c.table, a + lo + j) for j in range(max(n, 0))]
        else:
            picked = _merged_pick(parts, lo_ms, t_ms, before, after)
        out: list[dict[str, Any]] = []
        for table, row in picked:
            r = table.slice(row, 1).to_pylist()[0]
            r["timestamp"] = r["timestamp"].timestamp()
            out.append(r)
        return out


Part = tuple[_Chunk, tuple[int, int]]


def _needed(parts: list[Part], lo_ms: int, t_ms: int, before: int, after: int) -> list[Part]:
    """The windows of ``parts`` that can hold the rows ``positions`` picks, in their order. A
    window wholly at or before ``t`` is not read when ``before`` rows of the aircraft lie in
    windows between it and ``t`` (its rows all rank below them); one wholly after ``t`` when
    ``after`` rows lie between ``t`` and it. The windows' time bounds and the index's row
    counts say so without reading a row."""
    drop: set[int] = set()
    below = sorted((p for p in parts if p[0].max_ms <= t_ms), key=lambda p: -p[0].max_ms)
    kept: list[tuple[int, int]] = []  # (min ms, rows) of the windows kept, rows all >= lo
    for c, (a, b) in below:
        if sum(n for first, n in kept if first > c.max_ms) >= before:
            drop.add(id(c))
            continue
        if c.min_ms >= lo_ms:
            kept.append((c.min_ms, b - a))
    above = sorted((p for p in parts if p[0].min_ms > t_ms), key=lambda p: p[0].min_ms)
    kept = []  # (max ms, rows)
    for c, (a, b) in above:
        if sum(n for last, n in kept if last < c.min_ms) >= after:
            drop.add(id(c))
            continue
        if c.min_ms >= lo_ms:
            kept.append((c.max_ms, b - a))
    return [p for p in parts if id(p[0]) not in drop]


def _merged_pick(
    parts: list[Part], lo_ms: int, t_ms: int, before: int, after: int
) -> list[tuple[pa.Table, int]]:
    """``positions``' rows from several windows: their rows merged in ``ROW_ORDER`` (a stable
    sort, so equal rows keep the earlier window first, as one re-sorted table does)."""
    ms_l, rank_l, lat_l, where_l = [], [], [], []
    for c, (a, b) in parts:
        ms = ms_of(c.table["timestamp"].slice(a, b - a))
        lat_a = c.table["latitude"].slice(a, b - a)
        lat = np.asarray(lat_a.to_numpy(), dtype=np.float64)
        null = np.asarray(lat_a.is_null().to_numpy(), dtype=np.bool_)
        rank = np.where(null, 2, np.where(np.isnan(lat), 1, 0))  # numbers, NaN, null
        ok = ms >= lo_ms
        ms_l.append(ms[ok])
        rank_l.append(rank[ok])
        lat_l.append(np.where(rank[ok] == 0, lat[ok], 0.0))
        where_l += [(c.table, a + int(j)) for j in np.flatnonzero(ok).tolist()]
    ms_all = np.concatenate(ms_l)
    order = np.lexsort((np.concatenate(lat_l), np.concatenate(rank_l), ms_all))
    ms_sorted = ms_all[order]
    k = int(np.searchsorted(ms_sorted, t_ms, side="right"))
    lo = max(k - before, 0)
    n = min(min(k, before) + after, ms_sorted.shape[0] - lo)
    return [where_l[int(i)] for i in order[lo : lo + max(n, 0)].tolist()]
