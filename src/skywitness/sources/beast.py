"""Beast binary input: the stateful stream parser (receiver id, clock, stream offsets) around
the pure framing function (``beast_frame.frame_beast``), signal levels, and an encoder.

Wire format: ``0x1a`` + type + payload, every literal ``0x1a`` inside doubled. Types: ``0x31``
Mode A/C, ``0x32`` Mode S short, ``0x33`` Mode S long (each: 6-byte timestamp, 1 signal byte,
2/7/14 data bytes); ``0xe3`` readsb receiver id (8 bytes) for the frames that follow. readsb's
other records (``0x34`` status, ``0x35`` Radarcape position, ``0xe4`` UUID, ``0xe8`` synthetic
time, ``P``/``W`` ping/commands) are skipped without complaint; any other type is counted as
BAD_TYPE and the reader resynchronises on the next frame start.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from ..model import F4, U1, U8, FrameBatch, RejectReason
from ..stats import IngestStats
from .beast_frame import (
    ESCAPE,
    TYPE_LONG,
    TYPE_MODEAC,
    TYPE_SHORT,
)
from .beast_frame import frame_beast as frame_beast
from .clock import TickClock


def _dbfs(signal_byte: U1) -> F4:
    s = signal_byte.astype(np.float32)
    with np.errstate(divide="ignore"):
        db = (20.0 * np.log10(s / np.float32(255.0))).astype(np.float32)
    db[signal_byte == 0] = np.nan
    out: F4 = db
    return out


_DBFS_BY_BYTE = _dbfs(np.arange(256, dtype=np.uint8))  # one table lookup per frame, no log10


def signal_dbfs(signal_byte: U1) -> F4:
    """Signal byte to dBFS, as readsb: 10*log10((s/255)^2); 0 (no level) -> NaN."""
    # (``take`` with ``mode="clip"``: every byte is a row of the table, so it clips nothing,
    # and skips the index's cast and bounds check: half the cost of ``_DBFS_BY_BYTE[...]``)
    out: F4 = _DBFS_BY_BYTE.take(signal_byte, mode="clip")
    return out


def is_heartbeat(length: U1, ticks: U8, data: U1) -> npt.NDArray[np.bool_]:
    """readsb keep-alives: an all-zero Mode A/C frame with no timestamp."""
    hb: npt.NDArray[np.bool_] = (length == 2) & (ticks == 0) & (data[:, 0] == 0) & (data[:, 1] == 0)
    return hb


def encode_beast(
    payloads: list[bytes],
    ticks: list[int] | None = None,
    signal: list[int] | None = None,
    receiver: int | None = None,
) -> bytes:
    """Beast-encode frames (escaping every 0x1a); optional leading 0xe3 receiver id record."""
    out = bytearray()
    if receiver is not None:
        out += b"\x1a\xe3" + receiver.to_bytes(8, "big").replace(b"\x1a", b"\x1a\x1a")
    type_of = {2: TYPE_MODEAC, 7: TYPE_SHORT, 14: TYPE_LONG}
    for i, p in enumerate(payloads):
        t = 0 if ticks is None else ticks[i]
        s = 0 if signal is None else signal[i]
        body = t.to_bytes(6, "big") + bytes([s]) + p
        out += bytes([ESCAPE, type_of[len(p)]]) + body.replace(b"\x1a", b"\x1a\x1a")
    return bytes(out)


class BeastParser:
    """Stream wrapper around ``frame_beast``: remainder, receiver id, clock, located rejects."""

    def __init__(
        self,
        stats: IngestStats,
        name: str,
        clock: TickClock,
        *,
        receiver: int = 0,
    ) -> None:
        self.stats = stats
        self.name = name
        self.clock = clock
        self.receiver = receiver
        self._rest = b""
        self._offset = 0  # stream offset of self._rest[0]
        self._arrival: float | None = None  # arrival time of the last bytes fed

    def feed(self, data: bytes, arrival: float | None = None) -> list[FrameBatch]:
        self._arrival = arrival
        return self._run(data, False, arrival)

    def finish(self) -> list[FrameBatch]:
        return self._run(b"", True, None)

    def cut(self) -> list[FrameBatch]:
        """The connection ended: what it left is framed as the end of a stream, so a whole
        last frame held back (it ended in an escaped 0x1a, which could have been half of a
        pair) is kept and only a frame the connection cut is dropped and counted; the next
        connection starts a new byte stream (its receiver id is sent again by readsb)."""
        if not self._rest:
            return []
        out = self._run(b"", True, self._arrival)  # a cut frame: TRUNCATED, counted by _run
        self._rest = b""
        return out

    def _run(self, data: bytes, final: bool, arrival: float | None) -> list[FrameBatch]:
        self.stats.bytes_read += len(data)
        buf = self._rest + data if self._rest else data
        if not buf:
            return []
        fr = frame_beast(buf, final=final, receiver=self.receiver)
        self.receiver = fr.receiver_after
        for reason, off, detail in fr.rejects:
            self.stats.frames += 1
            self.stats.reject(reason, self.name, offset=self._offset + off, detail=detail)
        self._rest = buf[fr.consumed :]
        self._offset += fr.consumed
        if len(fr) == 0:
            return []
        # (a keep-alive has no timestamp: a read whose frames all have one has none)
        hb = is_heartbeat(fr.length, fr.ticks, fr.data) if (fr.ticks == 0).any() else None
        if hb is not None and hb.any():
            keep = ~hb
            fr.data, fr.length, fr.ticks = fr.data[keep], fr.length[keep], fr.ticks[keep]
            fr.signal_byte, fr.receiver = fr.signal_byte[keep], fr.receiver[keep]
            fr.offset = fr.offset[keep]
        ts = self.clock.convert(fr.ticks, arrival)
        bad = self.clock.implausible
        if bad.any():  # a flipped timestamp: rejected, never the new clock
            for off in fr.offset[bad].tolist():
                self.stats.frames += 1
                self.stats.reject(
                    RejectReason.BAD_TIMESTAMP,
                    self.name,
                    offset=self._offset - fr.consumed + int(off),
                    detail="timestamp out of line with its neighbours",
                )
            keep = ~bad
            ts, fr.data, fr.length, fr.ticks = (
                ts[keep],
                fr.data[keep],
                fr.length[keep],
                fr.ticks[keep],
            )
            fr.signal_byte, fr.receiver = fr.signal_byte[keep], fr.receiver[keep]
        batch = FrameBatch(
            timestamp=ts,
            data=fr.data,
            length=fr.length,
            signal=signal_dbfs(fr.signal_byte),
            ticks=fr.ticks,
            receiver=fr.receiver,
            source=self.name,
        )
        self.stats.frames += len(batch)
        self.stats.sources[self.name] += len(batch)
        return [batch] if len(batch) else []


def last_ticks(tail: bytes) -> int | None:
    """The largest usable timestamp in the tail of a Beast file (to anchor an mtime)."""
    fr = frame_beast(tail, final=True)
    t = fr.ticks[(fr.ticks != 0) & (fr.ticks < (1 << 47))]
    return int(t.max()) if t.size else None


def span_seconds(first: int, last: int) -> float:
    return max(0.0, (last - first) / 12e6) if last >= first else math.nan
