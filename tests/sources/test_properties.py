"""Property tests: chunking never changes framing; Beast encode/frame round-trips; random bytes
never raise for any format."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywitness.model import FrameBatch
from skywitness.sources.avr import AvrParser
from skywitness.sources.beast import BeastParser, encode_beast, frame_beast
from skywitness.sources.clock import TickClock
from skywitness.sources.detect import FORMATS
from skywitness.sources.source import make_parser
from skywitness.stats import IngestStats

# payload bytes biased towards 0x1a so escapes are common
_byte = st.one_of(st.just(0x1A), st.integers(0, 255))
payloads = st.lists(
    st.sampled_from([2, 7, 14]).flatmap(lambda n: st.lists(_byte, min_size=n, max_size=n)),
    min_size=1,
    max_size=40,
).map(lambda ps: [bytes(p) for p in ps])
splits = st.lists(st.integers(0, 10_000), max_size=12)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _chunks(buf: bytes, cuts: list[int]) -> list[bytes]:
    pos = sorted({c % (len(buf) + 1) for c in cuts})
    edges = [0, *pos, len(buf)]
    return [buf[a:b] for a, b in itertools.pairwise(edges)]


def _frames(batches: list[FrameBatch]) -> list[tuple[str, int]]:
    out = []
    for b in batches:
        out += [(b.hex(i), int(b.ticks[i])) for i in range(len(b))]
    return out


@SETTINGS
@given(payloads, st.data(), splits)
def test_beast_roundtrip_any_chunking(
    ps: list[bytes], data: st.DataObject, cuts: list[int]
) -> None:
    # a receiver counter only goes up (a flipped-bit spike is rejected by the clock, see
    # tests/reliability/test_clock_flips.py): sorted, so this tests framing alone
    ticks = sorted(
        data.draw(st.lists(st.integers(1, (1 << 48) - 1), min_size=len(ps), max_size=len(ps)))
    )
    sig = data.draw(st.lists(_byte, min_size=len(ps), max_size=len(ps)))
    buf = encode_beast(ps, ticks=ticks, signal=sig)
    whole = frame_beast(buf, final=True)
    assert [bytes(whole.data[i, : whole.length[i]]) for i in range(len(whole))] == ps
    assert whole.ticks.tolist() == ticks and whole.signal_byte.tolist() == sig
    stats = IngestStats()
    p = BeastParser(stats, "t", TickClock(0.0))
    out: list[FrameBatch] = []
    for c in _chunks(buf, cuts):
        out += p.feed(c)
    out += p.finish()
    assert _frames(out) == [(x.hex(), t) for x, t in zip(ps, ticks, strict=True)]
    assert not stats.rejected


def _avr_line(p: bytes, ts: int, kind: int) -> bytes:
    h = p.hex().upper().encode()
    if kind == 0:
        return b"*" + h + b";"
    if kind == 1:
        return b"@" + f"{ts:012X}".encode() + h + b";"
    return b"<" + f"{ts:012X}".encode() + b"80" + h + b";"


@SETTINGS
@given(payloads, st.data(), splits, st.booleans())
def test_avr_any_chunking(
    ps: list[bytes], data: st.DataObject, cuts: list[int], crlf: bool
) -> None:
    n = len(ps)
    ticks = sorted(data.draw(st.lists(st.integers(1, (1 << 48) - 1), min_size=n, max_size=n)))
    kinds = data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    eol = b"\r\n" if crlf else b"\n"
    buf = eol.join(_avr_line(p, t, k) for p, t, k in zip(ps, ticks, kinds, strict=True)) + eol
    expect = [
        (p.hex(), t if k else 0)
        for p, t, k in zip(ps, ticks, kinds, strict=True)
        if not (len(p) == 2 and p == b"\0\0" and k == 0)  # keep-alive
    ]
    for parts in ([buf], _chunks(buf, cuts)):
        stats = IngestStats()
        av = AvrParser(stats, "t", TickClock(0.0))
        out: list[FrameBatch] = []
        for c in parts:
            out += av.feed(c)
        out += av.finish()
        assert _frames(out) == expect
        assert not stats.rejected


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000), splits)
def test_random_bytes_never_raise(blob: bytes, cuts: list[int]) -> None:
    for fmt in FORMATS:
        for document in (False, True):
            stats = IngestStats()
            p = make_parser(fmt, stats, "r", clock=TickClock(0.0), document=document)
            out = []
            for c in _chunks(blob, cuts):
                out += p.feed(c, None)
            out += p.finish()
            assert all(len(b) >= 0 for b in out)
            assert stats.bytes_read == len(blob)


@settings(max_examples=60, deadline=None)
@given(payloads, st.binary(max_size=40), st.integers(0, 10_000))
def test_beast_garbage_never_loses_later_frames(ps: list[bytes], junk: bytes, at: int) -> None:
    """Garbage spliced between frames costs at most the frames it touches."""
    buf = encode_beast(ps, ticks=list(range(1, len(ps) + 1)))
    tail = encode_beast([bytes.fromhex("8d4840d6202cc371c32ce0576098")], ticks=[7])
    fr = frame_beast(junk + b"\x00" + tail, final=True)  # the frame after garbage survives
    assert bytes(fr.data[-1]).hex() == "8d4840d6202cc371c32ce0576098"
    cut = at % (len(buf) + 1)
    frame_beast(buf[:cut] + junk + buf[cut:], final=True)  # never raises
    assert np.all(fr.length > 0)
