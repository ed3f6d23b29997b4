"""Property and exhaustive tests of the decode core: it never raises on any bytes, the CRC
behaves as a CRC, and the code tables match pyModeS 3 on every possible code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import decode_batch, frames_from_hex
from skywitness.decode.codes import altitude_ac13, squawk_id13
from skywitness.decode.crc import crc24, remainder
from skywitness.model import LONG_FRAME_BYTES, RejectReason

from .frames import batch_of, with_parity

_FLOAT_FIELDS = ("altitude", "groundspeed", "track", "vertical_rate", "ias", "mach", "roll")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(min_size=0, max_size=LONG_FRAME_BYTES), min_size=1, max_size=40))
def test_random_bytes_never_raise(payloads: list[bytes]) -> None:
    msg = decode_batch(batch_of(payloads))
    assert len(msg) == len(payloads)
    assert set(msg.reject.tolist()) <= {int(r) for r in RejectReason}
    bad = msg.reject != RejectReason.OK
    # Rejected rows carry no fields.
    assert (msg.icao24[bad] == 0).all() and (msg.typecode[bad] == -1).all()
    for name in _FLOAT_FIELDS:
        assert np.isnan(getattr(msg, name)[bad]).all(), name
    lengths = np.array([len(p) for p in payloads])
    odd = ~np.isin(lengths, (2, 7, 14))
    assert (msg.reject[odd] == RejectReason.BAD_LENGTH).all()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([2, 7, 14]), st.lists(st.binary(min_size=14, max_size=14), min_size=1))
def test_random_frames_of_each_length(length: int, raw: list[bytes]) -> None:
    msg = decode_batch(batch_of([r[:length] for r in raw]))
    assert len(msg) == len(raw)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=4, max_size=4), st.binary(min_size=11, max_size=11))
def test_crc_of_frame_with_its_parity_is_zero(short_body: bytes, long_body: bytes) -> None:
    for body in (short_body, long_body):
        frame = bytes.fromhex(with_parity(body))
        assert crc24(frame) == 0
        batch = frames_from_hex([frame.hex()])
        assert int(remainder(batch.data, batch.length)[0]) == 0


@settings(max_examples=100, deadline=None)
@given(st.binary(min_size=10, max_size=10))
def test_any_single_bit_flip_of_a_df17_breaks_the_crc(rest: bytes) -> None:
    frame = bytes.fromhex(with_parity(b"\x8d" + rest))
    flipped = np.tile(np.frombuffer(frame, dtype=np.uint8), (112, 1))
    for bit in range(112):
        flipped[bit, bit // 8] ^= 0x80 >> (bit % 8)
    length = np.full(112, 14, dtype=np.uint8)
    assert (remainder(flipped, length) != 0).all()
    batch = batch_of([bytes(row) for row in flipped])
    msg = decode_batch(batch)
    still17 = msg.df == 17
    assert (msg.reject[still17] == RejectReason.CRC).all()


def _reference_from_hex(hexes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The obvious implementation, independent of ``FrameBatch.from_hex``'s grouping by
    length: one ``bytes.fromhex`` per frame, copied into a zero-padded row."""
    data = np.zeros((len(hexes), LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(len(hexes), dtype=np.uint8)
    for i, h in enumerate(hexes):
        raw = bytes.fromhex(h)
        data[i, : len(raw)] = list(raw)
        length[i] = len(raw)
    return data, length


_FRAME = st.sampled_from([2, 7, 14]).flatmap(lambda n: st.binary(min_size=n, max_size=n))


@settings(max_examples=200, deadline=None)
@given(st.lists(_FRAME, max_size=60), st.booleans())
def test_frames_from_hex_matches_a_frame_by_frame_reference(
    payloads: list[bytes], upper: bool
) -> None:
    hexes = [p.hex().upper() if upper else p.hex() for p in payloads]
    batch = frames_from_hex(hexes, timestamps=[float(i) for i in range(len(hexes))])
    data, length = _reference_from_hex(hexes)
    np.testing.assert_array_equal(batch.data, data)
    np.testing.assert_array_equal(batch.length, length)
    np.testing.assert_array_equal(batch.timestamp, np.arange(len(hexes), dtype=np.float64))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_FRAME, min_size=1, max_size=20),
    st.data(),
    st.sampled_from(["g", "Z", " ", "\t", "-", "é"]),
)
def test_a_bad_character_is_named_by_frame(
    payloads: list[bytes], data: st.DataObject, bad: str
) -> None:
    """Any frame with a character that is not a hex digit (whitespace too: ``bytes.fromhex``
    skips it, which once shifted the bytes of a whole group) raises, naming that frame."""
    hexes = [p.hex() for p in payloads]
    i = data.draw(st.integers(0, len(hexes) - 1))
    pos = data.draw(st.integers(0, len(hexes[i]) - 1))
    hexes[i] = hexes[i][:pos] + bad + hexes[i][pos + 1 :]
    with pytest.raises(ValueError, match=rf"^frame {i}: bad hex"):
        frames_from_hex(hexes)


def test_altitude_codes_match_pymodes_for_every_code() -> None:
    from pyModeS._altcode import altcode_to_altitude

    codes = np.arange(1 << 13, dtype=np.int64)
    ours = altitude_ac13(codes)
    theirs = np.array([np.nan if (a := altcode_to_altitude(int(c))) is None else a for c in codes])
    np.testing.assert_array_equal(ours, theirs)
    assert int(np.isfinite(ours).sum()) == 3328  # 2048 Q-bit codes + 1280 Gillham


def test_identity_codes_match_pymodes_for_every_code() -> None:
    from pyModeS._idcode import idcode_to_squawk

    codes = np.arange(1 << 13, dtype=np.int64)
    ours = squawk_id13(codes)
    theirs = np.array([int(idcode_to_squawk(int(c))) for c in codes], dtype=np.int16)
    np.testing.assert_array_equal(ours, theirs)
