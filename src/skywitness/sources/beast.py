"""Beast binary framing: a pure, vectorised ``bytes -> frames + remainder`` function and its
stateful stream wrapper (receiver id, clock, stream offsets), plus an encoder.

Wire format: ``0x1a`` + type + payload, every literal ``0x1a`` inside doubled. Types: ``0x31``
Mode A/C, ``0x32`` Mode S short, ``0x33`` Mode S long (each: 6-byte timestamp, 1 signal byte,
2/7/14 data bytes); ``0xe3`` readsb receiver id (8 bytes) for the frames that follow. readsb's
other records (``0x34`` status, ``0x35`` Radarcape position, ``0xe4`` UUID, ``0xe8`` synthetic
time, ``P``/``W`` ping/commands) are skipped without complaint; any other type is counted as
BAD_TYPE and the reader resynchronises on the next frame start.

How frame starts are found without a byte loop: inside a frame every ``0x1a`` is doubled, so in
each maximal run of ``0x1a`` bytes the escape pairs come first and, when the run is odd, its last
byte starts a frame. Dropping the second byte of each pair (offsets 1, 3, 5... of every run)
unescapes the whole buffer at once; frames then have a fixed layout and are gathered with numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

from ..model import F4, LONG_FRAME_BYTES, U1, U8, FrameBatch, RejectReason
from ..stats import IngestStats
from .clock import TickClock

ESCAPE = 0x1A
TYPE_MODEAC, TYPE_SHORT, TYPE_LONG, TYPE_RECEIVER_ID = 0x31, 0x32, 0x33, 0xE3
#: Payload bytes per frame type.
PAYLOAD_BYTES = {TYPE_MODEAC: 2, TYPE_SHORT: 7, TYPE_LONG: 14}
#: readsb record types that carry no frame and are skipped silently.
IGNORED_TYPES = (0x34, 0x35, 0xE4, 0xE8, 0x50, 0x57)
#: Bytes after the 0x1a (type + timestamp + signal + payload), unescaped.
_BODY = np.zeros(256, dtype=np.int64)
for _t, _n in PAYLOAD_BYTES.items():
    _BODY[_t] = 1 + 6 + 1 + _n
_BODY[TYPE_RECEIVER_ID] = 1 + 8
_KNOWN = _BODY > 0
_IGNORED = np.zeros(256, dtype=np.bool_)
_IGNORED[list(IGNORED_TYPES)] = True
#: A held, unfinished tail longer than this (bytes) is garbage, not a frame.
MAX_HOLD_BYTES = 4096
#: Bytes from a record's 0x1a to the end of a long frame's payload (unescaped).
_RECORD_BYTES = 2 + 6 + 1 + LONG_FRAME_BYTES


def _big_endian(cols: U1) -> U8:
    """``(n, k)`` bytes (k <= 8) as big-endian unsigned integers."""
    n, k = cols.shape
    buf = np.zeros((n, 8), dtype=np.uint8)
    buf[:, 8 - k :] = cols
    return buf.view(">u8").reshape(n).astype(np.uint64)


Reject = tuple[RejectReason, int, str]


@dataclass(slots=True)
class BeastFrames:
    """What ``frame_beast`` found in one buffer. Offsets are relative to the buffer start."""

    data: U1  # (n, 14) payloads, left-aligned
    length: U1  # 2, 7 or 14
    ticks: U8  # raw 48-bit timestamps
    signal_byte: U1  # raw signal byte
    receiver: U8  # receiver id in force for each frame (0x1a 0xe3 records), else the initial one
    offset: npt.NDArray[np.int64]  # where each frame's 0x1a is
    consumed: int  # bytes fully handled; the rest must be fed again with more data
    receiver_after: int  # receiver id in force at the end (carry into the next call)
    rejects: list[Reject] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.length.shape[0])


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
    out: F4 = _DBFS_BY_BYTE[signal_byte]
    return out


def frame_beast(buf: bytes, *, final: bool = False, receiver: int = 0) -> BeastFrames:
    """Frame a Beast byte buffer. Pure: no state beyond the arguments.

    ``final`` says no more bytes follow (a cut last frame is then TRUNCATED, not held back).
    """
    n = len(buf)
    a = np.frombuffer(buf, dtype=np.uint8)
    rejects: list[Reject] = []
    idx = np.flatnonzero(a == ESCAPE)
    if idx.size == 0:
        if n:
            rejects.append((RejectReason.BAD_ESCAPE, 0, f"{n} bytes without a frame start"))
        return _empty(n, receiver, rejects)

    # maximal runs of 0x1a
    brk = np.flatnonzero(np.diff(idx) != 1)
    rs = np.concatenate(([0], brk + 1))
    re_ = np.concatenate((brk, [idx.size - 1]))
    run_len = re_ - rs + 1
    odd = (run_len & 1) == 1
    trailing = not final and a[-1] == ESCAPE
    if trailing:
        odd[-1] = False  # an unfinished run at the end cannot be judged yet
    starts = idx[re_[odd]]
    # unescape: drop the 2nd byte of each pair (odd offsets within a run)
    run_of = np.repeat(np.arange(rs.size), run_len)
    within = np.arange(idx.size) - rs[run_of]
    dropped = idx[(within & 1) == 1]
    keep = np.ones(n, dtype=np.bool_)
    keep[dropped] = False
    u = a[keep]

    hold_from = int(idx[rs[-1]]) if trailing else n
    if starts.size == 0:
        if hold_from:
            rejects.append(_garbage(0, hold_from))
        return _empty(hold_from, receiver, rejects)
    if starts[0] > 0:
        rejects.append(_garbage(0, int(starts[0])))

    us = starts - np.searchsorted(dropped, starts)  # start positions in the unescaped buffer
    ulen = u.shape[0]
    uend = np.concatenate((us[1:], [ulen]))
    content = uend - us - 1  # unescaped bytes after the 0x1a, up to the next start
    pad = np.concatenate((u, np.zeros(32, dtype=np.uint8)))
    typ = pad[us + 1]
    has_type = us + 1 < ulen
    need = _BODY[typ]
    known = _KNOWN[typ] & has_type
    ignored = _IGNORED[typ] & has_type
    last = np.zeros(starts.size, dtype=np.bool_)
    last[-1] = True

    complete = known & (content >= need)
    if not final:
        # the last segment may still grow: take it only when exactly complete and not
        # ending in a 0x1a that could be half of an escape pair
        exact = known[-1] and content[-1] == need[-1] and not trailing
        complete[-1] = bool(exact)
    held = bool(last[-1] and not final and not complete[-1])
    if held and (n - int(starts[-1])) > MAX_HOLD_BYTES:
        held = False  # an endless unframed tail: give up on it
    consumed = int(starts[-1]) if held else n

    ok = complete.copy()
    if held:
        ok[-1] = False
    # rejects, located at the frame's 0x1a
    bad_type = ~known & ~ignored & has_type
    short = known & ~complete
    cut_last = ~has_type
    for i in np.flatnonzero((bad_type | short | cut_last) & ~(last & held)).tolist():
        off = int(starts[i])
        if bad_type[i]:
            rejects.append((RejectReason.BAD_TYPE, off, f"unknown Beast type 0x{int(typ[i]):02x}"))
        elif last[i]:
            rejects.append((RejectReason.TRUNCATED, off, "input ends inside a Beast frame"))
        else:
            rejects.append((RejectReason.BAD_ESCAPE, off, "Beast frame cut short by a 0x1a"))
    stray = ok & (content > need)
    for i in np.flatnonzero(stray).tolist():
        extra = int(content[i] - need[i])
        rejects.append(_garbage(int(starts[i]), extra))

    # gather the accepted records: one row copy per record from a strided window view
    # (0x1a, type, 6 timestamp bytes, signal, 14 payload bytes), not per-byte fancy indexing
    oi = np.flatnonzero(ok)
    rows = sliding_window_view(pad, _RECORD_BYTES)[us[oi]]
    is_rid = rows[:, 1] == TYPE_RECEIVER_ID
    if is_rid.any():
        rid_vals = _big_endian(rows[:, 2:10])
        last_rid = np.where(is_rid, np.arange(oi.size), -1)
        np.maximum.accumulate(last_rid, out=last_rid)
        rec_all = np.where(last_rid >= 0, rid_vals[np.maximum(last_rid, 0)], np.uint64(receiver))
        fi = np.flatnonzero(~is_rid)
        rows, rec = rows[fi], rec_all[fi]
        offsets = starts[oi[fi]]
    else:
        rec_all = np.full(oi.size, receiver, dtype=np.uint64)
        rec, offsets = rec_all, starts[oi]
    receiver_after = int(rec_all[-1]) if oi.size else receiver
    plen = (_BODY[rows[:, 1]] - 8).astype(np.uint8)
    ticks = _big_endian(rows[:, 2:8])
    sig = rows[:, 8].copy()
    data = np.ascontiguousarray(rows[:, 9:])
    data[plen == 7, 7:] = 0  # bytes after a short payload belong to the next record
    data[plen == 2, 2:] = 0
    return BeastFrames(
        data=data,
        length=plen,
        ticks=ticks,
        signal_byte=sig,
        receiver=rec.astype(np.uint64),
        offset=offsets.astype(np.int64),
        consumed=consumed,
        receiver_after=receiver_after,
        rejects=rejects,
    )


def _garbage(offset: int, nbytes: int) -> Reject:
    return (RejectReason.BAD_ESCAPE, offset, f"{nbytes} bytes outside any Beast frame")


def _empty(consumed: int, receiver: int, rejects: list[Reject]) -> BeastFrames:
    return BeastFrames(
        data=np.zeros((0, LONG_FRAME_BYTES), dtype=np.uint8),
        length=np.zeros(0, dtype=np.uint8),
        ticks=np.zeros(0, dtype=np.uint64),
        signal_byte=np.zeros(0, dtype=np.uint8),
        receiver=np.zeros(0, dtype=np.uint64),
        offset=np.zeros(0, dtype=np.int64),
        consumed=consumed,
        receiver_after=receiver,
        rejects=rejects,
    )


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

    def feed(self, data: bytes, arrival: float | None = None) -> list[FrameBatch]:
        return self._run(data, False, arrival)

    def finish(self) -> list[FrameBatch]:
        return self._run(b"", True, None)

    def cut(self) -> list[FrameBatch]:
        """The connection ended: a frame it cut is dropped and counted; the next connection
        starts a new byte stream (its receiver id is sent again by readsb)."""
        if self._rest:
            self.stats.frames += 1
            self.stats.reject(
                RejectReason.TRUNCATED,
                self.name,
                offset=self._offset,
                detail="connection closed inside a Beast frame",
            )
            self._offset += len(self._rest)
            self._rest = b""
        return []

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
        hb = is_heartbeat(fr.length, fr.ticks, fr.data)
        if hb.any():
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
