"""Timestamped hex frames as text: ``timestamp,hex`` CSV, pyModeS ``ISO-ts HEX`` logs and the
pyModeS sample CSVs (``ts,"HEX",ICAO,tc``; ``ts,ICAO,HEX`` with BOM and CRLF), plus JSON lines.

Columns are recognised by content, once per file (re-learnt when a line stops fitting): the frame
is the field of 14 or 28 hex digits; the time is a number (unix seconds, or milliseconds when
above 1e11) or an ISO 8601 date-time (naive = UTC), or a date field followed by a time field.
A first line without a frame is a header and is skipped. JSON lines carry the frame under
``frame``/``rawmsg``/``msg``/``hex``/``raw`` and the time under ``timestamp``/``ts``/``time``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import numpy_of, one_chunk
from ..model import U1, FrameBatch, RejectReason
from ..stats import IngestStats
from ..timeutil import parse_iso
from .columns import hex_column, lower_text, numbers, read_strings
from .jsonframes import FRAME_KEYS, MS_THRESHOLD, TIME_KEYS, fast_jsonl
from .textio import LineParser, hex_frames, line_ends, lone_cr, split_lines

_FRAME_LENS = (14, 28)
_HEXCHARS = frozenset("0123456789abcdefABCDEF")
#: Lines read one by one at most, at the start, to learn a layout for the column-wise path.
_LEARN_LINES = 3
_DATE_ONLY = re.compile(r"^\d{4}[-/]\d{2}[-/]\d{2}$")


def parse_time(text: str) -> float | None:
    """Unix seconds from a number (s or ms) or an ISO 8601 string (naive = UTC)."""
    text = text.strip().strip('"')
    if not text:
        return None
    try:
        v = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(v):
            return None
        return v / 1000.0 if abs(v) > MS_THRESHOLD else v
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        dt = parse_iso(text.replace("/", "-"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def _line_count(block: bytes) -> int:
    return line_ends(block) + (0 if block.endswith(b"\n") else 1)


def number_times(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64] | None:
    """``parse_time`` of numbers already parsed (NaN: empty): seconds, or milliseconds above
    ``MS_THRESHOLD``; None when any is not finite. ``t`` itself when every one is seconds
    (the caller's own array)."""
    if not np.isfinite(t).all():
        return None
    ms = np.abs(t) > MS_THRESHOLD
    if not ms.any():  # (seconds: ``t`` as it is, no second array)
        return t
    out: npt.NDArray[np.float64] = np.where(ms, t / 1000.0, t)
    return out


def column_times(col: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.float64] | None:
    """``parse_time`` of a whole string column: numbers (s or ms) or naive ISO 8601 (UTC);
    None when any value is neither (the caller then reads line by line). Both give the same
    floats: correctly rounded numbers, and whole microseconds / 1e6."""
    t = numbers(col)
    if t is not None:
        return number_times(t)
    import pyarrow.compute as pc  # on use: ~0.1 s of start-up that Beast input never needs

    arr = one_chunk(col)
    try:
        us = pc.cast(pc.replace_substring(arr, "/", "-"), pa.timestamp("us"))
    except (pa.ArrowException, ValueError):
        return None
    if us.null_count:
        return None
    out: npt.NDArray[np.float64] = numpy_of(us) / 1e6
    return out


def frame_batches(
    stats: IngestStats,
    name: str,
    ts: npt.NDArray[np.float64],
    data: U1,
    length: U1,
    text: pa.Array | None = None,
) -> list[FrameBatch]:
    """One batch of good frames (counted as read from ``name``; ``text`` their lowercase hex
    when the input holds it so, ``FrameBatch.text``)."""
    n = ts.shape[0]
    if n == 0:
        return []
    stats.sources[name] += n
    return [
        FrameBatch(
            timestamp=ts,
            data=data,
            length=length,
            signal=np.full(n, np.nan, dtype=np.float32),
            ticks=np.zeros(n, dtype=np.uint64),
            receiver=np.zeros(n, dtype=np.uint64),
            source=name,
            text=text,
        )
    ]


def _is_frame(f: str) -> bool:
    return len(f) in _FRAME_LENS and set(f) <= _HEXCHARS


def _split(line: str) -> list[str]:
    parts = line.split(",") if "," in line else line.split()
    return [p.strip().strip('"').strip() for p in parts]


class _Layout:
    """Which fields hold the frame and the time (None: no time column)."""

    __slots__ = ("frame", "time", "time2")

    def __init__(self, frame: int, time: int | None, time2: int | None) -> None:
        self.frame, self.time, self.time2 = frame, time, time2

    @classmethod
    def learn(cls, fields: list[str]) -> _Layout | None:
        frame = next((i for i, f in enumerate(fields) if _is_frame(f)), None)
        if frame is None:
            return None
        for i, f in enumerate(fields):
            if i == frame or parse_time(f) is None:
                continue
            # a date alone followed by a time of day: the two make the timestamp
            pair = _DATE_ONLY.match(f) and i + 1 < len(fields) and i + 1 != frame
            if pair and parse_time(f + "T" + fields[i + 1]) is not None:
                return cls(frame, i, i + 1)
            return cls(frame, i, None)
        return cls(frame, None, None)

    def read(self, fields: list[str]) -> tuple[str, float] | None:
        if len(fields) <= self.frame or not _is_frame(fields[self.frame]):
            return None
        if self.time is None:
            return fields[self.frame], math.nan
        if self.time2 is not None:
            if len(fields) <= self.time2:
                return None
            t = parse_time(fields[self.time] + "T" + fields[self.time2])
        else:
            t = parse_time(fields[self.time]) if len(fields) > self.time else None
        return None if t is None else (fields[self.frame], t)


class _FrameRows:
    """Collects (hex, time) rows of one feed and turns them into a FrameBatch."""

    def __init__(self) -> None:
        self.hex: list[bytes] = []
        self.time: list[float] = []
        self.line: list[int] = []

    def add(self, frame: str, t: float, line: int) -> None:
        self.hex.append(frame.encode("ascii", "replace"))
        self.time.append(t)
        self.line.append(line)

    def batch(self, stats: IngestStats, name: str, arrival: float | None) -> list[FrameBatch]:
        data, length, ok = hex_frames(self.hex)
        for i in np.flatnonzero(~ok).tolist():
            stats.reject(RejectReason.BAD_HEX, name, line=self.line[i], detail="bad hex frame")
        n = int(ok.sum())
        if n == 0:
            return []
        ts = np.array(self.time, dtype=np.float64)[ok]
        if arrival is not None:
            ts[np.isnan(ts)] = arrival
        stats.sources[name] += n
        return [
            FrameBatch(
                timestamp=ts,
                data=data[ok],
                length=length[ok],
                signal=np.full(n, np.nan, dtype=np.float32),
                ticks=np.zeros(n, dtype=np.uint64),
                receiver=np.zeros(n, dtype=np.uint64),
                source=name,
            )
        ]


class HexParser(LineParser[FrameBatch]):
    """``timestamp,hex`` / ``ISO-ts HEX`` / pyModeS CSV lines."""

    counts_lines = True  # a block read column-wise: Arrow's rows are its lines (``_columns``)

    def __init__(self, stats: IngestStats, name: str, *, live: bool = False) -> None:
        super().__init__(stats, name, live=live)
        self._layout: _Layout | None = None
        self._seen_data = False
        self._ncols = 0  # fields of the last good line when comma-separated, else 0
        self._learning = 0  # lines read one by one to learn the layout
        self._text_times = False  # a time column Arrow could not read as numbers (ISO dates)

    def parse_block(
        self, block: bytes, first: int, arrival: float | None
    ) -> list[FrameBatch] | None:
        if self._layout is not None and self._ncols:
            return self._columns(block, arrival)
        if self._learning >= _LEARN_LINES:
            return None
        # learn the layout (and pass a header or BOM) line by line, then go on column-wise
        self._learning += 1
        head, sep, rest = block.partition(b"\n")
        out = self.parse_lines(split_lines(head + sep), first, arrival)
        if rest:
            out += self.parse_blocks(rest, first + 1, _line_count(rest), arrival)
        self.block_lines = -1  # (not the last piece's: the caller counts the whole block)
        return out

    def _columns(self, block: bytes, arrival: float | None) -> list[FrameBatch] | None:
        """The block column-wise (comma-separated lines of the learnt layout only)."""
        lay = self._layout
        if lay is None or not self._ncols:
            return None
        if b"\r" in block and lone_cr(block):  # Arrow would end a line there: not a line end
            return None  # to the line-by-line reader (CRLF line ends are read column-wise)
        names = [f"c{i}" for i in range(self._ncols)]
        used = [i for i in (lay.frame, lay.time, lay.time2) if i is not None]
        include = [names[i] for i in sorted(used)]
        floats = (names[lay.time],) if lay.time is not None and lay.time2 is None else ()
        tbl = None
        # Empty lines kept (an empty line refuses the block: the line-by-line reader skips
        # it), so the table's rows are the block's lines, one each (``block_lines``). The
        # frame column needs no UTF-8 check of Arrow's: ``hex_column`` takes hex digits only.
        if floats and not self._text_times:
            tbl = read_strings(
                block, names, include, floats=floats, empty_lines=True, check_utf8=False
            )
        tried_floats = bool(floats) and tbl is None and not self._text_times
        if tbl is None:
            tbl = read_strings(block, names, include, empty_lines=True)
        if tbl is None:
            return None
        got = hex_column(tbl.column(names[lay.frame]))
        if got is None or not got[2].all():
            return None
        ts = self._times(tbl, names)
        if ts is None:
            return None
        # numbers failed but text parsed (ISO dates): read the time column as text from now on
        self._text_times = self._text_times or tried_floats
        if self.live and arrival is not None:
            ts[np.isnan(ts)] = arrival
        self._seen_data = True
        self.stats.frames += tbl.num_rows
        self.block_lines = tbl.num_rows  # (one row a line: no empty line, no lone CR)
        text = lower_text(tbl.column(names[lay.frame]))
        return frame_batches(self.stats, self.name, ts, got[0], got[1], text)

    def _times(self, tbl: pa.Table, names: list[str]) -> npt.NDArray[np.float64] | None:
        """The block's times (NaN without a time column); None when one does not parse."""
        lay = self._layout
        if lay is None or lay.time is None:
            return np.full(tbl.num_rows, np.nan)
        col = tbl.column(names[lay.time])
        if pa.types.is_floating(col.type):
            return number_times(numpy_of(col, np.nan).astype(np.float64, copy=False))
        if lay.time2 is not None:
            import pyarrow.compute as pc

            col = pc.binary_join_element_wise(col, "T", tbl.column(names[lay.time2]), "")
        return column_times(col)

    def parse_lines(
        self, lines: list[bytes], first: int, arrival: float | None
    ) -> list[FrameBatch]:
        rows = _FrameRows()
        for k, raw in enumerate(lines):
            no = first + k
            if no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            text = self.line_text(raw, no)
            if text is None:
                continue
            fields = _split(text)
            got = self._layout.read(fields) if self._layout else None
            if got is None:
                layout = _Layout.learn(fields)
                got = layout.read(fields) if layout else None
                if got is not None:
                    self._layout = layout
            if got is None:
                if not self._seen_data and no == 1:
                    self.stats.frames -= 1  # a header line, not a record
                    continue
                self.stats.reject(RejectReason.BAD_LINE, self.name, line=no, detail=text[:60])
                continue
            self._seen_data = True
            self._ncols = len(fields) if "," in text else 0
            rows.add(got[0], got[1], no)
        return rows.batch(self.stats, self.name, arrival if self.live else None)


class JsonlParser(LineParser[FrameBatch]):
    """One JSON object per line with a hex frame and a time (jet1090/rs1090 shape)."""

    wants_newlines = True

    def parse_block(
        self, block: bytes, first: int, arrival: float | None
    ) -> list[FrameBatch] | None:
        fast = fast_jsonl(block, self.newlines(block))
        if fast is None:
            return None
        self.stats.frames += len(fast)
        if self.live and arrival is not None:
            fast.timestamp[np.isnan(fast.timestamp)] = arrival
        return frame_batches(self.stats, self.name, fast.timestamp, fast.data, fast.length)

    def parse_lines(
        self, lines: list[bytes], first: int, arrival: float | None
    ) -> list[FrameBatch]:
        rows = _FrameRows()
        for k, raw in enumerate(lines):
            no = first + k
            if not raw.strip():
                continue
            self.stats.frames += 1
            try:
                obj = json.loads(raw)
            except UnicodeDecodeError:
                self.stats.reject(RejectReason.BAD_ENCODING, self.name, line=no)
                continue
            except (ValueError, RecursionError):  # RecursionError: nested too deep
                self.stats.reject(RejectReason.BAD_LINE, self.name, line=no, detail="not JSON")
                continue
            got = _json_frame(obj)
            if got is None:
                self.stats.reject(
                    RejectReason.BAD_RECORD, self.name, line=no, detail="no frame/time"
                )
                continue
            rows.add(got[0], got[1], no)
        return rows.batch(self.stats, self.name, arrival if self.live else None)


def _json_frame(obj: object) -> tuple[str, float] | None:
    if not isinstance(obj, dict):
        return None
    frame = next((obj[k] for k in FRAME_KEYS if isinstance(obj.get(k), str)), None)
    if frame is None:
        return None
    frame = frame.strip().lstrip("*@").rstrip(";")
    t_raw = next((obj[k] for k in TIME_KEYS if k in obj), None)
    if t_raw is None:
        return frame, math.nan
    if isinstance(t_raw, bool):
        return None
    if isinstance(t_raw, int | float):
        t = float(t_raw)
        if not math.isfinite(t):
            return None
        return frame, (t / 1000.0 if abs(t) > MS_THRESHOLD else t)
    if isinstance(t_raw, str):
        tt = parse_time(t_raw)
        return None if tt is None else (frame, tt)
    return None
