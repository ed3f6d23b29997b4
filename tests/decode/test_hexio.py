"""Vectorised hex/text columns of the decode output equal the per-row Python they replace."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode import hexio
from skywitness.decode.dictcols import coded, same_value
from skywitness.decode.hexio import (
    NULL_ROWS,
    address_column,
    hex_column,
    labels,
    numeric_column,
    string_array,
    text_column,
)
from skywitness.decode.squawktext import squawk_column
from skywitness.runtime.records import identity_codes

rows = st.lists(st.tuples(st.binary(min_size=14, max_size=14), st.sampled_from([0, 2, 7, 14])))


@settings(max_examples=200, deadline=None)
@given(rows)
def test_hex_column_is_bytes_hex(items: list[tuple[bytes, int]]) -> None:
    data = np.frombuffer(b"".join(b for b, _ in items), dtype=np.uint8).reshape(len(items), 14)
    length = np.array([n for _, n in items], dtype=np.uint8)
    assert hex_column(data, length).to_pylist() == [b[:n].hex() for b, n in items]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, (1 << 24) - 1)), st.data())
def test_address_column_is_six_hex_digits(addrs: list[int], data: st.DataObject) -> None:
    a = np.array(addrs, dtype=np.uint32)
    null = np.array(data.draw(st.lists(st.booleans(), min_size=len(a), max_size=len(a))), bool)
    got = address_column(a, null).to_pylist()
    assert got == [None if z else f"{x:06x}" for x, z in zip(addrs, null.tolist(), strict=True)]
    assert address_column(a).to_pylist() == [f"{x:06x}" for x in addrs]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=8)))
def test_text_column_is_the_strings(texts: list[str]) -> None:
    a = np.array(texts, dtype="<U8")
    assert text_column(a).to_pylist() == [s or None for s in a.tolist()]


@pytest.mark.parametrize("width", [1, 2, 3, 4, 5, 8, 9])
def test_text_column_sees_a_character_in_any_word(width: int) -> None:
    """Empty means every word of the row is zero: one character in the last word (or any
    other) of a row of 1-9 characters (uint32 and uint64 words, 1-9 a row) keeps it."""
    texts = ["", *(" " * i + "Z" for i in range(width)), ""]
    a = np.array(texts, dtype=f"<U{width}")
    assert text_column(a).to_pylist() == [s or None for s in texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=7, max_size=7), st.integers(0, 7))))
def test_hex_column_of_an_odd_width_is_bytes_hex(items: list[tuple[bytes, int]]) -> None:
    """Rows of an odd byte count take the one-byte lookup (``_PAIRS16``), not ``_quads``."""
    data = np.frombuffer(b"".join(b for b, _ in items), dtype=np.uint8).reshape(len(items), 7)
    length = np.array([n for _, n in items], dtype=np.uint8)
    assert hex_column(data, length).to_pylist() == [b[:n].hex() for b, n in items]


def test_text_column_keeps_inner_nul() -> None:
    a = np.array(["a\x00b", "", "KLM1234"], dtype="<U8")
    assert text_column(a).to_pylist() == ["a\x00b", None, "KLM1234"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=1, max_size=9), st.data())
def test_labels_are_the_names_taken(names: list[str], data: st.DataObject) -> None:
    """``labels`` (numpy, no compute kernel) is Arrow's ``take`` of the names."""
    codes = data.draw(st.lists(st.integers(0, len(names) - 1), max_size=40))
    null = data.draw(st.lists(st.booleans(), min_size=len(codes), max_size=len(codes)))
    arr = string_array(names)
    got = labels(arr, np.array(codes, dtype=np.int16), np.array(null, dtype=bool))
    got.validate(full=True)
    assert got.to_pylist() == [None if z else names[c] for c, z in zip(codes, null, strict=True)]
    assert labels(arr, np.array(codes, dtype=np.int16)).to_pylist() == [names[c] for c in codes]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=8), st.data())
def test_labels_taken_by_arrow_are_the_same(names: list[str], data: st.DataObject) -> None:
    """Above ``ARROW_TAKE_BYTES`` of text (here: any) Arrow's ``take`` builds the column: the
    same values and nulls as the numpy gather."""
    codes = np.array(data.draw(st.lists(st.integers(0, len(names) - 1), max_size=40)), np.int32)
    null = np.array(data.draw(st.lists(st.booleans(), min_size=len(codes), max_size=len(codes))))
    arr = string_array(names)
    numpy_made = labels(arr, codes, null.astype(bool))
    with mock.patch.object(hexio, "ARROW_TAKE_BYTES", -1):
        arrow_made = labels(arr, codes, null.astype(bool))
        plain = labels(arr, codes)
    arrow_made.validate(full=True)
    assert arrow_made.type == numpy_made.type == pa.string()
    assert arrow_made.to_pylist() == numpy_made.to_pylist()
    assert plain.to_pylist() == [names[c] for c in codes]


def test_labels_of_long_names_over_a_big_batch() -> None:
    """A globe batch's source column: 70-character member names on 500,000 rows (Arrow's
    ``take``), row for row the names."""
    names = [f"day.tar:traces/{i:02x}/trace_full_a{i:05x}.json".ljust(70, "x") for i in range(250)]
    codes = np.repeat(np.arange(250), 2000)
    assert 70 * len(codes) > hexio.ARROW_TAKE_BYTES
    got = labels(string_array(names), codes)
    assert len(got) == 500_000 and got.null_count == 0
    assert got[0].as_py() == names[0] and got[1999].as_py() == names[0]
    assert got[2000].as_py() == names[1] and got[499_999].as_py() == names[249]


def test_labels_refuse_a_code_outside_the_names() -> None:
    with pytest.raises(IndexError, match=r"outside 0\.\.1"):
        labels(string_array(["a", "b"]), np.array([0, 2], dtype=np.int8))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-1, 9999)))
def test_squawks_are_four_digits(codes: list[int]) -> None:
    """Four digits a code, null where negative: "0000" under a null (fixed width), or no
    characters (``empty_nulls``)."""
    a = np.array(codes, dtype=np.int16)
    want = [None if c < 0 else f"{c:04d}" for c in codes]
    fixed, packed = squawk_column(a), squawk_column(a, empty_nulls=True)
    for got in (fixed, packed):
        got.validate(full=True)
        assert got.to_pylist() == want
    text = [b"0000" if w is None else w.encode() for w in want]
    assert (
        _chars(fixed) == b"".join(text) and _chars(packed) == "".join(filter(None, want)).encode()
    )


def _chars(a: pa.Array) -> bytes:
    """The characters of a string column (not sliced), those under its nulls too."""
    data = a.buffers()[2]
    return (
        data.to_pybytes()[: int(np.frombuffer(a.buffers()[1], np.int32)[len(a)])] if data else b""
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-32768, 32767)))
def test_squawks_of_any_int16_are_their_last_four_digits(codes: list[int]) -> None:
    """Codes past 9999 (never an identity code, but an int16 can hold them) keep their last
    four digits, as the per-digit arithmetic did; every negative is none."""
    got = squawk_column(np.array(codes, dtype=np.int16)).to_pylist()
    assert got == [None if c < 0 else f"{c % 10_000:04d}" for c in codes]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=6), min_size=1, max_size=200), st.data())
def test_coded_columns_are_the_labels(names: list[str], data: st.DataObject) -> None:
    """A dictionary-encoded label column (``coded``) holds ``labels``' values, int8 or int16
    indices by the names' count."""
    codes = data.draw(st.lists(st.integers(0, len(names) - 1), max_size=40))
    null = np.array(data.draw(st.lists(st.booleans(), min_size=len(codes), max_size=len(codes))))
    arr, c = string_array(names), np.array(codes, dtype=np.uint8)
    got = coded(arr, c, null.astype(bool))
    got.validate(full=True)
    assert got.to_pylist() == labels(arr, c, null.astype(bool)).to_pylist()
    assert got.indices.type == (pa.int8() if len(names) <= 128 else pa.int16())
    assert coded(arr, c).to_pylist() == [names[i] for i in codes]


def test_coded_refuses_a_code_outside_the_names_unless_null() -> None:
    names = string_array(["a", "b"])
    with pytest.raises(IndexError, match=r"outside 0\.\.1"):
        coded(names, np.array([0, 2], dtype=np.int8))
    got = coded(names, np.array([0, 9], dtype=np.int8), np.array([False, True]))
    assert got.to_pylist() == ["a", None]
    assert same_value(string_array(["rx1"]), 3).to_pylist() == ["rx1"] * 3


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-32768, 32767)), st.booleans())
def test_identity_codes_are_the_squawks(codes: list[int], octal: bool) -> None:
    """The decode output's dictionary-encoded identity codes are ``squawk_column``'s texts:
    over the 4096 octal codes, or over 0000..9999 when a code is not octal (past 9999: its
    last four digits, as ``squawk_column``)."""
    if octal:
        codes = [int(f"{c % 4096:04o}") if c >= 0 else -1 for c in codes]
    a = np.array(codes, dtype=np.int16)
    got = identity_codes(a)
    got.validate(full=True)
    assert got.to_pylist() == squawk_column(a).to_pylist()
    if octal:
        assert len(got.dictionary) == 4096


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), min_size=1, max_size=40),
    data=st.data(),
)
def test_column_views_are_the_values_of_any_slice(
    values: list[float | None], data: st.DataObject
) -> None:
    """``values_view``/``valid_of``/``bits_of`` (numpy_of's pieces, shared with the states
    readers) on a slice at any offset, in one chunk or several."""
    start = data.draw(st.integers(0, len(values) - 1))
    floats = pa.array(values, pa.float64()).slice(start)
    flags = pa.array([None if v is None else v > 0 for v in values], pa.bool_()).slice(start)
    want = values[start:]
    given_at = np.array([v is not None for v in want])
    view = hexio.values_view(floats, np.float64)
    assert np.shares_memory(view, np.frombuffer(floats.buffers()[1], dtype=np.uint8))
    assert view[given_at].tolist() == [v for v in want if v is not None]
    if floats.null_count:
        assert hexio.valid_of(floats).tolist() == given_at.tolist()
        assert hexio.valid_of(flags).tolist() == given_at.tolist()
    bits = hexio.bits_of(flags, 1).view(np.bool_)
    assert bits[given_at].tolist() == [v > 0 for v in want if v is not None]
    chunked = pa.chunked_array([floats.slice(0, 1), floats.slice(1)])
    assert hexio.one_chunk(chunked).equals(floats)
    assert hexio.one_chunk(floats) is floats
    assert np.array_equal(
        hexio.numpy_of(chunked, np.nan),
        np.array([np.nan if v is None else v for v in want]),
        equal_nan=True,
    )


def test_repeated_past_int32_offsets_is_refused_before_the_text_is_built() -> None:
    """2 GiB + 1 KiB of text would wrap the int32 offsets (the values would read back as
    garbage): refused before ``np.tile`` builds it (no 2 GiB allocated)."""
    built = AssertionError("text was built")
    with (
        mock.patch.object(np, "tile", side_effect=built),
        pytest.raises(OverflowError, match="2,147,484,672 bytes of text"),
    ):
        hexio.repeated("x" * 1024, (1 << 21) + 1)
    assert hexio.repeated("abc", 2).to_pylist() == ["abc", "abc"]


def test_string_columns_refuse_offsets_past_int32() -> None:
    """Any column built from int64 offsets (frames, labels, callsigns) checks the last one
    before the cast to Arrow's int32 offsets."""
    chars = np.zeros(4, dtype=np.uint8)
    offsets = np.array([0, 2, 1 << 31], dtype=np.int64)  # (the text itself is not looked at)
    with pytest.raises(OverflowError):
        hexio._strings(chars, offsets, None, 0)
    ok = np.array([0, 2, 4], dtype=np.int64)
    assert hexio._strings(np.frombuffer(b"abcd", np.uint8), ok, None, 0).to_pylist() == [
        "ab",
        "cd",
    ]


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([1, 2, 7, 14]), st.lists(st.binary(min_size=14, max_size=14), min_size=1))
def test_hex_column_of_rows_of_one_length_is_bytes_hex(n: int, rows: list[bytes]) -> None:
    """Every row of one length (all long frames: the text is the digits as they lie)."""
    data = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(len(rows), 14)
    length = np.full(len(rows), n, dtype=np.uint8)
    assert hex_column(data, length).to_pylist() == [b[:n].hex() for b in rows]


@pytest.mark.parametrize("typ", [pa.float64(), pa.int16(), pa.timestamp("us", tz="UTC")])
def test_all_null_columns_are_nulls(typ: pa.DataType) -> None:
    """``numeric_column`` of rows all null: ``pa.nulls`` of the type, at any length (a slice
    of one column kept per type up to ``NULL_ROWS``, made afresh past it)."""
    for n in (1, 5, NULL_ROWS, 3, NULL_ROWS + 1):
        got = numeric_column(np.zeros(n, dtype=np.int64), typ, np.ones(n, dtype=np.bool_))
        assert got.equals(pa.nulls(n, typ)) and got.null_count == n and len(got) == n


@pytest.mark.parametrize("value", ["", "x", "/data/feed-2026-12-06.csv", "é"])
@pytest.mark.parametrize("n", [0, 1, 5])
def test_repeated_is_the_value_n_times(value: str, n: int) -> None:
    assert hexio.repeated(value, n).to_pylist() == [value] * n
