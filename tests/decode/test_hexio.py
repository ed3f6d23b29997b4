"""Vectorised hex/text columns of the decode output equal the per-row Python they replace."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode.hexio import address_column, hex_column, text_column

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


def test_text_column_keeps_inner_nul() -> None:
    a = np.array(["a\x00b", "", "KLM1234"], dtype="<U8")
    assert text_column(a).to_pylist() == ["a\x00b", None, "KLM1234"]
