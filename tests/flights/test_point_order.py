"""``point_order``: the stable order by (aircraft, time) that ``np.lexsort`` gives, whatever
the rows' order: in time order, each aircraft's rows in time order but the aircraft
interleaved (a live step's window: the rows held, then the new ones; the stable sort by
aircraft alone then), or neither; with and without a subset of rows, ties kept in row order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights.point_order import point_order


def _lexsort(ms: np.ndarray, code: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    if rows is None:
        return np.lexsort((ms, code))
    return rows[np.lexsort((ms[rows], code[rows]))]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 6)), min_size=0, max_size=60),
    st.sampled_from(["as is", "per aircraft", "in time"]),
    st.booleans(),
    st.integers(0, 2**31),
)
def test_the_lexsort_order(pairs: list[tuple[int, int]], shape: str, subset: bool,
                           seed: int) -> None:  # fmt: skip
    code = np.array([c for c, _ in pairs], dtype=np.int64)
    ms = np.array([t for _, t in pairs], dtype=np.int64) * 1000
    if shape == "per aircraft":  # each aircraft's times ascending, the aircraft interleaved
        for c in np.unique(code):
            at = np.flatnonzero(code == c)
            ms[at] = np.sort(ms[at])
    elif shape == "in time":
        ms = np.sort(ms)
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(rng.random(code.shape[0]) < 0.7) if subset else None
    got = point_order(ms, code, rows, 5)
    want = _lexsort(ms, code, rows)
    if got is None:  # in order already
        assert rows is None and list(want) == list(range(code.shape[0]))
    else:
        assert got.tolist() == want.tolist()
