"""AVR / "raw" text frames (port 30002 and log files), one per line, CRLF tolerated.

Accepted shapes (as readsb reads them): ``*HEX;`` and ``:HEX;`` (no timestamp),
``@TTTTTTTTTTTTHEX;`` (12 hex digits of 12 MHz timestamp), ``%TTTTTTTTTTTTHEX;`` (same, CRC
known good) and ``<TTTTTTTTTTTTSSHEX;`` (timestamp + signal byte). Anything after the ``;``
is ignored. Lines without timestamp get the arrival time on live feeds and NaN from files.
``*0000;`` keep-alives are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import U1, U8, FrameBatch, RejectReason
from ..stats import IngestStats
from .beast import signal_dbfs
from .clock import TickClock
from .columns import hex_ints, hex_spans, timed_hex_spans
from .textio import LineParser, hex_frames, line_spans

_TS_CHARS = 12  # 48-bit timestamp in hex


@dataclass(slots=True)
class AvrFrames:
    data: U1
    length: U1
    ticks: U8  # 0 where the line had no timestamp
    signal_byte: U1  # 0 where unknown
    has_ticks: npt.NDArray[np.bool_]
    line: npt.NDArray[np.int64]  # line number of each frame
    rejects: list[tuple[RejectReason, int, str]]  # (reason, line number, detail)


def frame_avr(lines: list[bytes], first_line: int = 1) -> AvrFrames:
    """Parse AVR lines (pure). Empty lines are skipped; bad ones are listed in ``rejects``."""
    payloads: list[bytes] = []
    ticks: list[int] = []
    sigs: list[int] = []
    has_ts: list[bool] = []
    numbers: list[int] = []
    rejects: list[tuple[RejectReason, int, str]] = []
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        no = first_line + k
        end = line.find(b";")
        head = line[:1]
        if end < 0 or head not in b"*:@%<":
            rejects.append((RejectReason.BAD_LINE, no, "not an AVR line"))
            continue
        body = line[1:end]
        t = s = 0
        if head in b"@%<":
            ts_hex = body[:_TS_CHARS]
            cut = _TS_CHARS + (2 if head == b"<" else 0)
            sig_hex = body[_TS_CHARS:cut]
            # plain hex digits only: int(..., 16) also takes "-1", "+f", "0x1", "1_0"
            if not (_is_hex(ts_hex) and (head != b"<" or _is_hex(sig_hex))):
                rejects.append((RejectReason.BAD_HEX, no, "bad AVR timestamp/signal"))
                continue
            t = int(ts_hex, 16)
            s = int(sig_hex, 16) if head == b"<" else 0
            if len(body) <= cut:
                rejects.append((RejectReason.BAD_LINE, no, "AVR line without a frame"))
                continue
            body = body[cut:]
        payloads.append(body)
        ticks.append(t)
        sigs.append(s)
        has_ts.append(head in b"@%<")
        numbers.append(no)
    data, length, ok = hex_frames(payloads)
    for i in np.flatnonzero(~ok).tolist():
        rejects.append((RejectReason.BAD_HEX, numbers[i], "bad hex or frame length"))
    rejects.sort(key=lambda r: r[1])
    return AvrFrames(
        data=data[ok],
        length=length[ok],
        ticks=np.array(ticks, dtype=np.uint64)[ok],
        signal_byte=np.array(sigs, dtype=np.uint8)[ok],
        has_ticks=np.array(has_ts, dtype=np.bool_)[ok],
        line=np.array(numbers, dtype=np.int64)[ok],
        rejects=rejects,
    )


def _is_hex(b: bytes) -> bool:
    return bool(b) and all(c in _HEX_DIGITS for c in b)


_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")

#: Characters before the frame, by line head: ``*``/``:`` none, ``@``/``%`` the timestamp,
#: ``<`` the timestamp and the signal byte (plus the head itself).
_PREFIX = np.zeros(256, dtype=np.int64)
for _c, _n in ((b"*", 1), (b":", 1), (b"@", 13), (b"%", 13), (b"<", 15)):
    _PREFIX[_c[0]] = _n
#: The prefix of a timed line without a signal byte (``@``, ``%``).
_TIMED = 1 + _TS_CHARS


def frame_avr_block(
    block: bytes, first_line: int = 1, nl: npt.NDArray[np.int64] | None = None
) -> AvrFrames | None:
    """``frame_avr`` of a block of lines, column-wise; None unless every non-empty line is
    exactly ``<head>[timestamp][signal]HEX;`` with a valid frame (the caller then reads the
    block line by line, which says what is wrong with each bad line). ``nl``: where the
    block's ``\\n`` lie, when known."""
    b, start, end, index = line_spans(block, nl)
    number = index + first_line
    head = np.take(b, start)
    prefix = np.take(_PREFIX, head)
    if not (prefix.all() and (np.take(b, end - 1) == 0x3B).all()):
        return None
    if bool((prefix == _TIMED).all()):  # every line ``@``/``%``: one run of digits each
        timed = timed_hex_spans(b, start + 1, end - 2 - start, _TS_CHARS)
        if timed is not None:
            ticks, data, length = timed
            n = start.shape[0]
            sig, has = np.zeros(n, dtype=np.uint8), np.ones(n, dtype=np.bool_)
            return AvrFrames(data, length, ticks, sig, has, number.astype(np.int64), [])
    data, length, ok = hex_spans(b, start + prefix, end - 1 - start - prefix)
    if not ok.all():
        return None
    has = prefix > 1
    ticks = np.zeros(start.shape[0], dtype=np.uint64)
    sig = np.zeros(start.shape[0], dtype=np.uint8)
    if has.any():
        t, t_ok = hex_ints(b, start[has] + 1, _TS_CHARS)
        if not t_ok.all():
            return None
        ticks[has] = t.astype(np.uint64)
        lt = head == ord("<")
        if lt.any():
            s, s_ok = hex_ints(b, start[lt] + 1 + _TS_CHARS, 2)
            if not s_ok.all():
                return None
            sig[lt] = s.astype(np.uint8)
    return AvrFrames(data, length, ticks, sig, has, number.astype(np.int64), [])


class AvrParser(LineParser[FrameBatch]):
    """AVR lines; the clock converts ``@``/``%``/``<`` timestamps."""

    wants_newlines = True

    def __init__(self, stats: IngestStats, name: str, clock: TickClock, *, live: bool = False):
        super().__init__(stats, name, live=live)
        self.clock = clock

    def parse_block(
        self, block: bytes, first: int, arrival: float | None
    ) -> list[FrameBatch] | None:
        fr = frame_avr_block(block, first, self.newlines(block))
        return None if fr is None else self._batches(fr, arrival)

    def parse_lines(
        self, lines: list[bytes], first: int, arrival: float | None
    ) -> list[FrameBatch]:
        return self._batches(frame_avr(lines, first), arrival)

    def _batches(self, fr: AvrFrames, arrival: float | None) -> list[FrameBatch]:
        for reason, no, detail in fr.rejects:
            self.stats.frames += 1
            self.stats.reject(reason, self.name, line=no, detail=detail)
        keep = ~((fr.length == 2) & (fr.data[:, 0] == 0) & (fr.data[:, 1] == 0) & ~fr.has_ticks)
        if not keep.all():  # ``*0000;`` keep-alives out (a copy only then)
            fr = _rows(fr, keep)
        n = fr.length.shape[0]
        if n == 0:
            return []
        has = fr.has_ticks
        ts = np.full(n, np.nan if (arrival is None or not self.live) else arrival)
        if has.all():  # (every line timed: no gather and scatter of every row)
            ts = self.clock.convert(fr.ticks, arrival)
        elif has.any():
            ts[has] = self.clock.convert(fr.ticks[has], arrival)
        if has.any():
            bad = np.zeros(n, dtype=np.bool_)
            bad[np.flatnonzero(has)[self.clock.implausible]] = True
            if bad.any():  # a flipped timestamp: rejected, never the new clock
                for no in fr.line[bad].tolist():
                    self.stats.frames += 1
                    self.stats.reject(
                        RejectReason.BAD_TIMESTAMP,
                        self.name,
                        line=no,
                        detail="timestamp out of line",
                    )
                fr, ts = _rows(fr, ~bad), ts[~bad]
                n = fr.length.shape[0]
                if n == 0:
                    return []
        batch = FrameBatch(
            timestamp=ts,
            data=fr.data,
            length=fr.length,
            signal=signal_dbfs(fr.signal_byte),
            ticks=fr.ticks,
            receiver=np.zeros(n, dtype=np.uint64),
            source=self.name,
        )
        self.stats.frames += n
        self.stats.sources[self.name] += n
        return [batch]


def _rows(fr: AvrFrames, keep: npt.NDArray[np.bool_]) -> AvrFrames:
    """The frames of ``fr`` where ``keep`` (its rejects dropped: already counted)."""
    return AvrFrames(
        fr.data[keep],
        fr.length[keep],
        fr.ticks[keep],
        fr.signal_byte[keep],
        fr.has_ticks[keep],
        fr.line[keep],
        [],
    )
