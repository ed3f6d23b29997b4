"""``rowarrays.run_heads``/``run_tails``: where runs of equal values start and end, as the
``np.r_[True, a[1:] != a[:-1]]`` they replace, and empty for an empty array."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from skywitness.flights.rowarrays import run_heads, run_tails


@given(st.lists(st.integers(0, 3), max_size=40))
def test_run_heads_and_tails(values: list[int]) -> None:
    a = np.array(values, dtype=np.int64)
    if a.size:
        assert np.array_equal(run_heads(a), np.r_[True, a[1:] != a[:-1]])
        assert np.array_equal(run_tails(a), np.r_[a[1:] != a[:-1], True])
    else:
        assert run_heads(a).shape == (0,) and run_tails(a).shape == (0,)
    assert run_heads(a).dtype == np.bool_ and run_tails(a).dtype == np.bool_
