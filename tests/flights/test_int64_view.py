"""``rowarrays.as_int64`` (a timestamp column viewed as int64) and ``columns.ts_array`` (a
timestamp array made from its buffers): the values of the casts and conversions they replace,
nulls, slices and several chunks included."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights.columns import TS_MS, ts_array
from skywitness.flights.rowarrays import as_int64, ms_of

MS = st.one_of(st.none(), st.integers(-(2**50), 2**50))


@settings(deadline=None)
@given(st.lists(st.lists(MS, max_size=8), min_size=1, max_size=4), st.integers(0, 3))
def test_a_timestamp_column_as_int64_is_its_cast(chunks: list[list[int | None]], off: int) -> None:
    col = pa.chunked_array([pa.array(c, TS_MS) for c in chunks], TS_MS)
    col = col.slice(min(off, len(col)))
    got, want = as_int64(col), col.cast(pa.int64())
    assert got.type == pa.int64() and got.to_pylist() == want.to_pylist()
    if not col.null_count:
        assert np.array_equal(ms_of(col), np.asarray(want.to_numpy(), dtype=np.int64))
    plain = pa.chunked_array([pa.array([1, None, 3], pa.int32())])
    assert as_int64(plain).equals(plain.cast(pa.int64()))


SECONDS = st.one_of(
    st.floats(-1e10, 1e10, allow_nan=False), st.sampled_from([np.nan, np.inf, -np.inf, 0.0005])
)


@settings(deadline=None)
@given(st.lists(st.tuples(SECONDS, st.booleans()), max_size=20), st.booleans())
def test_ts_array_as_the_masked_conversion(rows: list[tuple[float, bool]], masked: bool) -> None:
    """Null where not finite (or not valid), else the seconds rounded to ms: the array
    ``pa.array(ms, TS_MS, mask=...)`` gave."""
    sec = np.array([s for s, _ in rows], dtype=np.float64)
    valid = np.array([v for _, v in rows], dtype=bool) if masked else None
    ok = np.isfinite(sec) if valid is None else valid & np.isfinite(sec)
    ms = np.round(np.where(np.isnan(sec), 0.0, sec) * 1000)
    want = pa.array(np.where(ok, ms, 0).astype(np.int64), TS_MS, mask=~ok)
    got = ts_array(sec, valid)
    assert got.type == TS_MS and got.equals(want) and got.null_count == int((~ok).sum())
    assert got.to_pylist() == want.to_pylist()
