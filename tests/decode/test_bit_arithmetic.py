"""Property tests of the decode core's column arithmetic against plain Python integers: field
extraction, the Comm-B status test (one addition checks every field of a register), the
per-code MB field tables against their ICAO definitions, the CRC of mixed batches, and
``decode_batch``'s DF grouping (a batch decodes as its frames do one at a time)."""

from __future__ import annotations

import math
from dataclasses import fields

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import commb, decode_batch, mbfields
from skywitness.decode.bits import hdr, me
from skywitness.decode.crc import crc24, remainder

from .frames import batch_of

_MB_BITS = 56
#: MB words: any 56-bit value, or a few set bits (status bits clear with values set, and so on).
_WORD = st.one_of(
    st.integers(0, (1 << _MB_BITS) - 1),
    st.sets(st.integers(0, _MB_BITS - 1), max_size=6).map(lambda bits: sum(1 << b for b in bits)),
)
_WORDS = st.lists(_WORD, min_size=1, max_size=40)


def _bits(word: int, first: int, last: int, width: int = _MB_BITS) -> int:
    return (word >> (width - last)) & ((1 << (last - first + 1)) - 1)


@settings(max_examples=200, deadline=None)
@given(_WORDS, st.integers(1, _MB_BITS), st.integers(1, _MB_BITS))
def test_me_is_the_bits_of_each_word(words: list[int], a: int, b: int) -> None:
    first, last = min(a, b), max(a, b)
    ours = me(np.array(words, dtype=np.uint64), first, last)
    assert ours.dtype == np.int64
    assert ours.tolist() == [_bits(w, first, last) for w in words]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, (1 << 32) - 1), min_size=1), st.integers(1, 32), st.integers(1, 32))
def test_hdr_is_the_bits_of_each_header(heads: list[int], a: int, b: int) -> None:
    first, last = min(a, b), max(a, b)
    ours = hdr(np.array(heads, dtype=np.int64), first, last)
    assert ours.tolist() == [_bits(h, first, last, 32) for h in heads]


#: (status bit, last value bit) of each field the status test covers, by register.
_STATUS_FIELDS = {
    "4,0": (commb._STATUS_40, ((1, 13), (14, 26), (27, 39), (48, 51), (54, 56))),
    "5,0": (commb._STATUS_50, ((1, 11), (12, 23), (24, 34), (35, 45), (46, 56))),
    "6,0": (commb._STATUS_60, ((1, 12), (13, 23), (24, 34), (35, 45), (46, 56))),
}


@settings(max_examples=300, deadline=None)
@given(_WORDS)
def test_status_test_is_any_field_with_status_0_and_a_value(words: list[int]) -> None:
    w = np.array(words, dtype=np.uint64)
    for status, layout in _STATUS_FIELDS.values():
        expected = [
            any(_bits(x, s, s) == 0 and _bits(x, s + 1, last) != 0 for s, last in layout)
            for x in words
        ]
        assert commb._wrong_status(w, status).tolist() == expected


#: Each MB field by its ICAO definition: (field, two's complement value, scale, offset, mod 360).
_DEFINITIONS = (
    (mbfields.SELECTED_MCP, False, 16, 0.0, False),
    (mbfields.SELECTED_FMS, False, 16, 0.0, False),
    (mbfields.BARO, False, 0.1, 800.0, False),
    (mbfields.ROLL, True, 45.0 / 256.0, 0.0, False),
    (mbfields.TRACK, True, 90.0 / 512.0, 0.0, True),
    (mbfields.GROUNDSPEED, False, 2, 0.0, False),
    (mbfields.TRACK_RATE, True, 8.0 / 256.0, 0.0, False),
    (mbfields.TAS, False, 2, 0.0, False),
    (mbfields.HEADING, True, 90.0 / 512.0, 0.0, True),
    (mbfields.IAS, False, 1, 0.0, False),
    (mbfields.MACH, False, 2.048 / 512.0, 0.0, False),
    (mbfields.VRATE_BARO, True, 32, 0.0, False),
    (mbfields.VRATE_INERTIAL, True, 32, 0.0, False),
)


def _defined(word: int, f: mbfields.MBField, signed: bool, scale: float, offset: float) -> float:
    if _bits(word, f.first, f.first) == 0:
        return math.nan
    width = f.last - f.first
    raw = _bits(word, f.first + 1, f.last)
    value = raw - (1 << width) if signed and raw >> (width - 1) else raw
    return float(value * scale + offset) if offset else float(value * scale)


@settings(max_examples=200, deadline=None)
@given(_WORDS)
def test_mb_field_tables_give_the_icao_values(words: list[int]) -> None:
    w = np.array(words, dtype=np.uint64)
    for f, signed, scale, offset, angle in _DEFINITIONS:
        expected = [_defined(x, f, signed, scale, offset) for x in words]
        if angle:
            expected = [v % 360.0 for v in expected]
        np.testing.assert_array_equal(f.values(w), np.array(expected), err_msg=str(f.first))


_PAYLOAD = st.sampled_from([2, 5, 7, 7, 14, 14, 14]).flatmap(
    lambda n: st.binary(min_size=n, max_size=n)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PAYLOAD, min_size=1, max_size=40))
def test_remainder_of_a_mixed_batch_is_each_frames_crc(payloads: list[bytes]) -> None:
    batch = batch_of(payloads)
    expected = [
        crc24(p[:-3]) ^ int.from_bytes(p[-3:], "big") if len(p) in (7, 14) else 0 for p in payloads
    ]
    assert remainder(batch.data, batch.length).tolist() == expected


def _with_df(payload: bytes, df: int) -> bytes:
    return bytes([(df << 3) | (payload[0] & 7)]) + payload[1:] if payload else payload


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(_PAYLOAD, st.sampled_from([0, 4, 5, 11, 16, 17, 18, 20, 21, 24, 31])),
        min_size=1,
        max_size=30,
    )
)
def test_a_batch_decodes_as_its_frames_one_at_a_time(frames: list[tuple[bytes, int]]) -> None:
    payloads = [_with_df(p, df) for p, df in frames]
    whole = decode_batch(batch_of(payloads))
    for i, p in enumerate(payloads):
        alone = decode_batch(batch_of([p]))
        for f in fields(whole):
            a, b = getattr(whole, f.name)[i : i + 1], getattr(alone, f.name)
            if f.name == "timestamp":  # the row's place in its batch
                continue
            np.testing.assert_array_equal(a, b, err_msg=f"frame {i}: {f.name}")
