"""``AddressFilter.accept_sorted`` against the rule it implements, row by row: a row is kept
when verified, or when a verified row of its key comes at or before it (in the sorted order)
within the window, or when the key's remembered verified time is within the window."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.track.address_filter import AddressFilter, sort_order


def _rule(
    last: dict[int, float], a: list[int], v: list[bool], t: list[float], w: float
) -> list[bool]:
    out = []
    for i in range(len(a)):
        before = [t[j] for j in range(i + 1) if v[j] and a[j] == a[i]]
        seen = before[-1] if before else last.get(a[i], -np.inf)
        out.append(v[i] or t[i] - seen <= w)
    return out


rows = st.lists(
    st.tuples(st.integers(1, 4), st.booleans(), st.integers(0, 40)), min_size=1, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(st.lists(rows, min_size=1, max_size=3), st.sampled_from([0.0, 3.0, 10.0]))
def test_accept_sorted_is_the_rule(batches: list[list[tuple[int, bool, int]]], w: float) -> None:
    f = AddressFilter(window_s=w)
    for batch in batches:
        key = np.array([r[0] for r in batch], dtype=np.uint32)
        ver = np.array([r[1] for r in batch], dtype=np.bool_)
        t = np.array([float(r[2]) for r in batch])
        order = sort_order(key, t)
        a, v, ts = key[order], ver[order], t[order]
        want = _rule(dict(f._last), a.tolist(), v.tolist(), ts.tolist(), w)
        assert f.accept_sorted(a, v, ts).tolist() == want


def test_no_verified_row_keeps_only_remembered_keys() -> None:
    f = AddressFilter(window_s=5.0)
    f.accept_sorted(np.array([2], np.uint32), np.array([True]), np.array([10.0]))
    got = f.accept_sorted(
        np.array([1, 2, 2], np.uint32),
        np.array([False, False, False]),
        np.array([11.0, 12.0, 16.0]),
    )
    assert got.tolist() == [False, True, False]
