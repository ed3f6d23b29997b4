"""Data-time windows for the flights stage: state vectors in arrival order, out in fixed
windows of data time, each window one ``FlightStage`` step.

Data time is cut into windows of ``step_s`` seconds aligned on the epoch. A row belongs to the
window its timestamp falls in; a window is sealed once a row ``lateness_s`` past its end has
been pushed, and a row that comes after its window was sealed joins the first open one
(counted in ``late``). Which window a row joins therefore depends only on the rows pushed before
it, never on when anyone asks for the windows: a replay at any speed, cut into any chunks, gives
the same windows, hence the same flight steps and the same flight changes (so long as the input
is in the same order). ``ready`` hands over the sealed windows; ``drain`` every window (the
input went quiet, or it ended), after which the windows handed over count as sealed.

A pure object: no clock, no I/O. Buffered rows are bounded by ``step_s + lateness_s`` of data
time (plus what a drain leaves, nothing).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .rowarrays import run_heads

I8 = npt.NDArray[np.int64]

#: Window length, s of data time (the watch's window too): a flight change reaches the store and
#: the stream at most about this much (plus ``LATENESS_S``) after its state vector; the builder
#: runs once per window (~10 ms at the least), so a replay of a day costs ~15 s of steps.
STEP_S = 60.0
#: A window is sealed when a state vector this much past its end has come, s of data time (the
#: tracker's output is in time order to within its batch).
LATENESS_S = 5.0
#: Earlier than any timestamp, ms.
NEVER = -(2**62)
#: Rows of a window, in this order, whatever order they came in.
_SORT = [("icao24", "ascending"), ("timestamp", "ascending")]


def _ms(table: pa.Table) -> I8:
    """Timestamps in ms (nulls: ``NEVER``, they join the first open window)."""
    if "timestamp" not in table.column_names:
        return np.full(table.num_rows, NEVER, dtype=np.int64)
    col = table["timestamp"]
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.timestamp("ms", tz=col.type.tz))
    ms = pc.fill_null(col.cast(pa.int64()), NEVER)
    return np.asarray(ms.to_numpy(), dtype=np.int64)


class DataWindows:
    """Buffered state vectors cut into data-time windows; see the module docstring."""

    def __init__(self, step_s: float = STEP_S, lateness_s: float = LATENESS_S) -> None:
        self.step_ms = round(step_s * 1000)
        self.lateness_ms = round(lateness_s * 1000)
        self.late = 0  # rows that came after their window was sealed
        self._parts: list[tuple[pa.Table, I8]] = []  # rows and the end (ms) of their window
        self._newest = NEVER  # ms, newest timestamp pushed
        self._sealed = NEVER  # ms, end of the last sealed window (every earlier one too)

    @property
    def rows(self) -> int:
        """State vectors buffered (not yet handed over)."""
        return sum(t.num_rows for t, _ in self._parts)

    @property
    def newest_s(self) -> float | None:
        """The newest data time pushed, unix s (None before the first row)."""
        return None if self._newest == NEVER else self._newest / 1000.0

    def push(self, table: pa.Table) -> None:
        """Add rows (in arrival order after everything pushed before)."""
        if table.num_rows == 0:
            return
        ms = _ms(table)
        end = (np.floor_divide(ms, self.step_ms) + 1) * self.step_ms
        first_open = self._sealed + self.step_ms
        late = end < first_open
        self.late += int(np.count_nonzero(late & (ms > NEVER)))
        self._parts.append((table, np.maximum(end, first_open)))
        self._newest = max(self._newest, int(ms.max()))
        if self._newest > NEVER:
            sealed = (self._newest - self.lateness_ms) // self.step_ms * self.step_ms
            self._sealed = max(self._sealed, sealed)

    def ready(self, limit: int | None = None) -> list[tuple[float, pa.Table]]:
        """The sealed windows not handed over yet (the first ``limit`` of them): (window end,
        unix s; its rows), in order."""
        return self._take(self._sealed, limit)

    @property
    def sealed_left(self) -> bool:
        """Whether a sealed window waits to be handed over."""
        return any(bool((e <= self._sealed).any()) for _, e in self._parts)

    def drain(self) -> list[tuple[float, pa.Table]]:
        """Every buffered window, sealed or not; they count as sealed from now on."""
        out = self._take(None, None)
        if out:
            self._sealed = max(self._sealed, round(out[-1][0] * 1000))
        return out

    def _take(self, upto: int | None, limit: int | None) -> list[tuple[float, pa.Table]]:
        if not self._parts:
            return []
        ends = np.concatenate([e for _, e in self._parts])
        take = ends <= upto if upto is not None else np.ones(ends.shape[0], dtype=bool)
        if not take.any():
            return []
        if limit is not None:
            first = np.unique(ends[take])[:limit]
            take &= ends <= first[-1]
        # the parts as chunks, not combined into one (a copy of every column, ~0.1 s a window
        # at 20,000 aircraft): the sort is numpy's over two columns (``_window_order``) and
        # Arrow's take over the chunks costs what it costs over one (measured with 33 and
        # 330 chunks); Arrow's filters and sort by a string key cost several times as much
        rows = pa.concat_tables([t for t, _ in self._parts], promote_options="default")
        self._parts = []
        if not take.all():  # a copy (a slice would keep the rows handed over alive)
            keep = np.flatnonzero(~take)
            self._parts = [(rows.take(pa.array(keep)), ends[keep])]
        # one stable sort by (window, icao24, time) and a slice per window: each window's rows
        # in ``_SORT`` order, as a filter and a sort per window gave them (~0.3 ms a window);
        # one take of the rows handed over, in that order (no filter of the table first)
        order = _window_order(rows, ends, np.flatnonzero(take))
        rows = rows.take(pa.array(order))
        ends = ends[order]
        starts = np.flatnonzero(run_heads(ends))
        stops = [*starts[1:].tolist(), int(ends.shape[0])]
        return [
            (int(ends[a]) / 1000.0, rows.slice(a, b - a))
            for a, b in zip(starts.tolist(), stops, strict=True)
        ]


def _window_order(rows: pa.Table, ends: I8, sel: I8) -> I8:
    """The rows ``sel`` of ``rows`` in the stable order by (window end, ``_SORT``), nulls
    last as Arrow's sort puts them: by numpy over the icao24 codes ranked as their words sort
    and the raw times (Arrow's sort by a string key and the filters before it took ~0.5 s of
    a window's ~2 s at 5,000 aircraft); Arrow's sort where the columns are not plain strings
    and timestamps."""
    icao, ts = rows["icao24"], rows["timestamp"]
    if not (pa.types.is_string(icao.type) and pa.types.is_timestamp(ts.type)):
        part = rows.take(pa.array(sel)).select([k for k, _ in _SORT])
        keyed = part.append_column("_end", pa.array(ends[sel]))
        got = pc.sort_indices(keyed, [("_end", "ascending"), *_SORT])
        return sel[np.asarray(got.to_numpy(), dtype=np.int64)]
    enc = pc.dictionary_encode(icao.combine_chunks())
    words = enc.dictionary.to_pylist()
    rank = np.full(len(words) + 1, len(words), dtype=np.int64)  # the last: null, at the end
    rank[np.argsort(np.array(words, dtype=object), kind="stable")] = np.arange(len(words))
    codes = np.asarray(pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False), np.int64)
    t = pc.fill_null(ts.cast(pa.int64()), np.iinfo(np.int64).max)  # null times last
    t_raw = np.asarray(t.to_numpy(), dtype=np.int64)
    return sel[np.lexsort((t_raw[sel], rank[codes[sel]], ends[sel]))]
