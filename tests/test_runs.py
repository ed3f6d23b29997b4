"""``runs``: where runs of equal values start and end, against a loop over the rows, for the
column types the callers pass (integer keys, float buckets, object and ``<U8`` texts), and the
forms it replaced (``np.r_[True, a[1:] != a[:-1]]``, ``np.flatnonzero(np.diff(a)) + 1``,
``np.r_[starts[1:], n]``)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from skywitness.runs import distinct, run_heads, run_starts, run_stops, run_tails


def _heads(values: list[Any]) -> list[bool]:
    return [i == 0 or values[i] != values[i - 1] for i in range(len(values))]


def _columns(values: list[int]) -> list[np.ndarray[Any, Any]]:
    return [
        np.array(values, dtype=np.int64),
        np.array(values, dtype=np.uint32),
        np.array(values, dtype=np.float64),
        np.array([f"K{v}" if v else "" for v in values], dtype="<U8"),
        np.array([str(v) for v in values], dtype=object),
    ]


@given(st.lists(st.integers(0, 3), max_size=40))
def test_runs_are_the_loop_over_the_rows(values: list[int]) -> None:
    heads = _heads(values)
    tails = [*heads[1:], True] if values else []
    for a in _columns(values):
        assert run_heads(a).dtype == np.bool_ and run_heads(a).tolist() == heads
        assert run_tails(a).dtype == np.bool_ and run_tails(a).tolist() == tails
        assert run_starts(a).tolist() == [i for i, h in enumerate(heads) if h]
        if a.size:  # the form the callers had (an empty column gave [True] there)
            assert np.array_equal(run_heads(a), np.r_[True, a[1:] != a[:-1]])
    a = np.array(values, dtype=np.int64)
    assert np.array_equal(run_starts(a)[1:], np.flatnonzero(np.diff(a)) + 1)
    assert distinct(a) == sorted(set(values))


def test_nan_rows_each_start_a_run() -> None:
    """NaN differs from itself: each NaN row is a run of its own, as ``!=`` said."""
    a = np.array([1.0, np.nan, np.nan, 2.0, 2.0])
    assert run_heads(a).tolist() == [True, True, True, True, False]


@given(st.lists(st.integers(0, 3), max_size=40))
def test_run_stops_slice_each_run(values: list[int]) -> None:
    """Each run is ``a[start:stop]``: its rows equal, a different value next; one stop per
    start (none for no rows); the type of the starts kept (int32 where a caller has it)."""
    a = np.array(values, dtype=np.int64)
    for starts in (run_starts(a), run_starts(a).astype(np.int32)):
        stops = run_stops(starts, a.size)
        assert stops.dtype == starts.dtype and stops.shape == starts.shape
        runs = [values[i:j] for i, j in zip(starts.tolist(), stops.tolist(), strict=True)]
        assert [x for r in runs for x in r] == values
        assert all(r and len(set(r)) == 1 for r in runs)
        assert all(r[0] != q[0] for r, q in itertools.pairwise(runs))
        if a.size:  # the form the callers had (no rows gave [0] there)
            assert np.array_equal(stops, np.r_[starts[1:], a.size])
