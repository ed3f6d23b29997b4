"""The tracker step's array passes against plain references: the (key, time) row order, field
trust between source kinds, and the state vectors' icao24 and squawk Arrow columns (built from
their digits, the same buffers as through numpy strings)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode.squawktext import squawk_column
from skywitness.model import NON_ICAO_FLAG
from skywitness.track import fields as fld
from skywitness.track.address_filter import sort_order
from skywitness.track.state_vectors import (
    _icao24_column,
    _strings,
    icao24_hex,
    squawk_strings,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6), st.booleans()), max_size=80),
    st.booleans(),
)
def test_sort_order_is_the_lexsort(rows: list[tuple[int, int, bool]], ordered: bool) -> None:
    """(key, time, row) order, times in order or not, NaN times among them."""
    key = np.array([r[0] for r in rows], dtype=np.uint32)
    t = np.array([np.nan if r[2] and not ordered else r[1] * 0.5 for r in rows])
    if ordered:
        t = np.sort(t)
    got = sort_order(key, t)
    assert got.dtype == np.int64
    assert np.array_equal(got, np.lexsort((t, key)))


def _accept_reference(
    h: np.ndarray, kind: np.ndarray, t: np.ndarray, g: np.ndarray,
    carry_kind: np.ndarray, carry_t: np.ndarray, fresh_s: float,
) -> list[int]:  # fmt: skip
    """``fields.accept`` row by row: kinds from the most trusted down, each row against the
    last accepted row of a higher kind before it in its group, or the carried value."""
    rows = [int(i) for i in h if t[i] >= carry_t[g[i]]]
    ok = dict.fromkeys(rows, True)
    for k in sorted({int(kind[i]) for i in rows}, reverse=True):
        for pos, i in enumerate(rows):
            if kind[i] != k:
                continue
            last = carry_t[g[i]] if carry_kind[g[i]] > k else -np.inf
            for j in reversed(rows[:pos]):
                if g[j] != g[i]:
                    break
                if kind[j] > k and ok[j]:
                    last = max(last, t[j])
                    break
            if t[i] - last <= fresh_s:
                ok[i] = False
    return [i for i in rows if ok[i]]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 24), st.sampled_from([5, 7, 10]),
                  st.booleans()),
        max_size=60,
    ),
    st.lists(st.tuples(st.sampled_from([0, 5, 7, 10]), st.integers(-5, 30)), min_size=4,
             max_size=4),
)  # fmt: skip
def test_accept_is_the_row_by_row_rule(
    rows: list[tuple[int, int, int, bool]], carried: list[tuple[int, int]]
) -> None:
    """Rows sorted by (group, time), some without the field; times on exact freshness edges."""
    rows = sorted(rows)
    g = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] * 0.5 for r in rows])
    kind = np.array([r[2] for r in rows], dtype=np.uint8)
    h = np.flatnonzero([r[3] for r in rows]).astype(np.int64)
    carry_kind = np.array([c[0] for c in carried], dtype=np.uint8)
    carry_t = np.array([c[1] * 0.5 if c[0] else -np.inf for c in carried])
    got = fld.accept(h, kind, t, g, carry_kind, carry_t, 5.0)
    assert got.tolist() == _accept_reference(h, kind, t, g, carry_kind, carry_t, 5.0)


def _buffers(a: object) -> list[bytes | None]:
    return [b.to_pybytes() if b is not None else None for b in a.buffers()]  # type: ignore[attr-defined]


def test_icao24_and_squawk_columns_are_the_strings_columns() -> None:
    """The same Arrow buffers as the numpy strings' path: ICAO and non-ICAO keys, missing
    squawks, no rows."""
    icao = np.array([0x3C6444, 0x000001, 0xFFFFFF, 0x4840D6], dtype=np.uint32)
    for keys in (icao, icao | np.array([0, NON_ICAO_FLAG, 0, 0], dtype=np.uint32), icao[:0]):
        assert _buffers(_icao24_column(keys)) == _buffers(_strings(icao24_hex(keys)))
    for sq in ([7700, -1, 1200, 0, 7], [-1, -1], [1234], []):
        codes = np.array(sq, dtype=np.int16)
        got = squawk_column(codes, empty_nulls=True)  # (the state vectors' column)
        assert _buffers(got) == _buffers(_strings(squawk_strings(codes)))


def test_accept_a_rejected_row_of_a_higher_kind_protects_nothing() -> None:
    """ADS-B at 0 s, Mode S (checked) at 1 s rejected by it, Mode S (parity) at 5.5 s: 5.5 s
    after the last accepted higher value (fresh for 5 s), not 4.5 s after the rejected one."""
    g = np.zeros(3, dtype=np.int64)
    t = np.array([0.0, 1.0, 5.5])
    kind = np.array([10, 7, 5], dtype=np.uint8)
    h = np.arange(3, dtype=np.int64)
    carry_kind, carry_t = np.zeros(1, dtype=np.uint8), np.array([-np.inf])
    assert fld.accept(h, kind, t, g, carry_kind, carry_t, 5.0).tolist() == [0, 2]
    assert _accept_reference(h, kind, t, g, carry_kind, carry_t, 5.0) == [0, 2]


def test_icao24_hex_text() -> None:
    """Six lowercase digits, '~' before a non-ICAO address; no rows, no strings."""
    keys = np.array([0x3C6444, 0x000001, 0xFFFFFF, 0x4840D6 | NON_ICAO_FLAG], dtype=np.uint32)
    assert icao24_hex(keys).tolist() == ["3c6444", "000001", "ffffff", "~4840d6"]
    assert icao24_hex(keys[:0]).tolist() == []


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, (1 << 25) - 1), max_size=40))
def test_icao24_hex_is_the_address_text(keys: list[int]) -> None:
    """Any key: the six digits of its address (``decode.hexio.address_digits``, the text of
    ``address_column``), '~' before them where the non-ICAO bit is set."""
    k = np.array(keys, dtype=np.uint32)
    want = [("~" if x & NON_ICAO_FLAG else "") + f"{x & 0xFFFFFF:06x}" for x in keys]
    assert icao24_hex(k).tolist() == want
