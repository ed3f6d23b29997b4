"""Beast binary framing: a pure, vectorised ``bytes -> frames + remainder`` function
(``frame_beast``); ``sources/beast.py`` wraps it in the stateful stream parser.

How frame starts are found without a byte loop: inside a frame every ``0x1a`` is doubled, so in
each maximal run of ``0x1a`` bytes the escape pairs come first and, when the run is odd, its last
byte starts a frame. Dropping the second byte of each pair (offsets 1, 3, 5... of every run)
unescapes the whole buffer at once; frames then have a fixed layout and are gathered with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from ..model import LONG_FRAME_BYTES, U1, U8, RejectReason
from ..model.frames import FRAME_ITEM

T = TypeVar("T", bound=np.generic)

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
_IGNORED = np.zeros(256, dtype=np.bool_)
_IGNORED[list(IGNORED_TYPES)] = True
#: A held, unfinished tail longer than this (bytes) is garbage, not a frame.
MAX_HOLD_BYTES = 4096
#: Records gathered by per-byte indexing at most (a live read's ~20): past it the strided
#: view of records (one item copy per record) is cheaper than its fixed set-up.
_SMALL_RECORDS = 256
#: Bytes gathered per record from its 0x1a: type, 6 timestamp bytes, signal byte and a
#: 16-byte window from the payload's start (two 64-bit words; past a short payload it holds
#: the next record's bytes, masked off).
_RECORD_BYTES = 2 + 6 + 1 + 16
_PAYLOAD_AT = 9
#: One record's bytes as one opaque numpy item (``_records``).
_RECORD = np.dtype(("V", _RECORD_BYTES))
#: Payload bytes per record type (0 for the others).
_PLEN = np.zeros(256, dtype=np.uint8)
#: Per record type, the masks of the payload window's two little-endian words.
_MASK_LO = np.zeros(256, dtype=np.uint64)
_MASK_HI = np.zeros(256, dtype=np.uint64)
for _t, _n in PAYLOAD_BYTES.items():
    _PLEN[_t] = _n
    _m = np.zeros(16, dtype=np.uint8)
    _m[:_n] = 0xFF
    _MASK_LO[_t], _MASK_HI[_t] = _m.view("<u8")
#: The 48-bit timestamp of the big-endian word that starts at a record's 0x1a.
_TICKS_MASK = np.uint64((1 << 48) - 1)


def _records(pad: U1, at: npt.NDArray[np.intp]) -> U1:
    """``(len(at), _RECORD_BYTES)``: the bytes of ``pad`` from each of ``at`` (a copy)."""
    if at.size <= _SMALL_RECORDS:  # a live read: one index op beats the view's set-up
        out: U1 = pad[at[:, None] + np.arange(_RECORD_BYTES)]
        return out
    # each record as one opaque item of a byte-strided view: numpy copies an item per index
    # (half the time of a 2-D window view's row gather, which copies byte by byte)
    items = np.ndarray((pad.shape[0] - _RECORD_BYTES + 1,), _RECORD, buffer=pad, strides=(1,))
    got: U1 = items[at].view(np.uint8).reshape(-1, _RECORD_BYTES)
    return got


def _by_type(table: npt.NDArray[T], typ: U1) -> npt.NDArray[T]:
    """``table[typ]`` for a 256-row table by record type: ``take`` with ``mode="clip"`` (every
    byte is a row, so it clips nothing) skips the bounds check of an index, half the cost of
    the fancy index on a read's ~65k records."""
    return table.take(typ, mode="clip")


def _words(cols: U1) -> U8:
    """``(n, 8)`` bytes (last axis contiguous) as big-endian 64-bit words (native uint64)."""
    out: U8 = cols.view(">u8")[:, 0].astype(np.uint64)
    return out


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
    u, starts, before, trailing, hold_from = _unescape(a, idx, final)
    if starts.size == 0:
        if hold_from:
            rejects.append(_garbage(0, hold_from))
        return _empty(hold_from, receiver, rejects)
    if starts[0] > 0:
        rejects.append(_garbage(0, int(starts[0])))
    seg = _Segments.judge(u, starts, before, n, final=final, trailing=trailing)
    rejects.extend(seg.rejects())
    return _gather(seg, receiver, rejects)


def _unescape(
    a: U1, idx: npt.NDArray[np.intp], final: bool
) -> tuple[U1, npt.NDArray[np.intp], npt.NDArray[np.intp], bool, int]:
    """The buffer without the 2nd byte of each escaped 0x1a pair; the frame starts (the last
    0x1a of each run of odd length), the bytes dropped before each start, whether an
    unfinished run of 0x1a ends the buffer, and the offset from which that run is held back.
    Most runs are one 0x1a (a frame start): offsets within runs are worked out only for the
    few bytes that continue a run."""
    n = a.shape[0]
    step1 = np.diff(idx) == 1  # idx[i + 1] continues the run of idx[i]
    cont = np.flatnonzero(step1) + 1
    is_dropped = np.zeros(idx.size, dtype=np.bool_)
    within_last = 0  # the offset of the last 0x1a within its run
    if cont.size:
        # chains of consecutive continuations are the runs' tails, at offsets 1, 2, 3...
        new_chain = np.empty(cont.size, dtype=np.bool_)
        new_chain[0] = True
        np.not_equal(np.diff(cont), 1, out=new_chain[1:])
        k = np.arange(cont.size)
        head = np.maximum.accumulate(np.where(new_chain, k, 0))
        # unescape: drop the 2nd byte of each pair (odd offsets within a run: k - head even)
        is_dropped[cont[((k - head) & 1) == 0]] = True
        if cont[-1] == idx.size - 1:
            within_last = int(k[-1] - head[-1] + 1)
    # a frame starts at the last 0x1a of each run of odd length (its offset in the run even)
    is_start = np.empty(idx.size, dtype=np.bool_)
    np.logical_not(step1, out=is_start[:-1])
    is_start[-1] = True
    is_start &= ~is_dropped
    trailing = bool(not final and a[-1] == ESCAPE)
    if trailing:
        is_start[-1] = False  # an unfinished run at the end cannot be judged yet
    last = np.flatnonzero(is_start)
    # a start is never dropped: the drops up to it are those before it
    before = np.cumsum(is_dropped, dtype=np.intp)[last]
    keep = np.ones(n, dtype=np.bool_)
    keep[idx[is_dropped]] = False
    hold_from = int(idx[idx.size - 1 - within_last]) if trailing else n
    return a[keep], idx[last], before, trailing, hold_from


@dataclass(slots=True)
class _Segments:
    """Each frame start's segment (up to the next start) in the unescaped buffer, judged."""

    starts: npt.NDArray[np.intp]  # frame starts in the escaped buffer
    us: npt.NDArray[np.intp]  # the same in the unescaped buffer
    pad: U1  # the unescaped buffer, zero padded past its end
    typ: U1
    content: npt.NDArray[np.intp]  # unescaped bytes after the 0x1a, up to the next start
    need: npt.NDArray[np.intp]
    known: npt.NDArray[np.bool_]
    has_type: npt.NDArray[np.bool_]
    bad_type: npt.NDArray[np.bool_]
    complete: npt.NDArray[np.bool_]
    ok: npt.NDArray[np.bool_]  # taken as frames
    held: bool  # the last segment is held back for more bytes
    consumed: int

    @classmethod
    def judge(
        cls,
        u: U1,
        starts: npt.NDArray[np.intp],
        before: npt.NDArray[np.intp],
        n: int,
        *,
        final: bool,
        trailing: bool,
    ) -> _Segments:
        us = starts - before  # start positions, unescaped buffer (``before``: bytes dropped)
        ulen = u.shape[0]
        uend = np.concatenate((us[1:], [ulen]))
        content = uend - us - 1
        pad = np.concatenate((u, np.zeros(32, dtype=np.uint8)))
        typ = pad.take(us + 1, mode="clip")  # (inside ``pad``: clip changes nothing)
        has_type = us + 1 < ulen
        need = _by_type(_BODY, typ)
        known = (need > 0) & has_type  # the types with a body length
        complete = known & (content >= need)
        if not final:
            # the last segment may still grow: take it only when exactly complete and not
            # ending in a 0x1a that could be half of an escape pair
            exact = known[-1] and content[-1] == need[-1] and not trailing
            complete[-1] = bool(exact)
        held = bool(not final and not complete[-1])
        if held and (n - int(starts[-1])) > MAX_HOLD_BYTES:
            held = False  # an endless unframed tail: give up on it
        consumed = int(starts[-1]) if held else n
        ok = complete.copy()
        if held:
            ok[-1] = False
        # unknown types that are not ignored ones (looked up for the few unknown records only)
        bad_type = ~known & has_type
        if bad_type.any():
            bad_type &= ~_by_type(_IGNORED, typ)
        return cls(starts, us, pad, typ, content, need, known, has_type, bad_type, complete, ok,
                   held, consumed)  # fmt: skip

    def rejects(self) -> list[Reject]:
        """Bad types, cut frames and stray bytes, located at the frame's 0x1a."""
        out: list[Reject] = []
        last = np.zeros(self.starts.size, dtype=np.bool_)
        last[-1] = True
        short = self.known & ~self.complete
        cut_last = ~self.has_type
        for i in np.flatnonzero((self.bad_type | short | cut_last) & ~(last & self.held)).tolist():
            off = int(self.starts[i])
            if self.bad_type[i]:
                out.append(
                    (RejectReason.BAD_TYPE, off, f"unknown Beast type 0x{int(self.typ[i]):02x}")
                )
            elif last[i]:
                out.append((RejectReason.TRUNCATED, off, "input ends inside a Beast frame"))
            else:
                out.append((RejectReason.BAD_ESCAPE, off, "Beast frame cut short by a 0x1a"))
        stray = self.ok & (self.content > self.need)
        for i in np.flatnonzero(stray).tolist():
            out.append(_garbage(int(self.starts[i]), int(self.content[i] - self.need[i])))
        return out


def _gather(seg: _Segments, receiver: int, rejects: list[Reject]) -> BeastFrames:
    """The accepted records as frames: one row copy per record (``_records``), its columns as
    views (the timestamp as the low 48 bits of one big-endian word, the payload masked by two
    word ANDs: numpy's per-row cost is in the row gather, not in the column width);
    receiver-id records set the receiver of the frames after them."""
    oi = np.flatnonzero(seg.ok)
    rows = _records(seg.pad, seg.us[oi])
    offsets = seg.starts[oi]
    is_rid = rows[:, 1] == TYPE_RECEIVER_ID
    if is_rid.any():
        rid_vals = _words(rows[:, 2:10])
        last_rid = np.where(is_rid, np.arange(oi.size), -1)
        np.maximum.accumulate(last_rid, out=last_rid)
        rec_all = np.where(last_rid >= 0, rid_vals[np.maximum(last_rid, 0)], np.uint64(receiver))
        fi = np.flatnonzero(~is_rid)
        rows, rec, offsets = rows[fi], rec_all[fi], offsets[fi]
    else:
        rec_all = np.full(oi.size, receiver, dtype=np.uint64)
        rec = rec_all
    receiver_after = int(rec_all[-1]) if oi.size else receiver
    typ = rows[:, 1]
    payload = rows[:, _PAYLOAD_AT:]
    words = payload.view("<u8")
    words[:, 0] &= _by_type(_MASK_LO, typ)
    words[:, 1] &= _by_type(_MASK_HI, typ)
    # the data rows copied out as one item each (numpy copies a strided (n, 14) byte block
    # row by row, byte by byte: ~0.75 ms for 70k rows, ~0.14 ms so)
    data = payload[:, :LONG_FRAME_BYTES].view(FRAME_ITEM)[:, 0].copy()  # one item a row
    return BeastFrames(
        data=data.view(np.uint8).reshape(-1, LONG_FRAME_BYTES),
        length=_by_type(_PLEN, typ),
        ticks=_words(rows[:, :8]) & _TICKS_MASK,
        signal_byte=rows[:, 8].copy(),
        receiver=rec.astype(np.uint64, copy=False),
        offset=offsets.astype(np.int64, copy=False),
        consumed=seg.consumed,
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
